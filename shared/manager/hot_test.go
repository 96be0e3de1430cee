package manager

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/store"
)

const hotPassword = "correct horse battery"

func TestHotDeviceCreateUnlockAndWrongPassword(t *testing.T) {
	ctx := context.Background()
	v := loadVectors(t)
	st := store.NewMemory()
	e := openEngine(t, st)

	d, shown, err := e.CreateHotDevice(ctx, "Browser key", "  Abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon ABOUT ", "", hotPassword, network.Main)
	require.NoError(t, err)
	require.Equal(t, "", shown)
	require.Equal(t, "browser_key", d.ID)
	require.Equal(t, TypeHot, d.Type)
	require.Len(t, d.Keys, 6)
	var st84 []string
	for _, k := range d.Keys {
		require.Equal(t, v.Hot.Fingerprint, k.Origin.Fingerprint.String())
		if k.ScriptHint == keys.ScriptWPKH {
			st84 = append(st84, k.Origin.Path.StringApostrophe(), k.Xpub)
		}
	}
	require.Equal(t, []string{"84'/0'/0'", v.Hot.BIP84Xpub}, st84)
	require.Equal(t, 1, d.Seed.Version)
	require.Equal(t, "scrypt", d.Seed.KDF)
	require.Equal(t, []int{1 << 10, 8, 1}, []int{d.Seed.N, d.Seed.R, d.Seed.P})
	require.Len(t, d.Seed.Salt, 16)
	require.Len(t, d.Seed.Nonce, 12)

	// Neither the mnemonic nor the password is anywhere in the store.
	for _, recs := range snapshot(t, st) {
		for _, r := range recs {
			for _, secret := range []string{"abandon", "about", hotPassword} {
				require.False(t, bytes.Contains(bytes.ToLower(r.Value), []byte(secret)), "record %s holds %q", r.Key, secret)
			}
		}
	}

	// A reopened engine unlocks it; a wrong password is a typed error.
	e2 := openEngine(t, st)
	master, err := e2.UnlockHotDevice(ctx, d.ID, hotPassword)
	require.NoError(t, err)
	fp, err := keys.MasterFingerprint(master)
	require.NoError(t, err)
	require.Equal(t, v.Hot.Fingerprint, fp.String())
	require.True(t, master.IsPrivate())

	for _, tc := range []struct {
		name, id, password string
		target             error
		msg                string
	}{
		{"wrong password", d.ID, "correct horse battery!", ErrWrongPassword, "the password does not unlock this hot device (check the password (it is case-sensitive) and try again)"},
		{"empty password", d.ID, "", ErrWrongPassword, "the password does not unlock this hot device (check the password (it is case-sensitive) and try again)"},
		{"unknown device", "nope", hotPassword, ErrNotFound, `no device with id "nope" (reload the list: it may have been deleted)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e2.UnlockHotDevice(ctx, tc.id, tc.password)
			require.ErrorIs(t, err, tc.target)
			require.EqualError(t, err, tc.msg)
		})
	}

	hw := addDevice(t, e2, "Hardware", TypeOther, keyA)
	_, err = e2.UnlockHotDevice(ctx, hw.ID, hotPassword)
	require.EqualError(t, err, `device "Hardware" is not a hot device (sign with the hardware device itself)`)
	_, err = e2.AddDeviceKeys(ctx, d.ID, mustKeys(t, keyA))
	require.EqualError(t, err, "keys of a hot device come from its seed (create another hot device for another seed)")
}

func TestHotDeviceTamperedEnvelopeDoesNotDecrypt(t *testing.T) {
	ctx := context.Background()
	v := loadVectors(t)
	e := openEngine(t, store.NewMemory())
	d, _, err := e.CreateHotDevice(ctx, "Hot", v.Hot.Mnemonic, "", hotPassword, network.Test)
	require.NoError(t, err)
	for _, tc := range []struct {
		name   string
		change func(s *SeedEnvelope)
		target error
	}{
		{"network in the header changed", func(s *SeedEnvelope) { s.Network = network.Main }, ErrWrongPassword},
		{"cost in the header changed", func(s *SeedEnvelope) { s.N = 1 << 11 }, ErrWrongPassword},
		{"ciphertext flipped", func(s *SeedEnvelope) { s.Ciphertext[0] ^= 1 }, ErrWrongPassword},
		{"salt truncated", func(s *SeedEnvelope) { s.Salt = s.Salt[:8] }, ErrInvalid},
		{"cost too small", func(s *SeedEnvelope) { s.N = 16 }, ErrInvalid},
		{"unknown version", func(s *SeedEnvelope) { s.Version = 2 }, ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := *d.Seed
			env.Salt = bytes.Clone(env.Salt)
			env.Ciphertext = bytes.Clone(env.Ciphertext)
			tc.change(&env)
			_, err := env.open(GoAESGCM{}, hotPassword)
			require.ErrorIs(t, err, tc.target)
		})
	}
	plain, err := d.Seed.open(GoAESGCM{}, hotPassword)
	require.NoError(t, err)
	require.Equal(t, v.Hot.Mnemonic, plain.Mnemonic)
}

func TestCreateHotDeviceGeneratesAndShowsANewMnemonicOnce(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t, store.NewMemory())
	d, shown, err := e.CreateHotDevice(ctx, "Fresh", "", "extra words", hotPassword, network.Signet)
	require.NoError(t, err)
	require.Len(t, strings.Fields(shown), 12)
	require.NoError(t, keys.ValidateMnemonic(shown))
	master, err := keys.MasterFromMnemonic(shown, "extra words", network.Signet)
	require.NoError(t, err)
	accts, err := keys.StandardAccounts(master, network.Signet, 0)
	require.NoError(t, err)
	for i, a := range accts {
		require.Equal(t, a.Xpub, d.Keys[i].Xpub)
		require.True(t, strings.HasPrefix(a.Xpub, "tpub"))
	}
	again, err := e.Device(d.ID)
	require.NoError(t, err)
	raw, err := e.ExportAll()
	require.NoError(t, err)
	require.NotContains(t, string(raw), shown)
	require.NotContains(t, string(raw), strings.Fields(shown)[0]+" "+strings.Fields(shown)[1])
	require.Equal(t, d, again)
}

func TestCreateHotDeviceRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t, store.NewMemory())
	_, _, err := e.CreateHotDevice(ctx, "Taken", "", "", hotPassword, network.Main)
	require.NoError(t, err)
	for _, tc := range []struct {
		name, dev, mnemonic, password string
		net                           network.Network
		msg                           string
	}{
		{"short password", "x", "", "1234567", network.Main, "the password is shorter than 8 characters (choose a longer password: it protects the seed stored in this browser)"},
		{"bad checksum", "x", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon", hotPassword, network.Main, "the mnemonic is not a valid BIP39 mnemonic"},
		{"unknown word", "x", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abuot", hotPassword, network.Main, "the mnemonic is not a valid BIP39 mnemonic"},
		{"name taken", "TAKEN", "", hotPassword, network.Main, `a device named "Taken" already exists (choose another name)`},
		{"no name", "", "", hotPassword, network.Main, "the device name is empty (give the device a name)"},
		{"unknown network", "x", "", hotPassword, "mars", "unknown network"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, shown, err := e.CreateHotDevice(ctx, tc.dev, tc.mnemonic, "", tc.password, tc.net)
			require.Error(t, err)
			require.True(t, strings.HasPrefix(err.Error(), tc.msg), err.Error())
			require.Equal(t, "", shown)
			require.Len(t, e.Devices(), 1)
		})
	}
}

func TestOpenRefusesAWeakOrOddScryptCost(t *testing.T) {
	for _, n := range []int{512, 3000, 1 << 21} {
		_, err := Open(context.Background(), store.NewMemory(), Options{ScryptN: n})
		require.ErrorIs(t, err, ErrInvalid)
	}
	e, err := Open(context.Background(), store.NewMemory(), Options{})
	require.NoError(t, err)
	require.Equal(t, DefaultScryptN, e.scryptN)
}
