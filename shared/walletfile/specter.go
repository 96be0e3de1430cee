package walletfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
)

// specterKey is one entry of a Specter Desktop wallet file's "keys".
type specterKey struct {
	Original    string `json:"original,omitempty"`
	Fingerprint string `json:"fingerprint"`
	Derivation  string `json:"derivation"`
	Type        string `json:"type,omitempty"`
	Xpub        string `json:"xpub"`
}

// specterWallet is the part of a Specter Desktop wallet file
// (wallets/<alias>.json, also in its backup zip) this package reads and
// writes.
type specterWallet struct {
	Name             string            `json:"name"`
	Alias            string            `json:"alias,omitempty"`
	Description      string            `json:"description,omitempty"`
	AddressType      string            `json:"address_type,omitempty"`
	Address          string            `json:"address,omitempty"`
	AddressIndex     *uint32           `json:"address_index,omitempty"`
	ChangeAddress    string            `json:"change_address,omitempty"`
	ChangeIndex      *uint32           `json:"change_index,omitempty"`
	RecvDescriptor   string            `json:"recv_descriptor"`
	ChangeDescriptor string            `json:"change_descriptor,omitempty"`
	Keys             []specterKey      `json:"keys"`
	Devices          []json.RawMessage `json:"devices"`
	SigsRequired     int               `json:"sigs_required,omitempty"`
	Blockheight      int64             `json:"blockheight"`
}

// deviceRef reads one element of a "devices" list: a device alias (Specter
// wallet files) or an object with "type" and "label" or "name" (account
// maps, newer Specter exports).
func deviceRef(raw json.RawMessage) (Device, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return Device{Name: s}, nil
	}
	var o struct {
		Type  string `json:"type"`
		Label string `json:"label"`
		Name  string `json:"name"`
		Alias string `json:"alias"`
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return Device{}, fmt.Errorf("a device entry is neither a name nor an object with \"type\" and \"label\": %s", abbrevDesc(string(raw)))
	}
	name := o.Label
	if name == "" {
		name = o.Name
	}
	if name == "" {
		name = o.Alias
	}
	return Device{Name: name, Type: o.Type}, nil
}

// importSpecter reads a Specter Desktop wallet file.
func importSpecter(text string, opts Options) (*Imported, error) {
	var sw specterWallet
	if err := unmarshalOne(text, &sw); err != nil {
		return nil, err
	}
	if sw.RecvDescriptor == "" {
		return nil, errors.New("\"recv_descriptor\" is empty")
	}
	var d *descriptor.Descriptor
	var err error
	if sw.ChangeDescriptor != "" {
		d, err = pair(sw.RecvDescriptor, sw.ChangeDescriptor)
	} else {
		d, err = descriptor.Parse(sw.RecvDescriptor)
	}
	if err != nil {
		return nil, err
	}
	b := &builder{name: sw.Name, opts: opts, birthday: sw.Blockheight}
	if sw.Address != "" && sw.AddressIndex != nil {
		b.addrs = append(b.addrs, addrClaim{0, *sw.AddressIndex, sw.Address, "\"address\""})
	}
	if sw.ChangeAddress != "" && sw.ChangeIndex != nil {
		b.addrs = append(b.addrs, addrClaim{1, *sw.ChangeIndex, sw.ChangeAddress, "\"change_address\""})
	}
	if sw.SigsRequired != 0 {
		m, n := d.Threshold()
		if sw.SigsRequired != m {
			return nil, fmt.Errorf("\"sigs_required\" is %d but the descriptor needs %d of %d signatures", sw.SigsRequired, m, n)
		}
	}
	devs := make([]Device, 0, len(sw.Devices))
	for _, raw := range sw.Devices {
		dv, err := deviceRef(raw)
		if err != nil {
			return nil, err
		}
		devs = append(devs, dv)
	}
	// "keys" and "devices" are parallel lists; the descriptor may order the
	// keys differently, so match each descriptor key to its "keys" entry,
	// checking the fingerprint and derivation the file claims for it.
	ks := d.Keys()
	b.meta = make([]Device, len(ks))
	for i := range ks {
		k := &ks[i]
		for j, sk := range sw.Keys {
			ek, err := keys.ParseExtendedKey(sk.Xpub)
			if err != nil {
				return nil, fmt.Errorf("\"keys\" entry %d: %w", j+1, err)
			}
			if xpubString(ek) != k.Xpub {
				continue
			}
			if k.Origin != nil && sk.Fingerprint != "" {
				fp, err := keys.ParseFingerprint(sk.Fingerprint)
				if err != nil {
					return nil, fmt.Errorf("\"keys\" entry %d: %w", j+1, err)
				}
				path, err := keys.ParsePath(sk.Derivation)
				if err != nil {
					return nil, fmt.Errorf("\"keys\" entry %d: %w", j+1, err)
				}
				if fp != k.Origin.Fingerprint || path.String() != k.Origin.Path.String() {
					return nil, fmt.Errorf("\"keys\" entry %d claims origin [%s/%s] but the descriptor gives this key [%s]", j+1, fp, path, k.Origin)
				}
			}
			if j < len(devs) {
				b.meta[i] = devs[j]
			}
		}
	}
	return b.build(d)
}

// xpubString is the standard-version base58 form of a parsed key.
func xpubString(ek *keys.ExtendedKey) string {
	return ek.Key.String()
}

// unmarshalOne reads a JSON object, or an array of exactly one (Specter's
// restore files hold arrays).
func unmarshalOne(text string, v any) error {
	t := strings.TrimSpace(text)
	if len(t) > maxFileSize {
		return fmt.Errorf("the file is %d bytes, far more than a wallet file", len(t))
	}
	if strings.HasPrefix(t, "[") {
		var arr []json.RawMessage
		if err := json.Unmarshal([]byte(t), &arr); err != nil {
			return fmt.Errorf("the JSON does not parse: %w", err)
		}
		if len(arr) != 1 {
			return fmt.Errorf("the file holds %d wallets: use ImportAll to read them all", len(arr))
		}
		t = string(arr[0])
	}
	if err := json.Unmarshal([]byte(t), v); err != nil {
		return fmt.Errorf("the JSON does not parse: %w", err)
	}
	return nil
}

// ImportAll reads a file that may hold several wallets, as Specter
// Desktop's restore file (a JSON array of wallet files) does, and imports
// each. A file with one wallet gives one result.
func ImportAll(data []byte, opts Options) ([]*Imported, error) {
	t := strings.TrimSpace(strings.TrimPrefix(string(data), "\ufeff"))
	if !strings.HasPrefix(t, "[") {
		imp, err := ImportWith(data, opts)
		if err != nil {
			return nil, err
		}
		return []*Imported{imp}, nil
	}
	f, err := Detect(data)
	if err != nil {
		return nil, err
	}
	if f == FormatCore {
		imp, err := ImportAs(data, f, opts)
		if err != nil {
			return nil, err
		}
		return []*Imported{imp}, nil
	}
	var arr []json.RawMessage
	if err := json.Unmarshal([]byte(t), &arr); err != nil {
		return nil, fmt.Errorf("the JSON array does not parse: %w", err)
	}
	out := make([]*Imported, 0, len(arr))
	for i, raw := range arr {
		imp, err := ImportWith(raw, opts)
		if err != nil {
			return nil, fmt.Errorf("wallet %d of %d: %w", i+1, len(arr), err)
		}
		out = append(out, imp)
	}
	return out, nil
}

// specterAddressType is Specter Desktop's "address_type" of a script.
func specterAddressType(st descriptor.ScriptType) string {
	switch st {
	case descriptor.WPKH, descriptor.WSH:
		return "bech32"
	case descriptor.SHWPKH, descriptor.SHWSH:
		return "p2sh-segwit"
	case descriptor.PKH, descriptor.SH:
		return "legacy"
	case descriptor.TR:
		return "taproot"
	}
	return ""
}

// specterAlias makes a Specter wallet alias (its file name) from a name:
// lowercase letters, digits and underscores.
func specterAlias(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '_' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "wallet"
	}
	return b.String()
}

// exportSpecter writes a Specter Desktop wallet file: receive and change
// descriptors, keys, devices, threshold and block height, and the first
// receive and change addresses so an importer can check them.
func exportSpecter(w *wallet) ([]byte, error) {
	if w.desc.PathCount() != 2 {
		return nil, errors.New("Specter Desktop wallets have a receive and a change branch: the descriptor must be a <0;1> descriptor")
	}
	recv, _ := w.desc.Branch(0)
	change, _ := w.desc.Branch(1)
	addr, err := recv.Address(0, w.setup.Network)
	if err != nil {
		return nil, err
	}
	caddr, err := change.Address(0, w.setup.Network)
	if err != nil {
		return nil, err
	}
	zero := uint32(0)
	st := w.desc.ScriptType()
	desc := "Single key"
	if w.setup.N > 1 {
		desc = fmt.Sprintf("%d of %d Multisig", w.setup.M, w.setup.N)
	}
	sw := specterWallet{
		Name: w.setup.Name, Alias: specterAlias(w.setup.Name), Description: desc,
		AddressType: specterAddressType(st), Address: addr, AddressIndex: &zero,
		ChangeAddress: caddr, ChangeIndex: &zero,
		RecvDescriptor: recv.String(), ChangeDescriptor: change.String(),
		SigsRequired: w.setup.M, Blockheight: w.setup.BirthdayHeight,
		Keys: []specterKey{}, Devices: []json.RawMessage{},
	}
	for i := range w.keys {
		k := &w.keys[i]
		dv := w.device(i)
		sk := specterKey{Original: k.Xpub, Xpub: k.Xpub, Type: st.String(), Fingerprint: dv.Fingerprint.String(), Derivation: "m"}
		if k.Origin != nil {
			sk.Derivation = "m/" + k.Origin.Path.String()
			if len(k.Origin.Path) == 0 {
				sk.Derivation = "m"
			}
		}
		sw.Keys = append(sw.Keys, sk)
		name, _ := json.Marshal(dv.Name)
		sw.Devices = append(sw.Devices, name)
	}
	return marshalJSON(sw)
}

// accountMap is the wallet export of Specter Desktop, Sparrow and Fully
// Noded.
type accountMap struct {
	Label       string            `json:"label"`
	Blockheight int64             `json:"blockheight"`
	Descriptor  string            `json:"descriptor"`
	Devices     []json.RawMessage `json:"devices,omitempty"`
}

// importAccountMap reads an account map; its devices list names the keys
// in descriptor order.
func importAccountMap(text string, opts Options) (*Imported, error) {
	var am accountMap
	if err := unmarshalOne(text, &am); err != nil {
		return nil, err
	}
	if am.Descriptor == "" {
		return nil, errors.New("\"descriptor\" is empty")
	}
	d, err := descriptor.Parse(am.Descriptor)
	if err != nil {
		return nil, err
	}
	b := &builder{name: am.Label, opts: opts, birthday: am.Blockheight}
	for _, raw := range am.Devices {
		dv, err := deviceRef(raw)
		if err != nil {
			return nil, err
		}
		b.meta = append(b.meta, dv)
	}
	if len(am.Devices) > 0 && len(am.Devices) != len(d.Keys()) {
		b.warnings = append(b.warnings, fmt.Sprintf("the file lists %d devices for %d keys: device names may not match the keys", len(am.Devices), len(d.Keys())))
	}
	return b.build(d)
}

// exportAccountMap writes the account map with the receive descriptor
// (/0/*, as Specter Desktop exports it) and a device per key.
func exportAccountMap(w *wallet) ([]byte, error) {
	recv, err := w.desc.Branch(0)
	if err != nil {
		return nil, err
	}
	am := accountMap{Label: w.setup.Name, Blockheight: w.setup.BirthdayHeight, Descriptor: recv.String()}
	for i := range w.keys {
		dv := w.device(i)
		typ := dv.Type
		if typ == "" {
			typ = "other"
		}
		raw, _ := json.Marshal(struct {
			Type  string `json:"type"`
			Label string `json:"label"`
		}{typ, dv.Name})
		am.Devices = append(am.Devices, raw)
	}
	return marshalJSON(am)
}
