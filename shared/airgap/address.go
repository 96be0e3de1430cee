package airgap

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/specterpwa/specter/shared/manager"
	"github.com/specterpwa/specter/shared/network"
)

// AddressQR returns the QR text that makes a device of type t check that
// address belongs to the wallet registered on it (show-address-on-device
// for QR signers). The address must be valid on net.
//
//   - Specter DIY: "bitcoin:ADDRESS?index=N", the BIP21 URI with the
//     derivation index, as Specter Desktop and async-hwi (src/specter.rs,
//     show_addr: "bitcoin:{}?index={}") send it; the device derives the
//     address at that index of its wallets and says which one it is.
//   - SeedSigner, Krux, Passport: the BIP21 URI "bitcoin:ADDRESS"; they
//     search the receive and change branches themselves (SeedSigner
//     decode_qr.py BitcoinAddressQR, then its address verification flow).
//
// Other device types verify addresses on their own screen or over USB and
// get an error.
func AddressQR(t manager.DeviceType, address string, index uint32, net network.Network) (string, error) {
	net, err := network.Parse(string(net))
	if err != nil {
		return "", fmt.Errorf("address QR: %w", err)
	}
	a, err := net.DecodeAddress(strings.TrimSpace(address))
	if err != nil {
		return "", fmt.Errorf("%q is not a %s address: copy it again from the wallet's address list", address, net)
	}
	uri := "bitcoin:" + a.EncodeAddress()
	switch t {
	case manager.TypeSpecterDIY:
		return uri + "?index=" + strconv.FormatUint(uint64(index), 10), nil
	case manager.TypeSeedSigner, manager.TypeKrux, manager.TypePassport:
		return uri, nil
	}
	return "", fmt.Errorf("a %s device does not check addresses from a QR code: use its own address screen, or USB", t)
}
