package server

import "testing"

// FuzzAcceptsEncoding parses arbitrary Accept-Encoding headers (RFC 9110
// section 12.5.3): no panic, and an explicit q=0 always refuses.
func FuzzAcceptsEncoding(f *testing.F) {
	for _, s := range []string{"gzip, deflate, br", "br;q=0", "*;q=0.5", ";;,,q=", "br;q=abc", "BR ; Q = 0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		_ = acceptsEncoding(header, "br")
		_ = acceptsEncoding(header, "gzip")
		if acceptsEncoding(header+", br;q=0", "br") && !acceptsEncoding(header, "br") {
			t.Fatalf("adding br;q=0 to %q made brotli acceptable", header)
		}
	})
}
