package manager

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/store"
	"github.com/specterpwa/specter/shared/wallet"
	"github.com/specterpwa/specter/shared/walletfile"
)

// Limits on what ReadSpecterZip unpacks, so a hostile archive (a "zip
// bomb") cannot exhaust the browser's memory.
const (
	maxSpecterZipSize   = 64 << 20 // the archive itself
	maxSpecterFileSize  = 4 << 20  // one unpacked file
	maxSpecterTotalSize = 64 << 20 // every unpacked file together
	maxSpecterEntries   = 10000
)

// SpecterFile is one file of Specter Desktop's backup archive
// (specter-backup.zip, written by Specter.specter_backup_file): Name is its
// path in the archive, "devices/<alias>.json" (a DeviceManager file) or
// "wallets/<alias>.json" (a WalletManager file), and Data its bytes.
type SpecterFile struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// SpecterSummary counts what ImportSpecter added. Skipped lists, one line
// per file, the devices and wallets that were already here with the same
// keys or descriptors and were left as they are.
type SpecterSummary struct {
	Devices int      `json:"devices"`
	Wallets int      `json:"wallets"`
	Labels  int      `json:"labels"`
	Skipped []string `json:"skipped"`
}

var (
	specterDeviceDir = regexp.MustCompile(`(^|/)devices/`)
	specterWalletDir = regexp.MustCompile(`(^|/)wallets/`)
	// specterDefaultLabel matches the labels Specter Desktop gives every
	// address ("Address #3", "Change #0", URL-encoded with "+"); they are
	// not imported.
	specterDefaultLabel = regexp.MustCompile(`^(Address|Change)[+ ]#\d+$`)
)

// specterDeviceTypes maps Specter Desktop's device class names to ours;
// the others ("bitcoincore", "elementscore", "generic"...) become "other".
var specterDeviceTypes = map[string]DeviceType{
	"coldcard": TypeColdcard, "trezor": TypeTrezor, "ledger": TypeLedger, "bitbox02": TypeBitBox02,
	"jade": TypeJade, "keystone": TypeKeystone, "cobo": TypeKeystone, "passport": TypePassport,
	"seedsigner": TypeSeedSigner, "specter": TypeSpecterDIY, "krux": TypeKrux,
}

func zipErr(msg string, err error) *Error {
	return invalidErr(msg, "choose the specter-backup.zip that Specter Desktop saved (Settings > Backup), unchanged", err)
}

// ReadSpecterZip unpacks Specter Desktop's backup archive (PKZIP, entries
// stored or deflated, as Python's zipfile writes them) and returns its
// devices/*.json and wallets/*.json files sorted by name, in any folder of
// the archive. Other files, folders and macOS "__MACOSX" / "._" copies are
// left out. An archive that is not a ZIP, is damaged, is too large or holds
// none of those files is refused.
func ReadSpecterZip(data []byte) ([]SpecterFile, error) {
	if len(data) > maxSpecterZipSize {
		return nil, zipErr("the archive is larger than 64 MiB, far more than a Specter Desktop backup", nil)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, zipErr("the file is not a ZIP archive, or it is damaged", err)
	}
	if len(zr.File) > maxSpecterEntries {
		return nil, zipErr(fmt.Sprintf("the archive holds %d entries, far more than a Specter Desktop backup", len(zr.File)), nil)
	}
	var out []SpecterFile
	total := 0
	for _, f := range zr.File {
		name := strings.ReplaceAll(f.Name, "\\", "/")
		if !isSpecterJSON(name) || f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, zipErr(fmt.Sprintf("%s cannot be unpacked", name), err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxSpecterFileSize+1))
		rc.Close()
		if err != nil {
			return nil, zipErr(fmt.Sprintf("%s cannot be unpacked", name), err)
		}
		if len(b) > maxSpecterFileSize {
			return nil, zipErr(fmt.Sprintf("%s is larger than 4 MiB, far more than a device or wallet file", name), nil)
		}
		if total += len(b); total > maxSpecterTotalSize {
			return nil, zipErr("the archive unpacks to more than 64 MiB, far more than a Specter Desktop backup", nil)
		}
		out = append(out, SpecterFile{Name: name, Data: b})
	}
	if len(out) == 0 {
		return nil, zipErr("the ZIP archive has no devices/ or wallets/ files", nil)
	}
	slices.SortFunc(out, func(a, b SpecterFile) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// isSpecterJSON reports whether an archive path is a device or wallet file.
func isSpecterJSON(name string) bool {
	base := path.Base(name)
	if !strings.HasSuffix(strings.ToLower(name), ".json") || strings.HasPrefix(base, "._") ||
		strings.HasPrefix(name, "__MACOSX/") || strings.Contains(name, "/__MACOSX/") {
		return false
	}
	return specterDeviceDir.MatchString(name) || specterWalletDir.MatchString(name)
}

// ImportSpecterZip is ReadSpecterZip followed by ImportSpecter.
func (e *Engine) ImportSpecterZip(ctx context.Context, data []byte) (SpecterSummary, error) {
	files, err := ReadSpecterZip(data)
	if err != nil {
		return SpecterSummary{}, err
	}
	return e.ImportSpecter(ctx, files)
}

// specterPlan is what an ImportSpecter will write: built in memory, checked
// completely, then stored in one Apply.
type specterPlan struct {
	e        *Engine
	devices  []Device       // new devices, in file order
	wallets  []*walletEntry // new wallets, in file order
	labels   int
	skipped  []string
	problems []string
}

// why is an error's text for a problem line: a manager Error without its
// hint (the import's own hint says what to do).
func why(err error) string {
	var me *Error
	if errors.As(err, &me) {
		return me.Text()
	}
	return err.Error()
}

func (p *specterPlan) problem(file, format string, args ...any) {
	p.problems = append(p.problems, file+": "+fmt.Sprintf(format, args...))
}

func (p *specterPlan) deviceIDTaken(id string) bool {
	if _, ok := p.e.devices[id]; ok {
		return true
	}
	return slices.ContainsFunc(p.devices, func(d Device) bool { return d.ID == id })
}

func (p *specterPlan) walletIDTaken(id string) bool {
	if _, ok := p.e.wallets[id]; ok {
		return true
	}
	return slices.ContainsFunc(p.wallets, func(w *walletEntry) bool { return w.rec.ID == id })
}

// ImportSpecter adds the devices and wallets of Specter Desktop's backup
// (its DeviceManager and WalletManager JSON files, as ReadSpecterZip
// returns them) as one logical change, so a tab closed midway leaves the
// previous state intact:
//
//   - each devices/ file becomes a device with the keys keys.ParseExport
//     reads from it, named by its "name" (else "alias", else the file name),
//     its type mapped from Specter's device class ("other" when unknown);
//   - each wallets/ file becomes a wallet as walletfile reads Specter's
//     wallet files (its first addresses checked), or, when that fails, from
//     its "recv_descriptor" and "change_descriptor"; its keys are matched to
//     the devices (existing or in the backup) by key and origin, and keys no
//     device holds get a device "Cosigner <fingerprint>", as ImportDescriptor
//     does; its custom address labels ("labels": {label: [addresses]}, not
//     Specter's default "Address #n"/"Change #n") become BIP329 addr labels;
//   - a device or wallet whose name is already here is skipped (and listed
//     in Skipped) when it has the same keys, or the same descriptors; with
//     other keys or descriptors the whole import is refused.
//
// Every file is checked before anything is written; any problem refuses the
// whole import with an error (Kind KindInvalid) naming each bad file and
// what is wrong with it, and nothing is stored. Otherwise every new device,
// wallet and label is written in one Store.Apply.
func (e *Engine) ImportSpecter(ctx context.Context, files []SpecterFile) (SpecterSummary, error) {
	var devFiles, walletFiles []SpecterFile
	for _, f := range files {
		switch name := strings.ReplaceAll(f.Name, "\\", "/"); {
		case !strings.HasSuffix(strings.ToLower(name), ".json"):
		case specterDeviceDir.MatchString(name):
			devFiles = append(devFiles, SpecterFile{Name: name, Data: f.Data})
		case specterWalletDir.MatchString(name):
			walletFiles = append(walletFiles, SpecterFile{Name: name, Data: f.Data})
		}
	}
	if len(devFiles) == 0 && len(walletFiles) == 0 {
		return SpecterSummary{}, zipErr("the ZIP archive has no devices/ or wallets/ files", nil)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	p := &specterPlan{e: e}
	for _, f := range devFiles {
		p.addDevice(f)
	}
	for _, f := range walletFiles {
		p.addWallet(f)
	}
	if len(p.problems) > 0 {
		n := strconv.Itoa(len(p.problems)) + " files have problems"
		if len(p.problems) == 1 {
			n = "1 file has a problem"
		}
		return SpecterSummary{}, &Error{Kind: KindInvalid,
			Message: "the Specter Desktop backup cannot be restored (" + n + ")",
			Hint:    "nothing was added; fix or remove the files named, or save the backup again in Specter Desktop (Settings > Backup), then restore it again",
			Err:     errors.New(strings.Join(p.problems, "; "))}
	}
	sum := SpecterSummary{Devices: len(p.devices), Wallets: len(p.wallets), Labels: p.labels, Skipped: p.skipped}
	if sum.Skipped == nil {
		sum.Skipped = []string{}
	}
	if len(p.devices) == 0 && len(p.wallets) == 0 {
		return sum, nil
	}
	ops := make([]store.Op, 0, len(p.devices)+2*len(p.wallets))
	for _, d := range p.devices {
		op, err := putJSON(store.Devices, d.ID, d)
		if err != nil {
			return SpecterSummary{}, err
		}
		ops = append(ops, op)
	}
	for _, w := range p.wallets {
		wop, err := putJSON(store.Wallets, w.rec.ID, w.rec)
		if err != nil {
			return SpecterSummary{}, err
		}
		cop, err := putJSON(store.ChangeSets, w.keys[0], w.core.State())
		if err != nil {
			return SpecterSummary{}, err
		}
		ops = append(ops, wop, cop)
	}
	if err := e.apply(ctx, "restoring the Specter Desktop backup", ops...); err != nil {
		return SpecterSummary{}, err
	}
	for _, d := range p.devices {
		e.devices[d.ID] = d
	}
	for _, w := range p.wallets {
		e.wallets[w.rec.ID] = w
	}
	return sum, nil
}

// fileStem is the file name without folder and ".json".
func fileStem(name string) string {
	base := path.Base(name)
	return base[:len(base)-len(path.Ext(base))]
}

// addDevice reads one Specter device file into the plan.
func (p *specterPlan) addDevice(f SpecterFile) {
	var sd struct {
		Name  string `json:"name"`
		Alias string `json:"alias"`
		Type  string `json:"type"`
	}
	if err := json.Unmarshal(f.Data, &sd); err != nil {
		p.problem(f.Name, "it is not a Specter device file (the JSON does not parse: %v)", why(err))
		return
	}
	raw := sd.Name
	if strings.TrimSpace(raw) == "" {
		raw = sd.Alias
	}
	if strings.TrimSpace(raw) == "" {
		raw = fileStem(f.Name)
	}
	name, err := cleanName("device", raw)
	if err != nil {
		p.problem(f.Name, "%v", why(err))
		return
	}
	typ, ok := specterDeviceTypes[strings.ToLower(strings.TrimSpace(sd.Type))]
	if !ok {
		typ = TypeOther
	}
	exp, err := KeysFromExport(f.Data)
	if err != nil {
		p.problem(f.Name, "device %s: %v", quote(name), why(err))
		return
	}
	ks, err := mergeKeys(nil, exp)
	if err != nil {
		p.problem(f.Name, "device %s: %v", quote(name), why(err))
		return
	}
	if len(ks) == 0 {
		p.problem(f.Name, "device %s has no keys", quote(name))
		return
	}
	for _, have := range p.e.devices {
		if !sameName(have.Name, name) {
			continue
		}
		if holdsAll(have.Keys, ks) {
			p.skipped = append(p.skipped, fmt.Sprintf("%s: device %s is already here with these keys; kept as it is", f.Name, quote(have.Name)))
			return
		}
		p.problem(f.Name, "a device named %s is already in this app with other keys (rename or delete that device, then restore again)", quote(have.Name))
		return
	}
	for _, d := range p.devices {
		if sameName(d.Name, name) {
			p.problem(f.Name, "another file of the backup has a device named %s too", quote(d.Name))
			return
		}
	}
	p.devices = append(p.devices, Device{ID: uniqueID(name, "device", p.deviceIDTaken), Name: name, Type: typ, Keys: ks, CreatedAt: p.e.stamp()})
}

// holdsAll reports whether have holds every key of want (same xpub and
// origin).
func holdsAll(have, want []DeviceKey) bool {
	for _, w := range want {
		if !slices.ContainsFunc(have, func(h DeviceKey) bool { return h.Xpub == w.Xpub && h.Origin.String() == w.Origin.String() }) {
			return false
		}
	}
	return true
}

// specterWalletFile is what addWallet reads of a Specter wallet file
// besides what walletfile reads.
type specterWalletFile struct {
	Name             string                     `json:"name"`
	Alias            string                     `json:"alias"`
	Address          string                     `json:"address"`
	AddressIndex     *uint32                    `json:"address_index"`
	RecvDescriptor   string                     `json:"recv_descriptor"`
	ChangeDescriptor string                     `json:"change_descriptor"`
	Blockheight      json.RawMessage            `json:"blockheight"`
	Labels           map[string]json.RawMessage `json:"labels"`
}

// guessNetwork is the network of a Specter wallet's first address: bcrt1
// is regtest, bc1/1/3 mainnet, the rest the test networks.
func guessNetwork(addr string) network.Network {
	switch {
	case strings.HasPrefix(addr, "bcrt1"):
		return network.Regtest
	case strings.HasPrefix(addr, "bc1"), strings.HasPrefix(addr, "1"), strings.HasPrefix(addr, "3"):
		return network.Main
	}
	return network.Test
}

// addWallet reads one Specter wallet file into the plan.
func (p *specterPlan) addWallet(f SpecterFile) {
	var sw specterWalletFile
	if err := json.Unmarshal(f.Data, &sw); err != nil {
		p.problem(f.Name, "it is not a Specter wallet file (the JSON does not parse: %v)", why(err))
		return
	}
	net := guessNetwork(sw.Address)
	rawName := sw.Name
	var recv, change string
	var birthday int64
	imp, ferr := walletfile.ImportWith(f.Data, walletfile.Options{Network: net})
	if ferr == nil {
		recv, net, birthday = imp.Setup.Descriptor, imp.Setup.Network, imp.Setup.BirthdayHeight
		if strings.TrimSpace(rawName) == "" {
			rawName = imp.Setup.Name
		}
	} else {
		// walletfile refused the file (a layout of another Specter version,
		// a "keys" list that does not match): use its recv_descriptor and
		// change_descriptor, as the app did before, and check the address
		// the file records all the same. Any failure reports walletfile's
		// reason, the most telling one.
		recv, change = strings.TrimSpace(sw.RecvDescriptor), strings.TrimSpace(sw.ChangeDescriptor)
		if recv == "" && errors.Is(ferr, walletfile.ErrUnknownFormat) {
			p.problem(f.Name, "it is not a Specter wallet file: it has no \"recv_descriptor\"")
			return
		}
		if recv == "" {
			p.problem(f.Name, "the wallet file cannot be read: %s", why(ferr))
			return
		}
		if h := strings.Trim(strings.TrimSpace(string(sw.Blockheight)), `"`); h != "" && h != "null" {
			n, err := strconv.ParseInt(h, 10, 64)
			if err != nil {
				p.problem(f.Name, "the wallet file cannot be read: %s; and its \"blockheight\" %s is not a number", why(ferr), h)
				return
			}
			birthday = n
		}
	}
	if strings.TrimSpace(rawName) == "" {
		rawName = sw.Alias
	}
	if strings.TrimSpace(rawName) == "" {
		rawName = fileStem(f.Name)
	}
	name, err := cleanName("wallet", rawName)
	if err != nil {
		p.problem(f.Name, "%v", why(err))
		return
	}
	if birthday < 0 || birthday > 1<<31-1 {
		p.problem(f.Name, "wallet %s: its block height %d is not a block height", quote(name), birthday)
		return
	}
	descErr := func(err error) {
		if ferr != nil {
			p.problem(f.Name, "the wallet file cannot be read: %s", why(ferr))
			return
		}
		p.problem(f.Name, "wallet %s: %v", quote(name), why(err))
	}
	if change == "" {
		if change, err = impliedChange(recv); err != nil {
			descErr(err)
			return
		}
	}
	ds, d, err := verifyDescriptors(recv, change, net, int32(birthday), 0)
	if err != nil {
		descErr(err)
		return
	}
	if ferr != nil && sw.Address != "" {
		if err := checkRecordedAddress(ds.receive, net, sw.Address, sw.AddressIndex); err != nil {
			descErr(err)
			return
		}
	}
	script, kind, err := scriptOf(d)
	if err != nil {
		p.problem(f.Name, "wallet %s: %v", quote(name), why(err))
		return
	}
	for _, w := range p.e.wallets {
		if !sameName(w.rec.Name, name) {
			continue
		}
		if w.rec.Receive == ds.receive && w.rec.Change == ds.change {
			p.skipped = append(p.skipped, fmt.Sprintf("%s: wallet %s is already here with these descriptors; kept as it is", f.Name, quote(w.rec.Name)))
			return
		}
		p.problem(f.Name, "a wallet named %s is already in this app with other descriptors (rename or delete that wallet, then restore again)", quote(w.rec.Name))
		return
	}
	for _, w := range p.wallets {
		if sameName(w.rec.Name, name) {
			p.problem(f.Name, "another file of the backup has a wallet named %s too", quote(w.rec.Name))
			return
		}
	}
	ids, ok := p.walletDevices(f.Name, name, d, script)
	if !ok {
		return
	}
	core, _, err := wallet.New(ds.params)
	if err != nil {
		p.problem(f.Name, "wallet %s cannot be set up: %v", quote(name), why(err))
		return
	}
	labels, ok := p.walletLabels(f.Name, name, core, sw.Labels)
	if !ok {
		return
	}
	m, n := d.Threshold()
	w := Wallet{ID: uniqueID(name, "wallet", p.walletIDTaken), Name: name, Kind: kind, ScriptType: script, M: m, N: n,
		DeviceIDs: ids, Network: net, Descriptor: ds.multipath, Receive: ds.receive, Change: ds.change,
		GapLimit: core.Params().GapLimit, Birthday: core.Params().Birthday, CreatedAt: p.e.stamp()}
	p.wallets = append(p.wallets, &walletEntry{rec: w, core: core, keys: []string{changeSetKey(w.ID, 0)}, next: 1})
	p.labels += labels
}

// checkRecordedAddress checks that the receive address a Specter wallet
// file records (at address_index, 0 when absent) is the descriptor's.
func checkRecordedAddress(receive string, net network.Network, addr string, index *uint32) error {
	i := uint32(0)
	if index != nil {
		i = *index
	}
	d, err := descriptor.Parse(receive)
	if err != nil {
		return err
	}
	got, err := d.Address(i, net)
	if err != nil {
		return err
	}
	bech32 := strings.HasPrefix(got, "bc1") || strings.HasPrefix(got, "tb1") || strings.HasPrefix(got, "bcrt1")
	if got != addr && !(bech32 && strings.EqualFold(got, addr)) {
		return fmt.Errorf("its address %s is not the descriptor's receive address %d (%s)", addr, i, got)
	}
	return nil
}

// impliedChange gives the change descriptor of a lone single-branch
// descriptor ending in /0/* (its /1/* twin, as Specter and ImportDescriptor
// make it), or "" for a <0;1> multipath descriptor.
func impliedChange(recv string) (string, error) {
	d, err := descriptor.Parse(recv)
	if err != nil {
		return "", invalidErr("the descriptor cannot be parsed", "", err)
	}
	if d.PathCount() != 1 {
		return "", nil
	}
	body := d.StringNoChecksum()
	if !strings.Contains(body, "/0/*") {
		return "", invalid("the descriptor has no change branch", "")
	}
	return strings.ReplaceAll(body, "/0/*", "/1/*"), nil
}

// walletDevices matches each extended key of the wallet's descriptor to a
// device (existing ones first, then the backup's), creating a "Cosigner
// <fingerprint>" device of type other for a key no device holds.
func (p *specterPlan) walletDevices(file, name string, d *descriptor.Descriptor, script WalletScript) ([]string, bool) {
	var ids []string
	for _, k := range d.Keys() {
		if len(k.Xpub) <= 66 {
			continue // a hex key such as tr()'s unspendable internal key
		}
		if k.Origin == nil {
			p.problem(file, "wallet %s: key %s has no origin [fingerprint/path]", quote(name), abbrevKey(k.Xpub))
			return nil, false
		}
		dk := DeviceKey{Origin: *k.Origin, Xpub: k.Xpub}
		id := p.e.deviceWithKey(dk)
		if id == "" {
			for _, nd := range p.devices {
				if holdsAll(nd.Keys, []DeviceKey{dk}) {
					id = nd.ID
					break
				}
			}
		}
		if id == "" {
			if st := script.accountType(); st != "" {
				dk.ScriptHint = st
			}
			ks, err := mergeKeys(nil, []DeviceKey{dk})
			if err != nil {
				p.problem(file, "wallet %s: %v", quote(name), why(err))
				return nil, false
			}
			dname := uniqueName("Cosigner "+dk.Origin.Fingerprint.String(), func(s string) bool {
				return p.e.deviceNameFree(s, "") != nil || slices.ContainsFunc(p.devices, func(d Device) bool { return sameName(d.Name, s) })
			})
			nd := Device{ID: uniqueID(dname, "device", p.deviceIDTaken), Name: dname, Type: TypeOther, Keys: ks, CreatedAt: p.e.stamp()}
			p.devices = append(p.devices, nd)
			id = nd.ID
		}
		if slices.Contains(ids, id) {
			p.problem(file, "wallet %s: device %s holds two of its keys (a multisig wallet needs a different key from each cosigner)", quote(name), quote(id))
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

// walletLabels sets the custom address labels of a Specter wallet file
// ({label: [address, ...]} or {label: address}) on the new wallet core and
// returns how many it set.
func (p *specterPlan) walletLabels(file, name string, core *wallet.Wallet, labels map[string]json.RawMessage) (int, bool) {
	n := 0
	for _, label := range sortedKeys(labels) {
		if specterDefaultLabel.MatchString(label) {
			continue
		}
		var addrs []string
		raw := labels[label]
		if err := json.Unmarshal(raw, &addrs); err != nil {
			var one string
			if err := json.Unmarshal(raw, &one); err != nil {
				p.problem(file, "wallet %s: label %s is not given a list of addresses", quote(name), quote(label))
				return 0, false
			}
			addrs = []string{one}
		}
		text := strings.TrimSpace(strings.ReplaceAll(label, "+", " "))
		for _, a := range addrs {
			if _, err := core.SetLabel(wallet.Label{Type: "addr", Ref: a, Label: text}); err != nil {
				p.problem(file, "wallet %s: label %s of address %s: %v", quote(name), quote(text), a, why(err))
				return 0, false
			}
			n++
		}
	}
	return n, true
}
