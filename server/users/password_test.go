package users

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

type argonVectors struct {
	Vectors []struct {
		Password string `json:"password"`
		Salt     string `json:"salt"`
		T        uint32 `json:"t"`
		MLog2    uint   `json:"m_log2"`
		P        uint8  `json:"p"`
		Hex      string `json:"hex"`
		Encoded  string `json:"encoded"`
	} `json:"vectors"`
	Mismatch struct {
		Password string `json:"password"`
		Encoded  string `json:"encoded"`
		Wrong    string `json:"wrong"`
	} `json:"mismatch"`
}

func TestArgon2idReferenceVectors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "argon2id_phc_vectors.json"))
	require.NoError(t, err)
	var v argonVectors
	require.NoError(t, json.Unmarshal(b, &v))
	require.Len(t, v.Vectors, 7)
	for _, tc := range v.Vectors {
		t.Run(tc.Encoded, func(t *testing.T) {
			p := KDFParams{Time: tc.T, MemoryKiB: 1 << tc.MLog2, Threads: tc.P}
			require.Equal(t, tc.Encoded, encodeHash(tc.Password, []byte(tc.Salt), p, 32))
			h, err := ParsePHC(tc.Encoded)
			require.NoError(t, err)
			require.Equal(t, p, h.Params)
			require.Equal(t, tc.Salt, string(h.Salt))
			require.Equal(t, tc.Hex, hex.EncodeToString(h.Key))
			ok, err := VerifyPassword(tc.Password, tc.Encoded)
			require.NoError(t, err)
			require.True(t, ok)
		})
	}
	ok, err := VerifyPassword(v.Mismatch.Wrong, v.Mismatch.Encoded)
	require.NoError(t, err)
	require.False(t, ok)
	ok, err = VerifyPassword(v.Mismatch.Password, v.Mismatch.Encoded)
	require.NoError(t, err)
	require.True(t, ok)
}

func TestHashPasswordUsesRFC9106DefaultsAndRandomSalt(t *testing.T) {
	require.Equal(t, KDFParams{Time: 3, MemoryKiB: 65536, Threads: 4}, DefaultKDF)
	a, err := HashPassword("correct horse", DefaultKDF)
	require.NoError(t, err)
	b, err := HashPassword("correct horse", DefaultKDF)
	require.NoError(t, err)
	require.NotEqual(t, a, b, "a fresh salt each time")
	require.Regexp(t, `^\$argon2id\$v=19\$m=65536,t=3,p=4\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`, a)
	ok, err := VerifyPassword("correct horse", a)
	require.NoError(t, err)
	require.True(t, ok)
}

func TestParsePHCErrors(t *testing.T) {
	tests := []struct{ in, wantErr string }{
		{"", "password hash is not a PHC string ($argon2id$v=19$m=..,t=..,p=..$salt$hash)"},
		{"$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$iekCn0Y3spW+sCcFanM2xBT63UP2sghkUoHLIUpWRS8", `password hash uses "argon2i"; only argon2id is supported`},
		{"$argon2id$v=16$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", `password hash has Argon2 version "v=16"; only v=19 is supported`},
		{"$argon2id$v=19$m=256,t=2$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", `password hash parameters "m=256,t=2" need m, t and p`},
		{"$argon2id$v=19$m=256,t=2,p=1,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", `password hash parameters "m=256,t=2,p=1,p=1" are malformed`},
		{"$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", "password hash parameters m=4194304,t=2,p=1 are out of the accepted range"},
		{"$argon2id$v=19$m=256,t=0,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", "password hash parameters m=256,t=0,p=1 are out of the accepted range"},
		{"$argon2id$v=19$m=256,t=2,p=1$$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", "password hash salt is not base64 of at least 8 bytes"},
		{"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65", "password hash value is not base64 of 16 to 64 bytes"},
		{"$argon2id$v=19$m=0256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", `password hash parameter m="0256" is not a number`},
		{"$argon2id$v=19$m=256,t=2,x=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", `password hash has an unknown parameter "x"`},
	}
	for _, tc := range tests {
		t.Run(tc.wantErr, func(t *testing.T) {
			_, err := ParsePHC(tc.in)
			require.EqualError(t, err, tc.wantErr)
			ok, err := VerifyPassword("password", tc.in)
			require.False(t, ok)
			require.EqualError(t, err, tc.wantErr)
		})
	}
}

func FuzzParsePHC(f *testing.F) {
	f.Add("$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4")
	f.Add("$argon2id$v=19$m=65536,t=2,p=1$ZGlmZnNhbHQ$vfMrBczELrFdWP0ZsfhWsRPaHppYdP3MVEMIVlqoFBw")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParsePHC(s)
		if err != nil {
			return
		}
		p := h.Params
		if p.Time < 1 || p.Time > maxTime || p.MemoryKiB > maxMemoryKiB || p.Threads < 1 || p.MemoryKiB < 8*uint32(p.Threads) || len(h.Salt) < 8 || len(h.Key) < 16 {
			t.Fatalf("accepted out-of-range hash %q", s)
		}
	})
}
