//go:build js && wasm

package webcrypto

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"syscall/js"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/store"
	"github.com/specterpwa/specter/wasm/idb"
)

// gcmSpec is testdata/gcm-spec-aes256.json: the AES-256 test cases 13-18 of
// McGrew and Viega's GCM specification.
//
//go:embed testdata/gcm-spec-aes256.json
var gcmSpec []byte

// oldHotDeviceJSON is testdata/hot-device-v1.json: a hot device record
// written by the engine before SeedCipher existed (Go's AES-GCM).
//
//go:embed testdata/hot-device-v1.json
var oldHotDeviceJSON []byte

type gcmVector struct {
	Name       string `json:"name"`
	Key        string `json:"key"`
	IV         string `json:"iv"`
	Plaintext  string `json:"plaintext"`
	AAD        string `json:"aad"`
	Ciphertext string `json:"ciphertext"`
	Tag        string `json:"tag"`
	Refused    string `json:"refused"`
}

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// ciphers are the two implementations that must agree byte for byte.
func ciphers() []struct {
	name string
	c    manager.SeedCipher
} {
	return []struct {
		name string
		c    manager.SeedCipher
	}{{"WebCrypto", New()}, {"Go", manager.GoAESGCM{}}}
}

func TestGCMSpecVectorsSealAndOpenIdenticallyInWebCryptoAndGo(t *testing.T) {
	var doc struct {
		Vectors []gcmVector `json:"vectors"`
	}
	require.NoError(t, json.Unmarshal(gcmSpec, &doc))
	require.Len(t, doc.Vectors, 6)
	require.True(t, New().Available(), "headless Chromium serves the test page from a secure context")
	for _, v := range doc.Vectors {
		key, iv, pt, aad := unhex(t, v.Key), unhex(t, v.IV), unhex(t, v.Plaintext), unhex(t, v.AAD)
		want := unhex(t, v.Ciphertext+v.Tag)
		for _, c := range ciphers() {
			t.Run(v.Name+"/"+c.name, func(t *testing.T) {
				sealed, err := c.c.Seal(key, iv, pt, aad)
				if v.Refused != "" {
					require.EqualError(t, err, v.Refused)
					_, err = c.c.Open(key, iv, want, aad)
					require.EqualError(t, err, v.Refused)
					return
				}
				require.NoError(t, err)
				require.Equal(t, hex.EncodeToString(want), hex.EncodeToString(sealed))
				opened, err := c.c.Open(key, iv, want, aad)
				require.NoError(t, err)
				require.Equal(t, hex.EncodeToString(pt), hex.EncodeToString(opened))
			})
		}
	}
}

func TestRandomInputsSealedByOneOpenWithTheOtherToTheSameBytes(t *testing.T) {
	rng := rand.New(rand.NewChaCha8([32]byte{'s', 'p', 'e', 'c', 't', 'e', 'r'}))
	fill := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	wc, g := New(), manager.GoAESGCM{}
	for _, tc := range []struct {
		name         string
		ptLen, adLen int
	}{
		{"empty plaintext and no additional data", 0, 0},
		{"one byte", 1, 0},
		{"one byte short of a block, with a header", 15, 57},
		{"one block", 16, 16},
		{"one byte over a block", 17, 1},
		{"a hot seed's size", 180, 57},
		{"4 KiB with a long header", 4096, 1000},
		{"70000 bytes", 70000, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, nonce, pt, ad := fill(32), fill(12), fill(tc.ptLen), fill(tc.adLen)
			fromWC, err := wc.Seal(key, nonce, pt, ad)
			require.NoError(t, err)
			fromGo, err := g.Seal(key, nonce, pt, ad)
			require.NoError(t, err)
			require.Len(t, fromWC, tc.ptLen+manager.SeedTagSize)
			require.True(t, bytes.Equal(fromGo, fromWC), "WebCrypto and Go wrote different bytes")

			byGo, err := g.Open(key, nonce, fromWC, ad)
			require.NoError(t, err)
			require.True(t, bytes.Equal(pt, byGo), "Go opened WebCrypto's ciphertext to other bytes")
			byWC, err := wc.Open(key, nonce, fromGo, ad)
			require.NoError(t, err)
			require.True(t, bytes.Equal(pt, byWC), "WebCrypto opened Go's ciphertext to other bytes")
		})
	}
}

func TestTamperedCiphertextTagKeyNonceOrAdditionalDataFailInBoth(t *testing.T) {
	key := bytes.Repeat([]byte{0x42}, 32)
	nonce := []byte("twelve bytes")
	ad := []byte("specter-pwa hot seed v1 scrypt N=1024 r=8 p=1 net=main")
	sealed, err := manager.GoAESGCM{}.Seal(key, nonce, []byte(`{"mnemonic":"abandon ... about","passphrase":""}`), ad)
	require.NoError(t, err)
	flip := func(b []byte, i int) []byte {
		c := bytes.Clone(b)
		c[(i+len(c))%len(c)] ^= 0x01
		return c
	}
	for _, tc := range []struct {
		name             string
		key, nonce, data []byte
		ad               []byte
	}{
		{"first ciphertext byte flipped", key, nonce, flip(sealed, 0), ad},
		{"last ciphertext byte flipped", key, nonce, flip(sealed, -17), ad},
		{"first tag byte flipped", key, nonce, flip(sealed, -16), ad},
		{"last tag byte flipped", key, nonce, flip(sealed, -1), ad},
		{"tag cut off", key, nonce, sealed[:len(sealed)-16], ad},
		{"shorter than a tag", key, nonce, sealed[:15], ad},
		{"empty", key, nonce, nil, ad},
		{"network in the header changed", key, nonce, sealed, bytes.Replace(ad, []byte("net=main"), []byte("net=test"), 1)},
		{"header dropped", key, nonce, sealed, nil},
		{"nonce changed", key, flip(nonce, 11), sealed, ad},
		{"wrong key (a wrong password)", flip(key, 0), nonce, sealed, ad},
	} {
		for _, c := range ciphers() {
			t.Run(tc.name+"/"+c.name, func(t *testing.T) {
				pt, err := c.c.Open(tc.key, tc.nonce, tc.data, tc.ad)
				require.Nil(t, pt)
				require.ErrorIs(t, err, manager.ErrSeedAuthentication)
				if c.name == "WebCrypto" {
					var de *DOMError
					require.ErrorAs(t, err, &de)
					require.Equal(t, "decrypt", de.Op)
					require.Equal(t, "OperationError", de.Name)
				} else {
					require.EqualError(t, err, "the encrypted seed does not authenticate under this key")
				}
			})
		}
	}
	// Untampered, both open it.
	for _, c := range ciphers() {
		pt, err := c.c.Open(key, nonce, sealed, ad)
		require.NoError(t, err, c.name)
		require.Equal(t, `{"mnemonic":"abandon ... about","passphrase":""}`, string(pt), c.name)
	}
}

func TestKeyAndNonceSizesOtherThanAES256With96BitNonceAreRefusedLikeGo(t *testing.T) {
	for _, tc := range []struct {
		name       string
		key, nonce []byte
		want       string
	}{
		{"AES-128 key", make([]byte, 16), make([]byte, 12), "the AES-256-GCM key is 16 bytes, not 32"},
		{"AES-192 key", make([]byte, 24), make([]byte, 12), "the AES-256-GCM key is 24 bytes, not 32"},
		{"no key", nil, make([]byte, 12), "the AES-256-GCM key is 0 bytes, not 32"},
		{"16-byte nonce", make([]byte, 32), make([]byte, 16), "the AES-GCM nonce is 16 bytes, not 12"},
	} {
		for _, c := range ciphers() {
			t.Run(tc.name+"/"+c.name, func(t *testing.T) {
				_, err := c.c.Seal(tc.key, tc.nonce, []byte("x"), nil)
				require.EqualError(t, err, tc.want)
				_, err = c.c.Open(tc.key, tc.nonce, make([]byte, 17), nil)
				require.EqualError(t, err, tc.want)
			})
		}
	}
}

func TestWithoutCryptoSubtleEveryCallSaysWhyAndWhatToDo(t *testing.T) {
	for _, tc := range []struct {
		name   string
		global map[string]any
	}{
		{"no crypto at all", map[string]any{}},
		{"crypto without subtle (an insecure context)", map[string]any{"crypto": map[string]any{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newWith(js.ValueOf(tc.global))
			require.False(t, c.Available())
			_, err := c.Seal(make([]byte, 32), make([]byte, 12), []byte("x"), nil)
			require.ErrorIs(t, err, ErrUnavailable)
			require.EqualError(t, err, "the browser's WebCrypto (crypto.subtle) is not available, so the hot device seed cannot be encrypted or decrypted: open the app over https or at localhost")
			_, err = c.Open(make([]byte, 32), make([]byte, 12), make([]byte, 17), nil)
			require.ErrorIs(t, err, ErrUnavailable)
			require.NotErrorIs(t, err, manager.ErrSeedAuthentication)
		})
	}
}

// oldHotDevice is the content of testdata/hot-device-v1.json.
type oldHotDevice struct {
	Password        string          `json:"password"`
	Mnemonic        string          `json:"mnemonic"`
	BIP39Passphrase string          `json:"bip39_passphrase"`
	Xprv            string          `json:"xprv"`
	ID              string          `json:"id"`
	Record          json.RawMessage `json:"record"`
}

func TestHotSeedsCrossBetweenGoAndWebCryptoEnginesInIndexedDB(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var o oldHotDevice
	require.NoError(t, json.Unmarshal(oldHotDeviceJSON, &o))
	const name = "test-webcrypto-hot-seeds"
	require.NoError(t, idb.Delete(ctx, name))
	defer func() { require.NoError(t, idb.Delete(context.Background(), name)) }()
	opts := func(c manager.SeedCipher) manager.Options {
		return manager.Options{ScryptN: 1 << 10, SeedCipher: c}
	}

	// The record the old Go code wrote, stored in IndexedDB, opens with an
	// engine that uses WebCrypto.
	db, err := idb.Open(ctx, name)
	require.NoError(t, err)
	require.NoError(t, db.Apply(ctx, store.Put(store.Devices, o.ID, o.Record)))
	e, err := manager.Open(ctx, db, opts(New()))
	require.NoError(t, err)
	master, err := e.UnlockHotDevice(ctx, o.ID, o.Password)
	require.NoError(t, err)
	require.Equal(t, o.Xprv, master.String())

	// A wrong password keeps its message.
	for _, pw := range []string{o.Password + "!", "Correct horse battery", ""} {
		_, err = e.UnlockHotDevice(ctx, o.ID, pw)
		require.ErrorIs(t, err, manager.ErrWrongPassword, pw)
		require.EqualError(t, err, "the password does not unlock this hot device (check the password (it is case-sensitive) and try again)", pw)
	}

	// A seed sealed by WebCrypto opens, after a reload, with Go's AES-GCM
	// (a backup taken in the browser and restored natively) and with
	// WebCrypto again.
	d, _, err := e.CreateHotDevice(ctx, "Browser key", o.Mnemonic, o.BIP39Passphrase, o.Password, network.Main)
	require.NoError(t, err)
	db.Close()

	db2, err := idb.Open(ctx, name)
	require.NoError(t, err)
	defer db2.Close()
	for _, c := range ciphers() {
		e2, err := manager.Open(ctx, db2, opts(c.c))
		require.NoError(t, err, c.name)
		for _, id := range []string{o.ID, d.ID} {
			master, err := e2.UnlockHotDevice(ctx, id, o.Password)
			require.NoError(t, err, c.name+" "+id)
			require.Equal(t, o.Xprv, master.String(), c.name+" "+id)
			_, err = e2.UnlockHotDevice(ctx, id, "not the password")
			require.True(t, errors.Is(err, manager.ErrWrongPassword), c.name+" "+id)
		}
	}
}
