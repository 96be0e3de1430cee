// Package assethash names the PWA's files by their contents: NAME.EXT is
// also served as NAME.HASH.EXT, where HASH is the first 16 hex digits of the
// SHA-256 of its bytes. Such a URL never changes meaning, so the relay sends
// it with a year-long immutable cache lifetime (RFC 9111 max-age, RFC 8246
// immutable) and the service worker's precache list and the engine worker
// refer to the engine's WebAssembly by it. The relay (server/static.go) and
// the precache list (internal/tools/precache) both name files here, so the
// two always agree.
package assethash

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"
)

// Digits is how many hex digits of the SHA-256 a hashed name carries.
const Digits = 16

// Sum is the hash part of a hashed name of data.
func Sum(data []byte) string { return sumPart(sha256.Sum256(data)) }

func sumPart(sum [sha256.Size]byte) string { return hex.EncodeToString(sum[:Digits/2]) }

// Name is the hashed name of a file named name ("wasm/engine.wasm") with
// contents data: "wasm/engine.0123456789abcdef.wasm". A name without an
// extension gets the hash appended ("LICENSE.0123456789abcdef").
func Name(name string, data []byte) string { return NameOfSum(name, sha256.Sum256(data)) }

// NameOfSum is Name for contents whose SHA-256 is sum (a caller that has
// hashed them already, as the relay does for its ETags).
func NameOfSum(name string, sum [sha256.Size]byte) string {
	ext := path.Ext(name)
	if strings.Contains(ext, "/") {
		ext = ""
	}
	return strings.TrimSuffix(name, ext) + "." + sumPart(sum) + ext
}
