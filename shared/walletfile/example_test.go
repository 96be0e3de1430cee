package walletfile_test

import (
	"fmt"

	"github.com/specterpwa/specter/shared/walletfile"
)

// A Coldcard multisig setup file read into a wallet setup and written as a
// BSMS (BIP129) descriptor record.
func Example() {
	file := `# Coldcard Multisig setup file
Name: Vault
Policy: 2 of 2
Derivation: m/48'/0'/0'/2'
Format: P2WSH

1CF0BF7E: xpub6FL8FhxNNUVnG64YurPd16AfGyvFLhh7S2uSsDqR3Qfcm6o9jtcMYwh6DvmcBF9qozxNQmTCVvWtxLpKTnhVLN3Pgnu2D3pAoXYFgVyd8Yz
4FC1DD4A: xpub6EebMbEps7ZcV3FYEnddRsvrFWDrt2tiPmCeM7pPXQEmphvq9ZfJ1LWFUDjf3vxCeBuPrfyGrMazWUsYsetrnHatQZVLJH7LsgCjtMqdzgj
`
	imp, err := walletfile.Import([]byte(file))
	if err != nil {
		fmt.Println(err)
		return
	}
	s := imp.Setup
	fmt.Println(imp.Format, s.Name, s.Network, s.M, "of", s.N)
	out, err := walletfile.Export(s, walletfile.FormatBSMS)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))
	// Output:
	// coldcard Vault main 2 of 2
	// BSMS 1.0
	// wsh(sortedmulti(2,[1cf0bf7e/48'/0'/0'/2']xpub6FL8FhxNNUVnG64YurPd16AfGyvFLhh7S2uSsDqR3Qfcm6o9jtcMYwh6DvmcBF9qozxNQmTCVvWtxLpKTnhVLN3Pgnu2D3pAoXYFgVyd8Yz/**,[4fc1dd4a/48'/0'/0'/2']xpub6EebMbEps7ZcV3FYEnddRsvrFWDrt2tiPmCeM7pPXQEmphvq9ZfJ1LWFUDjf3vxCeBuPrfyGrMazWUsYsetrnHatQZVLJH7LsgCjtMqdzgj/**))
	// /0/*,/1/*
	// bc1qrgc6p3kylfztu06ysl752gwwuekhvtfh9vr7zg43jvu60mutamcsv948ej
}
