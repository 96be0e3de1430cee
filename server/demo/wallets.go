package demo

import (
	"fmt"
	"strings"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
)

// Warning is shown wherever the demo wallets appear: their mnemonics are
// public, so any coin sent to them on a real network is lost.
const Warning = "REGTEST DEMO ONLY: the demo wallets' mnemonics are published in Specter PWA's source code. " +
	"Never use them for real funds and never send real bitcoin to their addresses: anyone can take it. " +
	"The demo node runs on regtest, a private test chain whose coins have no value."

// The demo signers' mnemonics: the first three English mnemonics of BIP39's
// published test vectors (bip-0039 vectors.json, no passphrase), chosen
// because they are widely recognised as public test keys. The demo uses
// three different mnemonics rather than three accounts of one, so that the
// three cosigners of the 2-of-3 wallet have different master fingerprints,
// as three real hardware signers would. NEVER use them for real funds.
const (
	mnemonicA = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	mnemonicB = "legal winner thank year wave sausage worth useful legal winner thank yellow"
	mnemonicC = "letter advice cage absurd amount doctor acoustic avoid letter advice cage above"
)

// Signer is one demo software signer: a public BIP39 mnemonic and the
// account key it contributes to a demo wallet.
type Signer struct {
	// Name is the device name the PWA may give it ("Demo key A").
	Name string `json:"name"`
	// Mnemonic is the signer's BIP39 mnemonic (no passphrase). Public:
	// never use it for real funds.
	Mnemonic string `json:"mnemonic"`
	// Fingerprint is the BIP32 master key fingerprint (hex).
	Fingerprint string `json:"fingerprint"`
	// Path is the account's derivation path, "m/48h/1h/0h/2h" style.
	Path string `json:"path"`
	// Xpub is the account's extended public key (tpub: regtest).
	Xpub string `json:"xpub"`
}

// Wallet is one demo wallet: its output descriptor (BIP380-389, with the
// BIP389 <0;1> receive/change branches and checksum) and its signers.
type Wallet struct {
	// Name is the wallet's name in the PWA.
	Name string `json:"name"`
	// Kind is "multisig" or "singlesig".
	Kind string `json:"kind"`
	// Threshold is M of M-of-N (1 for single-sig).
	Threshold int `json:"threshold"`
	// Descriptor is wsh(sortedmulti(...)) or wpkh(...) with checksum.
	Descriptor string `json:"descriptor"`
	// Signers are the wallet's keys, in descriptor order.
	Signers []Signer `json:"signers"`

	desc *descriptor.Descriptor
}

// Wallets returns the two demo wallets on regtest: "Demo 2-of-3 multisig"
// (BIP48 wsh(sortedmulti(2,A,B,C)) of the three demo signers, account 0)
// and "Demo single-sig" (BIP84 wpkh of signer A, account 0).
func Wallets() ([]Wallet, error) {
	net := network.Regtest
	type signerSpec struct {
		name, mnemonic string
	}
	specs := []signerSpec{{"Demo key A", mnemonicA}, {"Demo key B", mnemonicB}, {"Demo key C", mnemonicC}}
	account := func(s signerSpec, st keys.ScriptType) (Signer, string, error) {
		master, err := keys.MasterFromMnemonic(s.mnemonic, "", net)
		if err != nil {
			return Signer{}, "", fmt.Errorf("demo signer %s: %w", s.name, err)
		}
		acc, err := keys.DeriveAccount(master, st, net, 0)
		if err != nil {
			return Signer{}, "", fmt.Errorf("demo signer %s: %w", s.name, err)
		}
		sg := Signer{Name: s.name, Mnemonic: s.mnemonic, Fingerprint: acc.Origin.Fingerprint.String(),
			Path: "m/" + acc.Origin.Path.String(), Xpub: acc.Xpub}
		return sg, "[" + acc.Origin.String() + "]" + acc.Xpub + "/<0;1>/*", nil
	}
	multi := Wallet{Name: "Demo 2-of-3 multisig (REGTEST)", Kind: "multisig", Threshold: 2}
	var exprs []string
	for _, s := range specs {
		sg, expr, err := account(s, keys.ScriptWSH)
		if err != nil {
			return nil, err
		}
		multi.Signers = append(multi.Signers, sg)
		exprs = append(exprs, expr)
	}
	single := Wallet{Name: "Demo single-sig (REGTEST)", Kind: "singlesig", Threshold: 1}
	sg, expr, err := account(specs[0], keys.ScriptWPKH)
	if err != nil {
		return nil, err
	}
	single.Signers = []Signer{sg}
	texts := []string{"wsh(sortedmulti(2," + strings.Join(exprs, ",") + "))", "wpkh(" + expr + ")"}
	out := []Wallet{multi, single}
	for i, text := range texts {
		d, err := descriptor.Parse(text)
		if err != nil {
			return nil, fmt.Errorf("demo wallet %q: %w", out[i].Name, err)
		}
		out[i].desc = d
		out[i].Descriptor = d.String()
	}
	return out, nil
}

// ReceiveScript returns the output script of receive address index.
func (w Wallet) ReceiveScript(index uint32) ([]byte, error) {
	d, err := w.receive()
	if err != nil {
		return nil, err
	}
	der, err := d.Derive(index)
	if err != nil {
		return nil, fmt.Errorf("demo wallet %q receive/%d: %w", w.Name, index, err)
	}
	return der.ScriptPubKey, nil
}

// ReceiveAddress returns receive address index on regtest.
func (w Wallet) ReceiveAddress(index uint32) (string, error) {
	d, err := w.receive()
	if err != nil {
		return "", err
	}
	return d.Address(index, network.Regtest)
}

func (w Wallet) receive() (*descriptor.Descriptor, error) {
	d := w.desc
	if d == nil {
		var err error
		if d, err = descriptor.Parse(w.Descriptor); err != nil {
			return nil, fmt.Errorf("demo wallet %q: %w", w.Name, err)
		}
	}
	b, err := d.Branch(0)
	if err != nil {
		return nil, fmt.Errorf("demo wallet %q: %w", w.Name, err)
	}
	return b, nil
}

// Payment is one demo payment to a wallet's receive address.
type Payment struct {
	// Wallet indexes Wallets(): 0 multisig, 1 single-sig.
	Wallet int
	// Index is the receive address index.
	Index uint32
	// Sats is the amount.
	Sats int64
}

// FundingPlan is what the first start pays the demo wallets, one slice per
// transaction. Every transaction but the last is mined in one block; the
// last stays unconfirmed in the mempool (and is rebroadcast at each start
// until a block confirms it, since btcd keeps no mempool across restarts):
//
//	2-of-3 multisig: receive/0 1.0 BTC, receive/1 0.5 BTC confirmed; receive/2 0.1 BTC unconfirmed
//	single-sig:      receive/0 0.3 BTC, receive/1 0.2 BTC confirmed; receive/2 0.05 BTC unconfirmed
func FundingPlan() [][]Payment {
	return [][]Payment{
		{{Wallet: 0, Index: 0, Sats: 100_000_000}, {Wallet: 1, Index: 0, Sats: 30_000_000}},
		{{Wallet: 0, Index: 1, Sats: 50_000_000}},
		{{Wallet: 1, Index: 1, Sats: 20_000_000}},
		{{Wallet: 0, Index: 2, Sats: 10_000_000}, {Wallet: 1, Index: 2, Sats: 5_000_000}},
	}
}
