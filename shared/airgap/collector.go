package airgap

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/specterpwa/specter/shared/bbqr"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/ur"
	"github.com/specterpwa/specter/shared/walletfile"
)

// Transport is how scanned QR texts were carried.
type Transport string

// Transports the Collector detects.
const (
	TransportUR     Transport = "ur"     // BC-UR, single or multi-part (BCR-2020-005)
	TransportBBQr   Transport = "bbqr"   // BBQr "B$" parts (BBQr.md)
	TransportPMofN  Transport = "pmofn"  // Specter "pMofN " parts
	TransportStatic Transport = "static" // one QR with the data itself
)

// Payload is data shown or scanned, with what it is.
type Payload struct {
	// Kind says what Data holds.
	Kind Kind `json:"kind"`
	// Data is the binary PSBT or transaction, or the text as received.
	Data []byte `json:"data"`
	// Setup is the verified wallet setup of a KindWalletSetup payload
	// (shared/walletfile), nil when the text did not verify.
	Setup *walletfile.Imported `json:"setup,omitempty"`
	// Keys are the keys of a KindKeys payload (shared/keys.ParseExport).
	Keys []keys.KeyExport `json:"keys,omitempty"`
	// Source says how it arrived: "ur:crypto-psbt", "bbqr:P", "pmofn",
	// "static".
	Source string `json:"source"`
}

// Progress is how far a scan has come, for the UI's progress indicator.
type Progress struct {
	// Transport is the detected transport.
	Transport Transport `json:"transport"`
	// Received is the number of distinct parts accepted.
	Received int `json:"received"`
	// Total is the number of parts of the sequence: for BBQr and pMofN all
	// are needed; for a BC-UR fountain it is the number of fragments, and
	// more parts may be needed. 0 while unknown.
	Total int `json:"total"`
	// Fraction is the estimated share done, 0 to 1 (BC-UR's estimate for
	// fountain parts).
	Fraction float64 `json:"fraction"`
	// Complete is true once the payload can be read with Result.
	Complete bool `json:"complete"`
}

// maxPMofNParts bounds a pMofN series (a 2 MB payload at 1000 characters
// a part).
const maxPMofNParts = 2000

// maxScanLen bounds one scanned text: a version 40 QR holds 7089 digits.
const maxScanLen = 8000

var pmofnPrefix = regexp.MustCompile(`^[pP]([0-9]{1,5})[oO][fF]([0-9]{1,5}) `)

// Collector reassembles scanned QR texts, given in any order with repeats,
// into a payload: it detects the transport from the first text and then
// accepts only parts of the same sequence. A Collector is not safe for
// concurrent use.
type Collector struct {
	transport Transport
	seen      map[string]bool
	urDec     *ur.Decoder
	bbqrJoin  *bbqr.Joiner
	pmTotal   int
	pmParts   map[int]string
	pmBytes   int
	static    string
	done      bool
}

// NewCollector returns an empty Collector.
func NewCollector() *Collector { return &Collector{seen: map[string]bool{}} }

// Transport is the transport detected, "" before the first accepted text.
func (c *Collector) Transport() Transport { return c.transport }

// Add takes one scanned text. An error means this text was refused (not
// part of the sequence being scanned, or malformed); the Collector keeps
// what it has and scanning can go on. Texts after completion are ignored.
func (c *Collector) Add(text string) (Progress, error) {
	if c.done {
		return c.Progress(), nil
	}
	if text == "" {
		return c.Progress(), errors.New("the QR code is empty")
	}
	if len(text) > maxScanLen {
		return c.Progress(), fmt.Errorf("the QR code holds %d characters, more than a QR code can: it was misread", len(text))
	}
	t := detect(text)
	if c.transport != "" && t != c.transport {
		return c.Progress(), fmt.Errorf("this QR code is %s, but a %s sequence is being scanned: finish it, or start a new scan", describe(t), strings.TrimPrefix(describe(c.transport), "a "))
	}
	var err error
	switch t {
	case TransportUR:
		err = c.addUR(text)
	case TransportBBQr:
		err = c.addBBQr(text)
	case TransportPMofN:
		err = c.addPMofN(text)
	default:
		c.static = text
		c.done = true
	}
	if err != nil {
		return c.Progress(), err
	}
	c.transport = t
	c.seen[strings.ToUpper(text)] = true
	return c.Progress(), nil
}

func describe(t Transport) string {
	switch t {
	case TransportUR:
		return "a BC-UR part"
	case TransportBBQr:
		return "a BBQr part"
	case TransportPMofN:
		return "a pMofN part"
	}
	return "a single QR code"
}

// detect tells the transport of a scanned text.
func detect(text string) Transport {
	switch {
	case len(text) >= 3 && strings.EqualFold(text[:3], "ur:"):
		return TransportUR
	case strings.HasPrefix(text, "B$"):
		if _, err := bbqr.ParseHeader(text); err == nil {
			return TransportBBQr
		}
	case pmofnPrefix.MatchString(text):
		return TransportPMofN
	}
	return TransportStatic
}

func (c *Collector) addUR(text string) error {
	if c.urDec == nil {
		c.urDec = ur.NewDecoder()
	}
	if err := c.urDec.ReceivePart(text); err != nil {
		return fmt.Errorf("BC-UR part refused: %w", err)
	}
	if c.urDec.IsComplete() {
		c.done = true
	}
	return nil
}

func (c *Collector) addBBQr(text string) error {
	if c.bbqrJoin == nil {
		c.bbqrJoin = bbqr.NewJoiner()
	}
	if err := c.bbqrJoin.Add(text); err != nil {
		return fmt.Errorf("BBQr part refused: %w", err)
	}
	if c.bbqrJoin.IsComplete() {
		c.done = true
	}
	return nil
}

func (c *Collector) addPMofN(text string) error {
	m := pmofnPrefix.FindStringSubmatch(text)
	idx, _ := strconv.Atoi(m[1])
	total, _ := strconv.Atoi(m[2])
	if total < 1 || total > maxPMofNParts || idx < 1 || idx > total {
		return fmt.Errorf("pMofN part %q is not a part M of N with 1 <= M <= N <= %d", text[:len(m[0])-1], maxPMofNParts)
	}
	if c.pmParts == nil {
		c.pmParts, c.pmTotal = map[int]string{}, total
	}
	if total != c.pmTotal {
		return fmt.Errorf("this part is one of %d, but the parts scanned before are of %d: it belongs to another QR sequence", total, c.pmTotal)
	}
	body := text[len(m[0]):]
	if prev, ok := c.pmParts[idx]; ok && prev != body {
		return fmt.Errorf("part %d of %d was scanned before with other content: it belongs to another QR sequence, or was misread", idx, total)
	}
	if _, ok := c.pmParts[idx]; !ok {
		if c.pmBytes+len(body) > 2*maxPayloadLen {
			return fmt.Errorf("the parts scanned hold more than %d bytes, more than a PSBT or wallet setup: this is not a sequence to scan", 2*maxPayloadLen)
		}
		c.pmBytes += len(body)
	}
	c.pmParts[idx] = body
	if len(c.pmParts) == c.pmTotal {
		c.done = true
	}
	return nil
}

// Progress reports the state of the scan.
func (c *Collector) Progress() Progress {
	p := Progress{Transport: c.transport, Complete: c.done}
	switch c.transport {
	case TransportUR:
		p.Received = len(c.seen)
		p.Total = c.urDec.ExpectedPartCount()
		if p.Total == 0 && c.done {
			p.Total = 1
		}
		p.Fraction = c.urDec.EstimatedPercentComplete()
	case TransportBBQr:
		p.Received, p.Total = c.bbqrJoin.Received(), c.bbqrJoin.Total()
	case TransportPMofN:
		p.Received, p.Total = len(c.pmParts), c.pmTotal
	case TransportStatic:
		p.Received, p.Total = 1, 1
	}
	if p.Total > 0 && c.transport != TransportUR {
		p.Fraction = float64(p.Received) / float64(p.Total)
	}
	return p
}

// Missing lists the part numbers (from 1) not yet scanned of a BBQr or
// pMofN sequence, for the UI to show which frames it still waits for.
func (c *Collector) Missing() []int {
	var out []int
	switch c.transport {
	case TransportBBQr:
		for _, i := range c.bbqrJoin.Missing() {
			out = append(out, i+1)
		}
	case TransportPMofN:
		for i := 1; i <= c.pmTotal; i++ {
			if _, ok := c.pmParts[i]; !ok {
				out = append(out, i)
			}
		}
	}
	return out
}

// Result returns the reassembled payload once Progress says Complete,
// telling what it holds (see Classify).
func (c *Collector) Result() (*Payload, error) {
	if !c.done {
		return nil, errors.New("the scan is not complete yet: keep scanning")
	}
	switch c.transport {
	case TransportUR:
		u, err := c.urDec.Result()
		if err != nil {
			return nil, fmt.Errorf("BC-UR: %w", err)
		}
		return fromUR(u)
	case TransportBBQr:
		ft, data, err := c.bbqrJoin.Result()
		if err != nil {
			return nil, fmt.Errorf("BBQr: %w", err)
		}
		p := Classify(data)
		switch ft {
		case bbqr.PSBT:
			if p.Kind != KindPSBT {
				return nil, errors.New("BBQr: the series says PSBT but does not hold one: it is damaged")
			}
		case bbqr.Transaction:
			p = &Payload{Kind: KindTransaction, Data: data}
		case bbqr.Binary, bbqr.CBOR, bbqr.Executable:
			if p.Kind != KindPSBT {
				p = &Payload{Kind: KindBytes, Data: data}
			}
		}
		p.Source = "bbqr:" + string(rune(ft))
		return p, nil
	case TransportPMofN:
		var b strings.Builder
		for i := 1; i <= c.pmTotal; i++ {
			b.WriteString(c.pmParts[i])
		}
		p := Classify([]byte(b.String()))
		p.Source = "pmofn"
		return p, nil
	}
	p := Classify([]byte(c.static))
	p.Source = "static"
	return p, nil
}

// fromUR reads a complete UR of the BCR-2020-006 registry.
func fromUR(u ur.UR) (*Payload, error) {
	source := "ur:" + u.Type
	switch u.Type {
	case ur.TypeCryptoPSBT, ur.TypePSBT:
		data, err := ur.DecodePSBT(u)
		if err != nil {
			return nil, err
		}
		if !bytes.HasPrefix(data, psbtMagic) {
			return nil, fmt.Errorf("the %s UR does not hold a PSBT (no BIP174 magic bytes)", u.Type)
		}
		return &Payload{Kind: KindPSBT, Data: data, Source: source}, nil
	case ur.TypeBytes:
		data, err := ur.DecodeBytes(u)
		if err != nil {
			return nil, err
		}
		p := Classify(data)
		p.Source = source
		return p, nil
	case ur.TypeCryptoAccount, ur.TypeAccountDescriptor:
		a, err := ur.DecodeAccount(u)
		if err != nil {
			return nil, err
		}
		descs, err := a.Descriptors()
		if err != nil {
			return nil, err
		}
		return keysPayload(strings.Join(descs, "\n"), source)
	case ur.TypeCryptoHDKey, ur.TypeHDKey:
		k, err := ur.DecodeHDKey(u)
		if err != nil {
			return nil, err
		}
		text, err := k.KeyExpression(nil)
		if err != nil {
			return nil, err
		}
		return keysPayload(text, source)
	case ur.TypeCryptoOutput, ur.TypeOutputDescriptor:
		d, err := ur.DecodeOutputDescriptor(u)
		if err != nil {
			return nil, err
		}
		text, err := d.Descriptor(nil)
		if err != nil {
			return nil, err
		}
		p := Classify([]byte(text))
		p.Source = source
		return p, nil
	}
	return nil, fmt.Errorf("a %s UR is not something this wallet reads: scan a PSBT, wallet setup or key export", u.Type)
}

func keysPayload(text, source string) (*Payload, error) {
	ks, err := keys.ParseExport([]byte(text))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return &Payload{Kind: KindKeys, Data: []byte(text), Keys: ks, Source: source}, nil
}

var psbtMagic = []byte("psbt\xff")

// specterDIYWallet matches Specter DIY's wallet text "[addwallet ]name&descriptor".
var specterDIYWallet = regexp.MustCompile(`^(?:addwallet )?([^&\n]*)&((?:sh|wsh|tr|wpkh|pkh)\(.*)$`)

// isHex reports whether s is an even number of hexadecimal digits.
func isHex(s string) bool {
	if len(s) < 2 || len(s)%2 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// Classify tells what data holds: a PSBT in binary, base64 or hex
// (BIP174), a signed transaction in hex, a wallet setup (Specter DIY's "addwallet name&descriptor" or
// anything shared/walletfile imports), a key export (shared/keys), text
// or bytes. Setup and Keys are filled when the data verifies.
func Classify(data []byte) *Payload {
	if bytes.HasPrefix(data, psbtMagic) {
		return &Payload{Kind: KindPSBT, Data: data}
	}
	if !utf8.Valid(data) {
		return &Payload{Kind: KindBytes, Data: data}
	}
	s := strings.TrimSpace(string(data))
	if strings.HasPrefix(s, "cHNidP8") {
		if raw, err := base64.StdEncoding.DecodeString(s); err == nil && bytes.HasPrefix(raw, psbtMagic) {
			return &Payload{Kind: KindPSBT, Data: raw}
		}
	}
	if len(s) > 10 && strings.EqualFold(s[:10], "70736274ff") {
		if raw, err := hex.DecodeString(s); err == nil {
			return &Payload{Kind: KindPSBT, Data: raw}
		}
	}
	if isHex(s) {
		if raw, err := hex.DecodeString(s); err == nil && decodeTx(raw) != nil {
			return &Payload{Kind: KindTransaction, Data: raw}
		}
	}
	if m := specterDIYWallet.FindStringSubmatch(s); m != nil {
		p := &Payload{Kind: KindWalletSetup, Data: data}
		// Specter DIY writes receive and change as /{0,1}/*, BIP389 as /<0;1>/*
		desc := strings.ReplaceAll(m[2], "/{0,1}/*", "/<0;1>/*")
		if imp, err := walletfile.Import([]byte(desc)); err == nil {
			imp.Setup.Name = m[1]
			p.Setup = imp
		}
		return p
	}
	if imp, err := walletfile.Import(data); err == nil {
		return &Payload{Kind: KindWalletSetup, Data: data, Setup: imp}
	}
	if ks, err := keys.ParseExport(data); err == nil {
		return &Payload{Kind: KindKeys, Data: data, Keys: ks}
	}
	if _, err := walletfile.Detect(data); err == nil {
		return &Payload{Kind: KindWalletSetup, Data: data}
	}
	return &Payload{Kind: KindText, Data: data}
}
