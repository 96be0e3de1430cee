package nodes

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzValidate feeds arbitrary node entries (they come from the API's JSON
// body) to Validate: it must never panic, and an accepted entry has a name,
// an http(s) URL, a known network and exactly one kind of credentials.
func FuzzValidate(f *testing.F) {
	f.Add("node", "http://127.0.0.1:8332", "main", "u", "p", "")
	f.Add("n", "https://x.onion:8332/wallet/w", "signet", "", "", "/c")
	f.Add(" ", "http://u:p@h:1", "regtest", "", "", "")
	f.Add("x", "http://[::1]:18443?x=1#f", "testnet", "u", "", "")
	f.Fuzz(func(t *testing.T, name, rawURL, netw, user, pass, cookie string) {
		dir := t.TempDir()
		m, err := Open(dir, Options{BitcoinDir: filepath.Join(dir, "btc")})
		if err != nil {
			t.Fatal(err)
		}
		n, err := m.Validate(NewNode{Name: name, URL: rawURL, Network: netw, User: user, Password: pass, CookieFile: cookie})
		if err != nil {
			return
		}
		if n.Name == "" || n.URL == "" || n.Network == "" {
			t.Fatalf("accepted an incomplete node: %+v", n)
		}
		if (n.Password != "") == (n.CookieFile != "") {
			t.Fatalf("accepted a node with both or no credentials: %+v", n)
		}
	})
}

// FuzzReadCookie reads arbitrary cookie file contents.
func FuzzReadCookie(f *testing.F) {
	f.Add([]byte("__cookie__:abc\n"))
	f.Add([]byte(":"))
	f.Add([]byte("nocolon"))
	f.Fuzz(func(t *testing.T, content []byte) {
		path := filepath.Join(t.TempDir(), ".cookie")
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		u, p, err := ReadCookie(path)
		if err == nil && (u == "" || p == "") {
			t.Fatalf("accepted %q as user %q password %q", content, u, p)
		}
	})
}
