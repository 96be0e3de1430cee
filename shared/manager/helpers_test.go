package manager

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/store"
)

// testClock is a fixed time so stored records are reproducible.
var testClock = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func testOptions() Options {
	return Options{ScryptN: 1 << 10, Now: func() time.Time { return testClock }}
}

func openEngine(t testing.TB, st store.Store) *Engine {
	t.Helper()
	e, err := Open(context.Background(), st, testOptions())
	require.NoError(t, err)
	return e
}

// failingStore wraps a Store and fails every Apply while fail is set.
type failingStore struct {
	store.Store
	mu   sync.Mutex
	fail bool
}

var errDiskFull = errors.New("quota exceeded")

func (f *failingStore) setFail(v bool) { f.mu.Lock(); f.fail = v; f.mu.Unlock() }

func (f *failingStore) Apply(ctx context.Context, ops ...store.Op) error {
	f.mu.Lock()
	fail := f.fail
	f.mu.Unlock()
	if fail {
		return errDiskFull
	}
	return f.Store.Apply(ctx, ops...)
}

// snapshot returns every record of every collection.
func snapshot(t testing.TB, st store.Store) map[string][]store.Record {
	t.Helper()
	out := map[string][]store.Record{}
	for _, c := range store.Collections {
		recs, err := st.List(context.Background(), c)
		require.NoError(t, err)
		out[c] = recs
	}
	return out
}

type bip129Vectors struct {
	WSH []struct {
		Name         string   `json:"name"`
		M            int      `json:"m"`
		Keys         []string `json:"keys"`
		FirstAddress string   `json:"first_address"`
	} `json:"wsh_sortedmulti"`
	Import []struct {
		Name         string `json:"name"`
		Descriptor   string `json:"descriptor"`
		FirstAddress string `json:"first_address"`
	} `json:"import"`
	Hot struct {
		Mnemonic          string `json:"mnemonic"`
		Fingerprint       string `json:"fingerprint"`
		BIP84Xpub         string `json:"bip84_xpub"`
		BIP84FirstAddress string `json:"bip84_first_address"`
	} `json:"hot"`
}

func loadVectors(t testing.TB) bip129Vectors {
	t.Helper()
	raw, err := os.ReadFile("testdata/bip129.json")
	require.NoError(t, err)
	var v bip129Vectors
	require.NoError(t, json.Unmarshal(raw, &v))
	return v
}

// keyAt derives the public key at path from a master made of seedByte
// repeated, and returns it as a "[fp/path]xpub" line.
func keyAt(t testing.TB, seedByte byte, params *chaincfg.Params, path string) string {
	t.Helper()
	m, err := hdkeychain.NewMaster([]byte(strings.Repeat(string([]byte{seedByte}), 32)), params)
	require.NoError(t, err)
	fp, err := keys.MasterFingerprint(m)
	require.NoError(t, err)
	p, err := keys.ParsePath(path)
	require.NoError(t, err)
	k := m
	for _, s := range p {
		k, err = k.Derive(s)
		require.NoError(t, err)
	}
	pub, err := k.Neuter()
	require.NoError(t, err)
	return "[" + fp.String() + "/" + p.StringApostrophe() + "]" + pub.String()
}

// addDevice adds a device from key-expression text through KeysFromExport.
func addDevice(t testing.TB, e *Engine, name string, typ DeviceType, text string) Device {
	t.Helper()
	ks, err := KeysFromExport([]byte(text))
	require.NoError(t, err)
	d, err := e.AddDevice(context.Background(), Device{Name: name, Type: typ, Keys: ks})
	require.NoError(t, err)
	return d
}

// wshSortedMultiAddress computes a P2WSH sortedmulti address with btcd
// alone (BIP32 CKDpub, BIP67 key order, BIP141 witness program), as an
// independent check of the descriptor engine.
func wshSortedMultiAddress(t testing.TB, m int, xpubs []string, branch, index uint32, params *chaincfg.Params) string {
	t.Helper()
	var pubs [][]byte
	for _, x := range xpubs {
		k, err := hdkeychain.NewKeyFromString(x)
		require.NoError(t, err)
		for _, s := range []uint32{branch, index} {
			k, err = k.Derive(s)
			require.NoError(t, err)
		}
		pk, err := k.ECPubKey()
		require.NoError(t, err)
		pubs = append(pubs, pk.SerializeCompressed())
	}
	sort.Slice(pubs, func(i, j int) bool { return string(pubs[i]) < string(pubs[j]) })
	b := txscript.NewScriptBuilder().AddInt64(int64(m))
	for _, p := range pubs {
		b.AddData(p)
	}
	script, err := b.AddInt64(int64(len(pubs))).AddOp(txscript.OP_CHECKMULTISIG).Script()
	require.NoError(t, err)
	h := chainhashSHA256(script)
	a, err := btcutil.NewAddressWitnessScriptHash(h[:], params)
	require.NoError(t, err)
	return a.EncodeAddress()
}

func chainhashSHA256(b []byte) [32]byte { return sha256.Sum256(b) }

var chaincfgMain = chaincfg.MainNetParams
