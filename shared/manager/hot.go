package manager

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"golang.org/x/crypto/scrypt"

	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
)

// SeedEnvelopeVersion is the version of SeedEnvelope this package writes.
const SeedEnvelopeVersion = 1

// MinPasswordLength is the shortest password accepted for a hot device.
const MinPasswordLength = 8

const (
	scryptR    = 8
	scryptP    = 1
	minScryptN = 1 << 10
	maxScryptN = 1 << 20
	saltLen    = 16
)

// SeedEnvelope is a hot device's seed encrypted at rest: AES-256-GCM (NIST
// SP 800-38D) under a key from scrypt (RFC 7914) of the password, with a
// random salt and nonce. scrypt runs in Go; the AES-GCM step is the
// engine's SeedCipher (WebCrypto in the browser, GoAESGCM natively), which
// writes the same bytes either way. The header fields are authenticated as GCM
// additional data, so a changed cost or network fails to decrypt. The
// plaintext is JSON {"mnemonic","passphrase"} (BIP39 words and passphrase);
// neither the mnemonic nor the password is stored anywhere else.
type SeedEnvelope struct {
	Version    int             `json:"version"`
	KDF        string          `json:"kdf"`
	N          int             `json:"n"`
	R          int             `json:"r"`
	P          int             `json:"p"`
	Salt       []byte          `json:"salt"`
	Nonce      []byte          `json:"nonce"`
	Network    network.Network `json:"network"`
	Ciphertext []byte          `json:"ciphertext"`
}

type seedPlain struct {
	Mnemonic   string `json:"mnemonic"`
	Passphrase string `json:"passphrase"`
}

func checkScryptParams(n, r, p int) error {
	if n < minScryptN || n > maxScryptN || n&(n-1) != 0 {
		return invalid(fmt.Sprintf("scrypt cost N=%d is not a power of two between 2^10 and 2^20", n), "use the default cost")
	}
	if r != scryptR || p != scryptP {
		return invalid(fmt.Sprintf("scrypt parameters r=%d p=%d are not supported", r, p), "this version uses r=8 p=1")
	}
	return nil
}

// additionalData binds the envelope header to the ciphertext.
func (s *SeedEnvelope) additionalData() []byte {
	return []byte("specter-pwa hot seed v" + strconv.Itoa(s.Version) + " " + s.KDF + " N=" + strconv.Itoa(s.N) +
		" r=" + strconv.Itoa(s.R) + " p=" + strconv.Itoa(s.P) + " net=" + string(s.Network))
}

// key derives the AES-256 key from password with the envelope's scrypt
// parameters (RFC 7914).
func (s *SeedEnvelope) key(password string) ([]byte, error) {
	key, err := scrypt.Key([]byte(password), s.Salt, s.N, s.R, s.P, SeedKeySize)
	if err != nil {
		return nil, fmt.Errorf("deriving the encryption key: %w", err)
	}
	return key, nil
}

// check verifies the envelope's shape (used on load from a backup).
func (s *SeedEnvelope) check() error {
	if s.Version != SeedEnvelopeVersion || s.KDF != "scrypt" {
		return invalid(fmt.Sprintf("encrypted seed version %d with %q is not supported", s.Version, s.KDF), "use a backup made by this app")
	}
	if err := checkScryptParams(s.N, s.R, s.P); err != nil {
		return err
	}
	if len(s.Salt) != saltLen || len(s.Nonce) != 12 || len(s.Ciphertext) < 16+2 {
		return invalid("the encrypted seed is truncated", "use a complete backup")
	}
	if _, err := network.Parse(string(s.Network)); err != nil {
		return invalidErr("the encrypted seed names an unknown network", "", err)
	}
	return nil
}

// sealSeed encrypts plain under password with a fresh salt and nonce, the
// scrypt cost n and the AEAD step c.
func sealSeed(c SeedCipher, plain seedPlain, password string, net network.Network, n int) (*SeedEnvelope, error) {
	env := &SeedEnvelope{Version: SeedEnvelopeVersion, KDF: "scrypt", N: n, R: scryptR, P: scryptP,
		Salt: make([]byte, saltLen), Nonce: make([]byte, SeedNonceSize), Network: net}
	if _, err := rand.Read(env.Salt); err != nil {
		return nil, fmt.Errorf("reading secure random bytes: %w", err)
	}
	if _, err := rand.Read(env.Nonce); err != nil {
		return nil, fmt.Errorf("reading secure random bytes: %w", err)
	}
	key, err := env.key(password)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	pt, err := json.Marshal(plain)
	if err != nil {
		return nil, err
	}
	defer clear(pt)
	if env.Ciphertext, err = c.Seal(key, env.Nonce, pt, env.additionalData()); err != nil {
		return nil, fmt.Errorf("encrypting the seed: %w", err)
	}
	return env, nil
}

// open decrypts the envelope with password through the AEAD step c. A tag
// that does not verify (ErrSeedAuthentication) is a KindWrongPassword
// Error; any other failure of c is reported as it is.
func (s *SeedEnvelope) open(c SeedCipher, password string) (seedPlain, error) {
	if err := s.check(); err != nil {
		return seedPlain{}, err
	}
	key, err := s.key(password)
	if err != nil {
		return seedPlain{}, err
	}
	defer clear(key)
	pt, err := c.Open(key, s.Nonce, s.Ciphertext, s.additionalData())
	if errors.Is(err, ErrSeedAuthentication) {
		return seedPlain{}, &Error{Kind: KindWrongPassword, Message: "the password does not unlock this hot device", Hint: "check the password (it is case-sensitive) and try again"}
	}
	if err != nil {
		return seedPlain{}, fmt.Errorf("decrypting the hot device seed: %w", err)
	}
	defer clear(pt)
	var plain seedPlain
	if err := json.Unmarshal(pt, &plain); err != nil {
		return seedPlain{}, corruptErr("hot device seed", err)
	}
	return plain, nil
}

// CreateHotDevice makes a software signer from a BIP39 mnemonic and optional
// BIP39 passphrase. An empty mnemonic draws a new 12-word one (128 bits,
// BIP39), which is returned once, to be shown and written down; a given
// mnemonic is validated and never returned. The mnemonic and passphrase are
// stored only encrypted under password (see SeedEnvelope); the device gets
// the six standard account keys of account 0 (BIP44/49/84/86 and BIP48
// types 1 and 2, keys.StandardAccounts) for the network.
func (e *Engine) CreateHotDevice(ctx context.Context, name, mnemonic, bip39Passphrase, password string, net network.Network) (Device, string, error) {
	n, err := cleanName("device", name)
	if err != nil {
		return Device{}, "", err
	}
	if _, err := network.Parse(string(net)); err != nil {
		return Device{}, "", invalidErr("unknown network", "", err)
	}
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return Device{}, "", invalid(fmt.Sprintf("the password is shorter than %d characters", MinPasswordLength), "choose a longer password: it protects the seed stored in this browser")
	}
	generated := ""
	mnemonic = strings.Join(strings.Fields(strings.ToLower(mnemonic)), " ")
	if mnemonic == "" {
		if mnemonic, err = keys.NewMnemonic(128); err != nil {
			return Device{}, "", err
		}
		generated = mnemonic
	} else if err := keys.ValidateMnemonic(mnemonic); err != nil {
		return Device{}, "", invalidErr("the mnemonic is not a valid BIP39 mnemonic", "check every word and their order", err)
	}
	master, err := keys.MasterFromMnemonic(mnemonic, bip39Passphrase, net)
	if err != nil {
		return Device{}, "", invalidErr("the mnemonic cannot be used", "", err)
	}
	accounts, err := keys.StandardAccounts(master, net, 0)
	if err != nil {
		return Device{}, "", err
	}
	ks := make([]DeviceKey, len(accounts))
	for i, a := range accounts {
		ks[i] = DeviceKey{Origin: a.Origin, Xpub: a.Xpub, ScriptHint: a.ScriptType}
	}
	// scrypt is slow on purpose: run it before taking the lock.
	env, err := sealSeed(e.seedCipher, seedPlain{Mnemonic: mnemonic, Passphrase: bip39Passphrase}, password, net, e.scryptN)
	if err != nil {
		return Device{}, "", err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.deviceNameFree(n, ""); err != nil {
		return Device{}, "", err
	}
	d := Device{ID: e.newDeviceID(n), Name: n, Type: TypeHot, Keys: ks, CreatedAt: e.stamp(), Seed: env}
	if err := e.putDevices(ctx, "adding hot device "+quote(n), d); err != nil {
		return Device{}, "", err
	}
	return cloneDevice(d), generated, nil
}

// UnlockHotDevice decrypts a hot device's seed with its password and
// returns the BIP32 master key (for signing PSBTs). A wrong password gives
// an Error of Kind KindWrongPassword.
func (e *Engine) UnlockHotDevice(ctx context.Context, id, password string) (*hdkeychain.ExtendedKey, error) {
	e.mu.Lock()
	d, ok := e.devices[id]
	e.mu.Unlock()
	if !ok {
		return nil, notFound("device", id)
	}
	if d.Type != TypeHot || d.Seed == nil {
		return nil, invalid("device "+quote(d.Name)+" is not a hot device", "sign with the hardware device itself")
	}
	plain, err := d.Seed.open(e.seedCipher, password)
	if err != nil {
		return nil, err
	}
	master, err := keys.MasterFromMnemonic(plain.Mnemonic, plain.Passphrase, d.Seed.Network)
	if err != nil {
		return nil, corruptErr("hot device seed", err)
	}
	return master, nil
}
