package spend

import (
	"fmt"

	"github.com/specterpwa/specter/shared/coinselect"
	"github.com/specterpwa/specter/shared/descriptor"
)

// shape is how the wallet's coins are priced by coin selection: the output
// script type of its change and the signed input that spends one of its
// coins (BIP141 weights from coinselect's size helpers).
type shape struct {
	change coinselect.ScriptType
	input  coinselect.InputShape
}

// shapeOf maps a wallet descriptor (BIP381-386) to its coinselect sizes:
// pkh, sh(wpkh), wpkh, tr key path (BIP86), tr with a single multi_a leaf
// under an unspendable internal key (BIP386/BIP387), and sh/wsh/sh(wsh)
// multisig (BIP383).
func shapeOf(d *descriptor.Descriptor) (shape, error) {
	m, n := d.Threshold()
	var (
		s   shape
		err error
	)
	switch d.ScriptType() {
	case descriptor.PKH:
		s = shape{coinselect.P2PKH, coinselect.P2PKHInput()}
	case descriptor.SHWPKH:
		s = shape{coinselect.P2SHP2WPKH, coinselect.P2SHP2WPKHInput()}
	case descriptor.WPKH:
		s = shape{coinselect.P2WPKH, coinselect.P2WPKHInput()}
	case descriptor.SH:
		s.change = coinselect.P2SH
		s.input, err = coinselect.P2SHMultisigInput(m, n)
	case descriptor.WSH:
		s.change = coinselect.P2WSH
		s.input, err = coinselect.P2WSHMultisigInput(m, n)
	case descriptor.SHWSH:
		s.change = coinselect.P2SHP2WSH
		s.input, err = coinselect.P2SHP2WSHMultisigInput(m, n)
	case descriptor.TR:
		s.change = coinselect.P2TR
		s.input, err = taprootInput(d, m, n)
	default:
		return shape{}, fmt.Errorf("spending from a %s wallet is not supported: use a pkh, sh(wpkh), wpkh, tr, sh, wsh or sh(wsh) wallet", d.ScriptType())
	}
	if err != nil {
		return shape{}, fmt.Errorf("sizing the inputs of this %s wallet: %w", d.ScriptType(), err)
	}
	return s, nil
}

// taprootInput is the key-path input when the internal key is a signer's
// key, otherwise the script-path input of the one multi_a leaf.
func taprootInput(d *descriptor.Descriptor, m, n int) (coinselect.InputShape, error) {
	ks := d.Keys()
	if len(ks) > 0 && ks[0].Origin != nil || len(ks) == 1 {
		return coinselect.P2TRKeyPathInput(), nil
	}
	der, err := d.Derive(0)
	if err != nil {
		return coinselect.InputShape{}, err
	}
	if der.Taproot == nil || len(der.Taproot.Leaves) != 1 || m == 1 && n == 1 {
		return coinselect.InputShape{}, fmt.Errorf("a taproot wallet whose internal key is not a signer's must have exactly one multi_a leaf")
	}
	depth := (len(der.Taproot.Leaves[0].ControlBlock) - 33) / 32
	return coinselect.TaprootMultiAInput(m, n, depth)
}
