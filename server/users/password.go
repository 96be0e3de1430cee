package users

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// KDFParams are Argon2id's cost parameters (RFC 9106 section 3.1).
type KDFParams struct {
	Time      uint32 // passes (t)
	MemoryKiB uint32 // memory in KiB (m)
	Threads   uint8  // lanes (p)
}

// DefaultKDF is RFC 9106 section 4's second recommended option: Argon2id,
// t=3, m=64 MiB, p=4.
var DefaultKDF = KDFParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}

const (
	saltLen = 16
	keyLen  = 32
	// Bounds on parameters read from a stored hash, so a tampered users.json
	// cannot make a login allocate gigabytes or spin for minutes.
	maxTime      = 16
	maxMemoryKiB = 1 << 20 // 1 GiB
)

var b64 = base64.RawStdEncoding

// HashPassword hashes password with Argon2id and a random 16-byte salt and
// returns the PHC string format used by the reference implementation:
// $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt b64>$<hash b64>.
func HashPassword(password string, p KDFParams) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("generating a password salt: %w", err)
	}
	return encodeHash(password, salt, p, keyLen), nil
}

func encodeHash(password string, salt []byte, p KDFParams, n uint32) string {
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, n)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// PHCHash is a parsed Argon2id PHC string.
type PHCHash struct {
	Params KDFParams
	Salt   []byte
	Key    []byte
}

// ParsePHC reads an Argon2id PHC string ($argon2id$v=19$m=..,t=..,p=..$salt$hash).
func ParsePHC(s string) (PHCHash, error) {
	var h PHCHash
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return h, errors.New("password hash is not a PHC string ($argon2id$v=19$m=..,t=..,p=..$salt$hash)")
	}
	if parts[1] != "argon2id" {
		return h, fmt.Errorf("password hash uses %q; only argon2id is supported", parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, fmt.Errorf("password hash has Argon2 version %q; only v=19 is supported", parts[2])
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || seen[k] {
			return h, fmt.Errorf("password hash parameters %q are malformed", parts[3])
		}
		seen[k] = true
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || (len(v) > 1 && v[0] == '0') {
			return h, fmt.Errorf("password hash parameter %s=%q is not a number", k, v)
		}
		switch k {
		case "m":
			h.Params.MemoryKiB = uint32(n)
		case "t":
			h.Params.Time = uint32(n)
		case "p":
			if n > 255 {
				return h, fmt.Errorf("password hash parameter p=%d is out of range", n)
			}
			h.Params.Threads = uint8(n)
		default:
			return h, fmt.Errorf("password hash has an unknown parameter %q", k)
		}
	}
	if len(seen) != 3 {
		return h, fmt.Errorf("password hash parameters %q need m, t and p", parts[3])
	}
	p := h.Params
	if p.Threads < 1 || p.Time < 1 || p.Time > maxTime || p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxMemoryKiB {
		return h, fmt.Errorf("password hash parameters m=%d,t=%d,p=%d are out of the accepted range", p.MemoryKiB, p.Time, p.Threads)
	}
	var err error
	if h.Salt, err = b64.DecodeString(parts[4]); err != nil || len(h.Salt) < 8 {
		return h, errors.New("password hash salt is not base64 of at least 8 bytes")
	}
	if h.Key, err = b64.DecodeString(parts[5]); err != nil || len(h.Key) < 16 || len(h.Key) > 64 {
		return h, errors.New("password hash value is not base64 of 16 to 64 bytes")
	}
	return h, nil
}

// VerifyPassword reports whether password matches the PHC string encoded,
// comparing in constant time. A malformed hash is an error.
func VerifyPassword(password, encoded string) (bool, error) {
	h, err := ParsePHC(encoded)
	if err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(password), h.Salt, h.Params.Time, h.Params.MemoryKiB, h.Params.Threads, uint32(len(h.Key)))
	return subtle.ConstantTimeCompare(key, h.Key) == 1, nil
}
