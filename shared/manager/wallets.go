package manager

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/store"
	"github.com/specterpwa/specter/shared/wallet"
)

// WalletKind is single-signature or M-of-N multisignature.
type WalletKind string

// The wallet kinds.
const (
	Single WalletKind = "single"
	Multi  WalletKind = "multi"
)

// WalletScript is the output script of a wallet, by descriptor function
// (BIP381-387).
type WalletScript string

// The wallet scripts. Single-sig: pkh (BIP44), sh-wpkh (BIP49), wpkh
// (BIP84), tr (BIP86). Multisig: wsh and sh-wsh (BIP48, sortedmulti of
// BIP383), tr-multi_a (BIP386 tr() with an unspendable internal key and a
// sortedmulti_a leaf, BIP387), sh (legacy BIP45 P2SH, import only).
const (
	ScriptPKH       WalletScript = "pkh"
	ScriptSHWPKH    WalletScript = "sh-wpkh"
	ScriptWPKH      WalletScript = "wpkh"
	ScriptTR        WalletScript = "tr"
	ScriptWSH       WalletScript = "wsh"
	ScriptSHWSH     WalletScript = "sh-wsh"
	ScriptTRMultiA  WalletScript = "tr-multi_a"
	ScriptLegacySH  WalletScript = "sh"
	maxWSHKeys                   = 15 // BIP383 allows 20 in wsh(); 15 keeps sh-wsh and signers' limits
	maxTapMultiKeys              = 20 // BIP387 allows 999; hardware signers handle far fewer
)

// numsKey is BIP341's provably unspendable x-only key H, the internal key
// of tr-multi_a wallets so that only the script path can spend.
const numsKey = "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0"

// WalletSpec describes a wallet to create from devices.
type WalletSpec struct {
	Name       string       `json:"name"`
	Kind       WalletKind   `json:"kind"`
	ScriptType WalletScript `json:"script_type"`
	// M is the number of signatures required; 0 means Specter's default
	// of N/2+1 (1 for single-sig).
	M         int             `json:"m"`
	DeviceIDs []string        `json:"device_ids"`
	Network   network.Network `json:"network"`
	// Keys optionally picks the key (its xpub) to use per device id; other
	// devices get their best key for the script type.
	Keys map[string]string `json:"keys,omitempty"`
	// Birthday is the first block height to scan; GapLimit 0 means 20.
	Birthday int32  `json:"birthday"`
	GapLimit uint32 `json:"gap_limit"`
}

// Wallet is a stored wallet: its setup and descriptors. The transaction
// state lives in the wallet core (shared/wallet), reached with View and
// Update.
type Wallet struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Kind       WalletKind      `json:"kind"`
	ScriptType WalletScript    `json:"script_type"`
	M          int             `json:"m"`
	N          int             `json:"n"`
	DeviceIDs  []string        `json:"device_ids"`
	Network    network.Network `json:"network"`
	// Descriptor is the BIP389 multipath descriptor .../<0;1>/* with its
	// checksum; empty when the wallet was imported from two descriptors.
	Descriptor string `json:"descriptor,omitempty"`
	// Receive and Change are the single-branch descriptors (/0/* and /1/*).
	Receive   string    `json:"receive"`
	Change    string    `json:"change"`
	GapLimit  uint32    `json:"gap_limit"`
	Birthday  int32     `json:"birthday"`
	CreatedAt time.Time `json:"created_at"`
}

// CreateResult is a new wallet with its first receive address (derived
// from the parsed descriptor as a check) and warnings for the user, such as
// a key on a non-standard derivation path.
type CreateResult struct {
	Wallet       Wallet   `json:"wallet"`
	FirstAddress string   `json:"first_address"`
	Warnings     []string `json:"warnings,omitempty"`
	// NewDevices lists devices ImportDescriptor created for keys that no
	// device held.
	NewDevices []Device `json:"new_devices,omitempty"`
}

// DefaultM is Specter Desktop's default threshold for n cosigners: n/2+1
// (a majority), 1 for a single key.
func DefaultM(n int) int {
	if n <= 1 {
		return 1
	}
	return n/2 + 1
}

func (s WalletScript) kind() (WalletKind, bool) {
	switch s {
	case ScriptPKH, ScriptSHWPKH, ScriptWPKH, ScriptTR:
		return Single, true
	case ScriptWSH, ScriptSHWSH, ScriptTRMultiA:
		return Multi, true
	}
	return "", false
}

// accountType is the keys.ScriptType whose standard account path fits s.
func (s WalletScript) accountType() keys.ScriptType {
	switch s {
	case ScriptPKH:
		return keys.ScriptPKH
	case ScriptSHWPKH:
		return keys.ScriptSHWPKH
	case ScriptWPKH:
		return keys.ScriptWPKH
	case ScriptTR:
		return keys.ScriptTR
	case ScriptWSH:
		return keys.ScriptWSH
	case ScriptSHWSH:
		return keys.ScriptSHWSH
	}
	return ""
}

// allowedHints are the key script hints usable for s, as Specter's
// get_devices_with_keys_by_type allows them: any single-sig hint for a
// single-sig wallet, any multisig hint for a multisig one.
func (s WalletScript) allowedHints() []keys.ScriptType {
	if k, _ := s.kind(); k == Single {
		return []keys.ScriptType{"", keys.ScriptPKH, keys.ScriptSHWPKH, keys.ScriptWPKH, keys.ScriptTR}
	}
	h := []keys.ScriptType{"", keys.ScriptWSH, keys.ScriptSHWSH}
	if s == ScriptTRMultiA {
		h = append(h, keys.ScriptTR)
	}
	return h
}

// standardPath reports whether p is the standard account path of s on net
// for some account: BIP44/49/84/86/48 (keys.AccountPath); for tr-multi_a
// m/48'/coin'/account'/3' or BIP87's m/87'/coin'/account'.
func (s WalletScript) standardPath(p keys.Path, net network.Network) bool {
	if len(p) < 3 || p[2] < keys.Hardened {
		return false
	}
	acct := p[2] - keys.Hardened
	if s == ScriptTRMultiA {
		coin := net.CoinType() + keys.Hardened
		return slices.Equal(p, keys.Path{48 + keys.Hardened, coin, p[2], 3 + keys.Hardened}) ||
			slices.Equal(p, keys.Path{87 + keys.Hardened, coin, p[2]})
	}
	want, err := keys.AccountPath(s.accountType(), net, acct)
	return err == nil && slices.Equal(p, want)
}

func (s WalletScript) standardPathText(net network.Network) string {
	if s == ScriptTRMultiA {
		return fmt.Sprintf("m/48'/%d'/0'/3' or m/87'/%d'/0'", net.CoinType(), net.CoinType())
	}
	p, err := keys.AccountPath(s.accountType(), net, 0)
	if err != nil {
		return "?"
	}
	return "m/" + p.StringApostrophe()
}

// pickKey chooses the device's key for a wallet: a key of the network's
// version (tpub on test networks) whose hint fits the script, preferring the
// standard account path, then a key hinted for exactly this script, then an
// unhinted one. A non-standard path gives a warning.
func pickKey(d Device, s WalletScript, net network.Network, chosen string) (DeviceKey, string, error) {
	type cand struct {
		k     DeviceKey
		score int
	}
	var best *cand
	wrongNet := 0
	for _, k := range d.Keys {
		pk, err := checkKey(k)
		if err != nil {
			return DeviceKey{}, "", invalidErr("device "+quote(d.Name)+" holds a bad key", "remove the device and add it again", err)
		}
		if chosen != "" {
			if pk.Xpub != chosen && k.Xpub != chosen {
				continue
			}
		}
		if pk.testnet != net.IsTestnetLike() {
			wrongNet++
			continue
		}
		if chosen == "" && !slices.Contains(s.allowedHints(), pk.ScriptHint) {
			continue
		}
		c := cand{k: pk.DeviceKey}
		switch {
		case s.standardPath(pk.Origin.Path, net):
			c.score = 3
		case pk.ScriptHint != "" && string(pk.ScriptHint) == string(s):
			c.score = 2
		case pk.ScriptHint == "":
			c.score = 1
		}
		if best == nil || c.score > best.score {
			best = &c
		}
	}
	if best == nil {
		if chosen != "" {
			if wrongNet > 0 {
				return DeviceKey{}, "", invalid("the key chosen for device "+quote(d.Name)+" is not for "+string(net), "pick a "+keyNetworkName(net.IsTestnetLike())+" key")
			}
			return DeviceKey{}, "", invalid("device "+quote(d.Name)+" has no key "+abbrevKey(chosen), "pick one of the device's keys")
		}
		hint := "add the device's " + s.standardPathText(net) + " key (" + keyNetworkName(net.IsTestnetLike()) + ")"
		if wrongNet > 0 && wrongNet == len(d.Keys) {
			return DeviceKey{}, "", invalid("device "+quote(d.Name)+" has only keys for "+keyNetworkName(!net.IsTestnetLike())+", none for "+string(net), hint)
		}
		return DeviceKey{}, "", invalid("device "+quote(d.Name)+" has no key for a "+string(s)+" wallet on "+string(net), hint)
	}
	warn := ""
	if !s.standardPath(best.k.Origin.Path, net) {
		warn = fmt.Sprintf("device %q: key [%s] is not on the standard %s path %s; make sure the device can sign with it",
			d.Name, best.k.Origin, s, s.standardPathText(net))
	}
	return best.k, warn, nil
}

// KeyChoice is what a device offers a new wallet: its keys usable for the
// wallet's script type and network (in the device's order) and the one
// CreateWallet takes when WalletSpec.Keys names none.
type KeyChoice struct {
	DeviceID string      `json:"device_id"`
	Keys     []DeviceKey `json:"keys"`
	// Default is the xpub pickKey chooses; empty when the device has no
	// usable key (CreateWallet then says why).
	Default string `json:"default"`
}

// KeyChoices lists, for each device id, the keys CreateWallet could use for
// a wallet of script s on net: keys of the network's version (BIP32 xpub or
// tpub) whose script hint fits s, as pickKey selects them, with pickKey's
// default. A device with several (a second BIP48 account, a key of another
// script) lets the user choose one through WalletSpec.Keys.
func (e *Engine) KeyChoices(ids []string, s WalletScript, net network.Network) ([]KeyChoice, error) {
	n, err := network.Parse(string(net))
	if err != nil {
		return nil, invalidErr("unknown network", "", err)
	}
	if _, ok := s.kind(); !ok {
		return nil, invalid(fmt.Sprintf("unknown wallet script type %q", s), "use pkh, sh-wpkh, wpkh or tr for single-sig; wsh, sh-wsh or tr-multi_a for multisig")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]KeyChoice, 0, len(ids))
	for _, id := range ids {
		d, ok := e.devices[id]
		if !ok {
			return nil, notFound("device", id)
		}
		c := KeyChoice{DeviceID: id, Keys: []DeviceKey{}}
		for _, k := range d.Keys {
			pk, err := checkKey(k)
			if err != nil || pk.testnet != n.IsTestnetLike() || !slices.Contains(s.allowedHints(), pk.ScriptHint) {
				continue
			}
			c.Keys = append(c.Keys, pk.DeviceKey)
		}
		if k, _, err := pickKey(d, s, n, ""); err == nil {
			c.Default = k.Xpub
		}
		out = append(out, c)
	}
	return out, nil
}

// buildDescriptor writes the BIP389 multipath descriptor of a wallet.
func buildDescriptor(s WalletScript, m int, ks []DeviceKey) string {
	exprs := make([]string, len(ks))
	for i, k := range ks {
		exprs[i] = k.String() + "/<0;1>/*"
	}
	multi := fmt.Sprintf("%d,%s", m, strings.Join(exprs, ","))
	switch s {
	case ScriptPKH:
		return "pkh(" + exprs[0] + ")"
	case ScriptSHWPKH:
		return "sh(wpkh(" + exprs[0] + "))"
	case ScriptWPKH:
		return "wpkh(" + exprs[0] + ")"
	case ScriptTR:
		return "tr(" + exprs[0] + ")"
	case ScriptWSH:
		return "wsh(sortedmulti(" + multi + "))"
	case ScriptSHWSH:
		return "sh(wsh(sortedmulti(" + multi + ")))"
	case ScriptTRMultiA:
		return "tr(" + numsKey + ",sortedmulti_a(" + multi + "))"
	}
	return ""
}

// descriptors are a wallet's parsed and verified descriptors.
type descriptors struct {
	multipath       string // "" for a receive/change pair
	receive, change string
	first           string // first receive address
	params          wallet.Params
}

// verifyDescriptors parses the descriptors back, checks the network and
// derives the first receive address; with change == "" the receive text
// must be a <0;1> multipath descriptor.
func verifyDescriptors(recvText, changeText string, net network.Network, birthday int32, gap uint32) (descriptors, *descriptor.Descriptor, error) {
	d, err := descriptor.Parse(recvText)
	if err != nil {
		return descriptors{}, nil, invalidErr("the descriptor cannot be parsed", "check it was copied completely", err)
	}
	if err := d.CheckNetwork(net); err != nil {
		return descriptors{}, nil, invalidErr("the descriptor does not fit network "+string(net), "choose the network its keys were exported for", err)
	}
	if d.HasPrivateKeys() {
		return descriptors{}, nil, invalid("the descriptor holds private keys", "give the public descriptor: the wallet is watch-only")
	}
	var out descriptors
	var r, c *descriptor.Descriptor
	if changeText == "" {
		if d.PathCount() != 2 {
			return descriptors{}, nil, invalid(fmt.Sprintf("the descriptor has %d branch(es), a wallet needs receive and change", d.PathCount()), "use .../<0;1>/* or give a change descriptor too")
		}
		if r, err = d.Branch(0); err == nil {
			c, err = d.Branch(1)
		}
		if err != nil {
			return descriptors{}, nil, invalidErr("the descriptor branches cannot be split", "", err)
		}
		out.multipath = d.String()
	} else {
		cd, err := descriptor.Parse(changeText)
		if err != nil {
			return descriptors{}, nil, invalidErr("the change descriptor cannot be parsed", "check it was copied completely", err)
		}
		if err := cd.CheckNetwork(net); err != nil {
			return descriptors{}, nil, invalidErr("the change descriptor does not fit network "+string(net), "", err)
		}
		if cd.HasPrivateKeys() {
			return descriptors{}, nil, invalid("the change descriptor holds private keys", "give the public descriptor")
		}
		r, c = d, cd
	}
	out.receive, out.change = r.String(), c.String()
	if out.first, err = r.Address(0, net); err != nil {
		return descriptors{}, nil, invalidErr("no address can be derived from the descriptor", "", err)
	}
	if _, err := c.Address(0, net); err != nil {
		return descriptors{}, nil, invalidErr("no change address can be derived from the descriptor", "", err)
	}
	out.params = wallet.Params{Receive: out.multipath, Network: string(net), Birthday: birthday, GapLimit: gap}
	if out.multipath == "" {
		out.params.Receive, out.params.Change = out.receive, out.change
	}
	return out, d, nil
}

// CreateWallet builds a wallet from devices as Specter's new-wallet screens
// do: one device for single-sig, N devices for M-of-N sortedmulti (BIP383)
// or sortedmulti_a (BIP387), M defaulting to N/2+1. Every device must have
// a key of the network's version whose script hint fits; no key may appear
// twice; 1 <= M <= N <= 15 (wsh, sh-wsh) or 20 (tr-multi_a). The result's
// descriptors are parsed back and the first address derived before the
// wallet and its first change set are written in one Apply.
func (e *Engine) CreateWallet(ctx context.Context, spec WalletSpec) (CreateResult, error) {
	name, err := cleanName("wallet", spec.Name)
	if err != nil {
		return CreateResult{}, err
	}
	net, err := network.Parse(string(spec.Network))
	if err != nil {
		return CreateResult{}, invalidErr("unknown network", "", err)
	}
	kind, ok := spec.ScriptType.kind()
	if !ok {
		return CreateResult{}, invalid(fmt.Sprintf("unknown wallet script type %q", spec.ScriptType), "use pkh, sh-wpkh, wpkh or tr for single-sig; wsh, sh-wsh or tr-multi_a for multisig")
	}
	if spec.Kind != "" && spec.Kind != kind {
		return CreateResult{}, invalid(fmt.Sprintf("script type %s is for %s-key wallets, not %s", spec.ScriptType, kind, spec.Kind), "choose a script type of the wallet kind")
	}
	n := len(spec.DeviceIDs)
	m := spec.M
	switch kind {
	case Single:
		if n != 1 {
			return CreateResult{}, invalid(fmt.Sprintf("a single-sig wallet uses exactly one device, %d given", n), "choose one device, or a multisig script type")
		}
		if m > 1 {
			return CreateResult{}, invalid("a single-sig wallet needs exactly 1 signature", "")
		}
		m = 1
	case Multi:
		limit := maxWSHKeys
		if spec.ScriptType == ScriptTRMultiA {
			limit = maxTapMultiKeys
		}
		if n < 2 {
			return CreateResult{}, invalid(fmt.Sprintf("a multisig wallet needs at least 2 devices, %d given", n), "add cosigners, or create a single-sig wallet")
		}
		if n > limit {
			return CreateResult{}, invalid(fmt.Sprintf("%d cosigners is more than the %d a %s wallet allows", n, limit, spec.ScriptType), "use fewer devices")
		}
		if m == 0 {
			m = DefaultM(n)
		}
		if m < 1 || m > n {
			return CreateResult{}, invalid(fmt.Sprintf("%d signatures of %d cosigners is impossible", m, n), fmt.Sprintf("choose between 1 and %d", n))
		}
	}
	if spec.GapLimit > 10000 {
		return CreateResult{}, invalid(fmt.Sprintf("gap limit %d is too large", spec.GapLimit), "use at most 10000")
	}
	if spec.Birthday < 0 {
		return CreateResult{}, invalid("the birthday height is negative", "use 0 to scan from the genesis block")
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.walletNameFree(name, ""); err != nil {
		return CreateResult{}, err
	}
	var warnings []string
	chosen := make([]DeviceKey, 0, n)
	seenFP := map[keys.Fingerprint]string{}
	for i, id := range spec.DeviceIDs {
		if slices.Contains(spec.DeviceIDs[:i], id) {
			return CreateResult{}, &Error{Kind: KindDuplicate, Message: "device " + quote(id) + " is chosen twice", Hint: "each cosigner must be a different device"}
		}
		d, ok := e.devices[id]
		if !ok {
			return CreateResult{}, notFound("device", id)
		}
		k, warn, err := pickKey(d, spec.ScriptType, net, spec.Keys[id])
		if err != nil {
			return CreateResult{}, err
		}
		for j, c := range chosen {
			if c.Xpub == k.Xpub {
				return CreateResult{}, &Error{Kind: KindDuplicate, Message: "devices " + quote(e.devices[spec.DeviceIDs[j]].Name) + " and " + quote(d.Name) + " would use the same key",
					Hint: "a multisig wallet needs a different key from each cosigner"}
			}
		}
		if other, ok := seenFP[k.Origin.Fingerprint]; ok {
			warnings = append(warnings, fmt.Sprintf("devices %q and %q have the same master fingerprint %s: they may be the same seed, which gives no multisig protection", other, d.Name, k.Origin.Fingerprint))
		}
		seenFP[k.Origin.Fingerprint] = d.Name
		if warn != "" {
			warnings = append(warnings, warn)
		}
		chosen = append(chosen, k)
	}
	text := buildDescriptor(spec.ScriptType, m, chosen)
	ds, _, err := verifyDescriptors(text, "", net, spec.Birthday, spec.GapLimit)
	if err != nil {
		return CreateResult{}, fmt.Errorf("the wallet's descriptor failed its check: %w", err)
	}
	w := Wallet{Name: name, Kind: kind, ScriptType: spec.ScriptType, M: m, N: n, DeviceIDs: slices.Clone(spec.DeviceIDs), Network: net}
	return e.storeNewWallet(ctx, w, ds, warnings, nil)
}

// storeNewWallet creates the wallet core and writes the wallet, its first
// change set and any new devices in one Apply.
func (e *Engine) storeNewWallet(ctx context.Context, w Wallet, ds descriptors, warnings []string, newDevices []Device) (CreateResult, error) {
	core, cs, err := wallet.New(ds.params)
	if err != nil {
		return CreateResult{}, invalidErr("the wallet cannot be set up", "", err)
	}
	w.ID = uniqueID(w.Name, "wallet", func(id string) bool { _, ok := e.wallets[id]; return ok })
	w.Descriptor, w.Receive, w.Change = ds.multipath, ds.receive, ds.change
	w.GapLimit, w.Birthday = core.Params().GapLimit, core.Params().Birthday
	w.CreatedAt = e.stamp()
	ops := make([]store.Op, 0, 2+len(newDevices))
	for _, d := range newDevices {
		op, err := putJSON(store.Devices, d.ID, d)
		if err != nil {
			return CreateResult{}, err
		}
		ops = append(ops, op)
	}
	wop, err := putJSON(store.Wallets, w.ID, w)
	if err != nil {
		return CreateResult{}, err
	}
	key := changeSetKey(w.ID, 0)
	cop, err := putJSON(store.ChangeSets, key, cs)
	if err != nil {
		return CreateResult{}, err
	}
	ops = append(ops, wop, cop)
	if err := e.apply(ctx, "creating wallet "+quote(w.Name), ops...); err != nil {
		return CreateResult{}, err
	}
	for _, d := range newDevices {
		e.devices[d.ID] = d
	}
	e.wallets[w.ID] = &walletEntry{rec: w, core: core, keys: []string{key}, next: 1}
	return CreateResult{Wallet: cloneWallet(w), FirstAddress: ds.first, Warnings: warnings, NewDevices: newDevices}, nil
}

func (e *Engine) walletNameFree(name, exceptID string) error {
	for id, w := range e.wallets {
		if id != exceptID && sameName(w.rec.Name, name) {
			return &Error{Kind: KindDuplicate, Message: "a wallet named " + quote(w.rec.Name) + " already exists", Hint: "choose another name"}
		}
	}
	return nil
}

func cloneWallet(w Wallet) Wallet {
	w.DeviceIDs = slices.Clone(w.DeviceIDs)
	return w
}

// ImportSpec describes a wallet imported from output descriptors.
type ImportSpec struct {
	Name string `json:"name"`
	// Descriptor is a <0;1> multipath descriptor, or the receive descriptor
	// when Change is given. A lone single-path descriptor ending in /0/*
	// gets the change descriptor .../1/*, as Specter does.
	Descriptor string          `json:"descriptor"`
	Change     string          `json:"change,omitempty"`
	Network    network.Network `json:"network"`
	Birthday   int32           `json:"birthday"`
	GapLimit   uint32          `json:"gap_limit"`
}

// ImportDescriptor creates a wallet from descriptors (BIP380-389). Its keys
// are matched to devices by key and origin; keys no device holds get a new
// device of type "other" named after the fingerprint, as Specter's wallet
// importer creates unknown cosigners. Devices and wallet are written in one
// Apply.
func (e *Engine) ImportDescriptor(ctx context.Context, spec ImportSpec) (CreateResult, error) {
	name, err := cleanName("wallet", spec.Name)
	if err != nil {
		return CreateResult{}, err
	}
	net, err := network.Parse(string(spec.Network))
	if err != nil {
		return CreateResult{}, invalidErr("unknown network", "", err)
	}
	if spec.Birthday < 0 {
		return CreateResult{}, invalid("the birthday height is negative", "use 0 to scan from the genesis block")
	}
	var warnings []string
	recv, change := strings.TrimSpace(spec.Descriptor), strings.TrimSpace(spec.Change)
	if change == "" {
		d, err := descriptor.Parse(recv)
		if err != nil {
			return CreateResult{}, invalidErr("the descriptor cannot be parsed", "check it was copied completely", err)
		}
		if d.PathCount() == 1 {
			body := d.StringNoChecksum()
			if strings.Count(body, "/0/*") == 0 {
				return CreateResult{}, invalid("the descriptor has no change branch", "use .../<0;1>/* or give the change descriptor too")
			}
			change = strings.ReplaceAll(body, "/0/*", "/1/*")
			warnings = append(warnings, "the change descriptor was made by replacing /0/* with /1/*")
		}
	}
	ds, d, err := verifyDescriptors(recv, change, net, spec.Birthday, spec.GapLimit)
	if err != nil {
		return CreateResult{}, err
	}
	script, kind, err := scriptOf(d)
	if err != nil {
		return CreateResult{}, err
	}
	m, n := d.Threshold()
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.walletNameFree(name, ""); err != nil {
		return CreateResult{}, err
	}
	var ids []string
	var newDevices []Device
	taken := func(id string) bool {
		if _, ok := e.devices[id]; ok {
			return true
		}
		return slices.ContainsFunc(newDevices, func(d Device) bool { return d.ID == id })
	}
	for _, k := range d.Keys() {
		if len(k.Xpub) <= 66 {
			continue // a hex key such as tr()'s unspendable internal key
		}
		if k.Origin == nil {
			return CreateResult{}, invalid("key "+abbrevKey(k.Xpub)+" has no origin [fingerprint/path]", "export the descriptor with key origins from the coordinator")
		}
		dk := DeviceKey{Origin: *k.Origin, Xpub: k.Xpub}
		id := e.deviceWithKey(dk)
		for _, nd := range newDevices {
			if nd.Keys[0].Xpub == dk.Xpub {
				id = nd.ID
			}
		}
		if id == "" {
			if st := script.accountType(); st != "" {
				dk.ScriptHint = st
			}
			ks, err := mergeKeys(nil, []DeviceKey{dk})
			if err != nil {
				return CreateResult{}, err
			}
			dname := uniqueName("Cosigner "+dk.Origin.Fingerprint.String(), func(s string) bool {
				return e.deviceNameFree(s, "") != nil || slices.ContainsFunc(newDevices, func(d Device) bool { return sameName(d.Name, s) })
			})
			nd := Device{ID: uniqueID(dname, "device", taken), Name: dname, Type: TypeOther, Keys: ks, CreatedAt: e.stamp()}
			newDevices = append(newDevices, nd)
			id = nd.ID
		}
		if slices.Contains(ids, id) {
			return CreateResult{}, &Error{Kind: KindDuplicate, Message: "device " + quote(id) + " appears twice in the descriptor", Hint: "a multisig wallet needs a different key from each cosigner"}
		}
		ids = append(ids, id)
	}
	w := Wallet{Name: name, Kind: kind, ScriptType: script, M: m, N: n, DeviceIDs: ids, Network: net}
	return e.storeNewWallet(ctx, w, ds, warnings, newDevices)
}

// uniqueName returns name, or "name 2", "name 3"... when taken.
func uniqueName(name string, taken func(string) bool) string {
	out := name
	for i := 2; taken(out); i++ {
		out = fmt.Sprintf("%s %d", name, i)
	}
	return out
}

// deviceWithKey returns the id of a device holding the key, or "".
func (e *Engine) deviceWithKey(k DeviceKey) string {
	ids := make([]string, 0, len(e.devices))
	for id := range e.devices {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		for _, h := range e.devices[id].Keys {
			if h.Xpub == k.Xpub && h.Origin.String() == k.Origin.String() {
				return id
			}
		}
	}
	return ""
}

// scriptOf names a parsed descriptor's wallet script and kind.
func scriptOf(d *descriptor.Descriptor) (WalletScript, WalletKind, error) {
	m, n := d.Threshold()
	multi := n > 1 || m > 1
	switch d.ScriptType() {
	case descriptor.PKH:
		return ScriptPKH, Single, nil
	case descriptor.SHWPKH:
		return ScriptSHWPKH, Single, nil
	case descriptor.WPKH:
		return ScriptWPKH, Single, nil
	case descriptor.TR:
		if multi {
			return ScriptTRMultiA, Multi, nil
		}
		if len(d.Keys()) == 1 {
			return ScriptTR, Single, nil
		}
	case descriptor.WSH:
		if multi || strings.Contains(d.StringNoChecksum(), "multi(") {
			return ScriptWSH, Multi, nil
		}
	case descriptor.SHWSH:
		if multi || strings.Contains(d.StringNoChecksum(), "multi(") {
			return ScriptSHWSH, Multi, nil
		}
	case descriptor.SH:
		if strings.Contains(d.StringNoChecksum(), "multi(") {
			return ScriptLegacySH, Multi, nil
		}
	}
	return "", "", invalid("the descriptor's script "+d.ScriptType().String()+" is not a wallet type this app manages",
		"use pkh, sh(wpkh), wpkh, tr single-key, or (sorted)multi inside wsh, sh(wsh), sh, or tr multi_a")
}

// Wallets lists every wallet, sorted by name.
func (e *Engine) Wallets() []Wallet {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Wallet, 0, len(e.wallets))
	for _, w := range e.wallets {
		out = append(out, cloneWallet(w.rec))
	}
	slices.SortFunc(out, func(a, b Wallet) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out
}

// Wallet returns one wallet by id.
func (e *Engine) Wallet(id string) (Wallet, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	w, ok := e.wallets[id]
	if !ok {
		return Wallet{}, notFound("wallet", id)
	}
	return cloneWallet(w.rec), nil
}

// RenameWallet changes a wallet's name; its id stays.
func (e *Engine) RenameWallet(ctx context.Context, id, name string) (Wallet, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	w, ok := e.wallets[id]
	if !ok {
		return Wallet{}, notFound("wallet", id)
	}
	n, err := cleanName("wallet", name)
	if err != nil {
		return Wallet{}, err
	}
	if err := e.walletNameFree(n, id); err != nil {
		return Wallet{}, err
	}
	rec := cloneWallet(w.rec)
	rec.Name = n
	op, err := putJSON(store.Wallets, id, rec)
	if err != nil {
		return Wallet{}, err
	}
	if err := e.apply(ctx, "renaming wallet "+quote(n), op); err != nil {
		return Wallet{}, err
	}
	w.rec = rec
	return cloneWallet(rec), nil
}

// SetGapLimit changes how many unused addresses past the last used one are
// watched on each keychain (BIP44 gap limit, 1..10000). The wallet core is
// rebuilt with the new limit and its history compacted into one change set,
// written with the wallet in one Apply.
func (e *Engine) SetGapLimit(ctx context.Context, id string, gap uint32) (Wallet, error) {
	if gap < 1 || gap > 10000 {
		return Wallet{}, invalid(fmt.Sprintf("gap limit %d is out of range", gap), "use a number from 1 to 10000 (Specter's default is 20)")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	w, ok := e.wallets[id]
	if !ok {
		return Wallet{}, notFound("wallet", id)
	}
	st := w.core.State()
	p := *st.Params
	p.GapLimit = gap
	st.Params = &p
	core, err := wallet.FromChangeSet(st)
	if err != nil {
		return Wallet{}, invalidErr("the wallet cannot use this gap limit", "", err)
	}
	compact := core.State()
	rec := cloneWallet(w.rec)
	rec.GapLimit = gap
	ops := make([]store.Op, 0, len(w.keys)+2)
	for _, k := range w.keys {
		ops = append(ops, store.Del(store.ChangeSets, k))
	}
	key := changeSetKey(id, w.next)
	cop, err := putJSON(store.ChangeSets, key, compact)
	if err != nil {
		return Wallet{}, err
	}
	wop, err := putJSON(store.Wallets, id, rec)
	if err != nil {
		return Wallet{}, err
	}
	ops = append(ops, cop, wop)
	if err := e.apply(ctx, "changing the gap limit of "+quote(rec.Name), ops...); err != nil {
		return Wallet{}, err
	}
	w.rec, w.core, w.keys, w.next = rec, core, []string{key}, w.next+1
	return cloneWallet(rec), nil
}

// DeleteWallet removes a wallet with its history and pending PSBTs in one
// Apply. Its devices stay.
func (e *Engine) DeleteWallet(ctx context.Context, id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	w, ok := e.wallets[id]
	if !ok {
		return notFound("wallet", id)
	}
	ops := []store.Op{store.Del(store.Wallets, id)}
	for _, k := range w.keys {
		ops = append(ops, store.Del(store.ChangeSets, k))
	}
	var psbtKeys []string
	for k, p := range e.psbts {
		if p.WalletID == id {
			psbtKeys = append(psbtKeys, k)
			ops = append(ops, store.Del(store.PSBTs, k))
		}
	}
	if err := e.apply(ctx, "deleting wallet "+quote(w.rec.Name), ops...); err != nil {
		return err
	}
	delete(e.wallets, id)
	for _, k := range psbtKeys {
		delete(e.psbts, k)
	}
	return nil
}

// View runs fn with the wallet core (shared/wallet) for reading: addresses,
// balance, transactions, UTXOs. fn must not keep w or change it, and runs
// under the engine's lock: it must not call Engine methods.
func (e *Engine) View(id string, fn func(w *wallet.Wallet) error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	w, ok := e.wallets[id]
	if !ok {
		return notFound("wallet", id)
	}
	return fn(w.core)
}

// Update runs fn with the wallet core and persists the change set it
// returns (a sync's ApplyBlock, NextReceiveAddress, SetFrozen...) in one
// Apply. If fn fails or the Apply fails, the core is restored to its state
// before fn, so engine and store stay equal. fn runs under the engine's
// lock: it must not call Engine methods.
func (e *Engine) Update(ctx context.Context, id string, fn func(w *wallet.Wallet) (wallet.ChangeSet, error)) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.update(ctx, id, fn)
}

func (e *Engine) update(ctx context.Context, id string, fn func(w *wallet.Wallet) (wallet.ChangeSet, error), extra ...store.Op) error {
	w, ok := e.wallets[id]
	if !ok {
		return notFound("wallet", id)
	}
	before := w.core.State()
	restore := func() {
		if core, err := wallet.FromChangeSet(before); err == nil {
			w.core = core
		}
	}
	cs, err := fn(w.core)
	if err != nil {
		restore()
		return err
	}
	ops := slices.Clone(extra)
	key := ""
	if !cs.IsEmpty() {
		key = changeSetKey(id, w.next)
		op, err := putJSON(store.ChangeSets, key, cs)
		if err != nil {
			restore()
			return err
		}
		ops = append(ops, op)
	}
	if len(ops) == 0 {
		return nil
	}
	if err := e.apply(ctx, "saving wallet "+quote(w.rec.Name), ops...); err != nil {
		restore()
		return err
	}
	if key != "" {
		w.keys = append(w.keys, key)
		w.next++
	}
	return nil
}

// SetLabel sets (or with an empty text removes) a BIP329 label of a wallet:
// types tx, addr, pubkey, input, output, xpub.
func (e *Engine) SetLabel(ctx context.Context, walletID string, l wallet.Label) error {
	return e.Update(ctx, walletID, func(w *wallet.Wallet) (wallet.ChangeSet, error) {
		cs, err := w.SetLabel(l)
		if err != nil {
			return cs, invalidErr("the label cannot be set", "", err)
		}
		return cs, nil
	})
}

// Labels returns a wallet's BIP329 labels ordered by type and ref.
func (e *Engine) Labels(walletID string) ([]wallet.Label, error) {
	var out []wallet.Label
	err := e.View(walletID, func(w *wallet.Wallet) error { out = w.Labels(); return nil })
	return out, err
}

// ExportLabels writes a wallet's labels and frozen outputs as BIP329 JSON
// Lines.
func (e *Engine) ExportLabels(walletID string) ([]byte, error) {
	var out []byte
	err := e.View(walletID, func(w *wallet.Wallet) error {
		var err error
		out, err = w.ExportBIP329()
		return err
	})
	return out, err
}

// ImportLabels applies a BIP329 JSON Lines file to a wallet in one Apply;
// bad lines are skipped and listed in the report.
func (e *Engine) ImportLabels(ctx context.Context, walletID string, data []byte) (wallet.ImportReport, error) {
	var rep wallet.ImportReport
	err := e.Update(ctx, walletID, func(w *wallet.Wallet) (wallet.ChangeSet, error) {
		cs, r, err := w.ImportBIP329(data)
		rep = r
		if err != nil {
			return cs, invalidErr("the label file cannot be read", "choose a BIP329 JSON Lines file", err)
		}
		return cs, nil
	})
	return rep, err
}

// UpdateInSteps runs fn, work that saves as it goes (a sync's batches,
// which shared/chainsync hands over through Options.Persist), on a private
// copy of the wallet core and without the engine's lock, so the app stays
// usable through a long sync: the wallet can be viewed, labelled or spent
// from meanwhile. Each call of save takes the lock, stores one change set
// in one store Apply and applies it to the wallet everyone reads. If fn
// fails, what was saved stays and the rest is dropped with the copy, so
// the store and the engine stay equal and an interrupted sync resumes from
// its last saved checkpoint. A wallet deleted meanwhile makes save fail
// with ErrNotFound.
func (e *Engine) UpdateInSteps(ctx context.Context, id string, fn func(w *wallet.Wallet, save func(wallet.ChangeSet) error) error) error {
	e.mu.Lock()
	w, ok := e.wallets[id]
	var work *wallet.Wallet
	var err error
	if ok {
		work, err = wallet.FromChangeSet(w.core.State())
	}
	e.mu.Unlock()
	if !ok {
		return notFound("wallet", id)
	}
	if err != nil {
		return fmt.Errorf("copying wallet %s for the sync: %w", quote(w.rec.Name), err)
	}
	save := func(cs wallet.ChangeSet) error {
		if cs.IsEmpty() {
			return nil
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.wallets[id] != w {
			return notFound("wallet", id)
		}
		// One store Apply; on failure the shared core is restored, so
		// the engine keeps exactly what the store holds.
		return e.update(ctx, id, func(core *wallet.Wallet) (wallet.ChangeSet, error) { return cs, core.Apply(cs) })
	}
	return fn(work, save)
}
