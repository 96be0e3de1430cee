package walletfile

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
)

// caravanKey is one of Caravan's "extendedPublicKeys".
type caravanKey struct {
	Name      string `json:"name"`
	Bip32Path string `json:"bip32Path"`
	Xpub      string `json:"xpub"`
	Xfp       string `json:"xfp,omitempty"`
	Method    string `json:"method,omitempty"`
}

// caravanConfig is Caravan's wallet configuration (unchained-capital/caravan
// wallet config export and its fixtures/caravan/*.json).
type caravanConfig struct {
	Name        string `json:"name"`
	AddressType string `json:"addressType"`
	Network     string `json:"network"`
	Client      *struct {
		Type string `json:"type"`
	} `json:"client,omitempty"`
	Quorum struct {
		RequiredSigners int `json:"requiredSigners"`
		TotalSigners    int `json:"totalSigners"`
	} `json:"quorum"`
	ExtendedPublicKeys   []caravanKey `json:"extendedPublicKeys"`
	StartingAddressIndex int          `json:"startingAddressIndex"`
}

// caravanNetworks maps Caravan's network names.
var caravanNetworks = map[string]network.Network{"mainnet": network.Main, "testnet": network.Test, "regtest": network.Regtest, "signet": network.Signet}

// importCaravan reads a Caravan wallet configuration: sortedmulti (Caravan
// sorts keys, BIP67) under P2WSH, P2SH-P2WSH or P2SH; keys derived /0/* and
// /1/*. A key whose bip32Path is "Unknown" (Caravan's value when the path
// was not given) is imported without origin.
func importCaravan(text string, opts Options) (*Imported, error) {
	var c caravanConfig
	if err := unmarshalOne(text, &c); err != nil {
		return nil, err
	}
	net, ok := caravanNetworks[strings.ToLower(c.Network)]
	if !ok {
		return nil, fmt.Errorf("network %q is not mainnet, testnet, regtest or signet", c.Network)
	}
	m, n := c.Quorum.RequiredSigners, c.Quorum.TotalSigners
	if m < 1 || m > n || n > 15 {
		return nil, fmt.Errorf("quorum %d of %d is out of range: 1 <= requiredSigners <= totalSigners <= 15", m, n)
	}
	if n != len(c.ExtendedPublicKeys) {
		return nil, fmt.Errorf("quorum says %d signers but the file lists %d extended public keys", n, len(c.ExtendedPublicKeys))
	}
	b := &builder{name: c.Name, stated: net, opts: opts, m: m, n: n}
	if c.StartingAddressIndex != 0 {
		b.warnings = append(b.warnings, fmt.Sprintf("startingAddressIndex %d is not kept: the wallet watches its addresses from index 0", c.StartingAddressIndex))
	}
	exprs := make([]string, 0, n)
	for i, k := range c.ExtendedPublicKeys {
		where := fmt.Sprintf("extended public key %d (%q)", i+1, k.Name)
		ek, err := keys.ParseExtendedKey(k.Xpub)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if ek.Key.IsPrivate() {
			return nil, fmt.Errorf("%s: a private key: wallet configurations hold public keys only", where)
		}
		expr := ek.Key.String() + "/<0;1>/*"
		unknownPath := k.Bip32Path == "" || strings.EqualFold(k.Bip32Path, "unknown")
		switch {
		case k.Xfp != "" && !unknownPath:
			fp, err := keys.ParseFingerprint(k.Xfp)
			if err != nil {
				return nil, fmt.Errorf("%s: xfp: %w", where, err)
			}
			path, err := keys.ParsePath(k.Bip32Path)
			if err != nil {
				return nil, fmt.Errorf("%s: bip32Path: %w", where, err)
			}
			origin := fp.String()
			if len(path) > 0 {
				origin += "/" + path.String()
			}
			expr = "[" + origin + "]" + expr
		default:
			b.warnings = append(b.warnings, fmt.Sprintf("%s has no known master fingerprint and path: its key origin is left out, hardware signers may not recognise their key", where))
		}
		exprs = append(exprs, expr)
		b.meta = append(b.meta, Device{Name: k.Name, Type: k.Method})
	}
	inner := "sortedmulti(" + strconv.Itoa(m) + "," + strings.Join(exprs, ",") + ")"
	var script string
	switch strings.ToUpper(c.AddressType) {
	case "P2WSH":
		script = "wsh(" + inner + ")"
	case "P2SH-P2WSH", "P2WSH-P2SH":
		script = "sh(wsh(" + inner + "))"
	case "P2SH":
		script = "sh(" + inner + ")"
	default:
		return nil, fmt.Errorf("addressType %q is not P2WSH, P2SH-P2WSH or P2SH", c.AddressType)
	}
	d, err := descriptor.Parse(script)
	if err != nil {
		return nil, err
	}
	return b.build(d)
}

// exportCaravan writes a Caravan wallet configuration with a public client.
func exportCaravan(w *wallet) ([]byte, error) {
	ms, err := w.asSortedMulti("Caravan")
	if err != nil {
		return nil, err
	}
	addrType := map[descriptor.ScriptType]string{descriptor.WSH: "P2WSH", descriptor.SHWSH: "P2SH-P2WSH", descriptor.SH: "P2SH"}[ms.script]
	var netName string
	for name, n := range caravanNetworks {
		if n == w.setup.Network {
			netName = name
		}
	}
	if netName == "" {
		return nil, errors.New("unknown network")
	}
	c := caravanConfig{Name: w.setup.Name, AddressType: addrType, Network: netName}
	if c.Name == "" {
		c.Name = fmt.Sprintf("Multisig %d of %d", w.setup.M, w.setup.N)
	}
	c.Client = &struct {
		Type string `json:"type"`
	}{"public"}
	c.Quorum.RequiredSigners, c.Quorum.TotalSigners = w.setup.M, w.setup.N
	for i := range ms.keys {
		k := &ms.keys[i]
		dv := w.device(i)
		name := dv.Name
		if name == "" {
			name = fmt.Sprintf("Signer %d (%s)", i+1, k.Origin.Fingerprint)
		}
		c.ExtendedPublicKeys = append(c.ExtendedPublicKeys, caravanKey{Name: name, Bip32Path: mPath(k.Origin.Path), Xpub: k.Xpub, Xfp: k.Origin.Fingerprint.String(), Method: dv.Type})
	}
	return marshalJSON(c)
}
