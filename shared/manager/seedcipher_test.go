package manager

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/store"
)

// oldHotDevice is testdata/hot-device-v1.json: a record written by the code
// before SeedCipher existed.
type oldHotDevice struct {
	Password        string          `json:"password"`
	Mnemonic        string          `json:"mnemonic"`
	BIP39Passphrase string          `json:"bip39_passphrase"`
	Xprv            string          `json:"xprv"`
	ID              string          `json:"id"`
	Record          json.RawMessage `json:"record"`
}

func loadOldHotDevice(t *testing.T) oldHotDevice {
	t.Helper()
	raw, err := os.ReadFile("testdata/hot-device-v1.json")
	require.NoError(t, err)
	var o oldHotDevice
	require.NoError(t, json.Unmarshal(raw, &o))
	return o
}

// recordingCipher wraps GoAESGCM and records what the engine passes.
type recordingCipher struct {
	seals, opens int
	keys, nonces [][]byte
	ad           [][]byte
}

func (r *recordingCipher) Seal(key, nonce, plaintext, ad []byte) ([]byte, error) {
	r.seals++
	r.keys, r.nonces, r.ad = append(r.keys, bytes.Clone(key)), append(r.nonces, bytes.Clone(nonce)), append(r.ad, bytes.Clone(ad))
	return GoAESGCM{}.Seal(key, nonce, plaintext, ad)
}

func (r *recordingCipher) Open(key, nonce, ciphertext, ad []byte) ([]byte, error) {
	r.opens++
	r.keys, r.nonces, r.ad = append(r.keys, bytes.Clone(key)), append(r.nonces, bytes.Clone(nonce)), append(r.ad, bytes.Clone(ad))
	return GoAESGCM{}.Open(key, nonce, ciphertext, ad)
}

// brokenCipher fails as a browser without WebCrypto would.
type brokenCipher struct{ err error }

func (b brokenCipher) Seal(_, _, _, _ []byte) ([]byte, error) { return nil, b.err }
func (b brokenCipher) Open(_, _, _, _ []byte) ([]byte, error) { return nil, b.err }

func TestOldHotDeviceRecordOpensWithTheDefaultAndACustomSeedCipher(t *testing.T) {
	ctx := context.Background()
	o := loadOldHotDevice(t)
	for _, tc := range []struct {
		name   string
		cipher SeedCipher
	}{
		{"default (nil) cipher", nil},
		{"GoAESGCM set explicitly", GoAESGCM{}},
		{"a recording cipher", &recordingCipher{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := store.NewMemory()
			require.NoError(t, st.Apply(ctx, store.Put(store.Devices, o.ID, o.Record)))
			opts := testOptions()
			opts.SeedCipher = tc.cipher
			e, err := Open(ctx, st, opts)
			require.NoError(t, err)
			master, err := e.UnlockHotDevice(ctx, o.ID, o.Password)
			require.NoError(t, err)
			require.Equal(t, o.Xprv, master.String())
			_, err = e.UnlockHotDevice(ctx, o.ID, o.Password+"!")
			require.ErrorIs(t, err, ErrWrongPassword)
			require.EqualError(t, err, "the password does not unlock this hot device (check the password (it is case-sensitive) and try again)")
			// The record is not rewritten by unlocking.
			after, err := st.Get(ctx, store.Devices, o.ID)
			require.NoError(t, err)
			require.JSONEq(t, string(o.Record), string(after))
		})
	}
}

func TestEngineSealsAndOpensHotSeedsThroughOptionsSeedCipher(t *testing.T) {
	ctx := context.Background()
	o := loadOldHotDevice(t)
	rec := &recordingCipher{}
	st := store.NewMemory()
	opts := testOptions()
	opts.SeedCipher = rec
	e, err := Open(ctx, st, opts)
	require.NoError(t, err)

	d, _, err := e.CreateHotDevice(ctx, "Hot", o.Mnemonic, o.BIP39Passphrase, o.Password, network.Main)
	require.NoError(t, err)
	require.Equal(t, 1, rec.seals)
	require.Equal(t, 0, rec.opens)
	require.Len(t, rec.keys[0], SeedKeySize)
	require.Equal(t, d.Seed.Nonce, rec.nonces[0])
	require.Equal(t, "specter-pwa hot seed v1 scrypt N=1024 r=8 p=1 net=main", string(rec.ad[0]))

	_, err = e.UnlockHotDevice(ctx, d.ID, o.Password)
	require.NoError(t, err)
	require.Equal(t, 1, rec.opens)
	require.Equal(t, rec.keys[0], rec.keys[1], "the same password and salt give the same key")

	// What the custom cipher sealed opens with the default one: same bytes.
	e2 := openEngine(t, st)
	master, err := e2.UnlockHotDevice(ctx, d.ID, o.Password)
	require.NoError(t, err)
	require.Equal(t, o.Xprv, master.String())
}

func TestSeedCipherFailureIsNotReportedAsAWrongPassword(t *testing.T) {
	ctx := context.Background()
	o := loadOldHotDevice(t)
	st := store.NewMemory()
	require.NoError(t, st.Apply(ctx, store.Put(store.Devices, o.ID, o.Record)))
	opts := testOptions()
	opts.SeedCipher = brokenCipher{err: errors.New("WebCrypto is not available")}
	e, err := Open(ctx, st, opts)
	require.NoError(t, err)

	_, err = e.UnlockHotDevice(ctx, o.ID, o.Password)
	require.EqualError(t, err, "decrypting the hot device seed: WebCrypto is not available")
	require.NotErrorIs(t, err, ErrWrongPassword)

	_, _, err = e.CreateHotDevice(ctx, "New", o.Mnemonic, "", o.Password, network.Main)
	require.EqualError(t, err, "encrypting the seed: WebCrypto is not available")
	recs, err := st.List(ctx, store.Devices)
	require.NoError(t, err)
	require.Len(t, recs, 1, "nothing is stored when sealing fails")

	// A cipher that reports an authentication failure (wrapped) gives the
	// wrong-password error.
	opts.SeedCipher = brokenCipher{err: errors.Join(errors.New("OperationError"), ErrSeedAuthentication)}
	e, err = Open(ctx, st, opts)
	require.NoError(t, err)
	_, err = e.UnlockHotDevice(ctx, o.ID, o.Password)
	require.ErrorIs(t, err, ErrWrongPassword)
	require.EqualError(t, err, "the password does not unlock this hot device (check the password (it is case-sensitive) and try again)")
}

func TestGoAESGCMRefusesOtherSizesAndTamperedInput(t *testing.T) {
	key, nonce := bytes.Repeat([]byte{7}, SeedKeySize), bytes.Repeat([]byte{9}, SeedNonceSize)
	sealed, err := GoAESGCM{}.Seal(key, nonce, []byte("seed words"), []byte("header"))
	require.NoError(t, err)
	require.Len(t, sealed, len("seed words")+SeedTagSize)
	pt, err := GoAESGCM{}.Open(key, nonce, sealed, []byte("header"))
	require.NoError(t, err)
	require.Equal(t, "seed words", string(pt))

	flip := func(b []byte, i int) []byte { c := bytes.Clone(b); c[i] ^= 1; return c }
	for _, tc := range []struct {
		name                 string
		key, nonce, data, ad []byte
		want                 string
		auth                 bool
	}{
		{"AES-128 key refused", key[:16], nonce, sealed, []byte("header"), "the AES-256-GCM key is 16 bytes, not 32", false},
		{"64-bit nonce refused", key, nonce[:8], sealed, []byte("header"), "the AES-GCM nonce is 8 bytes, not 12", false},
		{"ciphertext flipped", key, nonce, flip(sealed, 0), []byte("header"), ErrSeedAuthentication.Error(), true},
		{"tag flipped", key, nonce, flip(sealed, len(sealed)-1), []byte("header"), ErrSeedAuthentication.Error(), true},
		{"additional data changed", key, nonce, sealed, []byte("headers"), ErrSeedAuthentication.Error(), true},
		{"wrong key", flip(key, 31), nonce, sealed, []byte("header"), ErrSeedAuthentication.Error(), true},
		{"shorter than a tag", key, nonce, sealed[:SeedTagSize-1], []byte("header"), ErrSeedAuthentication.Error(), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := GoAESGCM{}.Open(tc.key, tc.nonce, tc.data, tc.ad)
			require.EqualError(t, err, tc.want)
			require.Equal(t, tc.auth, errors.Is(err, ErrSeedAuthentication))
		})
	}
	_, err = GoAESGCM{}.Seal(key[:24], nonce, nil, nil)
	require.EqualError(t, err, "the AES-256-GCM key is 24 bytes, not 32")
}
