package manager

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
)

// Sizes of the AEAD step of a SeedEnvelope: AES-256-GCM (NIST SP 800-38D)
// with a 96-bit nonce and a 128-bit tag.
const (
	SeedKeySize   = 32
	SeedNonceSize = 12
	SeedTagSize   = 16
)

// ErrSeedAuthentication is what a SeedCipher's Open returns (wrapped or as
// is) when the GCM tag does not verify (NIST SP 800-38D §7.2 "FAIL"): the key
// is wrong (a wrong password) or the ciphertext, tag, nonce or additional
// data were changed. The engine turns it into a KindWrongPassword Error.
var ErrSeedAuthentication = errors.New("the encrypted seed does not authenticate under this key")

// SeedCipher is the AEAD step of a hot device's SeedEnvelope: AES-256-GCM
// (NIST SP 800-38D) with a SeedKeySize key, a SeedNonceSize nonce and a
// SeedTagSize tag. Seal returns ciphertext||tag (as Go's cipher.AEAD.Seal and
// WebCrypto's AES-GCM encrypt with tagLength 128 do); Open takes that and
// returns the plaintext, or an error wrapping ErrSeedAuthentication when the
// tag does not verify. The key derivation (scrypt, RFC 7914) stays in the
// engine; only this step is replaceable, so the browser build can use the
// native, constant-time WebCrypto AES-GCM (wasm/webcrypto) while native
// builds use GoAESGCM. Both must give identical bytes: the stored format
// does not depend on the implementation. Implementations may block (the
// engine never calls them while holding its lock).
type SeedCipher interface {
	Seal(key, nonce, plaintext, additionalData []byte) ([]byte, error)
	Open(key, nonce, ciphertext, additionalData []byte) ([]byte, error)
}

// GoAESGCM is the SeedCipher of Go's crypto/aes and crypto/cipher
// (AES-256-GCM, NIST SP 800-38D): the engine's default. Built for js/wasm it
// runs Go's portable AES, which is not a constant-time primitive; the browser
// build sets Options.SeedCipher to WebCrypto instead.
type GoAESGCM struct{}

// CheckSeedCipherSizes returns an error unless key and nonce have the sizes
// of AES-256-GCM with a 96-bit nonce (SeedKeySize, SeedNonceSize). Every
// SeedCipher applies it so that all of them accept exactly the same inputs.
func CheckSeedCipherSizes(key, nonce []byte) error {
	if len(key) != SeedKeySize {
		return fmt.Errorf("the AES-256-GCM key is %d bytes, not %d", len(key), SeedKeySize)
	}
	if len(nonce) != SeedNonceSize {
		return fmt.Errorf("the AES-GCM nonce is %d bytes, not %d", len(nonce), SeedNonceSize)
	}
	return nil
}

func (GoAESGCM) aead(key, nonce []byte) (cipher.AEAD, error) {
	if err := CheckSeedCipherSizes(key, nonce); err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("AES: %w", err)
	}
	return cipher.NewGCM(block)
}

// Seal encrypts and authenticates plaintext and authenticates
// additionalData; it returns ciphertext||tag.
func (g GoAESGCM) Seal(key, nonce, plaintext, additionalData []byte) ([]byte, error) {
	gcm, err := g.aead(key, nonce)
	if err != nil {
		return nil, err
	}
	return gcm.Seal(nil, nonce, plaintext, additionalData), nil
}

// Open verifies and decrypts ciphertext||tag; a tag that does not verify
// gives ErrSeedAuthentication.
func (g GoAESGCM) Open(key, nonce, ciphertext, additionalData []byte) ([]byte, error) {
	gcm, err := g.aead(key, nonce)
	if err != nil {
		return nil, err
	}
	pt, err := gcm.Open(nil, nonce, ciphertext, additionalData)
	if err != nil {
		return nil, ErrSeedAuthentication
	}
	return pt, nil
}
