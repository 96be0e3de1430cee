package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/specterpwa/specter/shared/coinselect"
	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/psbt"
	"github.com/specterpwa/specter/shared/wallet"
)

// EngineSource returns the managers, or why they are unavailable (the
// IndexedDB database could not be opened).
type EngineSource func() (*manager.Engine, error)

// Unavailable is an EngineSource for an engine whose storage failed to open:
// every stateful method answers with CodeUnavailable and the reason.
func Unavailable(reason error) EngineSource {
	return func() (*manager.Engine, error) {
		return nil, WithCode(fmt.Errorf("the app's storage is not available: %w", reason), CodeUnavailable,
			"allow site data for this app (private windows may block it), close other tabs of the app and reload")
	}
}

// Ready is an EngineSource for an open engine.
func Ready(e *manager.Engine) EngineSource { return func() (*manager.Engine, error) { return e, nil } }

// managerError turns a manager.Error into the response error: its message
// (with the cause), its hint, and its Kind as the code.
type managerError struct{ e *manager.Error }

func (m managerError) Error() string {
	if m.e.Err != nil {
		return m.e.Message + ": " + m.e.Err.Error()
	}
	return m.e.Message
}
func (m managerError) Unwrap() error { return m.e }
func (m managerError) Hint() string  { return m.e.Hint }
func (m managerError) Code() string  { return string(m.e.Kind) }

func wrapManager(err error) error {
	var me *manager.Error
	if errors.As(err, &me) {
		return managerError{me}
	}
	return err
}

// stateful registers a method that needs the managers.
func stateful[P, R any](r *Registry, src EngineSource, name, doc string, fn func(ctx context.Context, e *manager.Engine, p P) (R, error)) {
	Register(r, name, doc, func(ctx context.Context, p P) (R, error) {
		var zero R
		e, err := src()
		if err != nil {
			return zero, err
		}
		res, err := fn(ctx, e, p)
		if err != nil {
			return zero, wrapManager(err)
		}
		return res, nil
	})
}

// publicDevice drops the encrypted seed of a hot device: the page never
// needs it (backup.export carries it, still encrypted).
func publicDevice(d manager.Device) manager.Device {
	d.Seed = nil
	return d
}

func publicDevices(ds []manager.Device) []manager.Device {
	out := make([]manager.Device, len(ds))
	for i, d := range ds {
		out[i] = publicDevice(d)
	}
	return out
}

// IDParams names a device or wallet.
type IDParams struct {
	ID string `json:"id"`
}

// RenameParams gives a device or wallet a new name.
type RenameParams struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// DeviceParams describes a hardware device to add: its keys given as a list,
// or as Export, the text of a key export file or "[fp/path]xpub" lines.
type DeviceParams struct {
	Name string             `json:"name"`
	Type manager.DeviceType `json:"type"`
	// Model narrows the type where it has models (devices.models), e.g.
	// "q" for a Coldcard Q; empty when not said.
	Model  string              `json:"model,omitempty"`
	Keys   []manager.DeviceKey `json:"keys,omitempty"`
	Export string              `json:"export,omitempty"`
}

// KeysParams adds keys to a device, as a list or as export text.
type KeysParams struct {
	ID     string              `json:"id"`
	Keys   []manager.DeviceKey `json:"keys,omitempty"`
	Export string              `json:"export,omitempty"`
}

func collectKeys(list []manager.DeviceKey, export string) ([]manager.DeviceKey, error) {
	if strings.TrimSpace(export) == "" {
		return list, nil
	}
	ks, err := manager.KeysFromExport([]byte(export))
	if err != nil {
		return nil, err
	}
	return append(append([]manager.DeviceKey(nil), list...), ks...), nil
}

// ModelParams sets (or, empty, clears) a device's model.
type ModelParams struct {
	ID    string `json:"id"`
	Model string `json:"model"`
}

// DeviceModelsResult lists, per device type that has models, its models
// in the order to offer them.
type DeviceModelsResult struct {
	Models map[manager.DeviceType][]string `json:"models"`
}

// KeyChoicesParams asks which keys the devices offer a new wallet.
type KeyChoicesParams struct {
	DeviceIDs  []string             `json:"device_ids"`
	ScriptType manager.WalletScript `json:"script_type"`
	Network    string               `json:"network"`
}

// KeyChoicesResult is, per device in the order asked, its usable keys and
// the engine's default (manager.KeyChoice).
type KeyChoicesResult struct {
	Choices []manager.KeyChoice `json:"choices"`
}

// DevicesResult lists devices.
type DevicesResult struct {
	Devices []manager.Device `json:"devices"`
}

// HotDeviceParams creates a software signer. An empty Mnemonic draws a new
// one, returned once in the result.
type HotDeviceParams struct {
	Name       string `json:"name"`
	Mnemonic   string `json:"mnemonic,omitempty"`
	Passphrase string `json:"passphrase,omitempty"`
	Password   string `json:"password"`
	Network    string `json:"network"`
}

// HotDeviceResult is the new hot device and, when the engine drew it, its
// mnemonic (to show once and have written down).
type HotDeviceResult struct {
	Device   manager.Device `json:"device"`
	Mnemonic string         `json:"mnemonic,omitempty"`
}

// SignParams signs a PSBT with a hot device unlocked by its password.
type SignParams struct {
	ID       string `json:"id"`
	Password string `json:"password"`
	PSBT     string `json:"psbt"`
}

// SignResult is the PSBT with the hot device's signatures.
type SignResult struct {
	PSBT       string `json:"psbt"`
	Signatures int    `json:"signatures"`
	Inputs     []int  `json:"inputs"`
	Complete   bool   `json:"complete"`
}

// Deleted confirms a deletion.
type Deleted struct {
	Deleted string `json:"deleted"`
}

// WalletsResult lists wallets.
type WalletsResult struct {
	Wallets []manager.Wallet `json:"wallets"`
}

// GapLimitParams sets a wallet's gap limit.
type GapLimitParams struct {
	ID       string `json:"id"`
	GapLimit uint32 `json:"gap_limit"`
}

// WalletAddressesParams lists a wallet's derived addresses: Keychain 0
// (receive) or 1 (change); Used "all", "used" or "unused" (default all).
type WalletAddressesParams struct {
	ID       string `json:"id"`
	Keychain int    `json:"keychain"`
	Used     string `json:"used,omitempty"`
}

// WalletAddressesResult is a list of a wallet's addresses.
type WalletAddressesResult struct {
	Addresses []wallet.AddressInfo `json:"addresses"`
}

// NextAddressParams asks for the next unused address of a keychain.
type NextAddressParams struct {
	ID       string `json:"id"`
	Keychain int    `json:"keychain"`
}

// TransactionsParams lists a wallet's transactions; Tip is the chain height
// for confirmation counts (0: the wallet's own tip).
type TransactionsParams struct {
	ID  string `json:"id"`
	Tip int32  `json:"tip,omitempty"`
}

// HistoryCSVResult is a wallet's history as CSV (shared/wallet HistoryCSV).
type HistoryCSVResult struct {
	CSV string `json:"csv"`
}

// countTip is the height confirmations are counted to: the given tip, or the
// wallet's last synced block when none is given.
func countTip(w *wallet.Wallet, tip int32) int32 {
	if tip == 0 {
		if cp, ok := w.Tip(); ok {
			return cp.Height
		}
	}
	return tip
}

// TransactionsResult lists transactions, newest first as the core orders them.
type TransactionsResult struct {
	Transactions []wallet.TxDetails `json:"transactions"`
}

// UTXOsResult lists a wallet's unspent outputs.
type UTXOsResult struct {
	UTXOs []wallet.UTXO `json:"utxos"`
}

// FreezeParams freezes or unfreezes one output (coin control).
type FreezeParams struct {
	ID       string `json:"id"`
	OutPoint string `json:"outpoint"`
	Frozen   bool   `json:"frozen"`
}

// SavePSBTParams stores a pending PSBT of a wallet.
type SavePSBTParams struct {
	WalletID string `json:"wallet_id"`
	Name     string `json:"name,omitempty"`
	PSBT     string `json:"psbt"`
	// Warnings replace the stored review warnings; none keeps them.
	Warnings []string `json:"warnings,omitempty"`
}

// WalletPSBTParams names a pending PSBT of a wallet (ID empty for list).
type WalletPSBTParams struct {
	WalletID string `json:"wallet_id"`
	ID       string `json:"id,omitempty"`
}

// PSBTsResult lists pending PSBTs.
type PSBTsResult struct {
	PSBTs []manager.PendingPSBT `json:"psbts"`
}

// LabelParams sets (or, with an empty label text, removes) a BIP329 label.
type LabelParams struct {
	WalletID string       `json:"wallet_id"`
	Label    wallet.Label `json:"label"`
}

// LabelsResult lists BIP329 labels.
type LabelsResult struct {
	Labels []wallet.Label `json:"labels"`
}

// LabelsImportParams carries a BIP329 JSON Lines file for a wallet.
type LabelsImportParams struct {
	WalletID string `json:"wallet_id"`
	Text     string `json:"text"`
}

// BackupResult is the backup document (manager.Backup) as JSON.
type BackupResult struct {
	Backup json.RawMessage `json:"backup"`
}

// RestoreParams carries a backup document, as a JSON value or as text.
type RestoreParams struct {
	Backup json.RawMessage `json:"backup,omitempty"`
	Text   string          `json:"text,omitempty"`
}

func walletByID(e *manager.Engine, id string) (manager.Wallet, error) { return e.Wallet(id) }

func keychain(k int) (wallet.Keychain, error) {
	switch k {
	case 0:
		return wallet.Receive, nil
	case 1:
		return wallet.Change, nil
	}
	return 0, WithCode(fmt.Errorf("keychain %d does not exist", k), CodeBadParams, "use 0 for receive or 1 for change")
}

// RegisterManager adds the methods over the managers (shared/manager):
// devices.*, wallets.*, config.*, psbts.*, labels.* and backup.*. src gives
// the Engine, or the reason storage is unavailable.
func RegisterManager(r *Registry, src EngineSource) {
	stateful(r, src, "devices.list", "lists the devices, sorted by name", func(_ context.Context, e *manager.Engine, _ struct{}) (DevicesResult, error) {
		return DevicesResult{Devices: publicDevices(e.Devices())}, nil
	})
	stateful(r, src, "devices.get", "returns one device", func(_ context.Context, e *manager.Engine, p IDParams) (manager.Device, error) {
		d, err := e.Device(p.ID)
		return publicDevice(d), err
	})
	stateful(r, src, "devices.types", "lists the device types", func(_ context.Context, _ *manager.Engine, _ struct{}) ([]manager.DeviceType, error) {
		return manager.DeviceTypes(), nil
	})
	stateful(r, src, "devices.add", "adds a hardware device with its keys (a list, or export text)", func(ctx context.Context, e *manager.Engine, p DeviceParams) (manager.Device, error) {
		ks, err := collectKeys(p.Keys, p.Export)
		if err != nil {
			return manager.Device{}, err
		}
		d, err := e.AddDevice(ctx, manager.Device{Name: p.Name, Type: p.Type, Model: p.Model, Keys: ks})
		return publicDevice(d), err
	})
	stateful(r, src, "devices.models", "lists the models of the device types that have them (coldcard: mk4, q)", func(_ context.Context, _ *manager.Engine, _ struct{}) (DeviceModelsResult, error) {
		res := DeviceModelsResult{Models: map[manager.DeviceType][]string{}}
		for _, t := range manager.DeviceTypes() {
			if ms := manager.DeviceModels(t); len(ms) > 0 {
				res.Models[t] = ms
			}
		}
		return res, nil
	})
	stateful(r, src, "devices.setModel", "sets or (empty) clears a device's model", func(ctx context.Context, e *manager.Engine, p ModelParams) (manager.Device, error) {
		d, err := e.SetDeviceModel(ctx, p.ID, p.Model)
		return publicDevice(d), err
	})
	stateful(r, src, "devices.addKeys", "adds keys to a hardware device (a list, or export text)", func(ctx context.Context, e *manager.Engine, p KeysParams) (manager.Device, error) {
		ks, err := collectKeys(p.Keys, p.Export)
		if err != nil {
			return manager.Device{}, err
		}
		d, err := e.AddDeviceKeys(ctx, p.ID, ks)
		return publicDevice(d), err
	})
	stateful(r, src, "devices.rename", "renames a device", func(ctx context.Context, e *manager.Engine, p RenameParams) (manager.Device, error) {
		d, err := e.RenameDevice(ctx, p.ID, p.Name)
		return publicDevice(d), err
	})
	stateful(r, src, "devices.delete", "deletes a device unless a wallet uses it", func(ctx context.Context, e *manager.Engine, p IDParams) (Deleted, error) {
		return Deleted{Deleted: p.ID}, e.DeleteDevice(ctx, p.ID)
	})
	stateful(r, src, "devices.createHot", "creates a software signer from a new or given BIP39 mnemonic, its seed encrypted with a password", func(ctx context.Context, e *manager.Engine, p HotDeviceParams) (HotDeviceResult, error) {
		net, err := parseNetwork(p.Network)
		if err != nil {
			return HotDeviceResult{}, err
		}
		d, m, err := e.CreateHotDevice(ctx, p.Name, p.Mnemonic, p.Passphrase, p.Password, net)
		return HotDeviceResult{Device: publicDevice(d), Mnemonic: m}, err
	})
	stateful(r, src, "devices.signPSBT", "signs a PSBT with a hot device unlocked by its password (BIP174 Signer)", func(ctx context.Context, e *manager.Engine, p SignParams) (SignResult, error) {
		pk, err := decodePSBT(p.PSBT)
		if err != nil {
			return SignResult{}, err
		}
		master, err := e.UnlockHotDevice(ctx, p.ID, p.Password)
		if err != nil {
			return SignResult{}, err
		}
		res, err := psbt.Sign(pk, master)
		master.Zero()
		if err != nil {
			return SignResult{}, WithHint(err, "the PSBT lacks what this device needs to sign; ask for a fresh export")
		}
		s, err := psbt.EncodeBase64(pk)
		if err != nil {
			return SignResult{}, err
		}
		if res.Inputs == nil {
			res.Inputs = []int{}
		}
		return SignResult{PSBT: s, Signatures: res.Signatures, Inputs: res.Inputs, Complete: psbt.IsComplete(pk)}, nil
	})

	stateful(r, src, "wallets.list", "lists the wallets, sorted by name", func(_ context.Context, e *manager.Engine, _ struct{}) (WalletsResult, error) {
		return WalletsResult{Wallets: e.Wallets()}, nil
	})
	stateful(r, src, "wallets.get", "returns one wallet's setup and descriptors", func(_ context.Context, e *manager.Engine, p IDParams) (manager.Wallet, error) {
		return walletByID(e, p.ID)
	})
	stateful(r, src, "wallets.create", "creates a single-sig or M-of-N wallet from devices", func(ctx context.Context, e *manager.Engine, p manager.WalletSpec) (manager.CreateResult, error) {
		res, err := e.CreateWallet(ctx, p)
		res.NewDevices = publicDevices(res.NewDevices)
		return res, err
	})
	stateful(r, src, "wallets.keyChoices", "lists each device's keys usable for a new wallet's script type and network, with the default pick", func(_ context.Context, e *manager.Engine, p KeyChoicesParams) (KeyChoicesResult, error) {
		net, err := parseNetwork(p.Network)
		if err != nil {
			return KeyChoicesResult{}, err
		}
		cs, err := e.KeyChoices(p.DeviceIDs, p.ScriptType, net)
		return KeyChoicesResult{Choices: cs}, err
	})
	stateful(r, src, "wallets.importDescriptor", "creates a wallet from output descriptors (BIP380-389)", func(ctx context.Context, e *manager.Engine, p manager.ImportSpec) (manager.CreateResult, error) {
		res, err := e.ImportDescriptor(ctx, p)
		res.NewDevices = publicDevices(res.NewDevices)
		return res, err
	})
	stateful(r, src, "wallets.rename", "renames a wallet", func(ctx context.Context, e *manager.Engine, p RenameParams) (manager.Wallet, error) {
		return e.RenameWallet(ctx, p.ID, p.Name)
	})
	stateful(r, src, "wallets.setGapLimit", "sets how many unused addresses are watched past the last used one", func(ctx context.Context, e *manager.Engine, p GapLimitParams) (manager.Wallet, error) {
		return e.SetGapLimit(ctx, p.ID, p.GapLimit)
	})
	stateful(r, src, "wallets.delete", "deletes a wallet with its history and pending PSBTs (its devices stay)", func(ctx context.Context, e *manager.Engine, p IDParams) (Deleted, error) {
		return Deleted{Deleted: p.ID}, e.DeleteWallet(ctx, p.ID)
	})
	stateful(r, src, "wallets.balance", "returns a wallet's balance split as a spender needs it", func(_ context.Context, e *manager.Engine, p IDParams) (wallet.Balance, error) {
		var b wallet.Balance
		err := e.View(p.ID, func(w *wallet.Wallet) error { b = w.Balance(); return nil })
		return b, err
	})
	stateful(r, src, "wallets.addresses", "lists a wallet's derived addresses of one keychain", func(_ context.Context, e *manager.Engine, p WalletAddressesParams) (WalletAddressesResult, error) {
		k, err := keychain(p.Keychain)
		if err != nil {
			return WalletAddressesResult{}, err
		}
		filter := wallet.AllAddresses
		switch p.Used {
		case "", "all":
		case "used":
			filter = wallet.UsedOnly
		case "unused":
			filter = wallet.UnusedOnly
		default:
			return WalletAddressesResult{}, WithCode(fmt.Errorf("unknown address filter %q", p.Used), CodeBadParams, "use all, used or unused")
		}
		res := WalletAddressesResult{Addresses: []wallet.AddressInfo{}}
		err = e.View(p.ID, func(w *wallet.Wallet) error {
			res.Addresses = append(res.Addresses, w.Addresses(k, filter)...)
			return nil
		})
		return res, err
	})
	stateful(r, src, "wallets.nextAddress", "returns the next unused address of a keychain, revealing it", func(ctx context.Context, e *manager.Engine, p NextAddressParams) (wallet.AddressInfo, error) {
		k, err := keychain(p.Keychain)
		if err != nil {
			return wallet.AddressInfo{}, err
		}
		var a wallet.AddressInfo
		err = e.Update(ctx, p.ID, func(w *wallet.Wallet) (wallet.ChangeSet, error) {
			info, cs, err := w.NextAddress(k)
			a = info
			return cs, err
		})
		return a, err
	})
	stateful(r, src, "wallets.transactions", "lists a wallet's transactions", func(_ context.Context, e *manager.Engine, p TransactionsParams) (TransactionsResult, error) {
		res := TransactionsResult{Transactions: []wallet.TxDetails{}}
		err := e.View(p.ID, func(w *wallet.Wallet) error {
			res.Transactions = append(res.Transactions, w.Transactions(countTip(w, p.Tip))...)
			return nil
		})
		return res, err
	})
	stateful(r, src, "wallets.historyCSV", "exports a wallet's history as CSV", func(_ context.Context, e *manager.Engine, p TransactionsParams) (HistoryCSVResult, error) {
		var res HistoryCSVResult
		err := e.View(p.ID, func(w *wallet.Wallet) error {
			csv, err := w.HistoryCSV(countTip(w, p.Tip))
			res.CSV = string(csv)
			return err
		})
		return res, err
	})
	stateful(r, src, "wallets.utxos", "lists a wallet's unspent outputs", func(_ context.Context, e *manager.Engine, p IDParams) (UTXOsResult, error) {
		res := UTXOsResult{UTXOs: []wallet.UTXO{}}
		err := e.View(p.ID, func(w *wallet.Wallet) error { res.UTXOs = append(res.UTXOs, w.UTXOs()...); return nil })
		return res, err
	})
	stateful(r, src, "wallets.setFrozen", "freezes or unfreezes an output (coin control)", func(ctx context.Context, e *manager.Engine, p FreezeParams) (FreezeParams, error) {
		op, err := coinselect.ParseOutPoint(p.OutPoint)
		if err != nil {
			return FreezeParams{}, WithCode(err, CodeBadParams, "write the outpoint as txid:vout")
		}
		err = e.Update(ctx, p.ID, func(w *wallet.Wallet) (wallet.ChangeSet, error) { return w.SetFrozen(op, p.Frozen), nil })
		return p, err
	})

	stateful(r, src, "config.get", "returns the settings", func(_ context.Context, e *manager.Engine, _ struct{}) (manager.Config, error) {
		return e.Config(), nil
	})
	stateful(r, src, "config.set", "checks and stores all settings", func(ctx context.Context, e *manager.Engine, p manager.Config) (manager.Config, error) {
		return e.SetConfig(ctx, p)
	})

	stateful(r, src, "psbts.list", "lists a wallet's pending PSBTs, oldest first", func(_ context.Context, e *manager.Engine, p WalletPSBTParams) (PSBTsResult, error) {
		ps, err := e.PSBTs(p.WalletID)
		if ps == nil {
			ps = []manager.PendingPSBT{}
		}
		return PSBTsResult{PSBTs: ps}, err
	})
	stateful(r, src, "psbts.get", "returns one pending PSBT", func(_ context.Context, e *manager.Engine, p WalletPSBTParams) (manager.PendingPSBT, error) {
		return e.PSBT(p.WalletID, p.ID)
	})
	stateful(r, src, "psbts.save", "stores a pending PSBT and locks the outputs it spends", func(ctx context.Context, e *manager.Engine, p SavePSBTParams) (manager.PendingPSBT, error) {
		return e.SavePSBT(ctx, p.WalletID, p.Name, []byte(p.PSBT), p.Warnings...)
	})
	stateful(r, src, "psbts.delete", "deletes a pending PSBT and unlocks its outputs", func(ctx context.Context, e *manager.Engine, p WalletPSBTParams) (Deleted, error) {
		return Deleted{Deleted: p.ID}, e.DeletePSBT(ctx, p.WalletID, p.ID)
	})

	stateful(r, src, "labels.list", "lists a wallet's BIP329 labels", func(_ context.Context, e *manager.Engine, p WalletPSBTParams) (LabelsResult, error) {
		ls, err := e.Labels(p.WalletID)
		if ls == nil {
			ls = []wallet.Label{}
		}
		return LabelsResult{Labels: ls}, err
	})
	stateful(r, src, "labels.set", "sets or (with an empty text) removes a BIP329 label", func(ctx context.Context, e *manager.Engine, p LabelParams) (wallet.Label, error) {
		return p.Label, e.SetLabel(ctx, p.WalletID, p.Label)
	})

	stateful(r, src, "labels.export", "writes a wallet's labels and frozen outputs as BIP329 JSON Lines", func(_ context.Context, e *manager.Engine, p WalletPSBTParams) (TextParams, error) {
		b, err := e.ExportLabels(p.WalletID)
		return TextParams{Text: string(b)}, err
	})
	stateful(r, src, "labels.import", "applies a BIP329 JSON Lines file to a wallet (bad lines are skipped and reported)", func(ctx context.Context, e *manager.Engine, p LabelsImportParams) (wallet.ImportReport, error) {
		return e.ImportLabels(ctx, p.WalletID, []byte(p.Text))
	})

	stateful(r, src, "backup.export", "returns every device, wallet, pending PSBT and setting as one JSON document (seeds stay encrypted)", func(_ context.Context, e *manager.Engine, _ struct{}) (BackupResult, error) {
		b, err := e.ExportAll()
		return BackupResult{Backup: b}, err
	})
	stateful(r, src, "backup.import", "replaces everything with a backup document, validated completely first", func(ctx context.Context, e *manager.Engine, p RestoreParams) (manager.ImportSummary, error) {
		data := []byte(p.Text)
		if len(p.Backup) > 0 {
			data = p.Backup
		}
		if len(strings.TrimSpace(string(data))) == 0 {
			return manager.ImportSummary{}, WithCode(errors.New("no backup given"), CodeBadParams, "choose the backup file to restore")
		}
		return e.ImportAll(ctx, data)
	})
	registerSpecterZip(r, src)
}

// Holder is an EngineSource whose engine can be replaced, as after a wipe
// of the wallet data. It is safe for concurrent use.
type Holder struct {
	mu  sync.RWMutex
	e   *manager.Engine
	err error
}

// NewHolder returns a Holder giving e, or the unavailability err when e is
// nil.
func NewHolder(e *manager.Engine, err error) *Holder {
	h := &Holder{}
	h.Set(e, err)
	return h
}

// Set replaces the engine; with a nil engine, err says why there is none.
func (h *Holder) Set(e *manager.Engine, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if e == nil && err == nil {
		err = errors.New("the wallet data is not open")
	}
	h.e, h.err = e, err
}

// Source returns the EngineSource reading the holder.
func (h *Holder) Source() EngineSource {
	return func() (*manager.Engine, error) {
		h.mu.RLock()
		defer h.mu.RUnlock()
		if h.e == nil {
			return Unavailable(h.err)()
		}
		return h.e, nil
	}
}
