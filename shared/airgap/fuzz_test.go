package airgap

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzCollector feeds arbitrary scanned texts (split on "\n" into several
// scans) to a Collector: it must never panic, progress must stay within
// bounds, and a complete scan must yield a payload or an error.
func FuzzCollector(f *testing.F) {
	seeds := []string{
		"p1of2 cHNidP8BAH\np2of2 ECAAAAAQ==",
		"p1of6 Multisig 5&wsh(sortedmulti(1,[f8720f8e/48h/1h/0h/2\np9of6 x",
		"UR:BYTES/HDCXLKAHSSQZWFVSLOFZOXWKRE",
		"ur:crypto-psbt/1-3/lpadaxcsencylobemohsgmoyadhdeynteelblrcygldwvarflojtcy",
		"ur:crypto-account/oeadcyemrewytyaolttaadmutaaddloxaxhdcl",
		"B$ZP0200AAAA\nB$ZP0201BBBB",
		"B$HU0100414243",
		"cHNidP8BAHECAAAAAQ==",
		"70736274ff0100",
		"[37b5eed4/84h/0h/0h]xpub6BkU445MSEBXbPjD3g2c2ch6mn8yy1SXXQUM7EwjgYiq6Wt1NDwDZ45npqWcV8uQC5oi2gHuVukoCoZZyT4HKq8EpotPMqGqxdZRuapCQ23",
		"addwallet x&wsh(sortedmulti(1,[00000000/48h/1h/0h/2h]tpub))",
		`{"label":"a","descriptor":"wsh()"}`,
		"",
		"\xff\xfe",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		c := NewCollector()
		for _, scan := range strings.Split(input, "\n") {
			p, _ := c.Add(scan)
			require.GreaterOrEqual(t, p.Received, 0)
			require.GreaterOrEqual(t, p.Fraction, 0.0)
			require.LessOrEqual(t, p.Fraction, 1.0)
			if p.Total > 0 && p.Transport != TransportUR {
				require.LessOrEqual(t, p.Received, p.Total)
			}
			_ = c.Missing()
		}
		if c.Progress().Complete {
			p, err := c.Result()
			if err == nil {
				require.NotNil(t, p)
				require.NotEmpty(t, p.Kind)
				require.NotEmpty(t, p.Source)
			}
		} else {
			_, err := c.Result()
			require.EqualError(t, err, "the scan is not complete yet: keep scanning")
		}
	})
}

// FuzzClassify checks that any data is classified (as a scan and as a
// file) without a panic, a PSBT always holding the BIP174 magic and a
// transaction always decoding.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{"psbt\xff\x01", "cHNidP8BAA==", "70736274ff01", "hello", "addwallet a&wsh(x)", "{}", "[00000000/0h]xpub"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := Classify(data)
		require.NotEmpty(t, p.Kind)
		if p.Kind == KindPSBT {
			require.True(t, strings.HasPrefix(string(p.Data), "psbt\xff"))
		}
		f, err := ReadFile(data)
		if len(data) == 0 {
			require.Error(t, err)
			return
		}
		require.NoError(t, err)
		require.Equal(t, "file", f.Source)
		if f.Kind == KindTransaction {
			require.NotNil(t, decodeTx(f.Data))
		}
	})
}
