package airgap

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/walletfile"
)

type vectors struct {
	PMofN struct {
		Parts    []string `json:"parts"`
		Text     string   `json:"text"`
		MaxChars int      `json:"max_chars"`
	} `json:"pmofn_specter_desktop"`
	CryptoPSBT struct {
		UR   string `json:"ur"`
		PSBT string `json:"psbt"`
	} `json:"crypto_psbt"`
	CryptoAccount struct {
		UR                string   `json:"ur"`
		MasterFingerprint string   `json:"master_fingerprint"`
		Descriptors       []string `json:"descriptors"`
	} `json:"crypto_account"`
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	require.NoError(t, err)
	var v vectors
	require.NoError(t, json.Unmarshal(raw, &v))
	return v
}

func vectorPSBT(t *testing.T) []byte {
	t.Helper()
	b, err := hex.DecodeString(loadVectors(t).CryptoPSBT.PSBT)
	require.NoError(t, err)
	return b
}

// bigPSBT is a PSBT-shaped payload of n bytes (the magic, then bytes that
// do not compress), for sequences of many parts.
func bigPSBT(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := append([]byte(nil), psbtMagic...)
	for len(b) < n {
		b = append(b, byte(r.IntN(256)))
	}
	return b
}

func setupText(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile("../walletfile/testdata/caravan/bitcoin-2-of-2-P2WSH_TESTNET.json")
	require.NoError(t, err)
	imp, err := walletfile.Import(raw)
	require.NoError(t, err)
	text, err := walletfile.Export(imp.Setup, walletfile.FormatColdcard)
	require.NoError(t, err)
	return text
}

// scanShuffled feeds frames to a new Collector in a random order, every
// frame twice, until it completes.
func scanShuffled(t *testing.T, frames []string, seed uint64) (*Collector, Progress) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	order := append(append([]string(nil), frames...), frames...)
	r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	c := NewCollector()
	var p Progress
	for _, f := range order {
		var err error
		p, err = c.Add(f)
		require.NoError(t, err)
		if p.Complete {
			break
		}
	}
	return c, p
}

func TestFramesAndCollector_RoundTripEveryTransportShuffledWithRepeats(t *testing.T) {
	psbt := vectorPSBT(t)
	big := bigPSBT(3000)
	setup := setupText(t)
	payloads := []struct {
		name string
		p    Payload
	}{
		{"BCR-2020-006 PSBT", Payload{Kind: KindPSBT, Data: psbt}},
		{"3000 byte PSBT", Payload{Kind: KindPSBT, Data: big}},
		{"Coldcard multisig setup", Payload{Kind: KindWalletSetup, Data: setup}},
	}
	sources := map[Format]map[Kind]string{
		FormatUR:     {KindPSBT: "ur:crypto-psbt", KindWalletSetup: "ur:bytes"},
		FormatURv2:   {KindPSBT: "ur:psbt", KindWalletSetup: "ur:bytes"},
		FormatBBQr:   {KindPSBT: "bbqr:P", KindWalletSetup: "bbqr:U"},
		FormatPMofN:  {KindPSBT: "pmofn", KindWalletSetup: "pmofn"},
		FormatStatic: {KindPSBT: "static", KindWalletSetup: "static"},
	}
	for _, pl := range payloads {
		for _, f := range []Format{FormatUR, FormatURv2, FormatBBQr, FormatPMofN, FormatStatic} {
			for _, d := range []Density{DensityLow, DensityMedium, DensityHigh} {
				t.Run(pl.name+" as "+string(f)+" density "+string("LMH"[d]), func(t *testing.T) {
					frames, err := Frames(pl.p, f, d)
					if f == FormatStatic && len(pl.p.Data) == 3000 {
						require.ErrorContains(t, err, "one static QR code: 4000 characters do not fit in one QR code")
						return
					}
					require.NoError(t, err)
					for _, fr := range frames {
						if f == FormatUR || f == FormatURv2 || f == FormatBBQr {
							require.Equal(t, strings.ToUpper(fr), fr, "alphanumeric QR text")
						}
					}
					c, prog := scanShuffled(t, frames, uint64(len(frames))+uint64(d))
					require.True(t, prog.Complete)
					require.Equal(t, 1.0, prog.Fraction)
					got, err := c.Result()
					require.NoError(t, err)
					require.Equal(t, pl.p.Kind, got.Kind)
					require.Equal(t, pl.p.Data, got.Data)
					want := sources[f][pl.p.Kind]
					if f == FormatPMofN && len(frames) == 1 {
						want = "static" // short text is shown whole, unprefixed
					}
					require.Equal(t, want, got.Source)
					if pl.p.Kind == KindWalletSetup {
						require.NotNil(t, got.Setup)
						require.Equal(t, 2, got.Setup.Setup.N)
					}
				})
			}
		}
	}
}

func TestFrames_PartCountsFollowDensity(t *testing.T) {
	big := Payload{Kind: KindPSBT, Data: bigPSBT(3000)}
	tests := []struct {
		f    Format
		want [3]int
	}{
		// 3000 bytes + 3 bytes of CBOR header = 3003: ceil(3003/80) = 38
		// fragments, then bc-ur evens their length; 200 -> 16, 400 -> 8
		{FormatUR, [3]int{38, 16, 8}},
		// 4000 base64 characters: ceil(4000/150) = 27, /300 = 14, /600 = 7
		{FormatPMofN, [3]int{27, 14, 7}},
	}
	for _, tc := range tests {
		for d := DensityLow; d <= DensityHigh; d++ {
			frames, err := Frames(big, tc.f, d)
			require.NoError(t, err)
			require.Len(t, frames, tc.want[d], "%s density %d", tc.f, d)
		}
	}
	// BBQr parts fit the density's QR version
	for d := DensityLow; d <= DensityHigh; d++ {
		frames, err := Frames(big, FormatBBQr, d)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(frames[0], "B$2P"), frames[0][:8]) // random data: zlib gains nothing, base32
		require.LessOrEqual(t, len(frames[0]), []int{395, 938, 1990}[d])     // alphanumeric capacity at L of versions 10, 16, 25
	}
}

func TestFrames_SmallPayloadIsOneStaticFrameInEveryFormat(t *testing.T) {
	p := Payload{Kind: KindPSBT, Data: vectorPSBT(t)}
	v := loadVectors(t)
	ur1, err := Frames(p, FormatUR, DensityHigh)
	require.NoError(t, err)
	require.Equal(t, []string{strings.ToUpper(v.CryptoPSBT.UR)}, ur1)
	pm, err := Frames(p, FormatPMofN, DensityHigh)
	require.NoError(t, err)
	require.Equal(t, []string{base64.StdEncoding.EncodeToString(p.Data)}, pm)
	st, err := Frames(p, FormatStatic, DensityLow)
	require.NoError(t, err)
	require.Equal(t, pm, st)
	bb, err := Frames(p, FormatBBQr, DensityHigh)
	require.NoError(t, err)
	require.Len(t, bb, 1)
	require.Equal(t, "B$ZP0100", bb[0][:8])
}

func TestFrames_RefusesWhatCannotBeShown(t *testing.T) {
	p := Payload{Kind: KindPSBT, Data: vectorPSBT(t)}
	_, err := Frames(Payload{Kind: KindPSBT}, FormatUR, DensityLow)
	require.EqualError(t, err, "nothing to show: the payload is empty")
	_, err = Frames(p, "qrx", DensityLow)
	require.EqualError(t, err, `QR format "qrx" is unknown: use one of ur, ur-psbt, bbqr, pmofn, static`)
	_, err = Frames(p, FormatUR, Density(9))
	require.EqualError(t, err, "QR density 9 is unknown: use low, medium or high")
	_, err = Frames(p, FormatFile, DensityLow)
	require.EqualError(t, err, "a file is not shown as QR codes: use File to save it")
}

func TestSplitPMofN_SpecterDesktopVector(t *testing.T) {
	v := loadVectors(t).PMofN
	parts, err := SplitPMofN(v.Text, v.MaxChars)
	require.NoError(t, err)
	require.Equal(t, v.Parts, parts)

	c, prog := scanShuffled(t, v.Parts, 3)
	require.Equal(t, Progress{Transport: TransportPMofN, Received: 6, Total: 6, Fraction: 1, Complete: true}, prog)
	got, err := c.Result()
	require.NoError(t, err)
	require.Equal(t, KindWalletSetup, got.Kind)
	require.Equal(t, v.Text, string(got.Data))
	require.Equal(t, "pmofn", got.Source)
	// Specter DIY's "name&descriptor": verified by shared/walletfile
	require.NotNil(t, got.Setup)
	require.Equal(t, "Multisig 5", got.Setup.Setup.Name)
	require.Equal(t, 1, got.Setup.Setup.M)
	require.Equal(t, 2, got.Setup.Setup.N)
	require.Equal(t, "9d1dc604", got.Setup.Setup.Devices[1].Fingerprint.String())
}

func TestSplitPMofN_EqualPartsAsSpecterDesktop(t *testing.T) {
	// 601 characters at 300: ceil(601/300) = 3 parts of ceil(601/3) = 201
	text := strings.Repeat("A", 601)
	parts, err := SplitPMofN(text, 300)
	require.NoError(t, err)
	require.Len(t, parts, 3)
	require.Equal(t, "p1of3 "+strings.Repeat("A", 201), parts[0])
	require.Equal(t, "p3of3 "+strings.Repeat("A", 199), parts[2])
	one, err := SplitPMofN(text[:300], 300)
	require.NoError(t, err)
	require.Equal(t, []string{text[:300]}, one)
	_, err = SplitPMofN("", 300)
	require.EqualError(t, err, "nothing to show: the text is empty")
	_, err = SplitPMofN("x", 0)
	require.EqualError(t, err, "pMofN part length 0 must be at least 1")
}

func TestCollector_ProgressAndMissingPartsWhileScanning(t *testing.T) {
	frames, err := Frames(Payload{Kind: KindPSBT, Data: bigPSBT(1500)}, FormatBBQr, DensityLow)
	require.NoError(t, err)
	require.Greater(t, len(frames), 3)
	c := NewCollector()
	require.Equal(t, Progress{}, c.Progress())
	p, err := c.Add(frames[2])
	require.NoError(t, err)
	require.Equal(t, Progress{Transport: TransportBBQr, Received: 1, Total: len(frames), Fraction: 1 / float64(len(frames))}, p)
	p, err = c.Add(frames[2])
	require.NoError(t, err)
	require.Equal(t, 1, p.Received)
	missing := c.Missing()
	require.Len(t, missing, len(frames)-1)
	require.Equal(t, []int{1, 2, 4}, missing[:3])
	_, err = c.Result()
	require.EqualError(t, err, "the scan is not complete yet: keep scanning")

	// UR fountain progress
	urFrames, err := Frames(Payload{Kind: KindPSBT, Data: bigPSBT(1500)}, FormatUR, DensityLow)
	require.NoError(t, err)
	u := NewCollector()
	p, err = u.Add(urFrames[0])
	require.NoError(t, err)
	require.Equal(t, TransportUR, p.Transport)
	require.Equal(t, 1, p.Received)
	require.Equal(t, len(urFrames), p.Total)
	require.False(t, p.Complete)
	require.Greater(t, p.Fraction, 0.0)
	require.Less(t, p.Fraction, 1.0)
}

func TestCollector_RefusesPartsOfAnotherSequence(t *testing.T) {
	v := loadVectors(t).PMofN
	c := NewCollector()
	_, err := c.Add(v.Parts[0])
	require.NoError(t, err)
	tests := []struct {
		name, text, want string
	}{
		{"a UR part", "UR:BYTES/HDCXLKAHSSQZWFVSLOFZOXWKRE", "this QR code is a BC-UR part, but a pMofN part sequence is being scanned: finish it, or start a new scan"},
		{"other total", "p2of7 abc", "this part is one of 7, but the parts scanned before are of 6: it belongs to another QR sequence"},
		{"same index, other text", "p1of6 something else", "part 1 of 6 was scanned before with other content: it belongs to another QR sequence, or was misread"},
		{"index above total", "p7of6 x", `pMofN part "p7of6" is not a part M of N with 1 <= M <= N <= 2000`},
		{"part zero", "p0of6 x", `pMofN part "p0of6" is not a part M of N with 1 <= M <= N <= 2000`},
		{"empty", "", "the QR code is empty"},
		{"plain text", "hello", "this QR code is a single QR code, but a pMofN part sequence is being scanned: finish it, or start a new scan"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := c.Add(tc.text)
			require.EqualError(t, err, tc.want)
			require.Equal(t, 1, p.Received)
		})
	}
	bad := NewCollector()
	_, err = bad.Add("ur:crypto-psbt/1-3/lpadaxcsencylobemohsgmoyadhdeynteelblrcygldwvarflojtcy")
	require.ErrorContains(t, err, "BC-UR part refused: ")
	require.Equal(t, Transport(""), bad.Transport())
	_, err = bad.Add("B$ZP0200" + "A")
	require.NoError(t, err) // a valid header and base32 body: one of two parts
	require.Equal(t, TransportBBQr, bad.Transport())
}

func TestCollector_RealColdcardQScan(t *testing.T) {
	raw, err := os.ReadFile("../bbqr/testdata/real-scan.txt")
	require.NoError(t, err)
	var lines []string
	for _, l := range strings.Split(string(raw), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	c := NewCollector()
	for _, l := range lines {
		_, err := c.Add(l)
		require.NoError(t, err)
	}
	require.Equal(t, Progress{Transport: TransportBBQr, Received: 8, Total: 8, Fraction: 1, Complete: true}, c.Progress())
	got, err := c.Result()
	require.NoError(t, err)
	require.Equal(t, "bbqr:U", got.Source)
	require.Equal(t, KindText, got.Kind) // the scan is BBQr.md itself
	require.True(t, strings.HasPrefix(string(got.Data), "# The BBQr Protocol - Make a series of QR codes to hold lots of data\n"))
}

func TestCollector_StaticAndURKeysAndPSBT(t *testing.T) {
	v := loadVectors(t)
	psbt := vectorPSBT(t)
	diy, err := os.ReadFile("../keys/testdata/exports/specter-diy-addwallet.txt")
	require.NoError(t, err)
	keystone, err := os.ReadFile("../keys/testdata/exports/coldcard-generic-xtn-account123.json")
	require.NoError(t, err)
	tests := []struct {
		name      string
		scan      string
		kind      Kind
		source    string
		data      []byte
		keyCount  int
		setupN    int
		setupName string
	}{
		{"crypto-psbt UR (BCR-2020-006)", v.CryptoPSBT.UR, KindPSBT, "ur:crypto-psbt", psbt, 0, 0, ""},
		{"upper-case crypto-psbt UR", strings.ToUpper(v.CryptoPSBT.UR), KindPSBT, "ur:crypto-psbt", psbt, 0, 0, ""},
		{"base64 PSBT", base64.StdEncoding.EncodeToString(psbt), KindPSBT, "static", psbt, 0, 0, ""},
		{"hex PSBT", hex.EncodeToString(psbt), KindPSBT, "static", psbt, 0, 0, ""},
		{"crypto-account (BCR-2020-015)", v.CryptoAccount.UR, KindKeys, "ur:crypto-account", []byte(strings.Join(v.CryptoAccount.Descriptors, "\n")), len(v.CryptoAccount.Descriptors), 0, ""},
		{"key expression", "[37b5eed4/84h/0h/0h]xpub6BkU445MSEBXbPjD3g2c2ch6mn8yy1SXXQUM7EwjgYiq6Wt1NDwDZ45npqWcV8uQC5oi2gHuVukoCoZZyT4HKq8EpotPMqGqxdZRuapCQ23", KindKeys, "static", nil, 1, 0, ""},
		{"Specter DIY addwallet", strings.TrimSpace(string(diy)), KindWalletSetup, "static", nil, 0, 3, "Sparrow Multisig"},
		{"Coldcard generic JSON (bip44, bip49, bip84 sections)", string(keystone), KindKeys, "static", nil, 3, 0, ""},
		{"other text", "hello world", KindText, "static", []byte("hello world"), 0, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCollector()
			p, err := c.Add(tc.scan)
			require.NoError(t, err)
			require.True(t, p.Complete)
			got, err := c.Result()
			require.NoError(t, err)
			require.Equal(t, tc.kind, got.Kind)
			require.Equal(t, tc.source, got.Source)
			if tc.data != nil {
				require.Equal(t, tc.data, got.Data)
			}
			require.Len(t, got.Keys, tc.keyCount)
			if tc.setupN > 0 {
				require.NotNil(t, got.Setup)
				require.Equal(t, tc.setupN, got.Setup.Setup.N)
				require.Equal(t, tc.setupName, got.Setup.Setup.Name)
			}
			// later scans are ignored once complete
			p, err = c.Add("p1of2 x")
			require.NoError(t, err)
			require.True(t, p.Complete)
		})
	}
	require.True(t, bytes.HasPrefix(psbt, psbtMagic))
}

func TestCollector_PMofNSizeIsBounded(t *testing.T) {
	c := NewCollector()
	body := strings.Repeat("A", 7980)
	var err error
	n := 0
	for n = 1; n <= 2000; n++ {
		if _, err = c.Add("p" + strconv.Itoa(n) + "of2000 " + body); err != nil {
			break
		}
	}
	require.EqualError(t, err, "the parts scanned hold more than 4194304 bytes, more than a PSBT or wallet setup: this is not a sequence to scan")
	require.Equal(t, 4194304/7980+1, n)
	require.Equal(t, n-1, c.Progress().Received)
}
