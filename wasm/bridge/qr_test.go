package bridge

import (
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type qrVectors struct {
	CryptoPSBT struct {
		UR   string `json:"ur"`
		PSBT string `json:"psbt"`
	} `json:"crypto_psbt"`
	Account struct {
		UR          string   `json:"crypto_account_ur"`
		Fingerprint string   `json:"master_fingerprint"`
		Descriptors []string `json:"descriptors"`
	} `json:"account"`
	HDKey struct {
		UR          string `json:"ur"`
		ExtendedKey string `json:"extended_key"`
	} `json:"hdkey"`
	BBQr struct {
		Lines         []string `json:"lines"`
		FileType      string   `json:"file_type"`
		DecodedLength int      `json:"decoded_length"`
		DecodedPrefix string   `json:"decoded_prefix"`
	} `json:"bbqr_real_scan"`
}

func TestQRScanOfPublishedURVectors(t *testing.T) {
	var v qrVectors
	loadJSON(t, "qr.json", &v)
	r := engine()

	raw, err := hex.DecodeString(v.CryptoPSBT.PSBT)
	require.NoError(t, err)
	want := ok[PSBTSummary](t, r, "psbt.decode", PSBTParams{PSBT: base64.StdEncoding.EncodeToString(raw)})
	got := ok[QRScanResult](t, r, "qr.scan", QRScanParams{Session: "s", Part: v.CryptoPSBT.UR})
	require.Equal(t, QRScanResult{Complete: true, Progress: 1, Content: &QRContent{Kind: "psbt", URType: "crypto-psbt", PSBT: want.PSBT}}, got)

	// Upper case, as QR alphanumeric mode carries it.
	acc := ok[QRScanResult](t, r, "qr.scan", QRScanParams{Session: "s", Part: strings.ToUpper(v.Account.UR)})
	require.True(t, acc.Complete)
	require.Equal(t, "account", acc.Content.Kind)
	// As BCR-2020-015 writes them, with its cosigner() multisig slots.
	require.Equal(t, v.Account.Descriptors, acc.Content.Descriptors)
	require.Len(t, acc.Content.Keys, len(v.Account.Descriptors))
	for _, k := range acc.Content.Keys {
		require.True(t, strings.HasPrefix(k.Origin.String(), v.Account.Fingerprint+"/"), k.Origin.String())
	}

	key := ok[QRScanResult](t, r, "qr.scan", QRScanParams{Session: "s", Part: v.HDKey.UR})
	require.Equal(t, "keys", key.Content.Kind)
	require.Contains(t, key.Content.Text, v.HDKey.ExtendedKey)
}

func TestQRScanOfARealBBQrCapture(t *testing.T) {
	var v qrVectors
	loadJSON(t, "qr.json", &v)
	r := engine()
	// The camera saw the 8 distinct parts with repeats: the scan completes
	// at the line that brings the last missing part.
	distinct := map[string]bool{}
	completeAt := -1
	for i, l := range v.BBQr.Lines {
		distinct[l] = true
		if len(distinct) == 8 && completeAt < 0 {
			completeAt = i
		}
	}
	var last QRScanResult
	for i, line := range v.BBQr.Lines[:completeAt+1] {
		last = ok[QRScanResult](t, r, "qr.scan", QRScanParams{Session: "cam", Part: line})
		require.Equal(t, i == completeAt, last.Complete, "line %d", i)
		if !last.Complete {
			require.Less(t, last.Progress, 1.0)
		}
	}
	require.True(t, last.Complete)
	require.Equal(t, "text", last.Content.Kind)
	require.Len(t, last.Content.Text, v.BBQr.DecodedLength)
	require.True(t, strings.HasPrefix(last.Content.Text, v.BBQr.DecodedPrefix))
}

func TestQREncodeThenScanGivesThePSBTBack(t *testing.T) {
	var roles roleVectors
	loadJSON(t, "bip174_roles.json", &roles)
	r := engine()
	want := ok[PSBTSummary](t, r, "psbt.decode", PSBTParams{PSBT: roles.Finalizer[0].Finalize})

	ur := ok[QREncodeResult](t, r, "qr.encode", QREncodeParams{PSBT: want.PSBT, Format: "ur", MaxFragmentLen: 60})
	require.Greater(t, ur.Fragments, 3)
	require.Len(t, ur.Parts, 2*ur.Fragments)
	// Every other part, then the fountain parts: a camera that missed frames.
	var got QRScanResult
	scan := func(parts []string) {
		for _, p := range parts {
			if got = ok[QRScanResult](t, r, "qr.scan", QRScanParams{Session: "ur", Part: p}); got.Complete {
				return
			}
		}
	}
	var odd []string
	for i := 1; i < len(ur.Parts); i += 2 {
		odd = append(odd, ur.Parts[i])
	}
	scan(odd)
	if !got.Complete {
		scan(ur.Parts)
	}
	require.True(t, got.Complete)
	require.Equal(t, &QRContent{Kind: "psbt", URType: "crypto-psbt", PSBT: want.PSBT}, got.Content)

	bb := ok[QREncodeResult](t, r, "qr.encode", QREncodeParams{PSBT: want.PSBT, Format: "bbqr"})
	require.Equal(t, len(bb.Parts), bb.Fragments)
	require.GreaterOrEqual(t, bb.QRVersion, 5)
	got = QRScanResult{}
	for i := len(bb.Parts) - 1; i >= 0; i-- {
		got = ok[QRScanResult](t, r, "qr.scan", QRScanParams{Session: "bb", Part: bb.Parts[i]})
	}
	require.Equal(t, QRScanResult{Complete: true, Progress: 1, Content: &QRContent{Kind: "psbt", PSBT: want.PSBT}}, got)

	text := ok[QREncodeResult](t, r, "qr.encode", QREncodeParams{Text: "hello", Format: "ur"})
	require.Equal(t, 1, len(text.Parts))
	hello := ok[QRScanResult](t, r, "qr.scan", QRScanParams{Session: "t", Part: text.Parts[0]})
	require.Equal(t, &QRContent{Kind: "text", URType: "bytes", Text: "hello"}, hello.Content)
}

func TestQRScanOfSingleCodesAndBadInput(t *testing.T) {
	r := engine()
	line := "[73c5da0a/48h/1h/0h/2h]tpubDFH9dgzveyD8zTbPUFuLrGmCydNvxehyNdUXKJAQN8x4aZ4j6UZqGfnqFrD4NqyaTVGKbvEW54tsvPTK2UoSbCC1PJY8iCNiwTL3RWZEheQ"
	k := ok[QRScanResult](t, r, "qr.scan", QRScanParams{Part: line})
	require.Equal(t, "keys", k.Content.Kind)
	require.Len(t, k.Content.Keys, 1)
	require.Equal(t, "73c5da0a/48h/1h/0h/2h", k.Content.Keys[0].Origin.String())
	d := ok[QRScanResult](t, r, "qr.scan", QRScanParams{Part: "raw(deadbeef)"})
	require.Equal(t, &QRContent{Kind: "descriptor", Descriptor: "raw(deadbeef)#89f8spxm"}, d.Content)
	txt := ok[QRScanResult](t, r, "qr.scan", QRScanParams{Part: "bitcoin:bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu?amount=0.1"})
	require.Equal(t, &QRContent{Kind: "text", Text: "bitcoin:bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu?amount=0.1"}, txt.Content)

	e := fails(t, r, "qr.scan", QRScanParams{Session: "x", Part: "ur:crypto-psbt/1-3/lpadaxcfaxhlcyhdhtmkmwjlnteefhutiy"})
	require.Equal(t, "if the code changed, start the scan again", e.Hint)
	e = fails(t, r, "qr.scan", QRScanParams{Session: "x", Part: "  "})
	require.Equal(t, CodeBadParams, e.Code)
	e = fails(t, r, "qr.encode", QREncodeParams{Text: "a", Format: "png"})
	require.Equal(t, Error{Message: `unknown QR format "png"`, Hint: "use ur or bbqr", Code: CodeBadParams}, *e)
	e = fails(t, r, "qr.encode", QREncodeParams{Format: "ur"})
	require.Equal(t, Error{Message: "give either a PSBT or a text", Hint: `set "psbt" or "text"`, Code: CodeBadParams}, *e)
	require.Equal(t, Deleted{Deleted: "x"}, ok[Deleted](t, r, "qr.cancel", QRSessionParams{Session: "x"}))
}

func TestQRScanSessionsAreBoundedAndIndependent(t *testing.T) {
	r := engine()
	// Text that does not compress: several BBQr parts.
	rnd := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 6000)
	for i := range noise {
		noise[i] = byte(rnd.Uint32())
	}
	enc := ok[QREncodeResult](t, r, "qr.encode", QREncodeParams{Text: base64.StdEncoding.EncodeToString(noise), Format: "bbqr"})
	require.GreaterOrEqual(t, len(enc.Parts), 2)
	// Six sessions start; only the last MaxScanSessions survive.
	for _, s := range []string{"a", "b", "c", "d", "e", "f"} {
		res := ok[QRScanResult](t, r, "qr.scan", QRScanParams{Session: s, Part: enc.Parts[0]})
		require.False(t, res.Complete)
	}
	for i, s := range []string{"a", "f"} {
		var res QRScanResult
		for _, p := range enc.Parts[1:] {
			res = ok[QRScanResult](t, r, "qr.scan", QRScanParams{Session: s, Part: p})
		}
		require.Equal(t, i == 1, res.Complete, "session %s", s)
	}
}
