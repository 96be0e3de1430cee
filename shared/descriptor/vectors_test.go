package descriptor

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/keys"
)

type validVector struct {
	Name       string   `json:"name"`
	Descriptor string   `json:"descriptor"`
	Scripts    []string `json:"scripts"`
	Expanded   []string `json:"expanded"`
}

type invalidVector struct {
	Name       string `json:"name"`
	Descriptor string `json:"descriptor"`
	Error      string `json:"error"`
}

type vectorFile struct {
	Valid   []validVector   `json:"valid"`
	Invalid []invalidVector `json:"invalid"`
}

func loadJSON(t *testing.T, name string, v any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, v))
}

func testName(v string) string {
	if len(v) > 60 {
		return v[:60]
	}
	return v
}

var hardenedMark = regexp.MustCompile(`/(\d+|\*)['H]`)

// normalise applies the normalisation String promises to a descriptor
// written with ' or H hardened markers (the keys have no '/' inside).
func normalise(s string) string {
	s, _, _ = strings.Cut(s, "#")
	return hardenedMark.ReplaceAllString(s, "/${1}h")
}

// checkRoundTrip asserts that String is the normalised input, carries the
// right checksum, and parses back to the same descriptor.
func checkRoundTrip(t *testing.T, input string, d *Descriptor) {
	t.Helper()
	require.Equal(t, normalise(input), d.StringNoChecksum())
	sum, err := Checksum(d.StringNoChecksum())
	require.NoError(t, err)
	require.Equal(t, d.StringNoChecksum()+"#"+sum, d.String())
	again, err := Parse(d.String())
	require.NoError(t, err)
	require.Equal(t, d.String(), again.String())
}

func checkScripts(t *testing.T, d *Descriptor, scripts []string) {
	t.Helper()
	if !d.IsRange() {
		require.Len(t, scripts, 1, "a non-ranged descriptor has one script")
	}
	for i, want := range scripts {
		der, err := d.Derive(uint32(i))
		require.NoError(t, err, "index %d", i)
		require.Equal(t, want, hex.EncodeToString(der.ScriptPubKey), "index %d", i)
	}
}

func runBIPFile(t *testing.T, file string) {
	var f vectorFile
	loadJSON(t, file, &f)
	require.NotEmpty(t, f.Valid)
	require.NotEmpty(t, f.Invalid)
	for _, v := range f.Valid {
		t.Run("valid "+testName(v.Descriptor), func(t *testing.T) {
			d, err := Parse(v.Descriptor)
			require.NoError(t, err)
			checkRoundTrip(t, v.Descriptor, d)
			checkScripts(t, d, v.Scripts)
		})
	}
	for _, v := range f.Invalid {
		t.Run("invalid "+v.Name, func(t *testing.T) {
			_, err := Parse(v.Descriptor)
			require.ErrorContains(t, err, v.Error)
		})
	}
}

func TestBIP381VectorsPkPkhSh(t *testing.T)          { runBIPFile(t, "bip381.json") }
func TestBIP382VectorsWpkhWsh(t *testing.T)          { runBIPFile(t, "bip382.json") }
func TestBIP383VectorsMultiSortedMulti(t *testing.T) { runBIPFile(t, "bip383.json") }
func TestBIP385VectorsRawAddr(t *testing.T)          { runBIPFile(t, "bip385.json") }
func TestBIP386VectorsTaproot(t *testing.T)          { runBIPFile(t, "bip386.json") }
func TestBIP387VectorsMultiA(t *testing.T)           { runBIPFile(t, "bip387.json") }

func TestBIP380VectorsChecksumAndKeyExpressions(t *testing.T) {
	var f struct {
		ChecksumValid []struct {
			Name, Descriptor, Normalized string
		} `json:"checksum_valid"`
		ChecksumInvalid []invalidVector `json:"checksum_invalid"`
		KeyValid        []struct {
			Name, Key string
		} `json:"key_valid"`
		KeyInvalid []struct {
			Name, Key, Error string
		} `json:"key_invalid"`
	}
	loadJSON(t, "bip380.json", &f)
	require.Len(t, f.ChecksumValid, 2)
	require.Len(t, f.ChecksumInvalid, 6)
	require.Len(t, f.KeyValid, 22)
	require.Len(t, f.KeyInvalid, 14)
	for _, v := range f.ChecksumValid {
		t.Run(v.Name, func(t *testing.T) {
			d, err := Parse(v.Descriptor)
			require.NoError(t, err)
			require.Equal(t, v.Normalized, d.String())
		})
	}
	for _, v := range f.ChecksumInvalid {
		t.Run(v.Name, func(t *testing.T) {
			_, err := Parse(v.Descriptor)
			require.ErrorContains(t, err, v.Error)
		})
	}
	for _, v := range f.KeyValid {
		t.Run("key "+v.Name, func(t *testing.T) {
			d, err := Parse("pk(" + v.Key + ")")
			require.NoError(t, err)
			checkRoundTrip(t, "pk("+v.Key+")", d)
			ks := d.Keys()
			require.Len(t, ks, 1)
			require.Equal(t, normalise(v.Key), ks[0].String())
		})
	}
	for _, v := range f.KeyInvalid {
		t.Run("key "+v.Name, func(t *testing.T) {
			_, err := Parse("pk(" + v.Key + ")")
			require.ErrorContains(t, err, v.Error)
		})
	}
}

func TestBIP389VectorsMultipath(t *testing.T) {
	var f vectorFile
	loadJSON(t, "bip389.json", &f)
	require.Len(t, f.Valid, 6)
	require.Len(t, f.Invalid, 8)
	for _, v := range f.Valid {
		t.Run("valid "+testName(v.Descriptor), func(t *testing.T) {
			d, err := Parse(v.Descriptor)
			require.NoError(t, err)
			checkRoundTrip(t, v.Descriptor, d)
			require.Equal(t, len(v.Expanded), d.PathCount())
			_, err = d.Derive(0)
			require.ErrorContains(t, err, "pick one with Branch first")
			for i, exp := range v.Expanded {
				b, err := d.Branch(i)
				require.NoError(t, err)
				e, err := Parse(exp)
				require.NoError(t, err)
				require.Equal(t, e.String(), b.String(), "branch %d", i)
				require.Equal(t, 1, b.PathCount())
				for idx := uint32(0); idx < 2; idx++ {
					want, err := e.Derive(idx)
					require.NoError(t, err)
					got, err := b.Derive(idx)
					require.NoError(t, err)
					require.Equal(t, want.ScriptPubKey, got.ScriptPubKey)
				}
			}
			_, err = d.Branch(len(v.Expanded))
			require.ErrorContains(t, err, "does not exist")
		})
	}
	for _, v := range f.Invalid {
		t.Run("invalid "+v.Name, func(t *testing.T) {
			_, err := Parse(v.Descriptor)
			require.ErrorContains(t, err, v.Error)
		})
	}
}

// TestBitcoinCoreDescriptorCases replays Bitcoin Core's descriptor_tests.cpp
// pairs: the private and public forms must give the same public keys and
// scripts, the public form needs the private one for hardened steps, and the
// key origins must be the listed paths.
func TestBitcoinCoreDescriptorCases(t *testing.T) {
	var f struct {
		Valid []struct {
			Prv, Pub        string
			Range, Hardened bool
			Scripts         [][]string
			Paths           [][]uint32
		}
		Invalid []invalidVector
	}
	loadJSON(t, "core.json", &f)
	require.Len(t, f.Valid, 27)
	for _, v := range f.Valid {
		t.Run(testName(v.Pub), func(t *testing.T) {
			prv, err := Parse(v.Prv)
			require.NoError(t, err)
			pub, err := Parse(v.Pub)
			require.NoError(t, err)
			checkRoundTrip(t, v.Prv, prv)
			checkRoundTrip(t, v.Pub, pub)
			require.Equal(t, v.Range, prv.IsRange())
			require.Equal(t, v.Range, pub.IsRange())
			pk, bk := prv.Keys(), pub.Keys()
			require.Len(t, pk, len(bk))
			for i := range pk {
				require.True(t, pk[i].Private)
				require.False(t, bk[i].Private)
				require.Equal(t, bk[i].Xpub, pk[i].Xpub, "key %d: the public form of the private key", i)
			}
			seen := map[string]bool{}
			for i, want := range v.Scripts {
				all, err := prv.DeriveAll(uint32(i))
				require.NoError(t, err)
				got := make([]string, len(all))
				for j, der := range all {
					got[j] = hex.EncodeToString(der.ScriptPubKey)
					for _, k := range der.Keys {
						seen[keys.Path(k.Origin.Path).String()] = true
					}
				}
				require.Equal(t, want, got, "index %d", i)
				pubAll, err := pub.DeriveAll(uint32(i))
				if v.Hardened {
					require.ErrorContains(t, err, "from a public key: give the private key")
					continue
				}
				require.NoError(t, err)
				require.Len(t, pubAll, len(all))
				for j := range all {
					require.Equal(t, all[j], pubAll[j])
				}
			}
			var wantPaths, gotPaths []string
			for _, p := range v.Paths {
				wantPaths = append(wantPaths, keys.Path(p).String())
			}
			for p := range seen {
				gotPaths = append(gotPaths, p)
			}
			sort.Strings(wantPaths)
			sort.Strings(gotPaths)
			require.Equal(t, wantPaths, gotPaths)
		})
	}
	for _, v := range f.Invalid {
		t.Run("invalid "+v.Name, func(t *testing.T) {
			_, err := Parse(v.Descriptor)
			require.ErrorContains(t, err, v.Error)
		})
	}
}
