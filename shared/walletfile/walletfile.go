// Package walletfile imports and exports wallet setups (the public keys,
// script and policy of a watch-only wallet) in the file formats other
// coordinators and signers use: output descriptors (BIP380-389) and Bitcoin
// Core's listdescriptors output, Specter Desktop's wallet backup, the
// account map of Specter/Sparrow/Fully Noded, Coldcard's multisig setup
// text, Electrum wallet files, Caravan's wallet configuration and BSMS
// (BIP129) records. Every format is read into one WalletSetup and written
// from it.
//
// Every import is verified before it is returned: the descriptor parses
// (shared/descriptor), extended keys agree with the origins the file claims
// where that can be checked (depth, child number, parent fingerprint at
// depth 1, own fingerprint at depth 0), the addresses the file states are the
// ones the descriptor derives, and the keys belong to the file's network.
// The package is pure Go, does no I/O and builds for js/wasm.
package walletfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
)

// Format names a wallet setup file format.
type Format string

// The formats Import reads and Export writes.
const (
	// FormatDescriptor is plain text holding one output descriptor
	// (BIP380-389; a BIP389 <0;1> descriptor, or a receive descriptor), a
	// receive and a change descriptor on two lines, or Sparrow's "Output
	// Descriptor" export (the <0;1> descriptor, then its receive and change
	// descriptors, with "#" comment lines).
	FormatDescriptor Format = "descriptor"
	// FormatCore is Bitcoin Core's descriptor JSON: the output of
	// listdescriptors ({"wallet_name", "descriptors": [{"desc", "internal",
	// ...}]}) on import, the argument of importdescriptors (an array of
	// {"desc", "active", "internal", "timestamp", "range"}) on export and
	// import.
	FormatCore Format = "core"
	// FormatSpecter is a Specter Desktop wallet file (its data folder's
	// wallets/*.json and backup zip): "name", "alias", "recv_descriptor",
	// "change_descriptor", "keys", "devices", "sigs_required", "blockheight".
	FormatSpecter Format = "specter"
	// FormatAccountMap is the wallet export of Specter Desktop, Sparrow and
	// Fully Noded: {"label", "blockheight", "descriptor", "devices":
	// [{"type", "label"}]}.
	FormatAccountMap Format = "account-map"
	// FormatColdcard is Coldcard's multisig setup text ("Name:", "Policy: M
	// of N", "Derivation:", "Format:", then "XFP: xpub" lines), as in
	// Coldcard's firmware (multisig.py) and Specter's devices/coldcard.py.
	FormatColdcard Format = "coldcard"
	// FormatElectrum is an Electrum wallet file: multisig ("wallet_type":
	// "2of3", "x1/" ... "xN/" keystores) or standard single-sig
	// ("keystore").
	FormatElectrum Format = "electrum"
	// FormatCaravan is Unchained Capital's Caravan wallet configuration JSON
	// ("name", "addressType", "network", "quorum", "extendedPublicKeys").
	FormatCaravan Format = "caravan"
	// FormatBSMS is a BIP129 round 2 descriptor record ("BSMS 1.0",
	// descriptor or template, path restrictions, first address).
	FormatBSMS Format = "bsms"
)

// Formats lists every format, in the order Detect tries them.
var Formats = []Format{FormatBSMS, FormatSpecter, FormatAccountMap, FormatElectrum, FormatCaravan, FormatCore, FormatColdcard, FormatDescriptor}

// formatHelp describes each format for people (error messages, UI).
var formatHelp = map[Format]string{
	FormatDescriptor: "output descriptor text (one <0;1> descriptor, receive and change descriptors on two lines, or Sparrow's descriptor export)",
	FormatCore:       "Bitcoin Core listdescriptors / importdescriptors JSON",
	FormatSpecter:    "Specter Desktop wallet backup JSON",
	FormatAccountMap: "account map JSON {label, blockheight, descriptor, devices} (Specter, Sparrow, Fully Noded)",
	FormatColdcard:   "Coldcard multisig setup text (Name:, Policy:, Derivation:, Format:, XFP: xpub)",
	FormatElectrum:   "Electrum wallet file (multisig x1/..xN/ or standard keystore)",
	FormatCaravan:    "Caravan wallet configuration JSON",
	FormatBSMS:       "BSMS (BIP129) descriptor record, plain or encrypted with its TOKEN",
}

// SupportedFormats describes, for people, every format Import reads.
func SupportedFormats() []string {
	out := make([]string, 0, len(Formats))
	for _, f := range Formats {
		out = append(out, string(f)+": "+formatHelp[f])
	}
	return out
}

// ErrUnknownFormat is wrapped by Detect and Import when the data matches none
// of the supported formats.
var ErrUnknownFormat = errors.New("unrecognised wallet file")

// ErrEncrypted is wrapped by Import when the data is an encrypted BSMS record
// (BIP129) and no TOKEN was given to decrypt it.
var ErrEncrypted = errors.New("encrypted BSMS record")

// Device is one signer of a wallet setup: a key with its BIP32 origin
// (BIP380 key origin) and what the file says about the device holding it.
type Device struct {
	// Name is the file's name for the signer ("label", "name", Electrum's
	// keystore label); empty when the file names none.
	Name string `json:"name"`
	// Type is the file's device type ("coldcard", "trezor", Electrum's
	// hw_type, Caravan's method); empty when the file says nothing.
	Type string `json:"type"`
	// Fingerprint is the master key fingerprint of the origin; for a key
	// without origin, the fingerprint of the key itself.
	Fingerprint keys.Fingerprint `json:"fingerprint"`
	// Path is the origin path from the master key to Xpub (empty without
	// an origin).
	Path keys.Path `json:"path"`
	// Xpub is the key with standard xpub/tpub version bytes, or the hex
	// public key for a descriptor of plain keys.
	Xpub string `json:"xpub"`
}

// WalletSetup is a wallet's public definition, the common form of every
// format of this package.
type WalletSetup struct {
	// Name is the wallet's name in the file ("" when it has none).
	Name string `json:"name"`
	// Network is the network the keys and addresses belong to.
	Network network.Network `json:"network"`
	// Descriptor is the normalised public descriptor with its checksum
	// (BIP380): a BIP389 "<0;1>" multipath descriptor for a wallet with
	// receive (0) and change (1) branches, or the single descriptor of a
	// wallet without a change branch.
	Descriptor string `json:"descriptor"`
	// BirthdayHeight is the block height to scan from (0 when unknown).
	BirthdayHeight int64 `json:"birthday_height"`
	// Devices lists the signers' keys in descriptor order.
	Devices []Device `json:"devices"`
	// M and N are the multisig threshold, 1 and 1 for single-sig.
	M int `json:"m"`
	N int `json:"n"`
}

// Imported is the result of an import.
type Imported struct {
	// Format is the format the data was read as.
	Format Format `json:"format"`
	// Setup is the verified wallet setup.
	Setup WalletSetup `json:"setup"`
	// Warnings lists what the user should know but does not stop the
	// import (private keys left out, fields ignored).
	Warnings []string `json:"warnings,omitempty"`
}

// Options tunes an import.
type Options struct {
	// Network is the network to assume when the file does not say and its
	// keys fit several (tpub keys are used on testnet, signet and regtest).
	// Empty means mainnet for xpub keys and testnet for tpub keys.
	Network network.Network
	// BSMSToken is the BIP129 TOKEN (hex or decimal) that decrypts an
	// encrypted BSMS record.
	BSMSToken string
}

// Detect names the format of data, or fails with an error wrapping
// ErrUnknownFormat that lists the supported formats.
func Detect(data []byte) (Format, error) {
	if len(data) > maxFileSize {
		return "", fmt.Errorf("%w: the file is %d bytes; wallet files are far smaller (at most %d are read)", ErrUnknownFormat, len(data), maxFileSize)
	}
	text := strings.TrimSpace(strings.TrimPrefix(string(data), "\ufeff"))
	if text == "" {
		return "", fmt.Errorf("%w: the file is empty; supported formats: %s", ErrUnknownFormat, strings.Join(SupportedFormats(), "; "))
	}
	switch text[0] {
	case '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(text), &obj); err != nil {
			return "", fmt.Errorf("%w: the file looks like JSON but does not parse (%v); supported formats: %s", ErrUnknownFormat, err, strings.Join(SupportedFormats(), "; "))
		}
		if f, ok := detectObject(obj); ok {
			return f, nil
		}
		return "", fmt.Errorf("%w: a JSON object without the fields of any known wallet file; supported formats: %s", ErrUnknownFormat, strings.Join(SupportedFormats(), "; "))
	case '[':
		var arr []map[string]json.RawMessage
		if err := json.Unmarshal([]byte(text), &arr); err != nil || len(arr) == 0 {
			return "", fmt.Errorf("%w: a JSON array that is not a list of wallet objects; supported formats: %s", ErrUnknownFormat, strings.Join(SupportedFormats(), "; "))
		}
		if _, ok := arr[0]["desc"]; ok {
			return FormatCore, nil
		}
		if f, ok := detectObject(arr[0]); ok {
			return f, nil
		}
		return "", fmt.Errorf("%w: a JSON array whose first element is no known wallet object; supported formats: %s", ErrUnknownFormat, strings.Join(SupportedFormats(), "; "))
	}
	if strings.HasPrefix(text, "BSMS ") {
		return FormatBSMS, nil
	}
	if isEncryptedBSMS(text) {
		return FormatBSMS, nil
	}
	if looksColdcard(text) {
		return FormatColdcard, nil
	}
	if looksDescriptor(text) {
		return FormatDescriptor, nil
	}
	return "", fmt.Errorf("%w: supported formats: %s", ErrUnknownFormat, strings.Join(SupportedFormats(), "; "))
}

// detectObject recognises a JSON wallet object by its fields.
func detectObject(obj map[string]json.RawMessage) (Format, bool) {
	has := func(k string) bool { _, ok := obj[k]; return ok }
	switch {
	case has("recv_descriptor"):
		return FormatSpecter, true
	case has("descriptor") && (has("label") || has("blockheight") || has("devices")):
		return FormatAccountMap, true
	case has("x1/") || (has("keystore") && has("wallet_type")):
		return FormatElectrum, true
	case has("extendedPublicKeys") && has("quorum"):
		return FormatCaravan, true
	case has("descriptors"):
		return FormatCore, true
	}
	return "", false
}

// Import detects the format of data and reads the wallet setup it holds,
// verified (see the package comment).
func Import(data []byte) (*Imported, error) {
	return ImportWith(data, Options{})
}

// ImportWith is Import with options: a network hint and a BSMS TOKEN.
func ImportWith(data []byte, opts Options) (*Imported, error) {
	f, err := Detect(data)
	if err != nil {
		return nil, err
	}
	return ImportAs(data, f, opts)
}

// ImportAs reads data as the given format.
func ImportAs(data []byte, f Format, opts Options) (*Imported, error) {
	if opts.Network != "" {
		if _, err := network.Parse(string(opts.Network)); err != nil {
			return nil, fmt.Errorf("import options: %w", err)
		}
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("the file is %d bytes; wallet files are far smaller (at most %d are read)", len(data), maxFileSize)
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	var (
		imp *Imported
		err error
	)
	switch f {
	case FormatDescriptor:
		imp, err = importDescriptorText(text, opts)
	case FormatCore:
		imp, err = importCore(text, opts)
	case FormatSpecter:
		imp, err = importSpecter(text, opts)
	case FormatAccountMap:
		imp, err = importAccountMap(text, opts)
	case FormatColdcard:
		imp, err = importColdcard(text, opts)
	case FormatElectrum:
		imp, err = importElectrum(text, opts)
	case FormatCaravan:
		imp, err = importCaravan(text, opts)
	case FormatBSMS:
		imp, err = importBSMS(text, opts)
	default:
		return nil, fmt.Errorf("%w: format %q is not one of %s", ErrUnknownFormat, f, formatList())
	}
	if err != nil {
		return nil, fmt.Errorf("reading the %s: %w", formatHelp[f], err)
	}
	imp.Format = f
	return imp, nil
}

// Export writes setup in format f. The setup is verified first (its
// descriptor must parse and match M, N and the network).
func Export(setup WalletSetup, f Format) ([]byte, error) {
	w, err := loadSetup(setup)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	var out []byte
	switch f {
	case FormatDescriptor:
		out, err = exportDescriptorText(w)
	case FormatCore:
		out, err = exportCore(w)
	case FormatSpecter:
		out, err = exportSpecter(w)
	case FormatAccountMap:
		out, err = exportAccountMap(w)
	case FormatColdcard:
		out, err = exportColdcard(w)
	case FormatElectrum:
		out, err = exportElectrum(w)
	case FormatCaravan:
		out, err = exportCaravan(w)
	case FormatBSMS:
		out, err = exportBSMS(w)
	default:
		return nil, fmt.Errorf("export: format %q is not one of %s", f, formatList())
	}
	if err != nil {
		return nil, fmt.Errorf("export as %s: %w", f, err)
	}
	return out, nil
}

func formatList() string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// marshalJSON writes v as indented JSON without HTML escaping, ending in a
// newline.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ReceiveChange returns the setup's receive descriptor (BIP389 branch 0)
// and change descriptor (branch 1), each with its BIP380 checksum; change
// is "" for a wallet without a change branch.
func (s WalletSetup) ReceiveChange() (receive, change string, err error) {
	d, err := descriptor.Parse(s.Descriptor)
	if err != nil {
		return "", "", fmt.Errorf("setup descriptor: %w", err)
	}
	r, err := d.Branch(0)
	if err != nil {
		return "", "", err
	}
	if d.PathCount() < 2 {
		return r.String(), "", nil
	}
	c, err := d.Branch(1)
	if err != nil {
		return "", "", err
	}
	return r.String(), c.String(), nil
}
