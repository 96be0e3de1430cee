package psbt

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/stretchr/testify/require"
)

type rolesFile struct {
	Signer []struct {
		Privkeys  []string
		PSBT      string
		Result    string
		Unchanged bool
	}
	Combiner []struct {
		Combine []string
		Result  string
	}
	Finalizer []struct {
		Finalize string
		Result   string
	}
	Extractor []struct {
		Extract string
		Result  string
	}
}

func loadRoles(t *testing.T) rolesFile {
	var f rolesFile
	loadJSON(t, "rpc_psbt_roles.json", &f)
	return f
}

func b64(t *testing.T, p *Packet) string {
	s, err := EncodeBase64(p)
	require.NoError(t, err)
	return s
}

// canonical re-serialises a PSBT through btcutil/psbt, which orders
// partial signatures by public key where Core orders them by key hash:
// BIP174 leaves the order of keys free, so both are the same PSBT.
func canonical(t *testing.T, s string) string {
	p, err := DecodeBase64(s)
	require.NoError(t, err)
	return b64(t, p)
}

// TestBIP174SignerVectors: SignWithKeys gives byte for byte Core's signed
// PSBTs, and refuses (changing nothing) the PSBTs a signer must not sign.
func TestBIP174SignerVectors(t *testing.T) {
	for i, v := range loadRoles(t).Signer {
		var privs []*btcec.PrivateKey
		for _, w := range v.Privkeys {
			wif, err := btcutil.DecodeWIF(w)
			require.NoError(t, err)
			privs = append(privs, wif.PrivKey)
		}
		p, err := DecodeBase64(v.PSBT)
		require.NoError(t, err, "signer vector %d", i)
		res, err := SignWithKeys(p, privs)
		if v.Unchanged {
			require.Zero(t, res.Signatures, "signer vector %d must not be signed", i)
			require.Equal(t, v.PSBT, b64(t, p), "signer vector %d", i)
			t.Logf("signer vector %d refused: %v", i, err)
			continue
		}
		require.NoError(t, err, "signer vector %d", i)
		require.Equal(t, 2, res.Signatures, "signer vector %d", i)
		require.Equal(t, canonical(t, v.Result), b64(t, p), "signer vector %d", i)
	}
}

func TestBIP174CombinerVector(t *testing.T) {
	for _, v := range loadRoles(t).Combiner {
		var ps []*Packet
		for _, s := range v.Combine {
			p, err := DecodeBase64(s)
			require.NoError(t, err)
			ps = append(ps, p)
		}
		out, err := Combine(ps...)
		require.NoError(t, err)
		require.Equal(t, canonical(t, v.Result), b64(t, out))
	}
}

func TestBIP174FinalizerVector(t *testing.T) {
	for _, v := range loadRoles(t).Finalizer {
		p, err := DecodeBase64(v.Finalize)
		require.NoError(t, err)
		n, err := Finalize(p)
		require.NoError(t, err)
		require.Equal(t, 2, n)
		require.Equal(t, v.Result, b64(t, p))
	}
}

func TestBIP174ExtractorVector(t *testing.T) {
	for _, v := range loadRoles(t).Extractor {
		p, err := DecodeBase64(v.Extract)
		require.NoError(t, err)
		tx, err := Extract(p)
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, tx.Serialize(&b))
		require.Equal(t, v.Result, hex.EncodeToString(b.Bytes()))
	}
}
