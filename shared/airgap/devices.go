package airgap

import (
	"fmt"
	"strings"

	"github.com/specterpwa/specter/shared/manager"
)

// Model names a model of a device type where models differ in transport:
// shared/manager has one "coldcard" type for Coldcard Mk3/Mk4 (files and
// NFC, no camera) and Coldcard Q (camera, BBQr).
const (
	// ModelAny is every model of the type.
	ModelAny = ""
	// ModelColdcardQ is the Coldcard Q.
	ModelColdcardQ = "q"
)

// Profile is how an air-gapped device of a type exchanges PSBTs: its
// default format and the others it also reads. Types reached only over
// USB (Ledger, Trezor, BitBox02) and the hot device have no profile.
type Profile struct {
	// Type is the device type (shared/manager DeviceTypes).
	Type manager.DeviceType `json:"type"`
	// Model narrows the type (ModelColdcardQ), ModelAny otherwise.
	Model string `json:"model"`
	// Default is the format offered first.
	Default Format `json:"default"`
	// Alternatives are the other formats the device reads, in order.
	Alternatives []Format `json:"alternatives"`
	// Note tells the user where the device reads or writes it.
	Note string `json:"note"`
}

// Profiles lists the air-gapped device profiles, in shared/manager's
// DeviceTypes order. The table, with its sources:
//
//   - Coldcard Mk3/Mk4: a PSBT file on the microSD card (Coldcard docs,
//     "Air-gapped signing"); no camera.
//   - Coldcard Q: BBQr (Coinkite's BBQr.md, made for the Q), or the SD card.
//   - Jade: BC-UR crypto-psbt in QR mode (Blockstream Jade QR mode).
//   - Keystone: BC-UR crypto-psbt (Keystone's air-gapped flow), or the
//     microSD card.
//   - Passport: BC-UR crypto-psbt (Foundation's Passport), or microSD.
//   - SeedSigner: BC-UR crypto-psbt; it also reads Specter's pMofN base64
//     and a single base64 QR (SeedSigner decode_qr.py: PSBTUR2,
//     PSBTSPECTER, PSBTBASE64).
//   - Specter DIY: Specter's pMofN base64 (hosts/qr.py process_normal); it
//     also reads BC-UR crypto-psbt (process_bcur2) and SD card files
//     (hosts/sd.py).
//   - Krux: BC-UR crypto-psbt; it also reads pMofN and BBQr, and the SD
//     card.
//   - Other: any format, a file by default.
func Profiles() []Profile {
	return []Profile{
		{Type: manager.TypeColdcard, Model: ModelAny, Default: FormatFile, Alternatives: []Format{},
			Note: "Save the PSBT to the microSD card, sign it on the Coldcard (Ready To Sign), and load the signed file back."},
		{Type: manager.TypeColdcard, Model: ModelColdcardQ, Default: FormatBBQr, Alternatives: []Format{FormatFile},
			Note: "Scan the animated BBQr code with the Coldcard Q (Scan Any QR Code), sign, and scan the signed BBQr code it shows."},
		{Type: manager.TypeJade, Model: ModelAny, Default: FormatUR, Alternatives: []Format{FormatURv2},
			Note: "In QR mode, scan the animated code with the Jade, sign, and scan the signed code it shows."},
		{Type: manager.TypeKeystone, Model: ModelAny, Default: FormatUR, Alternatives: []Format{FormatURv2, FormatFile},
			Note: "Scan the animated code with the Keystone, sign, and scan the signed code it shows."},
		{Type: manager.TypePassport, Model: ModelAny, Default: FormatUR, Alternatives: []Format{FormatURv2, FormatFile},
			Note: "Choose Sign with QR Code on the Passport, scan the animated code, and scan the signed code it shows."},
		{Type: manager.TypeSeedSigner, Model: ModelAny, Default: FormatUR, Alternatives: []Format{FormatPMofN, FormatStatic},
			Note: "Scan the animated code with the SeedSigner, choose the seed, sign, and scan the signed code it shows."},
		{Type: manager.TypeSpecterDIY, Model: ModelAny, Default: FormatPMofN, Alternatives: []Format{FormatUR, FormatFile},
			Note: "Choose Scan QR code on the Specter DIY, scan the animated code, confirm, and scan the signed code it shows."},
		{Type: manager.TypeKrux, Model: ModelAny, Default: FormatUR, Alternatives: []Format{FormatPMofN, FormatBBQr, FormatFile},
			Note: "Choose Sign > PSBT on the Krux, scan the animated code, and scan the signed code it shows."},
		{Type: manager.TypeOther, Model: ModelAny, Default: FormatFile, Alternatives: []Format{FormatUR, FormatURv2, FormatBBQr, FormatPMofN, FormatStatic},
			Note: "Give the PSBT to the signer as a file or QR code, and load the signed PSBT back the same way."},
	}
}

// ProfileFor returns the profile of a device type and model (ModelAny, or
// ModelColdcardQ for a Coldcard Q).
func ProfileFor(t manager.DeviceType, model string) (Profile, error) {
	model = strings.ToLower(strings.TrimSpace(model))
	for _, p := range Profiles() {
		if p.Type == t && p.Model == model {
			return p, nil
		}
	}
	if model != ModelAny {
		return Profile{}, fmt.Errorf("device type %q has no model %q: leave the model empty", t, model)
	}
	if _, err := manager.ParseDeviceType(string(t)); err != nil {
		return Profile{}, fmt.Errorf("air-gapped signing: %w", err)
	}
	return Profile{}, fmt.Errorf("a %s device signs over USB, not by QR code or file", t)
}
