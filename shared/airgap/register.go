package airgap

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/walletfile"
)

// File is a file to download or save to a device's SD card.
type File struct {
	Filename string `json:"filename"`
	MIME     string `json:"mime"`
	Data     []byte `json:"data"`
}

// Registration is one way to register a multisig wallet on a device: a
// file (Format FormatFile) or QR frames to show.
type Registration struct {
	Format Format   `json:"format"`
	File   *File    `json:"file,omitempty"`
	Frames []string `json:"frames,omitempty"`
	// Note tells the user what to do on the device.
	Note string `json:"note"`
}

// Register returns what to give a device of type t (and model, see
// Profile) so it knows the wallet setup: the default way first. Per vendor:
//
//   - Coldcard Mk3/Mk4: the multisig setup text file (walletfile
//     FormatColdcard, Coldcard's multisig.py format) for the SD card.
//   - Coldcard Q: the same text as BBQr file type U, then the file.
//   - Keystone, Passport, Jade: the Coldcard setup text as a BC-UR bytes
//     sequence (how Sparrow and Specter register multisig on them), then
//     the file (Keystone and Passport read microSD).
//   - SeedSigner: the Coldcard setup text as BC-UR bytes (SeedSigner
//     decode_qr.py: a BYTES__UR holding "Policy:", "Format:" and
//     "Derivation:" is a wallet descriptor, read by
//     multisig_setup_file_to_descriptor), then Specter's wallet JSON
//     {"label", "blockheight", "descriptor"} (walletfile FormatAccountMap)
//     compacted, always as pMofN parts (its SpecterWalletQrDecoder needs
//     the "pMofN " prefix and older versions keep only the text after a
//     part's last space, so the label's spaces become underscores).
//   - Specter DIY: the text "addwallet name&descriptor" as pMofN (see
//     SpecterDIYAddWallet).
//   - Krux: the descriptor text (BIP380, with checksum) as BC-UR bytes,
//     then as a file.
//   - Other: the BSMS descriptor record (BIP129 round 2) and the
//     descriptor text as files.
//
// Hot, Ledger, Trezor and BitBox02 register over USB and get an error.
func Register(setup walletfile.WalletSetup, t manager.DeviceType, model string, d Density) ([]Registration, error) {
	if err := d.valid(); err != nil {
		return nil, err
	}
	if _, err := ProfileFor(t, model); err != nil {
		return nil, fmt.Errorf("multisig registration: %w", err)
	}
	if setup.N < 2 {
		return nil, errors.New("multisig registration: this wallet is single-sig, there is nothing to register on the device")
	}
	base := fileBase(setup.Name)
	coldcard := func() (*File, error) {
		data, err := walletfile.Export(setup, walletfile.FormatColdcard)
		if err != nil {
			return nil, fmt.Errorf("multisig registration: %w", err)
		}
		return &File{Filename: base + "-coldcard.txt", MIME: "text/plain", Data: data}, nil
	}
	descriptorFile := &File{Filename: base + "-descriptor.txt", MIME: "text/plain", Data: []byte(setup.Descriptor + "\n")}
	qrOf := func(f Format, p Payload, note string) (Registration, error) {
		frames, err := Frames(p, f, d)
		if err != nil {
			return Registration{}, fmt.Errorf("multisig registration: %w", err)
		}
		return Registration{Format: f, Frames: frames, Note: note}, nil
	}
	fileReg := func(f *File, note string) Registration {
		return Registration{Format: FormatFile, File: f, Note: note}
	}
	const sdNote = "Save the file to the microSD card and import it on the device (Coldcard: Settings > Multisig Wallets > Import from File)."
	switch {
	case t == manager.TypeColdcard && strings.EqualFold(model, ModelColdcardQ):
		f, err := coldcard()
		if err != nil {
			return nil, err
		}
		q, err := qrOf(FormatBBQr, Payload{Kind: KindWalletSetup, Data: f.Data}, "On the Coldcard Q choose Scan Any QR Code and scan the animated code, then approve the new multisig wallet.")
		if err != nil {
			return nil, err
		}
		return []Registration{q, fileReg(f, sdNote)}, nil
	case t == manager.TypeColdcard:
		f, err := coldcard()
		if err != nil {
			return nil, err
		}
		return []Registration{fileReg(f, sdNote)}, nil
	case t == manager.TypeKeystone || t == manager.TypePassport || t == manager.TypeJade:
		f, err := coldcard()
		if err != nil {
			return nil, err
		}
		q, err := qrOf(FormatUR, Payload{Kind: KindWalletSetup, Data: f.Data}, "Scan the animated code with the device's multisig import (Keystone: Multisig Wallet > Import; Passport: Settings > Multisig > Import; Jade: Options > Wallet > Multisig > Scan QR) and approve the wallet.")
		if err != nil {
			return nil, err
		}
		if t == manager.TypeJade {
			return []Registration{q}, nil
		}
		return []Registration{q, fileReg(f, sdNote)}, nil
	case t == manager.TypeSeedSigner:
		f, err := coldcard()
		if err != nil {
			return nil, err
		}
		q, err := qrOf(FormatUR, Payload{Kind: KindWalletSetup, Data: f.Data}, "On the SeedSigner choose Scan and scan the animated code; it keeps the wallet until it is turned off, to verify change and addresses.")
		if err != nil {
			return nil, err
		}
		data, err := walletfile.Export(setup, walletfile.FormatAccountMap)
		if err != nil {
			return nil, fmt.Errorf("multisig registration: %w", err)
		}
		var am map[string]any
		if err := json.Unmarshal(data, &am); err != nil {
			return nil, fmt.Errorf("multisig registration: reading the wallet JSON: %w", err)
		}
		if label, ok := am["label"].(string); ok {
			am["label"] = strings.ReplaceAll(label, " ", "_")
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(am); err != nil {
			return nil, fmt.Errorf("multisig registration: writing the wallet JSON: %w", err)
		}
		frames, err := splitPMofN(strings.TrimSpace(buf.String()), d.PMofNChars(), true)
		if err != nil {
			return nil, fmt.Errorf("multisig registration: %w", err)
		}
		return []Registration{q, {Format: FormatPMofN, Frames: frames,
			Note: "On the SeedSigner choose Scan and scan the animated code (Specter wallet format); it keeps the wallet until it is turned off, to verify change and addresses."}}, nil
	case t == manager.TypeSpecterDIY:
		text, err := SpecterDIYAddWallet(setup)
		if err != nil {
			return nil, err
		}
		q, err := qrOf(FormatPMofN, Payload{Kind: KindWalletSetup, Data: []byte(text)}, "On the Specter DIY choose Scan QR code, scan the animated code, and confirm the new wallet.")
		if err != nil {
			return nil, err
		}
		return []Registration{q}, nil
	case t == manager.TypeKrux:
		q, err := qrOf(FormatUR, Payload{Kind: KindWalletSetup, Data: []byte(setup.Descriptor)}, "On the Krux choose Wallet > Wallet Descriptor > Load from camera and scan the animated code.")
		if err != nil {
			return nil, err
		}
		return []Registration{q, fileReg(descriptorFile, "Save the file to the microSD card and load it as the wallet descriptor.")}, nil
	}
	bsms, err := walletfile.Export(setup, walletfile.FormatBSMS)
	if err != nil {
		return nil, fmt.Errorf("multisig registration: %w", err)
	}
	return []Registration{
		fileReg(&File{Filename: base + ".bsms", MIME: "text/plain", Data: bsms}, "Import the BSMS file (BIP129) on the signer."),
		fileReg(descriptorFile, "Import the output descriptor on the signer."),
	}, nil
}

// SpecterDIYAddWallet is the text Specter DIY reads to add a wallet,
// "addwallet name&descriptor" (the wallets app command that Specter DIY's
// own importers build from a Specter wallet JSON or a Coldcard file): the
// descriptor without its checksum, its keys' receive and change branches
// written /{0,1}/* as Specter DIY does (BIP389's /<0;1>/* in embit's older
// notation), and "&" or line breaks of the name turned into spaces.
func SpecterDIYAddWallet(setup walletfile.WalletSetup) (string, error) {
	desc, _, _ := strings.Cut(setup.Descriptor, "#")
	if desc == "" {
		return "", errors.New("Specter DIY registration: the wallet has no descriptor")
	}
	desc = strings.ReplaceAll(desc, "/<0;1>/*", "/{0,1}/*")
	if strings.Contains(desc, "<") || strings.Count(desc, "*") != strings.Count(desc, "/{0,1}/*") {
		return "", errors.New("Specter DIY registration: the descriptor's keys must all end in /<0;1>/* (receive /0/*, change /1/*)")
	}
	name := strings.Map(func(r rune) rune {
		if r == '&' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, strings.TrimSpace(setup.Name))
	if name == "" {
		name = "Multisig"
	}
	return "addwallet " + name + "&" + desc, nil
}

// fileBase turns a wallet name into a file name stem: letters, digits,
// "-" and "_" kept, anything else as "-".
func fileBase(name string) string {
	b := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, strings.TrimSpace(name))
	b = strings.Trim(b, "-")
	if b == "" {
		return "wallet"
	}
	if len(b) > 64 {
		b = b[:64]
	}
	return b
}
