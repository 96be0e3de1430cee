package walletfile

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/specterpwa/specter/shared/keys"
)

// Token is a BIP129 TOKEN: one zero byte (NO_ENCRYPTION), 8 bytes
// (STANDARD) or 16 bytes (EXTENDED).
type Token []byte

// ErrBSMSAuth is wrapped by DecryptBSMS when the record's MAC does not
// match: a wrong TOKEN or a record changed on the way.
var ErrBSMSAuth = errors.New("BSMS record authentication failed")

// ParseToken reads a TOKEN in the hex form BSMS records carry on their
// second line: "00" for no encryption, 16 hex digits (STANDARD, 64 bits) or
// 32 (EXTENDED, 128 bits), BIP129 "The Token".
func ParseToken(s string) (Token, error) {
	s = strings.TrimSpace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("TOKEN %q is not hex: give the 16 or 32 hex digits (or \"00\" for no encryption)", s)
	}
	switch len(b) {
	case 1:
		if b[0] != 0 {
			return nil, fmt.Errorf("TOKEN %q: a one-byte TOKEN must be 00 (no encryption)", s)
		}
	case 8, 16:
	default:
		return nil, fmt.Errorf("TOKEN %q has %d hex digits: BIP129 TOKENs have 16 (64-bit STANDARD) or 32 (128-bit EXTENDED)", s, len(s))
	}
	return Token(b), nil
}

// TokenFromDecimal reads a TOKEN in the decimal form BIP129 recommends
// showing people: a number below 2^64 is a STANDARD token, below 2^128 an
// EXTENDED one.
func TokenFromDecimal(s string) (Token, error) {
	s = strings.TrimSpace(s)
	v, ok := new(big.Int).SetString(s, 10)
	if !ok || v.Sign() < 0 || strings.HasPrefix(s, "+") {
		return nil, fmt.Errorf("TOKEN %q is not a decimal number", s)
	}
	size := 8
	if v.BitLen() > 64 {
		size = 16
	}
	if v.BitLen() > 128 {
		return nil, fmt.Errorf("TOKEN %s is larger than 128 bits", s)
	}
	return Token(v.FillBytes(make([]byte, size))), nil
}

// String is the hex form of the TOKEN ("00" for no encryption).
func (t Token) String() string { return hex.EncodeToString(t) }

// Decimal is the decimal form of the TOKEN.
func (t Token) Decimal() string { return new(big.Int).SetBytes(t).String() }

// Encrypted reports whether the TOKEN enables encryption (not 0x00).
func (t Token) Encrypted() bool { return !(len(t) == 1 && t[0] == 0) }

// EncryptionKey derives the ENCRYPTION_KEY of BIP129 "Key Derivation":
// PBKDF2-HMAC-SHA512 of the password "No SPOF" with the TOKEN as salt,
// 2048 iterations, 256 bits.
func (t Token) EncryptionKey() ([]byte, error) {
	if !t.Encrypted() {
		return nil, errors.New("TOKEN 00 means no encryption: there is no encryption key")
	}
	return pbkdf2.Key(sha512.New, "No SPOF", t, 2048, 32)
}

// bsmsMAC is BIP129's MAC: HMAC-SHA256 keyed with SHA256(ENCRYPTION_KEY)
// over the hex-encoded TOKEN followed by the plaintext.
func bsmsMAC(t Token, key, plaintext []byte) []byte {
	hk := sha256.Sum256(key)
	mac := hmac.New(sha256.New, hk[:])
	mac.Write([]byte(t.String()))
	mac.Write(plaintext)
	return mac.Sum(nil)
}

// EncryptBSMS encrypts a BSMS record (BIP129 "Encryption Scheme"):
// AES-256-CTR with the TOKEN's ENCRYPTION_KEY and an IV that is the first 16
// bytes of the MAC, returned as hex(MAC || ciphertext).
func EncryptBSMS(t Token, plaintext []byte) (string, error) {
	key, err := t.EncryptionKey()
	if err != nil {
		return "", err
	}
	mac := bsmsMAC(t, key, plaintext)
	block, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	ct := make([]byte, len(plaintext))
	cipher.NewCTR(block, mac[:aes.BlockSize]).XORKeyStream(ct, plaintext)
	return hex.EncodeToString(mac) + hex.EncodeToString(ct), nil
}

// DecryptBSMS decrypts hex(MAC || ciphertext) with the TOKEN and checks the
// MAC (BIP129); a wrong TOKEN or a changed record gives an error wrapping
// ErrBSMSAuth.
func DecryptBSMS(t Token, data string) ([]byte, error) {
	key, err := t.EncryptionKey()
	if err != nil {
		return nil, err
	}
	raw, err := hex.DecodeString(strings.TrimSpace(data))
	if err != nil {
		return nil, fmt.Errorf("the encrypted BSMS record is not hex: %w", err)
	}
	if len(raw) <= sha256.Size {
		return nil, errors.New("the encrypted BSMS record is too short to hold a MAC and a record")
	}
	mac, ct := raw[:sha256.Size], raw[sha256.Size:]
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	pt := make([]byte, len(ct))
	cipher.NewCTR(block, mac[:aes.BlockSize]).XORKeyStream(pt, ct)
	if !hmac.Equal(mac, bsmsMAC(t, key, pt)) {
		return nil, fmt.Errorf("%w: the TOKEN is not the one of this setup session, or the record was changed", ErrBSMSAuth)
	}
	return pt, nil
}

// isEncryptedBSMS reports whether text looks like hex(MAC || ciphertext).
func isEncryptedBSMS(text string) bool {
	t := strings.TrimSpace(text)
	if len(t) < 2*(sha256.Size+len("BSMS 1.0\n")) || len(t)%2 != 0 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// bip39Index is the position of a word in the BIP39 English list, which is
// sorted: the words of the letters before its first letter, then its place
// among the words of its letter (keys.CompleteWord lists them in order).
func bip39Index(w string) (int, bool) {
	if w == "" || w[0] < 'a' || w[0] > 'z' {
		return 0, false
	}
	idx := 0
	for c := byte('a'); c < w[0]; c++ {
		idx += len(keys.CompleteWord(string(c)))
	}
	for i, x := range keys.CompleteWord(w[:1]) {
		if x == w {
			return idx + i, true
		}
	}
	return 0, false
}

// TokenFromMnemonic reads a TOKEN written as BIP39 words (BIP129 "The
// Token"): 6 words for a STANDARD 64-bit TOKEN (64 bits and a 2-bit
// SHA256 checksum) or 12 for an EXTENDED one.
func TokenFromMnemonic(words string) (Token, error) {
	ws := strings.Fields(strings.ToLower(words))
	switch len(ws) {
	case 12:
		e, err := keys.EntropyFromMnemonic(strings.Join(ws, " "))
		if err != nil {
			return nil, fmt.Errorf("TOKEN words: %w", err)
		}
		return Token(e), nil
	case 6:
	default:
		return nil, fmt.Errorf("a TOKEN is 6 words (STANDARD) or 12 (EXTENDED), not %d", len(ws))
	}
	bits := new(big.Int)
	for i, w := range ws {
		n, ok := bip39Index(w)
		if !ok {
			return nil, fmt.Errorf("TOKEN word %d %q is not in the BIP39 English list", i+1, w)
		}
		bits.Lsh(bits, 11).Or(bits, big.NewInt(int64(n)))
	}
	check := new(big.Int).And(bits, big.NewInt(3)).Int64()
	e := new(big.Int).Rsh(bits, 2).FillBytes(make([]byte, 8))
	if sum := sha256.Sum256(e); int64(sum[0]>>6) != check {
		return nil, errors.New("the TOKEN words' checksum does not match: a word is wrong or out of order")
	}
	return Token(e), nil
}

// Mnemonic writes a STANDARD TOKEN as its 6 BIP39 words (an EXTENDED one as
// 12); "" for the no-encryption TOKEN.
func (t Token) Mnemonic() string {
	switch len(t) {
	case 16:
		m, err := keys.MnemonicFromEntropy(t)
		if err != nil {
			return ""
		}
		return m
	case 8:
	default:
		return ""
	}
	sum := sha256.Sum256(t)
	bits := new(big.Int).SetBytes(t)
	bits.Lsh(bits, 2).Or(bits, big.NewInt(int64(sum[0]>>6)))
	words := make([]string, 6)
	for i := 5; i >= 0; i-- {
		n := int(new(big.Int).And(bits, big.NewInt(2047)).Int64())
		bits.Rsh(bits, 11)
		words[i] = wordAt(n)
	}
	return strings.Join(words, " ")
}

// wordAt is the BIP39 English word at index n (see bip39Index).
func wordAt(n int) string {
	for c := byte('a'); c <= 'z'; c++ {
		ws := keys.CompleteWord(string(c))
		if n < len(ws) {
			return ws[n]
		}
		n -= len(ws)
	}
	return ""
}
