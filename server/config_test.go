package server

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfigPrecedenceDefaultsFileEnvFlags(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, ConfigFileName), []byte(`{"listen":"127.0.0.1:1111","rpc_timeout":"5s","rpc_max_concurrent":3,"log_level":"warn"}`), 0o600))

	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, c Config)
	}{
		{"defaults without a file", []string{"--data-dir", t.TempDir()}, nil, func(t *testing.T, c Config) {
			want := DefaultConfig()
			want.DataDir = c.DataDir
			require.Equal(t, want, c)
			require.Equal(t, "127.0.0.1:25441", c.Listen)
		}},
		{"file over defaults", []string{"--data-dir", dir}, nil, func(t *testing.T, c Config) {
			require.Equal(t, "127.0.0.1:1111", c.Listen)
			require.Equal(t, Duration(5*time.Second), c.RPCTimeout)
			require.Equal(t, 3, c.RPCMaxConcurrent)
			require.Equal(t, "warn", c.LogLevel)
			require.Equal(t, int64(4<<20), c.RPCMaxBody)
		}},
		{"env over file, data dir from env", nil, map[string]string{"SPECTER_DATA_DIR": dir, "SPECTER_LISTEN": "127.0.0.1:2222", "SPECTER_RPC_TIMEOUT": "7s"}, func(t *testing.T, c Config) {
			require.Equal(t, dir, c.DataDir)
			require.Equal(t, "127.0.0.1:2222", c.Listen)
			require.Equal(t, Duration(7*time.Second), c.RPCTimeout)
			require.Equal(t, 3, c.RPCMaxConcurrent)
		}},
		{"flags over env", []string{"--data-dir=" + dir, "--listen", "127.0.0.1:3333", "--rpc-max-concurrent", "9", "--tor", "builtin", "--tor-publish"}, map[string]string{"SPECTER_LISTEN": "127.0.0.1:2222", "SPECTER_RPC_MAX_CONCURRENT": "4"}, func(t *testing.T, c Config) {
			require.Equal(t, "127.0.0.1:3333", c.Listen)
			require.Equal(t, 9, c.RPCMaxConcurrent)
			require.Equal(t, "builtin", c.Tor)
			require.True(t, c.TorPublish)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := LoadConfig(tc.args, envOf(tc.env), io.Discard)
			require.NoError(t, err)
			tc.check(t, c)
		})
	}
}

func TestLoadConfigErrorsSayWhatIsWrong(t *testing.T) {
	bad := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bad, ConfigFileName), []byte(`{"listen":1}`), 0o600))
	unknown := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(unknown, ConfigFileName), []byte(`{"lsiten":"x"}`), 0o600))
	ok := t.TempDir()
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"bad listen", []string{"--data-dir", ok, "--listen", "nohostport"}, nil, `--listen "nohostport" is not host:port, such as 127.0.0.1:25441`},
		{"bad log level", []string{"--data-dir", ok, "--log-level", "loud"}, nil, `--log-level "loud": use debug, info, warn or error`},
		{"bad tor mode", []string{"--data-dir", ok, "--tor", "maybe"}, nil, `--tor "maybe": use none, builtin or custom`},
		{"custom tor without control port", []string{"--data-dir", ok, "--tor", "custom"}, nil, "--tor custom needs --tor-control, the address of the existing Tor's control port"},
		{"publish without tor", []string{"--data-dir", ok, "--tor-publish"}, nil, "--tor-publish needs Tor: add --tor builtin or --tor custom"},
		{"bad duration flag", []string{"--data-dir", ok, "--rpc-timeout", "soon"}, nil, `invalid value "soon" for flag -rpc-timeout: bad duration "soon" (use for example 30s or 2m)`},
		{"bad env value", []string{"--data-dir", ok}, map[string]string{"SPECTER_RPC_MAX_BODY": "big"}, `environment variable SPECTER_RPC_MAX_BODY="big": parse error`},
		{"unknown price provider", []string{"--data-dir", ok, "--price-provider", "bitstamp"}, nil, `--price-provider "bitstamp": use coingecko, kraken or jsonpath`},
		{"jsonpath provider without a path", []string{"--data-dir", ok, "--price-provider", "jsonpath", "--price-url", "http://x/{currency}"}, nil, "--price-provider jsonpath needs --price-url and --price-path"},
		{"zero concurrency", []string{"--data-dir", ok, "--rpc-max-concurrent", "0"}, nil, "--rpc-max-concurrent 0: allow at least 1 call"},
		{"stray argument", []string{"--data-dir", ok, "extra"}, nil, `unexpected argument "extra": serve takes only flags`},
		{"config file with a wrong type", []string{"--data-dir", bad}, nil, "the config file " + filepath.Join(bad, ConfigFileName) + " is not valid (json: cannot unmarshal number into Go struct field Config.listen of type string): fix or remove it"},
		{"config file with an unknown key", []string{"--data-dir", unknown}, nil, "the config file " + filepath.Join(unknown, ConfigFileName) + ` is not valid (json: unknown field "lsiten"): fix or remove it`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(tc.args, envOf(tc.env), io.Discard)
			require.EqualError(t, err, tc.want)
		})
	}
}

func TestSaveWritesConfigAtomicallyWithMode0600(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = filepath.Join(t.TempDir(), "new", "state")
	cfg.TorControlPassword = "hunter2"
	cfg.RPCTimeout = Duration(90 * time.Second)
	require.NoError(t, cfg.Save())

	dirInfo, err := os.Stat(cfg.DataDir)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), dirInfo.Mode().Perm())
	path := filepath.Join(cfg.DataDir, ConfigFileName)
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(raw), `"rpc_timeout": "1m30s"`)
	require.NotContains(t, string(raw), "data_dir")

	// Saving again replaces the file through a temporary one: the inode
	// changes (rename) and no temporary file is left behind.
	before, err := os.Stat(path)
	require.NoError(t, err)
	cfg.Listen = "127.0.0.1:4444"
	require.NoError(t, cfg.Save())
	after, err := os.Stat(path)
	require.NoError(t, err)
	require.False(t, os.SameFile(before, after), "the file is replaced by rename, not rewritten in place")
	entries, err := os.ReadDir(cfg.DataDir)
	require.NoError(t, err)
	require.Len(t, entries, 1)

	loaded, err := LoadConfig([]string{"--data-dir", cfg.DataDir}, envOf(nil), io.Discard)
	require.NoError(t, err)
	require.Equal(t, cfg, loaded)
}

func TestHelpListsEveryFlagWithItsEnvName(t *testing.T) {
	var out strings.Builder
	_, err := LoadConfig([]string{"-h"}, envOf(nil), &out)
	require.EqualError(t, err, "flag: help requested")
	for _, f := range []string{"-data-dir", "-listen", "-rpc-timeout", "-rpc-max-concurrent", "-tor", "-price-provider", "-shutdown-timeout"} {
		require.Contains(t, out.String(), f)
	}
	require.Contains(t, out.String(), "SPECTER_RPC_TIMEOUT")
	require.Equal(t, "SPECTER_TOR_CONTROL_PASSWORD", EnvName("tor-control-password"))
}

func TestIsLoopback(t *testing.T) {
	cases := map[string]bool{
		"127.0.0.1:25441": true, "127.1.2.3:1": true, "[::1]:25441": true, "localhost:80": true,
		"0.0.0.0:25441": false, ":25441": false, "192.168.1.2:25441": false, "[::]:1": false, "garbage": false,
	}
	for in, want := range cases {
		require.Equal(t, want, IsLoopback(in), in)
	}
}

func TestDefaultDataDirIsDotSpecterPWAInHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	want := filepath.Join(home, ".specter-pwa")
	require.Equal(t, want, DefaultConfig().DataDir)

	// Without --data-dir or SPECTER_DATA_DIR, LoadConfig uses it and reads
	// its config.json.
	c, err := LoadConfig(nil, envOf(nil), io.Discard)
	require.NoError(t, err)
	require.Equal(t, want, c.DataDir)
	require.Equal(t, "127.0.0.1:25441", c.Listen)
	require.NoError(t, os.MkdirAll(want, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(want, ConfigFileName), []byte(`{"listen":"127.0.0.1:4444"}`), 0o600))
	c, err = LoadConfig(nil, envOf(nil), io.Discard)
	require.NoError(t, err)
	require.Equal(t, want, c.DataDir)
	require.Equal(t, "127.0.0.1:4444", c.Listen)
}
