package manager

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/psbt"
	"github.com/specterpwa/specter/shared/store"
	"github.com/specterpwa/specter/shared/wallet"
)

// BackupFormat and BackupVersion identify ExportAll's document.
const (
	BackupFormat  = "specter-pwa-backup"
	BackupVersion = 1
)

// maxBackupSize bounds what ImportAll reads.
const maxBackupSize = 64 << 20

// Backup is the document ExportAll writes: every device (hot seeds stay
// encrypted), wallet with its merged core state, pending PSBT and the
// configuration. Lists are sorted by id so the same data gives the same
// bytes.
type Backup struct {
	Format  string         `json:"format"`
	Version int            `json:"version"`
	Config  Config         `json:"config"`
	Devices []Device       `json:"devices"`
	Wallets []BackupWallet `json:"wallets"`
	PSBTs   []PendingPSBT  `json:"psbts"`
}

// BackupWallet is a wallet with its core state (shared/wallet change sets,
// merged).
type BackupWallet struct {
	Wallet
	State wallet.ChangeSet `json:"state"`
}

// ExportAll writes everything as one JSON document (Backup).
func (e *Engine) ExportAll() ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := Backup{Format: BackupFormat, Version: BackupVersion, Config: e.config,
		Devices: []Device{}, Wallets: []BackupWallet{}, PSBTs: []PendingPSBT{}}
	for _, id := range sortedKeys(e.devices) {
		b.Devices = append(b.Devices, cloneDevice(e.devices[id]))
	}
	for _, id := range sortedKeys(e.wallets) {
		w := e.wallets[id]
		b.Wallets = append(b.Wallets, BackupWallet{Wallet: cloneWallet(w.rec), State: w.core.State()})
	}
	for _, k := range sortedKeys(e.psbts) {
		b.PSBTs = append(b.PSBTs, clonePSBT(e.psbts[k]))
	}
	out, err := json.MarshalIndent(b, "", " ")
	if err != nil {
		return nil, fmt.Errorf("encoding the backup: %w", err)
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// ImportSummary counts what ImportAll restored.
type ImportSummary struct {
	Devices int `json:"devices"`
	Wallets int `json:"wallets"`
	PSBTs   int `json:"psbts"`
}

// ImportAll restores a Backup, replacing every device, wallet, pending PSBT
// and the configuration (the UI asks before). The whole document is
// validated first (keys, encrypted seed envelopes, descriptors parsed and
// matched to the wallet state, devices referenced by wallets present, PSBTs
// decoded); only then is it written in one Apply, so a bad file or a failed
// write leaves everything as it was.
func (e *Engine) ImportAll(ctx context.Context, data []byte) (ImportSummary, error) {
	b, err := decodeBackup(data)
	if err != nil {
		return ImportSummary{}, err
	}
	devices, wallets, psbts, cfg, err := validateBackup(b)
	if err != nil {
		return ImportSummary{}, err
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	var ops []store.Op
	for _, c := range []string{store.Devices, store.Wallets, store.ChangeSets, store.PSBTs, store.Config} {
		recs, err := e.st.List(ctx, c)
		if err != nil {
			return ImportSummary{}, storageErr("reading the current data", err)
		}
		for _, r := range recs {
			ops = append(ops, store.Del(c, r.Key))
		}
	}
	for _, id := range sortedKeys(devices) {
		op, err := putJSON(store.Devices, id, devices[id])
		if err != nil {
			return ImportSummary{}, err
		}
		ops = append(ops, op)
	}
	for _, id := range sortedKeys(wallets) {
		w := wallets[id]
		op, err := putJSON(store.Wallets, id, w.rec)
		if err != nil {
			return ImportSummary{}, err
		}
		cop, err := putJSON(store.ChangeSets, w.keys[0], w.core.State())
		if err != nil {
			return ImportSummary{}, err
		}
		ops = append(ops, op, cop)
	}
	for _, k := range sortedKeys(psbts) {
		op, err := putJSON(store.PSBTs, k, psbts[k])
		if err != nil {
			return ImportSummary{}, err
		}
		ops = append(ops, op)
	}
	cop, err := putJSON(store.Config, configKey, cfg)
	if err != nil {
		return ImportSummary{}, err
	}
	ops = append(ops, cop)
	if err := e.apply(ctx, "restoring the backup", dedupeOps(ops)...); err != nil {
		return ImportSummary{}, err
	}
	e.devices, e.wallets, e.psbts, e.config = devices, wallets, psbts, cfg
	return ImportSummary{Devices: len(devices), Wallets: len(wallets), PSBTs: len(psbts)}, nil
}

// dedupeOps drops a delete that a later put of the same record overrides,
// so adapters that refuse two writes of one key in a batch are fine.
func dedupeOps(ops []store.Op) []store.Op {
	put := map[string]bool{}
	for _, op := range ops {
		if !op.Delete {
			put[op.Collection+"\x00"+op.Key] = true
		}
	}
	out := ops[:0:0]
	for _, op := range ops {
		if op.Delete && put[op.Collection+"\x00"+op.Key] {
			continue
		}
		out = append(out, op)
	}
	return out
}

func decodeBackup(data []byte) (Backup, error) {
	if len(data) > maxBackupSize {
		return Backup{}, invalid("the backup file is larger than 64 MiB", "choose the backup file this app exported")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var b Backup
	if err := dec.Decode(&b); err != nil {
		return Backup{}, invalidErr("the backup file is not a backup of this app", "choose the .json file exported from Settings > Backup", err)
	}
	if dec.More() {
		return Backup{}, invalid("the backup file has data after the backup", "choose the file exactly as exported")
	}
	if b.Format != BackupFormat {
		return Backup{}, invalid(fmt.Sprintf("the file's format is %q, not %q", b.Format, BackupFormat), "choose the file exported from Settings > Backup")
	}
	if b.Version != BackupVersion {
		return Backup{}, invalid(fmt.Sprintf("backup version %d is not supported (this app reads version %d)", b.Version, BackupVersion), "update the app to restore this backup")
	}
	return b, nil
}

// validateBackup checks every record and builds the engine state from it.
func validateBackup(b Backup) (map[string]Device, map[string]*walletEntry, map[string]PendingPSBT, Config, error) {
	fail := func(where string, err error) (map[string]Device, map[string]*walletEntry, map[string]PendingPSBT, Config, error) {
		return nil, nil, nil, Config{}, &Error{Kind: KindInvalid, Message: "the backup cannot be restored: " + where, Hint: "nothing was changed; use an intact backup file", Err: err}
	}
	cfg, err := b.Config.normalize()
	if err != nil {
		return fail("settings", err)
	}
	devices := map[string]Device{}
	for i, d := range b.Devices {
		where := fmt.Sprintf("device %d (%q)", i+1, d.Name)
		if !validID(d.ID) {
			return fail(where, fmt.Errorf("id %q is not valid", d.ID))
		}
		if _, dup := devices[d.ID]; dup {
			return fail(where, fmt.Errorf("id %q appears twice", d.ID))
		}
		name, err := cleanName("device", d.Name)
		if err != nil {
			return fail(where, err)
		}
		for _, o := range devices {
			if sameName(o.Name, name) {
				return fail(where, fmt.Errorf("two devices are named %q", name))
			}
		}
		if _, err := ParseDeviceType(string(d.Type)); err != nil {
			return fail(where, err)
		}
		model, err := ParseDeviceModel(d.Type, d.Model)
		if err != nil {
			return fail(where, err)
		}
		d.Model = model
		ks, err := mergeKeys(nil, d.Keys)
		if err != nil {
			return fail(where, err)
		}
		if len(ks) == 0 || len(ks) != len(d.Keys) {
			return fail(where, fmt.Errorf("it has no keys or repeats a key"))
		}
		if (d.Type == TypeHot) != (d.Seed != nil) {
			return fail(where, fmt.Errorf("a hot device needs its encrypted seed and only a hot device has one"))
		}
		if d.Seed != nil {
			if err := d.Seed.check(); err != nil {
				return fail(where, err)
			}
		}
		d.Name, d.Keys = name, ks
		devices[d.ID] = cloneDevice(d)
	}
	wallets := map[string]*walletEntry{}
	for i, bw := range b.Wallets {
		w := cloneWallet(bw.Wallet)
		where := fmt.Sprintf("wallet %d (%q)", i+1, w.Name)
		if !validID(w.ID) {
			return fail(where, fmt.Errorf("id %q is not valid", w.ID))
		}
		if _, dup := wallets[w.ID]; dup {
			return fail(where, fmt.Errorf("id %q appears twice", w.ID))
		}
		name, err := cleanName("wallet", w.Name)
		if err != nil {
			return fail(where, err)
		}
		for _, o := range wallets {
			if sameName(o.rec.Name, name) {
				return fail(where, fmt.Errorf("two wallets are named %q", name))
			}
		}
		w.Name = name
		for j, id := range w.DeviceIDs {
			if _, ok := devices[id]; !ok {
				return fail(where, fmt.Errorf("it uses device %q, which is not in the backup", id))
			}
			if slices.Contains(w.DeviceIDs[:j], id) {
				return fail(where, fmt.Errorf("it lists device %q twice", id))
			}
		}
		net, err := network.Parse(string(w.Network))
		if err != nil || net != w.Network {
			return fail(where, fmt.Errorf("network %q is not valid", w.Network))
		}
		recv, change := w.Descriptor, ""
		if recv == "" {
			recv, change = w.Receive, w.Change
		}
		ds, d, err := verifyDescriptors(recv, change, net, w.Birthday, w.GapLimit)
		if err != nil {
			return fail(where, err)
		}
		if ds.receive != w.Receive || ds.change != w.Change || ds.multipath != w.Descriptor {
			return fail(where, fmt.Errorf("its receive and change descriptors do not match its descriptor"))
		}
		script, kind, err := scriptOf(d)
		if err != nil {
			return fail(where, err)
		}
		m, n := d.Threshold()
		if script != w.ScriptType || kind != w.Kind || m != w.M || n != w.N {
			return fail(where, fmt.Errorf("its type %s %s %d-of-%d does not match its descriptor (%s %s %d-of-%d)", w.Kind, w.ScriptType, w.M, w.N, kind, script, m, n))
		}
		if err := keysInDevices(d.Keys(), w.DeviceIDs, devices); err != nil {
			return fail(where, err)
		}
		if bw.State.Params == nil || *bw.State.Params != ds.params {
			return fail(where, fmt.Errorf("its stored state was made for other descriptors or settings"))
		}
		core, err := wallet.FromChangeSet(bw.State)
		if err != nil {
			return fail(where, err)
		}
		wallets[w.ID] = &walletEntry{rec: w, core: core, keys: []string{changeSetKey(w.ID, 0)}, next: 1}
	}
	psbts := map[string]PendingPSBT{}
	for i, p := range b.PSBTs {
		where := fmt.Sprintf("pending transaction %d (%q)", i+1, p.Name)
		if _, ok := wallets[p.WalletID]; !ok {
			return fail(where, fmt.Errorf("its wallet %q is not in the backup", p.WalletID))
		}
		pk, err := psbt.DecodeBase64(p.PSBT)
		if err != nil {
			return fail(where, err)
		}
		if txid := pk.UnsignedTx.TxHash().String(); txid != p.ID {
			return fail(where, fmt.Errorf("its id %s is not its transaction id %s", p.ID, txid))
		}
		ins := make([]string, len(pk.UnsignedTx.TxIn))
		for j, in := range pk.UnsignedTx.TxIn {
			ins[j] = in.PreviousOutPoint.String()
		}
		if !slices.Equal(ins, p.Inputs) {
			return fail(where, fmt.Errorf("its input list does not match the PSBT"))
		}
		key := psbtKey(p.WalletID, p.ID)
		if _, dup := psbts[key]; dup {
			return fail(where, fmt.Errorf("it appears twice"))
		}
		if _, err := cleanName("transaction", p.Name); err != nil {
			return fail(where, err)
		}
		psbts[key] = clonePSBT(p)
	}
	return devices, wallets, psbts, cfg, nil
}

// keysInDevices checks that every extended key of a wallet's descriptor is
// held by one of its devices.
func keysInDevices(exprs []descriptor.KeyExpr, ids []string, devices map[string]Device) error {
	for _, k := range exprs {
		if len(k.Xpub) <= 66 {
			continue
		}
		found := false
		for _, id := range ids {
			for _, dk := range devices[id].Keys {
				if dk.Xpub == k.Xpub && (k.Origin == nil || dk.Origin.String() == k.Origin.String()) {
					found = true
				}
			}
		}
		if !found {
			return fmt.Errorf("key %s of its descriptor belongs to none of its devices", abbrevKey(k.Xpub))
		}
	}
	return nil
}
