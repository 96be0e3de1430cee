package walletfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
)

// electrumKeystore is one keystore of an Electrum wallet file.
type electrumKeystore struct {
	Type            string `json:"type,omitempty"`
	Xpub            string `json:"xpub"`
	Derivation      string `json:"derivation,omitempty"`
	RootFingerprint string `json:"root_fingerprint,omitempty"`
	Label           string `json:"label,omitempty"`
	HWType          string `json:"hw_type,omitempty"`
	CkccXfp         *int64 `json:"ckcc_xfp,omitempty"`
	Seed            string `json:"seed,omitempty"`
	Xprv            string `json:"xprv,omitempty"`
}

var electrumMultisigType = regexp.MustCompile(`^(\d+)of(\d+)$`)

// importElectrum reads an Electrum wallet file: multisig ("wallet_type":
// "MofN" with keystores "x1/" to "xN/") or standard ("keystore"). The
// script comes from the SLIP-132 version of the keys, as Electrum writes
// them: Zpub/Vpub wsh, Ypub/Upub sh(wsh), xpub/tpub sh for multisig; zpub/
// vpub wpkh, ypub/upub sh(wpkh), xpub/tpub pkh for single-sig. Multisig
// is sortedmulti (Electrum sorts the keys, BIP67). Seeds and private keys
// in the file are not imported.
func importElectrum(text string, opts Options) (*Imported, error) {
	var top map[string]json.RawMessage
	if err := unmarshalOne(text, &top); err != nil {
		return nil, err
	}
	var walletType string
	if raw, ok := top["wallet_type"]; ok {
		if err := json.Unmarshal(raw, &walletType); err != nil {
			return nil, fmt.Errorf("\"wallet_type\" is not a string: %w", err)
		}
	}
	b := &builder{opts: opts}
	var ks []electrumKeystore
	mm := electrumMultisigType.FindStringSubmatch(walletType)
	m, n := 1, 1
	if mm != nil {
		m, _ = strconv.Atoi(mm[1])
		n, _ = strconv.Atoi(mm[2])
		if m < 1 || m > n || n > 15 {
			return nil, fmt.Errorf("wallet_type %q is not a valid M-of-N (1 <= M <= N <= 15)", walletType)
		}
		for i := 1; i <= n; i++ {
			raw, ok := top["x"+strconv.Itoa(i)+"/"]
			if !ok {
				return nil, fmt.Errorf("wallet_type %q but keystore \"x%d/\" is missing", walletType, i)
			}
			var k electrumKeystore
			if err := json.Unmarshal(raw, &k); err != nil {
				return nil, fmt.Errorf("keystore \"x%d/\": %w", i, err)
			}
			ks = append(ks, k)
		}
		if _, extra := top["x"+strconv.Itoa(n+1)+"/"]; extra {
			return nil, fmt.Errorf("wallet_type %q but the file has a keystore \"x%d/\" too", walletType, n+1)
		}
	} else {
		raw, ok := top["keystore"]
		if !ok {
			return nil, fmt.Errorf("wallet_type %q has no \"keystore\" (and is not a multisig \"MofN\")", walletType)
		}
		var k electrumKeystore
		if err := json.Unmarshal(raw, &k); err != nil {
			return nil, fmt.Errorf("keystore: %w", err)
		}
		ks = append(ks, k)
		b.name = k.Label
	}
	var format keys.Format
	var exprs []string
	for i, k := range ks {
		where := "keystore"
		if mm != nil {
			where = "keystore \"x" + strconv.Itoa(i+1) + "/\""
		}
		if k.Xpub == "" {
			return nil, fmt.Errorf("%s has no \"xpub\"", where)
		}
		ek, err := keys.ParseExtendedKey(k.Xpub)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if ek.Key.IsPrivate() {
			return nil, fmt.Errorf("%s: \"xpub\" holds a private key", where)
		}
		if i == 0 {
			format = ek.Format
		} else if ek.Format != format {
			return nil, fmt.Errorf("%s is a %s but the first keystore is a %s: Electrum keys of one wallet share their SLIP-132 type", where, ek.VersionName(), format)
		}
		if k.Seed != "" || k.Xprv != "" {
			b.warnings = append(b.warnings, fmt.Sprintf("%s holds a seed or private key: it was not imported (the wallet is watch-only)", where))
		}
		expr := ek.Key.String() + "/<0;1>/*"
		if k.RootFingerprint != "" || (k.CkccXfp != nil && k.Derivation != "") {
			var fp keys.Fingerprint
			if k.RootFingerprint != "" {
				if fp, err = keys.ParseFingerprint(k.RootFingerprint); err != nil {
					return nil, fmt.Errorf("%s: root_fingerprint: %w", where, err)
				}
			} else {
				// Coldcard's Electrum export: the master fingerprint as the
				// little-endian uint32 Coldcard keeps it in.
				if *k.CkccXfp < 0 || *k.CkccXfp > 0xffffffff {
					return nil, fmt.Errorf("%s: ckcc_xfp %d is not a 32-bit fingerprint", where, *k.CkccXfp)
				}
				fp = keys.FingerprintFromUint32(uint32(*k.CkccXfp))
			}
			path, err := keys.ParsePath(k.Derivation)
			if err != nil {
				return nil, fmt.Errorf("%s: derivation: %w", where, err)
			}
			origin := fp.String()
			if len(path) > 0 {
				origin += "/" + path.String()
			}
			expr = "[" + origin + "]" + expr
		} else {
			b.warnings = append(b.warnings, fmt.Sprintf("%s has no root_fingerprint: its key origin is unknown, hardware signers may not recognise their key", where))
		}
		exprs = append(exprs, expr)
		b.meta = append(b.meta, Device{Name: k.Label, Type: k.HWType})
	}
	var script string
	if mm != nil {
		inner := "sortedmulti(" + strconv.Itoa(m) + "," + strings.Join(exprs, ",") + ")"
		switch format {
		case keys.FormatZMult:
			script = "wsh(" + inner + ")"
		case keys.FormatYMult:
			script = "sh(wsh(" + inner + "))"
		case keys.FormatX:
			script = "sh(" + inner + ")"
		default:
			return nil, fmt.Errorf("multisig keystores in %s form: Electrum multisig keys are Zpub/Vpub (wsh), Ypub/Upub (sh-wsh) or xpub/tpub (sh)", format)
		}
		b.m, b.n = m, n
		if b.name == "" {
			b.name = fmt.Sprintf("Electrum %d of %d", m, n)
		}
	} else {
		switch format {
		case keys.FormatZ:
			script = "wpkh(" + exprs[0] + ")"
		case keys.FormatY:
			script = "sh(wpkh(" + exprs[0] + "))"
		case keys.FormatX:
			script = "pkh(" + exprs[0] + ")"
		default:
			return nil, fmt.Errorf("a standard wallet keystore in %s form: expected zpub/vpub, ypub/upub or xpub/tpub", format)
		}
	}
	if raw, ok := top["addresses"]; ok {
		var addrs struct {
			Receiving []string `json:"receiving"`
			Change    []string `json:"change"`
		}
		if json.Unmarshal(raw, &addrs) == nil {
			if len(addrs.Receiving) > 0 {
				b.addrs = append(b.addrs, addrClaim{0, 0, addrs.Receiving[0], "first receiving address"})
			}
			if len(addrs.Change) > 0 {
				b.addrs = append(b.addrs, addrClaim{1, 0, addrs.Change[0], "first change address"})
			}
		}
	}
	d, err := descriptor.Parse(script)
	if err != nil {
		return nil, err
	}
	return b.build(d)
}

// exportElectrum writes an Electrum wallet file (watch-only): "2of3"-style
// multisig with x1/..xN/ keystores, or a standard single-sig wallet, keys in
// the SLIP-132 form Electrum reads the script type from.
func exportElectrum(w *wallet) ([]byte, error) {
	st := w.desc.ScriptType()
	testnet := w.setup.Network.IsTestnetLike()
	out := map[string]any{"seed_version": 17, "use_encryption": false}
	keystore := func(i int, format keys.Format) (electrumKeystore, error) {
		k := &w.keys[i]
		ek, err := keys.ParseExtendedKey(k.Xpub)
		if err != nil {
			return electrumKeystore{}, err
		}
		x, err := keys.ConvertVersion(ek.Key, format, testnet)
		if err != nil {
			return electrumKeystore{}, err
		}
		dv := w.device(i)
		return electrumKeystore{Type: "bip32", Xpub: x, Derivation: mPath(k.Origin.Path), RootFingerprint: k.Origin.Fingerprint.String(), Label: dv.Name}, nil
	}
	if w.setup.N > 1 {
		ms, err := w.asSortedMulti("Electrum")
		if err != nil {
			return nil, err
		}
		format := map[descriptor.ScriptType]keys.Format{descriptor.WSH: keys.FormatZMult, descriptor.SHWSH: keys.FormatYMult, descriptor.SH: keys.FormatX}[ms.script]
		out["wallet_type"] = fmt.Sprintf("%dof%d", w.setup.M, w.setup.N)
		for i := range ms.keys {
			ks, err := keystore(i, format)
			if err != nil {
				return nil, err
			}
			out["x"+strconv.Itoa(i+1)+"/"] = ks
		}
		return marshalJSON(out)
	}
	format, ok := map[descriptor.ScriptType]keys.Format{descriptor.WPKH: keys.FormatZ, descriptor.SHWPKH: keys.FormatY, descriptor.PKH: keys.FormatX}[st]
	if !ok {
		return nil, fmt.Errorf("Electrum single-sig wallets are wpkh, sh(wpkh) or pkh; this wallet is %s", st)
	}
	k := &w.keys[0]
	if !isExtended(k) || k.Origin == nil || k.Multipath == nil {
		return nil, errors.New("Electrum wallets need the key as [fingerprint/path]xpub/<0;1>/*")
	}
	ks, err := keystore(0, format)
	if err != nil {
		return nil, err
	}
	if ks.Label == "" {
		ks.Label = w.setup.Name
	}
	out["wallet_type"] = "standard"
	out["keystore"] = ks
	return marshalJSON(out)
}
