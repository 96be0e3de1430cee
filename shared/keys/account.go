package keys

import (
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/specterpwa/specter/shared/network"
)

// ScriptType names the output script an account's keys are used in, with
// the descriptor function names of BIP380-386.
type ScriptType string

// Script types of the standard accounts (BIP44, BIP49, BIP84, BIP86, BIP48).
const (
	ScriptPKH    ScriptType = "pkh"     // BIP44: P2PKH
	ScriptSHWPKH ScriptType = "sh-wpkh" // BIP49: P2WPKH nested in P2SH
	ScriptWPKH   ScriptType = "wpkh"    // BIP84: native P2WPKH
	ScriptTR     ScriptType = "tr"      // BIP86: single-key P2TR
	ScriptSHWSH  ScriptType = "sh-wsh"  // BIP48 script type 1: multisig P2WSH nested in P2SH
	ScriptWSH    ScriptType = "wsh"     // BIP48 script type 2: multisig native P2WSH
	// ScriptSH is BIP45's legacy P2SH multisig (m/45'). It appears in
	// exports only; it is not one of the standard accounts of ScriptTypes.
	ScriptSH ScriptType = "sh"
)

// ScriptTypes lists the standard account script types, single-sig first.
var ScriptTypes = []ScriptType{ScriptPKH, ScriptSHWPKH, ScriptWPKH, ScriptTR, ScriptSHWSH, ScriptWSH}

// ParseScriptType reads a script type name: the descriptor forms above
// ("sh-wpkh", also "sh_wpkh" or "sh(wpkh)") or the address-type names
// wallets print ("p2pkh", "p2sh-p2wpkh", "p2wpkh", "p2tr", "p2sh-p2wsh",
// "p2wsh"), in any case.
func ParseScriptType(s string) (ScriptType, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.NewReplacer("_", "-", "(", "-", ")", "").Replace(t)
	switch t {
	case "p2pkh":
		return ScriptPKH, nil
	case "p2sh-p2wpkh", "p2wpkh-p2sh":
		return ScriptSHWPKH, nil
	case "p2wpkh":
		return ScriptWPKH, nil
	case "p2tr":
		return ScriptTR, nil
	case "p2sh-p2wsh", "p2wsh-p2sh":
		return ScriptSHWSH, nil
	case "p2wsh":
		return ScriptWSH, nil
	case "p2sh", "sh":
		return ScriptSH, nil
	}
	for _, st := range ScriptTypes {
		if string(st) == t {
			return st, nil
		}
	}
	return "", fmt.Errorf("unknown script type %q: use pkh, sh-wpkh, wpkh, tr, sh-wsh or wsh", s)
}

// Multisig reports whether the script type is a multisig one: BIP48's
// account types or BIP45's legacy P2SH.
func (st ScriptType) Multisig() bool { return st == ScriptSHWSH || st == ScriptWSH || st == ScriptSH }

// slip132Format is the SLIP-132 format registered for the script type, or
// "" where SLIP-132 has none (taproot).
func (st ScriptType) slip132Format() Format {
	switch st {
	case ScriptPKH:
		return FormatX
	case ScriptSHWPKH:
		return FormatY
	case ScriptWPKH:
		return FormatZ
	case ScriptSHWSH:
		return FormatYMult
	case ScriptWSH:
		return FormatZMult
	}
	return ""
}

// AccountPath is the standard account derivation path of a script type:
// m/44'/coin'/account' (pkh), 49' (sh-wpkh), 84' (wpkh), 86' (tr), and
// BIP48's m/48'/coin'/account'/1' (sh-wsh) and /2' (wsh). The coin type is
// 0 on mainnet and 1 on every test network (SLIP-44).
func AccountPath(st ScriptType, net network.Network, account uint32) (Path, error) {
	if account >= Hardened {
		return nil, fmt.Errorf("account %d: account numbers go from 0 to 2147483647", account)
	}
	coin := net.CoinType() + Hardened
	acct := account + Hardened
	switch st {
	case ScriptPKH:
		return Path{44 + Hardened, coin, acct}, nil
	case ScriptSHWPKH:
		return Path{49 + Hardened, coin, acct}, nil
	case ScriptWPKH:
		return Path{84 + Hardened, coin, acct}, nil
	case ScriptTR:
		return Path{86 + Hardened, coin, acct}, nil
	case ScriptSHWSH:
		return Path{48 + Hardened, coin, acct, 1 + Hardened}, nil
	case ScriptWSH:
		return Path{48 + Hardened, coin, acct, 2 + Hardened}, nil
	case ScriptSH:
		return nil, fmt.Errorf("no standard account for sh: BIP45 legacy P2SH multisig uses m/45' without accounts; use wsh or sh-wsh")
	}
	return nil, fmt.Errorf("unknown script type %q: use pkh, sh-wpkh, wpkh, tr, sh-wsh or wsh", st)
}

// Account is a standard account's public side, ready for a descriptor
// ("[origin]xpub/<0;1>/*") or an export to another wallet.
type Account struct {
	// Origin is the master fingerprint and the account path (BIP380).
	Origin Origin `json:"origin"`
	// Xpub is the account key with standard version bytes: xpub on
	// mainnet, tpub on the test networks.
	Xpub string `json:"xpub"`
	// SLIP132 is the same key in the SLIP-132 form registered for the
	// script type (ypub/zpub/Ypub/Zpub or upub/vpub/Upub/Vpub; xpub/tpub
	// for pkh), or "" for taproot, which has none.
	SLIP132 string `json:"slip132,omitempty"`
	// ScriptType is the script the account's keys go into.
	ScriptType ScriptType `json:"script_type"`
	// Key is the public account key (same bytes as Xpub).
	Key *hdkeychain.ExtendedKey `json:"-"`
}

// StandardAccounts derives the six standard accounts of ScriptTypes
// (BIP44, BIP49, BIP84, BIP86, BIP48 types 1 and 2) for one account
// number: what a software signer offers when added to the wallet.
func StandardAccounts(master *hdkeychain.ExtendedKey, net network.Network, account uint32) ([]Account, error) {
	out := make([]Account, 0, len(ScriptTypes))
	for _, st := range ScriptTypes {
		acc, err := DeriveAccount(master, st, net, account)
		if err != nil {
			return nil, err
		}
		out = append(out, acc)
	}
	return out, nil
}

// DeriveAccount derives the standard account of a script type from a
// private master key (BIP32 CKDpriv along AccountPath) and returns its
// public side. The master key must be for the network's key version: an
// xprv for mainnet, a tprv for the test networks.
func DeriveAccount(master *hdkeychain.ExtendedKey, st ScriptType, net network.Network, account uint32) (Account, error) {
	path, err := AccountPath(st, net, account)
	if err != nil {
		return Account{}, err
	}
	if !master.IsPrivate() {
		return Account{}, fmt.Errorf("derive %s account: the master key is public; hardened account paths need the private master key", st)
	}
	if !master.IsForNet(net.Params()) {
		return Account{}, fmt.Errorf("derive %s account: the master key is not for %s (an xprv is for mainnet, a tprv for test networks)", st, net)
	}
	fp, err := MasterFingerprint(master)
	if err != nil {
		return Account{}, fmt.Errorf("derive %s account: %w", st, err)
	}
	k := master
	for _, step := range path {
		if k, err = k.Derive(step); err != nil {
			return Account{}, fmt.Errorf("derive %s account at %s: %w", st, path.StringApostrophe(), err)
		}
	}
	pub, err := k.Neuter()
	if err != nil {
		return Account{}, fmt.Errorf("derive %s account: %w", st, err)
	}
	acc := Account{Origin: Origin{Fingerprint: fp, Path: path}, Xpub: pub.String(), ScriptType: st, Key: pub}
	if f := st.slip132Format(); f != "" {
		if acc.SLIP132, err = ConvertVersion(pub, f, net.IsTestnetLike()); err != nil {
			return Account{}, fmt.Errorf("derive %s account: %w", st, err)
		}
	}
	return acc, nil
}
