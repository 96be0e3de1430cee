package chainsync

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/btcsuite/btcd/btcutil/gcs/builder"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"
)

type bip158Vector struct {
	height      int
	hash        string
	block       *wire.MsgBlock
	prevScripts [][]byte
	prevHeader  string
	filter      string
	header      string
	note        string
}

// loadBIP158 reads bip-0158/testnet-19.json from bitcoin/bips.
func loadBIP158(t *testing.T) []bip158Vector {
	raw, err := os.ReadFile("testdata/bip158-testnet-19.json")
	require.NoError(t, err)
	var rows [][]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &rows))
	var out []bip158Vector
	for _, row := range rows[1:] {
		require.Len(t, row, 8)
		var v bip158Vector
		var blockHex string
		var scripts []string
		for i, dst := range []any{&v.height, &v.hash, &blockHex, &scripts, &v.prevHeader, &v.filter, &v.header, &v.note} {
			require.NoError(t, json.Unmarshal(row[i], dst))
		}
		b, err := hex.DecodeString(blockHex)
		require.NoError(t, err)
		v.block = new(wire.MsgBlock)
		require.NoError(t, v.block.Deserialize(bytes.NewReader(b)))
		for _, s := range scripts {
			sb, err := hex.DecodeString(s)
			require.NoError(t, err)
			v.prevScripts = append(v.prevScripts, sb)
		}
		out = append(out, v)
	}
	return out
}

// TestBIP158VectorsBuildAndMatch checks, for each BIP158 testnet vector,
// that btcd's gcs builder reproduces the filter and header, that ParseFilter
// and Filter.Header agree, and that the filter matches every script BIP158
// puts in it and not an unrelated one.
func TestBIP158VectorsBuildAndMatch(t *testing.T) {
	vectors := loadBIP158(t)
	require.Len(t, vectors, 10)
	for _, v := range vectors {
		t.Run(fmt.Sprintf("height %d %s", v.height, v.note), func(t *testing.T) {
			require.Equal(t, v.hash, v.block.BlockHash().String(), "block %d decodes to its hash", v.height)

			built, err := builder.BuildBasicFilter(v.block, v.prevScripts)
			require.NoError(t, err)
			nb, err := built.NBytes()
			require.NoError(t, err)
			require.Equal(t, v.filter, hex.EncodeToString(nb), "btcd's builder reproduces the filter")
			prev, err := chainhash.NewHashFromStr(v.prevHeader)
			require.NoError(t, err)
			hdr, err := builder.MakeHeaderForFilter(built, *prev)
			require.NoError(t, err)
			require.Equal(t, v.header, hdr.String())

			f, err := ParseFilter(v.hash, v.filter)
			require.NoError(t, err)
			got, err := f.Header(v.prevHeader)
			require.NoError(t, err)
			require.Equal(t, v.header, got)

			// Every output script except OP_RETURN ones and empty ones, and
			// every non-empty spent script, is in the filter (BIP158).
			var members [][]byte
			for _, tx := range v.block.Transactions {
				for _, o := range tx.TxOut {
					if len(o.PkScript) > 0 && o.PkScript[0] != txscript.OP_RETURN {
						members = append(members, o.PkScript)
					}
				}
			}
			for _, s := range v.prevScripts {
				if len(s) > 0 {
					members = append(members, s)
				}
			}
			require.Equal(t, len(members) == 0, f.N() == 0)
			for _, m := range members {
				ok, err := f.MatchAny([][]byte{m})
				require.NoError(t, err)
				require.True(t, ok, "script %x", m)
			}
			ok, err := f.MatchAny([][]byte{externalScript, {0x51}})
			require.NoError(t, err)
			require.False(t, ok)
			ok, err = f.MatchAny(nil)
			require.NoError(t, err)
			require.False(t, ok)
		})
	}
}

func TestParseFilterRejectsBadInput(t *testing.T) {
	good := "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943"
	for _, tc := range []struct {
		name, hash, filter, err string
	}{
		{"short hash", "00", "00", "not 64 hex"},
		{"filter not hex", good, "zz", "not hex"},
		{"empty filter", good, "", "not hex"},
		{"N larger than the data", good, "fd0010ff", "claiming 4096 elements in 4 bytes"},
		{"truncated N", good, "fd", "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFilter(tc.hash, tc.filter)
			require.ErrorContains(t, err, tc.err)
		})
	}
	f, err := ParseFilter(good, "019dfca8")
	require.NoError(t, err)
	_, err = f.Header("xyz")
	require.ErrorContains(t, err, "not 64 hex")
}

// FuzzParseFilter feeds node-supplied filter bytes to ParseFilter and
// MatchAny: errors are fine, panics are not.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"019dfca8", "0db414c859a07e8205876354a210a75042d0463404913d61a8e068e58a3ae2aa080026", "00", "fd0001"} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	hash := "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943"
	f.Fuzz(func(t *testing.T, data []byte) {
		flt, err := ParseFilter(hash, hex.EncodeToString(data))
		if err != nil {
			return
		}
		_, _ = flt.MatchAny([][]byte{externalScript, {0x51}, {}})
		_, _ = flt.Header(hash)
	})
}
