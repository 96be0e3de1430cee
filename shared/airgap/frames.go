// Package airgap holds the data side of air-gapped signers (issue 6): the
// animated QR sequences a PSBT or a wallet setup is shown as (BC-UR,
// BBQr, Specter's pMofN, a single static QR), a Collector that reassembles
// whatever a camera scans back, each device type's default transport, the
// multisig registration to give each vendor's device, and the address QR
// for show-address-on-device. It does no I/O: the PWA draws the frames
// (shared/qr) and feeds the camera's decoded strings in.
package airgap

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/specterpwa/specter/shared/bbqr"
	"github.com/specterpwa/specter/shared/qr"
	"github.com/specterpwa/specter/shared/ur"
)

// Kind is what a payload holds.
type Kind string

// Payload kinds.
const (
	// KindPSBT is a BIP174 PSBT (Data is the binary serialisation).
	KindPSBT Kind = "psbt"
	// KindTransaction is a signed network transaction (Data is binary).
	KindTransaction Kind = "transaction"
	// KindWalletSetup is a wallet definition as text: an output descriptor
	// (BIP380), Coldcard's multisig setup text, a BSMS record (BIP129), a
	// wallet JSON (Specter, Caravan, Core, Electrum) or Specter DIY's
	// "addwallet name&descriptor".
	KindWalletSetup Kind = "wallet-setup"
	// KindKeys is a signer's xpub export: "[fingerprint/path]xpub" key
	// expressions, a vendor's JSON export, a crypto-account or crypto-hdkey.
	KindKeys Kind = "keys"
	// KindText is other UTF-8 text.
	KindText Kind = "text"
	// KindBytes is other binary data.
	KindBytes Kind = "bytes"
)

// Format is a way of carrying a payload over QR codes or files.
type Format string

// Formats.
const (
	// FormatUR is BC-UR (BCR-2020-005) with the version 1 registry names
	// most signers read (BCR-2020-006): crypto-psbt for a PSBT, bytes for
	// everything else; multi-part as fountain-coded "ur:type/n-m/..."
	// parts, upper case so QR codes take alphanumeric mode.
	FormatUR Format = "ur"
	// FormatURv2 is FormatUR with the current registry name "psbt".
	FormatURv2 Format = "ur-psbt"
	// FormatBBQr is Coinkite's BBQr (BBQr.md): zlib-compressed base32
	// parts with an 8-character "B$" header, file type P, T, U, J or B.
	FormatBBQr Format = "bbqr"
	// FormatPMofN is Specter Desktop's animated QR: the text (a PSBT in
	// base64) cut into parts of equal length, each prefixed "pMofN "
	// (M counting from 1); text short enough is shown whole, unprefixed
	// (Specter Desktop's qrcode component; read by Specter DIY's
	// hosts/qr.py and SeedSigner's decode_qr.py).
	FormatPMofN Format = "pmofn"
	// FormatStatic is one QR code holding the text itself (a PSBT in
	// base64, a transaction in hex).
	FormatStatic Format = "static"
	// FormatFile is a file on an SD card or a download, not a QR code.
	FormatFile Format = "file"
)

// Density is how much each animated frame carries: denser frames mean
// fewer of them but harder scanning for small screens and cheap cameras.
type Density int

// Densities.
const (
	DensityLow Density = iota
	DensityMedium
	DensityHigh
)

// URFragmentLen is the maximum fragment length, in bytes of CBOR, of a
// BC-UR part at this density (bc-ur's maxFragmentLen; wallets use 100 to
// 400): 80, 200 or 400.
func (d Density) URFragmentLen() int { return [...]int{80, 200, 400}[d] }

// BBQrMaxVersion is the largest QR version of a BBQr part at this density
// (the reference splitter then picks the fewest parts): 10, 16 or 25.
func (d Density) BBQrMaxVersion() int { return [...]int{10, 16, 25}[d] }

// PMofNChars is the text length of a pMofN part at this density: 150, 300
// (Specter Desktop's max_len) or 600.
func (d Density) PMofNChars() int { return [...]int{150, 300, 600}[d] }

// ParseDensity reads "low", "medium" or "high".
func ParseDensity(s string) (Density, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "low":
		return DensityLow, nil
	case "medium", "":
		return DensityMedium, nil
	case "high":
		return DensityHigh, nil
	}
	return 0, fmt.Errorf("QR density %q is unknown: use low, medium or high", s)
}

func (d Density) valid() error {
	if d < DensityLow || d > DensityHigh {
		return fmt.Errorf("QR density %d is unknown: use low, medium or high", int(d))
	}
	return nil
}

// maxPayloadLen bounds what is shown or collected: PSBTs and wallet files
// shown as QR are a few KiB; BBQr's largest series holds about 1.3 MB.
const maxPayloadLen = 2 << 20

// Frames returns the QR texts to show p in format f, in order, to be
// looped: one text when it fits in one frame. A BC-UR sequence holds its
// fragments once each (SeqLen pure parts: a looping display repeats them,
// and a decoder completes from any full loop), upper case.
func Frames(p Payload, f Format, d Density) ([]string, error) {
	if err := d.valid(); err != nil {
		return nil, err
	}
	if len(p.Data) == 0 {
		return nil, errors.New("nothing to show: the payload is empty")
	}
	if len(p.Data) > maxPayloadLen {
		return nil, fmt.Errorf("%d bytes are too many to show as QR codes: save it as a file", len(p.Data))
	}
	switch f {
	case FormatUR, FormatURv2:
		var u ur.UR
		if p.Kind == KindPSBT {
			u = ur.EncodePSBT(p.Data, f == FormatUR)
		} else {
			u = ur.EncodeBytes(p.Data)
		}
		enc, err := ur.NewEncoder(u, d.URFragmentLen())
		if err != nil {
			return nil, fmt.Errorf("BC-UR frames: %w", err)
		}
		n := enc.SeqLen()
		out := make([]string, n)
		for i := range out {
			out[i] = strings.ToUpper(enc.NextPart())
		}
		return out, nil
	case FormatBBQr:
		split, err := bbqr.SplitData(p.Data, bbqrFileType(p), bbqr.SplitOptions{MaxVersion: d.BBQrMaxVersion()})
		if err != nil {
			return nil, fmt.Errorf("BBQr frames: %w", err)
		}
		return split.Parts, nil
	case FormatPMofN:
		return SplitPMofN(textOf(p), d.PMofNChars())
	case FormatStatic:
		text := textOf(p)
		if _, err := qr.Encode(text, qr.Low); err != nil {
			return nil, fmt.Errorf("one static QR code: %w", err)
		}
		return []string{text}, nil
	case FormatFile:
		return nil, errors.New("a file is not shown as QR codes: use File to save it")
	}
	return nil, fmt.Errorf("QR format %q is unknown: use one of ur, ur-psbt, bbqr, pmofn, static", f)
}

// textOf is the text form of a payload for text transports: base64 for a
// PSBT or other binary data (BIP174's text encoding), hex for a
// transaction, the text itself otherwise.
func textOf(p Payload) string {
	switch p.Kind {
	case KindPSBT, KindBytes:
		return base64.StdEncoding.EncodeToString(p.Data)
	case KindTransaction:
		return hex.EncodeToString(p.Data)
	}
	return string(p.Data)
}

func bbqrFileType(p Payload) bbqr.FileType {
	switch p.Kind {
	case KindPSBT:
		return bbqr.PSBT
	case KindTransaction:
		return bbqr.Transaction
	case KindBytes:
		return bbqr.Binary
	}
	if s := strings.TrimSpace(string(p.Data)); strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") && !strings.Contains(s, "]xpub") && !strings.Contains(s, "]tpub") {
		return bbqr.JSON
	}
	return bbqr.UnicodeText
}

// SplitPMofN cuts text into Specter Desktop's animated parts: when it is
// longer than maxChars, into ceil(len/maxChars) parts of equal length
// (the last shorter), each "p<M>of<N> " + part, M from 1; else the text
// whole, unprefixed. Lengths count bytes, as the texts are ASCII.
func SplitPMofN(text string, maxChars int) ([]string, error) {
	return splitPMofN(text, maxChars, false)
}

// splitPMofN is SplitPMofN, with "p1of1 " on text that fits one part when
// alwaysPrefix is set (SeedSigner's wallet QR needs it).
func splitPMofN(text string, maxChars int, alwaysPrefix bool) ([]string, error) {
	if text == "" {
		return nil, errors.New("nothing to show: the text is empty")
	}
	if maxChars < 1 {
		return nil, fmt.Errorf("pMofN part length %d must be at least 1", maxChars)
	}
	if len(text) <= maxChars {
		if alwaysPrefix {
			return []string{"p1of1 " + text}, nil
		}
		return []string{text}, nil
	}
	count := (len(text) + maxChars - 1) / maxChars
	size := (len(text) + count - 1) / count
	count = (len(text) + size - 1) / size
	out := make([]string, 0, count)
	for i := 0; i < count; i++ {
		out = append(out, "p"+strconv.Itoa(i+1)+"of"+strconv.Itoa(count)+" "+text[i*size:min((i+1)*size, len(text))])
	}
	return out, nil
}
