package bridge

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/airgap"
	"github.com/specterpwa/specter/shared/walletfile"
)

func airgapRegistry() *Registry {
	r := NewRegistry()
	RegisterEngine(r) // RegisterEngine registers RegisterAirgap's methods
	return r
}

// vectorPSBT is the crypto-psbt vector's PSBT (BCR-2020-006) as base64.
func vectorPSBT(t *testing.T) string {
	t.Helper()
	var v qrVectors
	loadJSON(t, "qr.json", &v)
	raw, err := hex.DecodeString(v.CryptoPSBT.PSBT)
	require.NoError(t, err)
	return base64.StdEncoding.EncodeToString(raw)
}

func TestAirgapFramesScannedBackInReverseGiveThePSBTForEveryFormat(t *testing.T) {
	r := airgapRegistry()
	// A PSBT larger than one frame: the BIP174 signer vector's PSBT.
	var roles map[string]any
	loadJSON(t, "bip174_roles.json", &roles)
	big := ""
	for _, v := range roles {
		if m, isMap := v.(map[string]any); isMap {
			if s, isStr := m["psbt"].(string); isStr && len(s) > len(big) {
				big = s
			}
		}
	}
	if big == "" {
		big = vectorPSBT(t)
	}
	want := ok[PSBTSummary](t, r, "psbt.decode", PSBTParams{PSBT: big}).PSBT
	for _, tc := range []struct{ format, source string }{
		{"ur", "ur:crypto-psbt"}, {"ur-psbt", "ur:psbt"}, {"bbqr", "bbqr:P"}, {"pmofn", "pmofn"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			fr := ok[AirgapFramesResult](t, r, "airgap.frames", AirgapFramesParams{PSBT: big, Format: tc.format, Density: "low"})
			require.Equal(t, "low", fr.Density)
			require.NotEmpty(t, fr.Frames)
			var last AirgapScanResult
			for i := len(fr.Frames) - 1; i >= 0; i-- {
				last = ok[AirgapScanResult](t, r, "airgap.scan", QRScanParams{Session: tc.format, Part: fr.Frames[i]})
				require.Empty(t, last.Refused)
			}
			require.True(t, last.Complete)
			require.Equal(t, len(fr.Frames), last.Received)
			require.NotNil(t, last.Payload)
			require.Equal(t, "psbt", last.Payload.Kind)
			require.Equal(t, tc.source, last.Payload.Source)
			require.Equal(t, want, last.Payload.PSBT)
		})
	}
}

func TestAirgapScanRefusesAPartOfAnotherSequenceAndGoesOn(t *testing.T) {
	r := airgapRegistry()
	p := vectorPSBT(t)
	urFrames := ok[AirgapFramesResult](t, r, "airgap.frames", AirgapFramesParams{PSBT: p, Format: "ur", Density: "low"}).Frames
	parts, err := airgap.SplitPMofN(p, (len(p)+1)/2)
	require.NoError(t, err)
	require.Len(t, parts, 2)
	first := ok[AirgapScanResult](t, r, "airgap.scan", QRScanParams{Session: "cam", Part: parts[0]})
	require.False(t, first.Complete)
	require.Equal(t, airgap.Progress{Transport: airgap.TransportPMofN, Received: 1, Total: 2, Fraction: 0.5}, first.Progress)
	refused := ok[AirgapScanResult](t, r, "airgap.scan", QRScanParams{Session: "cam", Part: urFrames[0]})
	require.Equal(t, "this QR code is a BC-UR part, but a pMofN part sequence is being scanned: finish it, or start a new scan", refused.Refused)
	require.Equal(t, first.Progress, refused.Progress)
	done := ok[AirgapScanResult](t, r, "airgap.scan", QRScanParams{Session: "cam", Part: parts[1]})
	require.True(t, done.Complete)
	require.Equal(t, ok[PSBTSummary](t, r, "psbt.decode", PSBTParams{PSBT: p}).PSBT, done.Payload.PSBT)
	require.Equal(t, "pmofn", done.Payload.Source)
}

func TestAirgapScanNeedsASessionName(t *testing.T) {
	e := fails(t, airgapRegistry(), "airgap.scan", QRScanParams{Part: "ur:bytes/abc"})
	require.Equal(t, CodeBadParams, e.Code)
	require.Equal(t, "the scan session is not named", e.Message)
}

func TestAirgapPSBTFileAndReadFileRoundTripTheBinaryPSBT(t *testing.T) {
	r := airgapRegistry()
	p := vectorPSBT(t)
	f := ok[airgap.File](t, r, "airgap.psbtFile", AirgapPSBTFileParams{PSBT: p, Name: "Rent March"})
	require.Equal(t, "application/octet-stream", f.MIME)
	require.True(t, strings.HasSuffix(f.Filename, ".psbt"), f.Filename)
	require.Equal(t, []byte("psbt\xff"), f.Data[:5])
	got := ok[AirgapPayload](t, r, "airgap.readFile", AirgapFileParams{Base64: base64.StdEncoding.EncodeToString(f.Data)})
	require.Equal(t, AirgapPayload{Kind: "psbt", Source: "file", PSBT: ok[PSBTSummary](t, r, "psbt.decode", PSBTParams{PSBT: p}).PSBT}, got)
	// The same PSBT uploaded as base64 text.
	got = ok[AirgapPayload](t, r, "airgap.readFile", AirgapFileParams{Base64: base64.StdEncoding.EncodeToString([]byte(p + "\n"))})
	require.Equal(t, "psbt", got.Kind)
	e := fails(t, r, "airgap.readFile", AirgapFileParams{Base64: ""})
	require.Equal(t, "the file is empty", e.Message)
}

func TestAirgapRegisterPerDeviceTypeAndAddressQR(t *testing.T) {
	r := airgapRegistry()
	raw, err := os.ReadFile("../../shared/walletfile/testdata/caravan/bitcoin-2-of-2-P2WSH_TESTNET.json")
	require.NoError(t, err)
	imp, err := walletfile.Import(raw)
	require.NoError(t, err)
	imp.Setup.Name = "Family Vault"
	want, err := airgap.Register(imp.Setup, "coldcard", "q", airgap.DensityMedium)
	require.NoError(t, err)
	got := ok[AirgapRegisterResult](t, r, "airgap.register", AirgapRegisterParams{Setup: imp.Setup, Type: "coldcard", Model: "q"})
	require.Equal(t, want, got.Registrations)
	require.Equal(t, airgap.FormatBBQr, got.Registrations[0].Format)

	e := fails(t, r, "airgap.register", AirgapRegisterParams{Setup: imp.Setup, Type: "trezor"})
	require.Equal(t, "multisig registration: a trezor device signs over USB, not by QR code or file", e.Message)

	addr := ok[AirgapTextResult](t, r, "airgap.addressQR", AirgapAddressParams{Type: "specterdiy", Address: "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", Index: 7, Network: "test"})
	require.Equal(t, "bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx?index=7", addr.Text)

	profiles := ok[AirgapProfilesResult](t, r, "airgap.profiles", struct{}{})
	require.Equal(t, airgap.Profiles(), profiles.Profiles)
	require.True(t, slices.ContainsFunc(profiles.Profiles, func(p airgap.Profile) bool {
		return p.Type == "coldcard" && p.Model == "q" && p.Default == airgap.FormatBBQr
	}))
}

// FuzzAirgapScanAndReadFile feeds outside data (camera texts, uploaded
// files) to airgap.scan and airgap.readFile: never a panic or an internal
// error, and a complete scan always carries its payload.
func FuzzAirgapScanAndReadFile(f *testing.F) {
	var v qrVectors
	raw, err := os.ReadFile("testdata/qr.json")
	if err == nil {
		_ = json.Unmarshal(raw, &v)
	}
	f.Add(v.CryptoPSBT.UR, []byte("psbt\xff"))
	for _, l := range v.BBQr.Lines {
		f.Add(l, []byte(l))
	}
	f.Add("p1of2 cHNidP8BA", []byte("cHNidP8BAHECAAAAAQ=="))
	f.Add("UR:BYTES/1-3/LPADAXCS", []byte("0100000001"))
	f.Add("B$ZP0100FMUE", []byte{0x70, 0x73, 0x62, 0x74, 0xff, 0x01, 0x00})
	r := airgapRegistry()
	f.Fuzz(func(t *testing.T, part string, file []byte) {
		for range 2 {
			res, e := call(t, r, "airgap.scan", QRScanParams{Session: "fuzz", Part: part})
			if e != nil {
				require.NotEqual(t, CodeInternal, e.Code, e.Message)
				continue
			}
			var got AirgapScanResult
			require.NoError(t, json.Unmarshal(res, &got))
			if got.Complete && got.Refused == "" {
				require.NotNil(t, got.Payload)
			}
		}
		_, e := call(t, r, "airgap.cancel", QRSessionParams{Session: "fuzz"})
		require.Nil(t, e)
		_, e = call(t, r, "airgap.readFile", AirgapFileParams{Base64: base64.StdEncoding.EncodeToString(file)})
		if e != nil {
			require.NotEqual(t, CodeInternal, e.Code, e.Message)
		}
	})
}
