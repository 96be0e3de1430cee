package server

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalizeOriginAcceptsOriginsAndExplainsTheRest(t *testing.T) {
	const hint = "give an origin such as https://app.example or http://127.0.0.1:25441 (scheme, host and port only)"
	cases := []struct {
		in, want, err string
	}{
		{in: "https://app.example", want: "https://app.example"},
		{in: "HTTPS://App.Example:443/", want: "https://app.example"},
		{in: "http://app.example:80", want: "http://app.example"},
		{in: "http://127.0.0.1:7001", want: "http://127.0.0.1:7001"},
		{in: "http://localhost:08080", want: "http://localhost:8080"},
		{in: "http://[::1]:7001", want: "http://[::1]:7001"},
		{in: "https://app.example:8443", want: "https://app.example:8443"},
		{in: "ftp://app.example", err: "the scheme must be http or https: " + hint},
		{in: "app.example", err: "the scheme must be http or https: " + hint},
		{in: "https://", err: "there is no host (wildcards are not allowed): " + hint},
		{in: "https://*.example", err: "there is no host (wildcards are not allowed): " + hint},
		{in: "https://user:pw@app.example", err: "an origin has no user name or password: " + hint},
		{in: "https://app.example/specter", err: "an origin has no path, query or fragment: " + hint},
		{in: "https://app.example/?x=1", err: "an origin has no path, query or fragment: " + hint},
		{in: "https://app.example#top", err: "an origin has no path, query or fragment: " + hint},
		{in: "https://app.example:0", err: `port "0" is not a number from 1 to 65535: ` + hint},
		{in: "https://app.example:70000", err: `port "70000" is not a number from 1 to 65535: ` + hint},
		{in: "https://app;script-src.example", err: `the host "app;script-src.example" has characters a host name cannot have: ` + hint},
		{in: "https://app_x.example", err: `the host "app_x.example" has characters a host name cannot have: ` + hint},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := NormalizeOrigin(tc.in)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// FuzzNormalizeOrigin feeds arbitrary flag values: no panic, and an
// accepted origin is stable and cannot break out of the CSP's connect-src.
func FuzzNormalizeOrigin(f *testing.F) {
	for _, s := range []string{"https://app.example", "HTTP://[::1]:80/", "http://a;b", "https://x y", "http://%41", "https://[fe80::1%25en0]:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalizeOrigin(s)
		if err != nil {
			return
		}
		again, err := NormalizeOrigin(got)
		if err != nil || again != got {
			t.Fatalf("%q normalized to %q, which normalizes to %q (%v)", s, got, again, err)
		}
		if strings.ContainsAny(got, " \t\r\n;,'\"*") {
			t.Fatalf("%q normalized to %q, which could end a CSP source expression", s, got)
		}
	})
}

func TestOriginListFlagsFromFileEnvAndRepeatedFlags(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, ConfigFileName),
		[]byte(`{"allow_origins":["https://file.example"],"connect_relays":["https://relay-file.example"]}`), 0o600))
	cases := []struct {
		name           string
		args           []string
		env            map[string]string
		allow, connect []string
	}{
		{"none by default", []string{"--data-dir", t.TempDir()}, nil, nil, nil},
		{"from the config file", []string{"--data-dir", dir}, nil, []string{"https://file.example"}, []string{"https://relay-file.example"}},
		{"env (plural, comma-separated) replaces the file", []string{"--data-dir", dir},
			map[string]string{"SPECTER_ALLOW_ORIGINS": "https://a.example, http://127.0.0.1:7001/", "SPECTER_CONNECT_RELAYS": "http://localhost:7002"},
			[]string{"https://a.example", "http://127.0.0.1:7001"}, []string{"http://localhost:7002"}},
		{"repeated flags replace env and add up, normalized, without duplicates", []string{"--data-dir", dir,
			"--allow-origin", "https://b.example", "--allow-origin=HTTPS://C.example:443", "--allow-origin", "https://b.example/",
			"--connect-relay", "https://relay.example"},
			map[string]string{"SPECTER_ALLOW_ORIGINS": "https://a.example"},
			[]string{"https://b.example", "https://c.example"}, []string{"https://relay.example"}},
		{"an empty flag empties the list", []string{"--data-dir", dir, "--allow-origin", ""}, nil, nil, []string{"https://relay-file.example"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := LoadConfig(tc.args, envOf(tc.env), io.Discard)
			require.NoError(t, err)
			require.Equal(t, tc.allow, c.AllowOrigins)
			require.Equal(t, tc.connect, c.ConnectRelays)
		})
	}

	t.Run("saved and loaded again", func(t *testing.T) {
		c, err := LoadConfig([]string{"--data-dir", t.TempDir(), "--allow-origin", "https://a.example", "--connect-relay", "https://r.example"}, envOf(nil), io.Discard)
		require.NoError(t, err)
		require.NoError(t, c.Save())
		raw, err := os.ReadFile(filepath.Join(c.DataDir, ConfigFileName))
		require.NoError(t, err)
		require.Contains(t, string(raw), `"allow_origins": [`+"\n    \"https://a.example\"\n  ]")
		loaded, err := LoadConfig([]string{"--data-dir", c.DataDir}, envOf(nil), io.Discard)
		require.NoError(t, err)
		require.Equal(t, c, loaded)
	})

	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"a bad --allow-origin", []string{"--allow-origin", "*"}, nil,
			`--allow-origin "*": the scheme must be http or https: give an origin such as https://app.example or http://127.0.0.1:25441 (scheme, host and port only)`},
		{"a bad SPECTER_CONNECT_RELAYS entry", nil, map[string]string{"SPECTER_CONNECT_RELAYS": "https://ok.example,https://relay.example/api"},
			`--connect-relay "https://relay.example/api": an origin has no path, query or fragment: give an origin such as https://app.example or http://127.0.0.1:25441 (scheme, host and port only)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(append([]string{"--data-dir", t.TempDir()}, tc.args...), envOf(tc.env), io.Discard)
			require.EqualError(t, err, tc.want)
		})
	}

	t.Run("help names the plural env variables", func(t *testing.T) {
		var out strings.Builder
		_, err := LoadConfig([]string{"-h"}, envOf(nil), &out)
		require.EqualError(t, err, "flag: help requested")
		for _, s := range []string{"-allow-origin", "-connect-relay", "SPECTER_ALLOW_ORIGINS", "SPECTER_CONNECT_RELAYS"} {
			require.Contains(t, out.String(), s)
		}
	})
}
