package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestServeBadInputExitsTwoWithOneLine(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"listen without a port", []string{"serve", "--data-dir", dir, "--listen", "localhost"}, "specter serve: --listen \"localhost\" is not host:port, such as 127.0.0.1:25441\n"},
		{"unknown tor mode", []string{"serve", "--data-dir", dir, "--tor", "onion"}, "specter serve: --tor \"onion\": use none, builtin or custom\n"},
		{"stray argument", []string{"serve", "--data-dir", dir, "now"}, "specter serve: unexpected argument \"now\": serve takes only flags\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCmd("", tc.args...)
			require.Equal(t, 2, code)
			require.Empty(t, out)
			require.Equal(t, tc.want, errOut)
		})
	}
}

func TestServeHelpListsFlagsAndExitsZero(t *testing.T) {
	code, _, errOut := runCmd("", "serve", "-h")
	require.Equal(t, 0, code)
	require.True(t, strings.HasPrefix(errOut, "Usage: specter serve [flags]\n"), errOut)
	require.Contains(t, errOut, "-listen string")
	require.Contains(t, errOut, "SPECTER_RPC_TIMEOUT")
}
