package airgap

import (
	"encoding/base64"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPSBTFile_BinaryNamedAfterTheWallet(t *testing.T) {
	psbt := vectorPSBT(t)
	f, err := PSBTFile(psbt, "Family Vault: rent")
	require.NoError(t, err)
	require.Equal(t, &File{Filename: "Family-Vault--rent.psbt", MIME: "application/octet-stream", Data: psbt}, f)
	f, err = PSBTFile(psbt, "")
	require.NoError(t, err)
	require.Equal(t, "wallet.psbt", f.Filename)
	_, err = PSBTFile([]byte("hello"), "x")
	require.EqualError(t, err, "PSBT file: the data is not a PSBT (BIP174 magic bytes missing)")
}

func TestReadFile_EveryKindOfSignerFile(t *testing.T) {
	psbt := vectorPSBT(t)
	// the BCR-2020-006 PSBT's unsigned transaction: magic, key 0x00 (1
	// byte long), value of 0x9a = 154 bytes
	require.Equal(t, byte(0x9a), psbt[7])
	tx := psbt[8 : 8+154]
	setup := setupText(t)
	tests := []struct {
		name string
		data []byte
		kind Kind
		want []byte
	}{
		{"binary PSBT", psbt, KindPSBT, psbt},
		{"base64 PSBT with a newline", []byte(base64.StdEncoding.EncodeToString(psbt) + "\n"), KindPSBT, psbt},
		{"hex PSBT", []byte(hex.EncodeToString(psbt)), KindPSBT, psbt},
		{"Coldcard .txn: hex transaction", []byte(hex.EncodeToString(tx) + "\n"), KindTransaction, tx},
		{"binary transaction", tx, KindTransaction, tx},
		{"Coldcard multisig setup", setup, KindWalletSetup, setup},
		{"not a transaction: hex of other bytes", []byte("00ff00ff"), KindText, []byte("00ff00ff")},
		{"other binary", []byte{0xff, 0xfe, 0x00}, KindBytes, []byte{0xff, 0xfe, 0x00}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ReadFile(tc.data)
			require.NoError(t, err)
			require.Equal(t, tc.kind, p.Kind)
			require.Equal(t, tc.want, p.Data)
			require.Equal(t, "file", p.Source)
		})
	}
	_, err := ReadFile(nil)
	require.EqualError(t, err, "the file is empty")
	_, err = ReadFile(make([]byte, maxPayloadLen+1))
	require.EqualError(t, err, "the file is 2097153 bytes, more than a PSBT or wallet file holds: is it the right file?")
}
