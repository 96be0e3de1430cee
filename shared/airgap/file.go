package airgap

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/wire"
)

// PSBTFile is a PSBT as a file for a signer's SD card or a download: the
// binary serialisation of BIP174 named name.psbt (Coldcard, Passport,
// Keystone and Specter DIY read binary .psbt files; Coldcard writes the
// signed PSBT, or the final transaction as a .txn file, beside it).
func PSBTFile(psbt []byte, name string) (*File, error) {
	if !bytes.HasPrefix(psbt, psbtMagic) {
		return nil, errors.New("PSBT file: the data is not a PSBT (BIP174 magic bytes missing)")
	}
	return &File{Filename: fileBase(name) + ".psbt", MIME: "application/octet-stream", Data: psbt}, nil
}

// ReadFile tells what a file from an SD card or an upload holds (see
// Classify): a PSBT in binary, base64 or hex, a signed transaction in
// binary or hex (Coldcard's .txn), a wallet setup, a key export or text.
func ReadFile(data []byte) (*Payload, error) {
	if len(data) == 0 {
		return nil, errors.New("the file is empty")
	}
	if len(data) > maxPayloadLen {
		return nil, fmt.Errorf("the file is %d bytes, more than a PSBT or wallet file holds: is it the right file?", len(data))
	}
	p := Classify(data)
	if p.Kind == KindBytes || p.Kind == KindText {
		if tx := decodeTx(data); tx != nil {
			p = &Payload{Kind: KindTransaction, Data: data}
		}
	}
	p.Source = "file"
	return p, nil
}

// decodeTx returns the transaction when data is exactly one
// network-serialised transaction with inputs and outputs, nil otherwise.
func decodeTx(data []byte) *wire.MsgTx {
	var tx wire.MsgTx
	r := bytes.NewReader(data)
	if err := tx.Deserialize(r); err != nil || r.Len() != 0 || len(tx.TxIn) == 0 || len(tx.TxOut) == 0 {
		return nil
	}
	return &tx
}
