package bridge

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/specterpwa/specter/shared/bbqr"
	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/psbt"
	"github.com/specterpwa/specter/shared/ur"
)

// MaxScanSessions is how many QR scans may be in progress at once; starting
// another drops the oldest.
const MaxScanSessions = 4

// scanner holds the page's QR scan sessions: the parts of a multi-part UR
// (BCR-2020-005) or of a BBQr series, collected frame by frame.
type scanner struct {
	mu       sync.Mutex
	sessions map[string]*scanSession
	order    []string // oldest first
}

type scanSession struct {
	ur *ur.Decoder
	bb *bbqr.Joiner
}

// QRScanParams is one decoded QR frame of a scan session (any id the page
// chooses, one per camera view).
type QRScanParams struct {
	Session string `json:"session"`
	Part    string `json:"part"`
}

// QRContent is what a complete scan holds. Kind is "psbt" (PSBT as base64),
// "descriptor", "account" (descriptors of a signer's accounts), "keys"
// (key export or key expressions), "transaction" (hex), "text" or "binary"
// (base64). Keys are filled whenever the content holds extended public keys
// keys.ParseExport recognises.
type QRContent struct {
	Kind        string           `json:"kind"`
	URType      string           `json:"ur_type,omitempty"`
	PSBT        string           `json:"psbt,omitempty"`
	Descriptor  string           `json:"descriptor,omitempty"`
	Descriptors []string         `json:"descriptors,omitempty"`
	Keys        []keys.KeyExport `json:"keys,omitempty"`
	Text        string           `json:"text,omitempty"`
	Hex         string           `json:"hex,omitempty"`
	Base64      string           `json:"base64,omitempty"`
}

// QRScanResult tells how far a scan is and, once complete, its content.
type QRScanResult struct {
	Complete bool `json:"complete"`
	// Progress is between 0 and 1 (an estimate for fountain-coded URs).
	Progress float64    `json:"progress"`
	Content  *QRContent `json:"content,omitempty"`
}

// QRSessionParams names a scan session.
type QRSessionParams struct {
	Session string `json:"session"`
}

// QREncodeParams asks for the QR parts showing a PSBT (base64 or hex) or a
// text: Format "ur" (crypto-psbt or bytes, BCR-2020-005/006) or "bbqr";
// MaxFragmentLen caps a UR fragment (default 200 bytes); Count is how many
// UR parts to produce (default twice the fragment count, for fountain
// redundancy, at most 1000).
type QREncodeParams struct {
	PSBT           string `json:"psbt,omitempty"`
	Text           string `json:"text,omitempty"`
	Format         string `json:"format"`
	MaxFragmentLen int    `json:"max_fragment_len,omitempty"`
	Count          int    `json:"count,omitempty"`
}

// QREncodeResult lists the parts to show in a loop.
type QREncodeResult struct {
	Parts []string `json:"parts"`
	// Fragments is the number of distinct UR fragments (or BBQr parts).
	Fragments int `json:"fragments"`
	// QRVersion is the QR version every BBQr part fits in.
	QRVersion int `json:"qr_version,omitempty"`
}

// RegisterQR adds qr.scan, qr.cancel and qr.encode: BC-UR (BCR-2020-005,
// crypto-psbt, crypto-account, crypto-output, crypto-hdkey, bytes and their
// newer names) and BBQr, both directions.
func RegisterQR(r *Registry) {
	s := &scanner{sessions: map[string]*scanSession{}}
	Register(r, "qr.scan", "adds one scanned QR frame to a scan session and returns the content once complete", s.scan)
	Register(r, "qr.cancel", "drops a scan session", func(_ context.Context, p QRSessionParams) (Deleted, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.drop(p.Session)
		return Deleted{Deleted: p.Session}, nil
	})
	Register(r, "qr.encode", "splits a PSBT or text into animated QR parts (UR or BBQr)", qrEncode)
}

func (s *scanner) drop(id string) {
	delete(s.sessions, id)
	for i, o := range s.order {
		if o == id {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
}

func (s *scanner) scan(_ context.Context, p QRScanParams) (*QRScanResult, error) {
	part := strings.TrimSpace(p.Part)
	if part == "" {
		return nil, WithCode(errors.New("the QR frame is empty"), CodeBadParams, "send the text the QR code decoded to")
	}
	lower := strings.ToLower(part)
	isUR := strings.HasPrefix(lower, "ur:")
	isBBQr := strings.HasPrefix(part, "B$")
	if !isUR && !isBBQr {
		// A single QR code with the data itself.
		c, err := classify([]byte(part))
		if err != nil {
			return nil, err
		}
		return &QRScanResult{Complete: true, Progress: 1, Content: c}, nil
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessions[p.Session]
	if sess != nil && (isUR && sess.ur == nil || isBBQr && sess.bb == nil) {
		s.drop(p.Session) // the camera moved to another kind of code
		sess = nil
	}
	if sess == nil {
		sess = &scanSession{}
		if isUR {
			sess.ur = ur.NewDecoder()
		} else {
			sess.bb = bbqr.NewJoiner()
		}
		s.sessions[p.Session] = sess
		s.order = append(s.order, p.Session)
		for len(s.order) > MaxScanSessions {
			s.drop(s.order[0])
		}
	}
	restart := "if the code changed, start the scan again"
	if isUR {
		if err := sess.ur.ReceivePart(part); err != nil {
			return nil, WithHint(fmt.Errorf("this QR part cannot be used: %w", err), restart)
		}
		if !sess.ur.IsComplete() {
			return &QRScanResult{Progress: sess.ur.EstimatedPercentComplete()}, nil
		}
		s.drop(p.Session)
		u, err := sess.ur.Result()
		if err != nil {
			return nil, WithHint(fmt.Errorf("the scanned code is damaged: %w", err), restart)
		}
		c, err := fromUR(u)
		if err != nil {
			return nil, err
		}
		return &QRScanResult{Complete: true, Progress: 1, Content: c}, nil
	}
	if err := sess.bb.Add(part); err != nil {
		return nil, WithHint(fmt.Errorf("this QR part cannot be used: %w", err), restart)
	}
	if !sess.bb.IsComplete() {
		return &QRScanResult{Progress: float64(sess.bb.Received()) / float64(max(sess.bb.Total(), 1))}, nil
	}
	s.drop(p.Session)
	ft, data, err := sess.bb.Result()
	if err != nil {
		return nil, WithHint(fmt.Errorf("the scanned code is damaged: %w", err), restart)
	}
	c, err := fromBBQr(ft, data)
	if err != nil {
		return nil, err
	}
	return &QRScanResult{Complete: true, Progress: 1, Content: c}, nil
}

// fromUR turns a complete UR into content (BCR-2020-006 registry types).
func fromUR(u ur.UR) (*QRContent, error) {
	switch u.Type {
	case ur.TypeCryptoPSBT, ur.TypePSBT:
		b, err := ur.DecodePSBT(u)
		if err != nil {
			return nil, WithHint(err, "scan the PSBT again from the signer")
		}
		c, err := psbtContent(b)
		if err != nil {
			return nil, err
		}
		c.URType = u.Type
		return c, nil
	case ur.TypeCryptoAccount, ur.TypeAccountDescriptor:
		a, err := ur.DecodeAccount(u)
		if err != nil {
			return nil, WithHint(err, "export the account again from the signer")
		}
		ds, err := a.Descriptors()
		if err != nil {
			return nil, WithHint(err, "this account export holds a script this app cannot use")
		}
		ks, _ := keys.ParseExport([]byte(strings.Join(ds, "\n")))
		return &QRContent{Kind: "account", URType: u.Type, Descriptors: ds, Keys: ks}, nil
	case ur.TypeCryptoOutput, ur.TypeOutputDescriptor:
		o, err := ur.DecodeOutputDescriptor(u)
		if err != nil {
			return nil, WithHint(err, "export the descriptor again")
		}
		d, err := o.Descriptor(nil)
		if err != nil {
			return nil, WithHint(err, "this descriptor cannot be written out")
		}
		if pd, err := descriptor.Parse(d); err == nil {
			d = pd.String()
		}
		ks, _ := keys.ParseExport([]byte(d))
		return &QRContent{Kind: "descriptor", URType: u.Type, Descriptor: d, Keys: ks}, nil
	case ur.TypeCryptoHDKey, ur.TypeHDKey:
		k, err := ur.DecodeHDKey(u)
		if err != nil {
			return nil, WithHint(err, "export the key again")
		}
		if k.IsPrivate {
			return nil, WithHint(errors.New("the code holds a private key"), "export the public key (xpub) of the signer instead; never show a private key to a camera")
		}
		expr, err := k.KeyExpression(nil)
		if err != nil {
			return nil, WithHint(err, "export the key with its origin (fingerprint and path)")
		}
		ks, _ := keys.ParseExport([]byte(expr))
		return &QRContent{Kind: "keys", URType: u.Type, Text: expr, Keys: ks}, nil
	case ur.TypeBytes:
		b, err := ur.DecodeBytes(u)
		if err != nil {
			return nil, err
		}
		c, err := classify(b)
		if err != nil {
			return nil, err
		}
		c.URType = u.Type
		return c, nil
	}
	return nil, WithHint(fmt.Errorf("a %q UR is not something this app reads", u.Type), "scan a PSBT, an account, a descriptor or a key")
}

// fromBBQr turns a joined BBQr series into content.
func fromBBQr(ft bbqr.FileType, data []byte) (*QRContent, error) {
	switch ft {
	case bbqr.PSBT:
		return psbtContent(data)
	case bbqr.Transaction:
		return &QRContent{Kind: "transaction", Hex: hex.EncodeToString(data)}, nil
	case bbqr.JSON, bbqr.UnicodeText:
		return classify(data)
	}
	return &QRContent{Kind: "binary", Base64: base64.StdEncoding.EncodeToString(data)}, nil
}

func psbtContent(b []byte) (*QRContent, error) {
	p, err := psbt.Decode(b)
	if err != nil {
		return nil, WithHint(err, "the scanned PSBT is not valid: scan it again")
	}
	s, err := psbt.EncodeBase64(p)
	if err != nil {
		return nil, err
	}
	return &QRContent{Kind: "psbt", PSBT: s}, nil
}

// classify recognises what a text holds: a PSBT, a descriptor, key exports,
// or plain text.
func classify(b []byte) (*QRContent, error) {
	if p, err := psbt.Decode(b); err == nil {
		s, err := psbt.EncodeBase64(p)
		if err != nil {
			return nil, err
		}
		return &QRContent{Kind: "psbt", PSBT: s}, nil
	}
	if !utf8.Valid(b) {
		return &QRContent{Kind: "binary", Base64: base64.StdEncoding.EncodeToString(b)}, nil
	}
	text := strings.TrimSpace(string(b))
	if d, err := descriptor.Parse(text); err == nil {
		ks, _ := keys.ParseExport([]byte(text))
		return &QRContent{Kind: "descriptor", Descriptor: d.String(), Keys: ks}, nil
	}
	if ks, err := keys.ParseExport([]byte(text)); err == nil && len(ks) > 0 {
		return &QRContent{Kind: "keys", Text: text, Keys: ks}, nil
	}
	return &QRContent{Kind: "text", Text: string(b)}, nil
}

func qrEncode(_ context.Context, p QREncodeParams) (*QREncodeResult, error) {
	if (p.PSBT == "") == (p.Text == "") {
		return nil, WithCode(errors.New("give either a PSBT or a text"), CodeBadParams, `set "psbt" or "text"`)
	}
	var data []byte
	if p.PSBT != "" {
		pk, err := decodePSBT(p.PSBT)
		if err != nil {
			return nil, err
		}
		if data, err = psbt.Serialize(pk); err != nil {
			return nil, err
		}
	} else {
		data = []byte(p.Text)
	}
	switch p.Format {
	case "ur":
		u := ur.EncodeBytes(data)
		if p.PSBT != "" {
			u = ur.EncodePSBT(data, true)
		}
		frag := p.MaxFragmentLen
		if frag == 0 {
			frag = 200
		}
		enc, err := ur.NewEncoder(u, frag)
		if err != nil {
			return nil, WithCode(err, CodeBadParams, "use a fragment length of 10 to 1000 bytes")
		}
		n := p.Count
		if n == 0 {
			n = 2 * enc.SeqLen()
		}
		if enc.IsSinglePart() {
			n = 1
		}
		if n < 1 || n > 1000 {
			return nil, WithCode(fmt.Errorf("count %d is out of range", p.Count), CodeBadParams, "ask for 1 to 1000 parts")
		}
		res := &QREncodeResult{Fragments: enc.SeqLen()}
		for range n {
			res.Parts = append(res.Parts, enc.NextPart())
		}
		return res, nil
	case "bbqr":
		ft := bbqr.UnicodeText
		if p.PSBT != "" {
			ft = bbqr.PSBT
		}
		sp, err := bbqr.SplitData(data, ft, bbqr.SplitOptions{})
		if err != nil {
			return nil, WithHint(err, "the data is too large for a BBQr series")
		}
		return &QREncodeResult{Parts: sp.Parts, Fragments: len(sp.Parts), QRVersion: sp.Version}, nil
	}
	return nil, WithCode(fmt.Errorf("unknown QR format %q", p.Format), CodeBadParams, "use ur or bbqr")
}
