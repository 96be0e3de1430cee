package keys

import (
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/specterpwa/specter/shared/network"
)

// MasterFromMnemonic is the software signer's root: the BIP39 seed of the
// mnemonic and passphrase turned into a BIP32 master key (HMAC-SHA512 with
// key "Bitcoin seed"). The key carries xprv version bytes on mainnet and
// tprv on test, signet and regtest. The mnemonic is validated first.
func MasterFromMnemonic(mnemonic, passphrase string, net network.Network) (*hdkeychain.ExtendedKey, error) {
	seed, err := SeedFromMnemonic(mnemonic, passphrase)
	if err != nil {
		return nil, err
	}
	master, err := hdkeychain.NewMaster(seed, net.Params())
	if err != nil {
		// Happens with probability below 2^-127 (BIP32: IL >= n or 0).
		return nil, fmt.Errorf("master key from mnemonic: %w: use another mnemonic", err)
	}
	return master, nil
}

// KeyFingerprint is the BIP32 fingerprint of a key: the first four bytes
// of HASH160 of its compressed public key.
func KeyFingerprint(key *hdkeychain.ExtendedKey) (Fingerprint, error) {
	pub, err := key.ECPubKey()
	if err != nil {
		return Fingerprint{}, fmt.Errorf("key fingerprint: %w", err)
	}
	var fp Fingerprint
	copy(fp[:], btcutil.Hash160(pub.SerializeCompressed())[:4])
	return fp, nil
}

// MasterFingerprint is the fingerprint that key origins (BIP380) and PSBT
// derivation paths (BIP174) name a signer by. It refuses a key that is not
// a master key (depth 0), since the fingerprint of a child key would make
// every origin wrong.
func MasterFingerprint(master *hdkeychain.ExtendedKey) (Fingerprint, error) {
	if master.Depth() != 0 {
		return Fingerprint{}, fmt.Errorf("master fingerprint: the key is at depth %d, not a master key (depth 0)", master.Depth())
	}
	return KeyFingerprint(master)
}
