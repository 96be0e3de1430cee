package tornet

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSOCKSConnectSpeaksRFC1928(t *testing.T) {
	tests := []struct {
		name    string
		host    string
		port    uint16
		reply   string // hex: method selection reply then CONNECT reply
		wantReq string // hex of everything the client sends
		wantErr string
		code    byte
	}{
		{name: "success with an IPv4 bound address", host: "example.com", port: 443,
			reply:   "0500" + "05000001" + "7f000001" + "1f90",
			wantReq: "050100" + "050100030b" + hex.EncodeToString([]byte("example.com")) + "01bb"},
		{name: "success with a domain bound address", host: "a.onion", port: 80,
			reply:   "0500" + "05000003" + "03616263" + "0050",
			wantReq: "050100" + "05010003" + "07" + hex.EncodeToString([]byte("a.onion")) + "0050"},
		{name: "tor extended error descriptor not found", host: "x.onion", port: 80,
			reply:   "0500" + "05f00001" + "00000000" + "0000",
			wantReq: "050100" + "05010003" + "07" + hex.EncodeToString([]byte("x.onion")) + "0050",
			wantErr: "tor could not connect to : onion service descriptor not found: the service is offline or the address is wrong", code: 0xF0},
		{name: "host unreachable with IPv6 bound address", host: "h", port: 1,
			reply:   "0500" + "05040004" + "00000000000000000000000000000000" + "0000",
			wantReq: "050100" + "05010003" + "01" + "68" + "0001",
			wantErr: "tor could not connect to : host unreachable", code: 0x04},
		{name: "server wants a password", host: "h", port: 1, reply: "0502",
			wantReq: "050100", wantErr: "SOCKS server wants authentication method 2; tor's SocksPort needs none"},
		{name: "not a SOCKS5 server", host: "h", port: 1, reply: "4854",
			wantReq: "050100", wantErr: "not a SOCKS5 server (version byte 72)"},
		{name: "reply cut short", host: "h", port: 1, reply: "0500" + "0500",
			wantReq: "050100" + "05010003" + "01" + "68" + "0001", wantErr: "reading SOCKS reply: unexpected EOF"},
		{name: "unknown reply code", host: "h", port: 1, reply: "0500" + "05990001" + "00000000" + "0000",
			wantReq: "050100" + "05010003" + "01" + "68" + "0001", wantErr: "tor could not connect to : unknown SOCKS reply code 0x99", code: 0x99},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reply, err := hex.DecodeString(tc.reply)
			require.NoError(t, err)
			rw := &fakeConn{r: bytes.NewReader(reply)}
			err = socksConnect(rw, tc.host, tc.port)
			require.Equal(t, tc.wantReq, hex.EncodeToString(rw.w.Bytes()))
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tc.wantErr)
			var se *SOCKSError
			require.Equal(t, tc.code != 0, errors.As(err, &se))
			if tc.code != 0 {
				require.Equal(t, tc.code, se.Code)
			}
		})
	}
}

type fakeConn struct {
	r io.Reader
	w bytes.Buffer
}

func (f *fakeConn) Read(p []byte) (int, error)  { return f.r.Read(p) }
func (f *fakeConn) Write(p []byte) (int, error) { return f.w.Write(p) }

func TestSOCKSConnectRejectsLongHost(t *testing.T) {
	long := make([]byte, 256)
	for i := range long {
		long[i] = 'a'
	}
	err := socksConnect(&fakeConn{r: bytes.NewReader(nil)}, string(long), 80)
	require.EqualError(t, err, `host name "`+string(long)+`" cannot be sent over SOCKS5 (1-255 bytes)`)
}

func FuzzReadSOCKSReply(f *testing.F) {
	for _, s := range []string{"05000001000000000000", "05f00003036162630050", "0504000400000000000000000000000000000000", "05", ""} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := readSOCKSReply(bytes.NewReader(b))
		if err == nil && (len(b) < 4 || b[0] != 5 || b[1] != 0) {
			t.Fatalf("accepted a reply that is not a success: %x", b)
		}
	})
}

func TestParseBootstrapPhase(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    BootstrapPhase
		wantErr string
	}{
		{name: "fresh tor", in: `NOTICE BOOTSTRAP PROGRESS=0 TAG=starting SUMMARY="Starting"`,
			want: BootstrapPhase{Severity: "NOTICE", Progress: 0, Tag: "starting", Summary: "Starting"}},
		{name: "done", in: `NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"`,
			want: BootstrapPhase{Severity: "NOTICE", Progress: 100, Tag: "done", Summary: "Done"}},
		{name: "warning with extra fields and an escaped quote",
			in:   `WARN BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY="Connecting to a \"relay\"" WARNING="Network is unreachable" REASON=NOROUTE COUNT=3 RECOMMENDATION=warn`,
			want: BootstrapPhase{Severity: "WARN", Progress: 5, Tag: "conn", Summary: `Connecting to a "relay"`}},
		{name: "no progress", in: `NOTICE BOOTSTRAP TAG=x`, wantErr: `tor bootstrap phase "NOTICE BOOTSTRAP TAG=x" has no PROGRESS`},
		{name: "progress over 100", in: `NOTICE BOOTSTRAP PROGRESS=101`, wantErr: `tor bootstrap phase "NOTICE BOOTSTRAP PROGRESS=101" has a bad PROGRESS`},
		{name: "not a bootstrap line", in: `NOTICE CIRCUIT_ESTABLISHED`, wantErr: `tor bootstrap phase "NOTICE CIRCUIT_ESTABLISHED" does not start with SEVERITY BOOTSTRAP`},
		{name: "unterminated quote", in: `NOTICE BOOTSTRAP PROGRESS=1 SUMMARY="x`, wantErr: `tor bootstrap phase "NOTICE BOOTSTRAP PROGRESS=1 SUMMARY=\"x": unterminated quoted string`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseBootstrapPhase(tc.in)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func FuzzParseBootstrapPhase(f *testing.F) {
	f.Add(`NOTICE BOOTSTRAP PROGRESS=0 TAG=starting SUMMARY="Starting"`)
	f.Add(`WARN BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY="a \"b\"" WARNING="x"`)
	f.Fuzz(func(t *testing.T, s string) {
		ph, err := ParseBootstrapPhase(s)
		if err == nil && (ph.Progress < 0 || ph.Progress > 100) {
			t.Fatalf("progress %d out of range", ph.Progress)
		}
	})
}

func TestParseMode(t *testing.T) {
	for in, want := range map[string]Mode{"": ModeNone, "none": ModeNone, " Builtin ": ModeBuiltin, "CUSTOM": ModeCustom} {
		got, err := ParseMode(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	_, err := ParseMode("on")
	require.EqualError(t, err, `tor mode "on" is not one of none, builtin, custom`)
}

func TestOnionKeyFile(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "sub", "onion.key")

	t.Run("created once with mode 0600 and read back identical", func(t *testing.T) {
		k1, err := LoadOrCreateOnionKey(keyFile)
		require.NoError(t, err)
		fi, err := os.Stat(keyFile)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		k2, err := LoadOrCreateOnionKey(keyFile)
		require.NoError(t, err)
		require.Equal(t, k1, k2)
	})

	t.Run("a key file readable by others is tightened to 0600", func(t *testing.T) {
		require.NoError(t, os.Chmod(keyFile, 0o644))
		_, err := LoadOrCreateOnionKey(keyFile)
		require.NoError(t, err)
		fi, err := os.Stat(keyFile)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	})

	t.Run("a damaged key file is an error, never silently replaced", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.key")
		require.NoError(t, os.WriteFile(bad, []byte("not a key"), 0o600))
		_, err := LoadOrCreateOnionKey(bad)
		require.EqualError(t, err, `onion key file is not a PEM "PRIVATE KEY"; delete it to get a new onion address, or restore the original file`)
		b, err := os.ReadFile(bad)
		require.NoError(t, err)
		require.Equal(t, "not a key", string(b))
	})
}

type onionVector struct {
	Seed    string `json:"seed"`
	Public  string `json:"public"`
	Address string `json:"address"`
}

func onionVectors(t *testing.T) []onionVector {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "onion_v3_address.json"))
	require.NoError(t, err)
	var f struct {
		Vectors []onionVector `json:"vectors"`
	}
	require.NoError(t, json.Unmarshal(b, &f))
	require.NotEmpty(t, f.Vectors)
	return f.Vectors
}

func TestOnionAddressVectors(t *testing.T) {
	for _, v := range onionVectors(t) {
		t.Run(v.Address, func(t *testing.T) {
			seed, err := hex.DecodeString(v.Seed)
			require.NoError(t, err)
			pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
			require.Equal(t, v.Public, hex.EncodeToString(pub))
			require.Equal(t, v.Address, OnionAddress(pub))
		})
	}
}
