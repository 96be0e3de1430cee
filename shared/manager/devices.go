package manager

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/store"
)

// DeviceType is the kind of signer, as Specter Desktop's device classes
// name them.
type DeviceType string

// The device types. Hot is the software signer whose seed the engine keeps
// encrypted; only CreateHotDevice makes one.
const (
	TypeLedger     DeviceType = "ledger"
	TypeTrezor     DeviceType = "trezor"
	TypeBitBox02   DeviceType = "bitbox02"
	TypeColdcard   DeviceType = "coldcard"
	TypeJade       DeviceType = "jade"
	TypeKeystone   DeviceType = "keystone"
	TypePassport   DeviceType = "passport"
	TypeSeedSigner DeviceType = "seedsigner"
	TypeSpecterDIY DeviceType = "specterdiy"
	TypeKrux       DeviceType = "krux"
	TypeOther      DeviceType = "other"
	TypeHot        DeviceType = "hot"
)

// DeviceTypes lists every device type in the order the UI offers them (a
// new slice each call).
func DeviceTypes() []DeviceType {
	return []DeviceType{TypeLedger, TypeTrezor, TypeBitBox02, TypeColdcard, TypeJade, TypeKeystone,
		TypePassport, TypeSeedSigner, TypeSpecterDIY, TypeKrux, TypeOther, TypeHot}
}

// ParseDeviceType checks a device type name (case-insensitive).
func ParseDeviceType(s string) (DeviceType, error) {
	t := DeviceType(strings.ToLower(strings.TrimSpace(s)))
	all := DeviceTypes()
	if slices.Contains(all, t) {
		return t, nil
	}
	names := make([]string, len(all))
	for i, d := range all {
		names[i] = string(d)
	}
	return "", invalid(fmt.Sprintf("unknown device type %q", s), "use one of "+strings.Join(names, ", "))
}

// Device models, where models of one type exchange data differently
// (Coinkite's Coldcard documentation: the Mk3 and Mk4 read PSBTs from the
// microSD card and have no camera; the Q scans and shows BBQr codes).
const (
	// ModelColdcardMk4 is a Coldcard Mk3 or Mk4.
	ModelColdcardMk4 = "mk4"
	// ModelColdcardQ is a Coldcard Q.
	ModelColdcardQ = "q"
)

// DeviceModels lists the models a device type knows, in the order the UI
// offers them (a new slice each call); nil when the type has no models.
func DeviceModels(t DeviceType) []string {
	switch t {
	case TypeColdcard:
		return []string{ModelColdcardMk4, ModelColdcardQ}
	}
	return nil
}

// ParseDeviceModel checks a model name (case-insensitive) for a device
// type. The empty model (not said) is valid for every type; a type without
// models accepts only the empty one.
func ParseDeviceModel(t DeviceType, s string) (string, error) {
	m := strings.ToLower(strings.TrimSpace(s))
	if m == "" {
		return "", nil
	}
	models := DeviceModels(t)
	if slices.Contains(models, m) {
		return m, nil
	}
	if len(models) == 0 {
		return "", invalid(fmt.Sprintf("a %s device has no model %q", t, s), "leave the model empty")
	}
	return "", invalid(fmt.Sprintf("unknown %s model %q", t, s), "use one of "+strings.Join(models, ", ")+", or leave it empty")
}

// DeviceKey is one public key of a device: a BIP32 account key with its
// origin (BIP380 "[fingerprint/path]xpub").
type DeviceKey struct {
	// Origin is the master fingerprint and the path from the master key.
	Origin keys.Origin `json:"origin"`
	// Xpub is the key with standard version bytes (xpub on mainnet, tpub on
	// the test networks); SLIP-132 forms are converted when added.
	Xpub string `json:"xpub"`
	// ScriptHint is the script the key is meant for (keys.ScriptType), or
	// empty when nothing says.
	ScriptHint keys.ScriptType `json:"script_hint,omitempty"`
	// Label is the user's or the export file's name for the key.
	Label string `json:"label,omitempty"`
}

// String is the BIP380 key expression "[fingerprint/path]xpub".
func (k DeviceKey) String() string { return "[" + k.Origin.String() + "]" + k.Xpub }

// Device is a signer: a hardware wallet or the software hot device, with
// its public keys.
type Device struct {
	ID        string      `json:"id"`
	Name      string      `json:"name"`
	Type      DeviceType  `json:"type"`
	Keys      []DeviceKey `json:"keys"`
	CreatedAt time.Time   `json:"created_at"`
	// Model narrows the type where its models differ (DeviceModels, e.g.
	// ModelColdcardQ); empty when not said. Records written before models
	// existed have none and load as empty.
	Model string `json:"model,omitempty"`
	// Seed is the encrypted seed of a hot device, nil for other types.
	Seed *SeedEnvelope `json:"seed,omitempty"`
}

// KeysFromExport reads a signer's key export (every format keys.ParseExport
// reads: "[fp/path]xpub" lines, Coldcard, Keystone, Electrum, Sparrow,
// Specter device files) as device keys.
func KeysFromExport(data []byte) ([]DeviceKey, error) {
	exp, err := keys.ParseExport(data)
	if err != nil {
		return nil, invalidErr("the key export cannot be read", "paste [fingerprint/path]xpub lines or upload the device's export file", err)
	}
	out := make([]DeviceKey, 0, len(exp))
	for _, x := range exp {
		out = append(out, DeviceKey{Origin: x.Origin, Xpub: x.Xpub, ScriptHint: x.ScriptHint, Label: x.Label})
	}
	return out, nil
}

// parsedKey is a checked DeviceKey with the facts derived from it.
type parsedKey struct {
	DeviceKey
	testnet bool
}

// checkKey normalises and checks a key: a public BIP32 key (private keys are
// refused: the engine keeps only public keys of hardware signers) whose
// depth matches its origin path and, at depth 1, whose parent fingerprint is
// the origin's master fingerprint.
func checkKey(k DeviceKey) (parsedKey, error) {
	ext, err := keys.ParseExtendedKey(k.Xpub)
	if err != nil {
		return parsedKey{}, invalidErr("key "+k.Origin.String()+" is not a valid extended public key", "copy the xpub again from the device", err)
	}
	if ext.Key.IsPrivate() {
		return parsedKey{}, invalid("key "+k.Origin.String()+" is a private key (xprv/tprv)", "export the public key (xpub) from the device; private keys are never stored for hardware devices")
	}
	if int(ext.Key.Depth()) != len(k.Origin.Path) {
		return parsedKey{}, invalid(fmt.Sprintf("key [%s] is at depth %d but its origin path has %d steps", k.Origin, ext.Key.Depth(), len(k.Origin.Path)),
			"the fingerprint/path in brackets must be the path from the master key to this xpub")
	}
	if ext.Key.Depth() == 1 && ext.Key.ParentFingerprint() != k.Origin.Fingerprint.BigEndianUint32() {
		return parsedKey{}, invalid(fmt.Sprintf("key [%s] says its parent is %08x, not the master fingerprint %s", k.Origin, ext.Key.ParentFingerprint(), k.Origin.Fingerprint),
			"check the fingerprint in brackets")
	}
	if k.ScriptHint != "" {
		st, err := keys.ParseScriptType(string(k.ScriptHint))
		if err != nil {
			return parsedKey{}, invalidErr("key "+k.Origin.String()+" has an unknown script type", "", err)
		}
		k.ScriptHint = st
	}
	k.Label = strings.TrimSpace(k.Label)
	if utf8.RuneCountInString(k.Label) > MaxNameLength {
		return parsedKey{}, invalid("the label of key "+k.Origin.String()+" is longer than 64 characters", "use a shorter label")
	}
	k.Xpub = ext.Key.String()
	return parsedKey{DeviceKey: k, testnet: ext.Testnet}, nil
}

// mergeKeys checks the new keys and appends those not already present
// (Specter's add_device drops duplicated keys). The same xpub with another
// origin is refused.
func mergeKeys(have []DeviceKey, add []DeviceKey) ([]DeviceKey, error) {
	out := slices.Clone(have)
	for _, k := range add {
		pk, err := checkKey(k)
		if err != nil {
			return nil, err
		}
		dup := false
		for _, h := range out {
			if h.Xpub != pk.Xpub {
				continue
			}
			if h.Origin.String() != pk.Origin.String() {
				return nil, invalid("key "+abbrevKey(pk.Xpub)+" is given with two origins, ["+h.Origin.String()+"] and ["+pk.Origin.String()+"]", "keep the origin the device exported")
			}
			dup = true
		}
		if !dup {
			out = append(out, pk.DeviceKey)
		}
	}
	return out, nil
}

func abbrevKey(x string) string {
	if len(x) <= 20 {
		return x
	}
	return x[:8] + "…" + x[len(x)-6:]
}

// AddDevice adds a hardware (or "other") device with its keys and returns it
// with its new id (the alias of its name, made unique) and CreatedAt. Keys
// are checked and deduplicated; at least one is needed. Names are unique,
// case-insensitively. Hot devices are made by CreateHotDevice.
func (e *Engine) AddDevice(ctx context.Context, d Device) (Device, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	name, err := cleanName("device", d.Name)
	if err != nil {
		return Device{}, err
	}
	t, err := ParseDeviceType(string(d.Type))
	if err != nil {
		return Device{}, err
	}
	if t == TypeHot {
		return Device{}, invalid("a hot device cannot be added from public keys", "create it from a mnemonic (CreateHotDevice)")
	}
	model, err := ParseDeviceModel(t, d.Model)
	if err != nil {
		return Device{}, err
	}
	if err := e.deviceNameFree(name, ""); err != nil {
		return Device{}, err
	}
	ks, err := mergeKeys(nil, d.Keys)
	if err != nil {
		return Device{}, err
	}
	if len(ks) == 0 {
		return Device{}, invalid("the device has no keys", "paste its [fingerprint/path]xpub lines or upload its export file")
	}
	nd := Device{ID: e.newDeviceID(name), Name: name, Type: t, Keys: ks, CreatedAt: e.stamp(), Model: model}
	if err := e.putDevices(ctx, "adding device "+quote(name), nd); err != nil {
		return Device{}, err
	}
	return nd, nil
}

func (e *Engine) stamp() time.Time { return e.now().UTC().Round(0) }

func (e *Engine) newDeviceID(name string) string {
	return uniqueID(name, "device", func(id string) bool { _, ok := e.devices[id]; return ok })
}

func (e *Engine) deviceNameFree(name, exceptID string) error {
	for id, d := range e.devices {
		if id != exceptID && sameName(d.Name, name) {
			return &Error{Kind: KindDuplicate, Message: "a device named " + quote(d.Name) + " already exists", Hint: "choose another name"}
		}
	}
	return nil
}

// putDevices writes devices in one Apply and then updates the engine.
func (e *Engine) putDevices(ctx context.Context, what string, ds ...Device) error {
	ops := make([]store.Op, 0, len(ds))
	for _, d := range ds {
		op, err := putJSON(store.Devices, d.ID, d)
		if err != nil {
			return err
		}
		ops = append(ops, op)
	}
	if err := e.apply(ctx, what, ops...); err != nil {
		return err
	}
	for _, d := range ds {
		e.devices[d.ID] = d
	}
	return nil
}

// Devices lists every device, sorted by name.
func (e *Engine) Devices() []Device {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Device, 0, len(e.devices))
	for _, d := range e.devices {
		out = append(out, cloneDevice(d))
	}
	slices.SortFunc(out, func(a, b Device) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out
}

// Device returns one device by id.
func (e *Engine) Device(id string) (Device, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	d, ok := e.devices[id]
	if !ok {
		return Device{}, notFound("device", id)
	}
	return cloneDevice(d), nil
}

func cloneDevice(d Device) Device {
	d.Keys = slices.Clone(d.Keys)
	for i := range d.Keys {
		d.Keys[i].Origin.Path = slices.Clone(d.Keys[i].Origin.Path)
	}
	if d.Seed != nil {
		s := *d.Seed
		d.Seed = &s
	}
	return d
}

// RenameDevice changes a device's name; its id stays.
func (e *Engine) RenameDevice(ctx context.Context, id, name string) (Device, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	d, ok := e.devices[id]
	if !ok {
		return Device{}, notFound("device", id)
	}
	n, err := cleanName("device", name)
	if err != nil {
		return Device{}, err
	}
	if err := e.deviceNameFree(n, id); err != nil {
		return Device{}, err
	}
	d = cloneDevice(d)
	d.Name = n
	if err := e.putDevices(ctx, "renaming device "+quote(n), d); err != nil {
		return Device{}, err
	}
	return cloneDevice(d), nil
}

// SetDeviceModel sets (or, with "", clears) the model of a device; the
// model is checked against the device's type (ParseDeviceModel).
func (e *Engine) SetDeviceModel(ctx context.Context, id, model string) (Device, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	d, ok := e.devices[id]
	if !ok {
		return Device{}, notFound("device", id)
	}
	m, err := ParseDeviceModel(d.Type, model)
	if err != nil {
		return Device{}, err
	}
	d = cloneDevice(d)
	d.Model = m
	if err := e.putDevices(ctx, "setting the model of device "+quote(d.Name), d); err != nil {
		return Device{}, err
	}
	return cloneDevice(d), nil
}

// AddDeviceKeys adds keys to a hardware device (duplicates are skipped).
func (e *Engine) AddDeviceKeys(ctx context.Context, id string, ks []DeviceKey) (Device, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	d, ok := e.devices[id]
	if !ok {
		return Device{}, notFound("device", id)
	}
	if d.Type == TypeHot {
		return Device{}, invalid("keys of a hot device come from its seed", "create another hot device for another seed")
	}
	merged, err := mergeKeys(d.Keys, ks)
	if err != nil {
		return Device{}, err
	}
	d = cloneDevice(d)
	d.Keys = merged
	if err := e.putDevices(ctx, "adding keys to device "+quote(d.Name), d); err != nil {
		return Device{}, err
	}
	return cloneDevice(d), nil
}

// DeleteDevice removes a device. As in Specter, a device that a wallet uses
// cannot be deleted: the error (Kind KindInUse) lists those wallets.
func (e *Engine) DeleteDevice(ctx context.Context, id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	d, ok := e.devices[id]
	if !ok {
		return notFound("device", id)
	}
	var users []string
	for _, w := range e.wallets {
		if slices.Contains(w.rec.DeviceIDs, id) {
			users = append(users, w.rec.Name)
		}
	}
	if len(users) > 0 {
		users = sortedNames(users)
		return &Error{Kind: KindInUse, Message: "device " + quote(d.Name) + " is used by wallet(s) " + strings.Join(users, ", "),
			Hint: "delete those wallets first", Wallets: users}
	}
	if err := e.apply(ctx, "deleting device "+quote(d.Name), store.Del(store.Devices, id)); err != nil {
		return err
	}
	delete(e.devices, id)
	return nil
}

// keyNetworkName says which networks a key serves, for messages.
func keyNetworkName(testnet bool) string {
	if testnet {
		return "test networks (tpub)"
	}
	return string(network.Main) + " (xpub)"
}
