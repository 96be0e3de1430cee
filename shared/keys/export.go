package keys

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
)

// Sources of a KeyExport: the file format it was read from.
const (
	// SourceColdcardGeneric is Coldcard's "Generic JSON" wallet export
	// (Coldcard docs/generic-wallet-export.md), also written by Passport
	// and Sparrow: "xfp" plus "bip44", "bip49", "bip84", "bip86",
	// "bip48_1", "bip48_2" and "bip45" sections.
	SourceColdcardGeneric = "coldcard-generic-json"
	// SourceColdcardMultisig is Coldcard's multisig "Export XPUB" file
	// ("p2sh", "p2sh_p2wsh" or "p2wsh_p2sh", "p2wsh" with "_deriv" paths).
	SourceColdcardMultisig = "coldcard-multisig-json"
	// SourceKeystone is the Keystone / Cobo Vault single-sig JSON, also
	// Wasabi's ("ExtPubKey", "MasterFingerprint", "AccountKeyPath").
	SourceKeystone = "keystone-json"
	// SourceCoboMultisig is Cobo Vault's multisig export ("xfp", "xpub",
	// "path").
	SourceCoboMultisig = "cobo-multisig-json"
	// SourceElectrum is an Electrum wallet file, standard ("keystore") or
	// multisig ("x1/", "x2/", ...).
	SourceElectrum = "electrum-wallet"
	// SourceSparrowWallet is a Sparrow wallet in its JSON model (drongo's
	// Wallet/Keystore/KeyDerivation: "keystores" with "keyDerivation" and
	// "extendedPublicKey").
	SourceSparrowWallet = "sparrow-wallet-json"
	// SourceSpecterDevice is a Specter Desktop device file (its data
	// folder's devices/*.json): "name", "type" and "keys" with "original",
	// "xpub", "fingerprint", "derivation" and "type" per key.
	SourceSpecterDevice = "specter-desktop-device"
	// SourceKeyExpressions is text holding BIP380 key expressions
	// "[fingerprint/path]xpub", one or more per file: Specter DIY,
	// Passport, SeedSigner, Krux, Jade and Keystone descriptor exports.
	SourceKeyExpressions = "key-expressions"
)

// maxExportSize bounds what ParseExport reads: real exports are a few KiB.
const maxExportSize = 1 << 20

// ErrUnknownExportFormat is wrapped by ParseExport when the data matches
// none of the formats it reads.
var ErrUnknownExportFormat = errors.New("unrecognised key export")

// KeyExport is one public key read from a hardware wallet's export file,
// with what the file says about it.
type KeyExport struct {
	// Origin is the master fingerprint and derivation path (BIP380).
	Origin Origin `json:"origin"`
	// Xpub is the key with standard version bytes (xpub or tpub),
	// whatever SLIP-132 form the file used.
	Xpub string `json:"xpub"`
	// ScriptHint is the script the file meant the key for: from the
	// section it sits in, its descriptor, its SLIP-132 version or, last,
	// its path's purpose (BIP44/45/48/49/84/86). Empty when nothing says.
	ScriptHint ScriptType `json:"script_hint"`
	// Label is the file's own name for the key (Electrum's "label");
	// empty when the file gives none.
	Label string `json:"label"`
	// Source is the format the key was read from (Source* constants).
	Source string `json:"source"`
}

// SupportedExportFormats describes, for people, the formats ParseExport
// reads.
func SupportedExportFormats() []string {
	return []string{
		"Coldcard generic JSON (also written by Passport and Sparrow)",
		"Coldcard multisig XPUB JSON (p2wsh, p2sh_p2wsh, p2sh with _deriv paths)",
		"Keystone / Cobo Vault / Wasabi JSON (ExtPubKey, MasterFingerprint, AccountKeyPath)",
		"Cobo Vault multisig JSON (xfp, xpub, path)",
		"Electrum wallet file (keystore, or x1/ x2/ ... for multisig)",
		"Sparrow wallet JSON (keystores with keyDerivation and extendedPublicKey)",
		"Specter Desktop device file (name, type, keys)",
		"text with key expressions [fingerprint/path]xpub (Specter DIY, Passport, SeedSigner, Krux, descriptors)",
	}
}

// ParseExport reads the xpub export file of a hardware wallet, detecting
// its format, and returns its keys in file order. Every key is checked:
// it must be public, its depth and child index must agree with its path,
// its SLIP-132 version with its script, and the checks the file itself
// carries (Coldcard's master xpub, key fingerprints and first addresses)
// must hold. Keys of one file must all be mainnet or all test-network.
func ParseExport(data []byte) ([]KeyExport, error) {
	if len(data) > maxExportSize {
		return nil, fmt.Errorf("key export: the file is %d bytes, key exports are a few KiB: is this the right file?", len(data))
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("key export: the file is empty")
	}
	if bytes.HasPrefix(trimmed, []byte("QklFMQ")) || bytes.HasPrefix(trimmed, []byte("BIE1")) {
		return nil, fmt.Errorf("key export: this is an encrypted wallet file (BIE1, as Sparrow and Electrum write them) and holds no readable keys: export the wallet or its xpubs unencrypted from the wallet")
	}
	var exports []KeyExport
	var err error
	var jsonErr error
	if trimmed[0] == '{' {
		var obj map[string]json.RawMessage
		if jsonErr = json.Unmarshal(trimmed, &obj); jsonErr == nil {
			exports, err = parseJSONExport(obj)
			if err != nil {
				return nil, err
			}
		}
	}
	if exports == nil {
		if exports, err = parseKeyExpressions(string(data)); err != nil {
			return nil, err
		}
	}
	if exports == nil {
		msg := fmt.Sprintf("%v: it matches none of the formats read here: %s", ErrUnknownExportFormat, strings.Join(SupportedExportFormats(), "; "))
		if jsonErr != nil {
			msg = fmt.Sprintf("key export looks like JSON but does not parse (%v); %s", jsonErr, msg)
		}
		return nil, &exportFormatError{msg: msg}
	}
	return finishExports(exports)
}

type exportFormatError struct{ msg string }

func (e *exportFormatError) Error() string { return e.msg }
func (e *exportFormatError) Unwrap() error { return ErrUnknownExportFormat }

// finishExports removes exact duplicates and checks that one file does
// not mix mainnet and test-network keys.
func finishExports(in []KeyExport) ([]KeyExport, error) {
	out := make([]KeyExport, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, e := range in {
		id := e.Origin.String() + " " + e.Xpub + " " + string(e.ScriptHint)
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, e)
	}
	for _, e := range out[1:] {
		if e.Xpub[0] != out[0].Xpub[0] {
			return nil, fmt.Errorf("key export mixes mainnet (xpub) and test-network (tpub) keys: [%s] and [%s]; export again for one network", out[0].Origin, e.Origin)
		}
	}
	return out, nil
}

// parseJSONExport picks the JSON format by its distinctive keys. It
// returns nil, nil when none matches.
func parseJSONExport(obj map[string]json.RawMessage) ([]KeyExport, error) {
	has := func(k string) bool { _, ok := obj[k]; return ok }
	switch {
	case has("keystore") || hasElectrumCosigners(obj):
		return parseElectrum(obj)
	case has("ExtPubKey"):
		return parseKeystone(obj)
	case has("keystores"):
		return parseSparrowWallet(obj)
	case has("keys") && has("name"):
		return parseSpecterDevice(obj)
	case has("bip44") || has("bip49") || has("bip84") || has("bip86") || has("bip48_1") || has("bip48_2") || has("bip45"):
		return parseColdcardGeneric(obj)
	case has("p2wsh_deriv") || has("p2sh_deriv") || has("p2sh_p2wsh_deriv") || has("p2wsh_p2sh_deriv") || has("p2tr_deriv"):
		return parseColdcardMultisig(obj)
	case has("xfp") && has("xpub") && has("path"):
		return parseCoboMultisig(obj)
	}
	return nil, nil
}

var electrumCosigner = regexp.MustCompile(`^x[0-9]+/$`)

func hasElectrumCosigners(obj map[string]json.RawMessage) bool {
	for k := range obj {
		if electrumCosigner.MatchString(k) {
			return true
		}
	}
	return false
}

// jsonString reads obj[key] as a string; missing or null gives "".
func jsonString(obj map[string]json.RawMessage, key, where string) (string, error) {
	raw, ok := obj[key]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("%s: %q must be a string", where, key)
	}
	return strings.TrimSpace(s), nil
}

// requiredStrings reads the string members names of obj, in that order;
// each must be present and not empty.
func requiredStrings(obj map[string]json.RawMessage, where string, names ...string) ([]string, error) {
	out := make([]string, len(names))
	for i, name := range names {
		v, err := jsonString(obj, name, where)
		if err != nil {
			return nil, err
		}
		if v == "" {
			return nil, fmt.Errorf("%s: %q is missing", where, name)
		}
		out[i] = v
	}
	return out, nil
}

// keyInput is one key as a file states it, before checking.
type keyInput struct {
	where       string // for errors: "Coldcard generic JSON, section bip84"
	fingerprint Fingerprint
	path        string
	key         string
	hint        ScriptType // what the file's structure says, or ""
	label       string
	source      string
}

// build checks one key against everything its file says about it.
func (in keyInput) build() (KeyExport, *ExtendedKey, error) {
	path, err := ParsePath(in.path)
	if err != nil {
		return KeyExport{}, nil, fmt.Errorf("%s: %w", in.where, err)
	}
	if in.key == "" {
		return KeyExport{}, nil, fmt.Errorf("%s: the extended public key is missing", in.where)
	}
	k, err := ParseExtendedKey(in.key)
	if err != nil {
		return KeyExport{}, nil, fmt.Errorf("%s: %w", in.where, err)
	}
	if k.Key.IsPrivate() {
		return KeyExport{}, nil, fmt.Errorf("%s: the file holds a private extended key; export only the public key (xpub) from the device", in.where)
	}
	origin := Origin{Fingerprint: in.fingerprint, Path: path}
	if int(k.Key.Depth()) != len(path) {
		return KeyExport{}, nil, fmt.Errorf("%s: the key is at depth %d but its path m/%s has %d steps: the path does not belong to this key", in.where, k.Key.Depth(), path.StringApostrophe(), len(path))
	}
	if len(path) > 0 && k.Key.ChildIndex() != path[len(path)-1] {
		return KeyExport{}, nil, fmt.Errorf("%s: the key is child %s but its path m/%s ends in %s: the path does not belong to this key", in.where, Path{k.Key.ChildIndex()}.StringApostrophe(), path.StringApostrophe(), path[len(path)-1:].StringApostrophe())
	}
	if len(path) == 1 && k.Key.ParentFingerprint() != in.fingerprint.BigEndianUint32() {
		return KeyExport{}, nil, fmt.Errorf("%s: the key's parent fingerprint is %08x but the file names master %s", in.where, k.Key.ParentFingerprint(), in.fingerprint)
	}
	if len(path) == 0 {
		if fp, err := KeyFingerprint(k.Key); err != nil || fp != in.fingerprint {
			return KeyExport{}, nil, fmt.Errorf("%s: the key is a master key whose fingerprint is %s, not %s", in.where, fp, in.fingerprint)
		}
	}
	hint := in.hint
	if implied := slip132Script(k.Format); implied != "" {
		if hint != "" && hint != implied {
			return KeyExport{}, nil, fmt.Errorf("%s: the key is written as a %s (%s) but the file lists it for %s; re-export the key", in.where, k.VersionName(), implied, hint)
		}
		hint = implied
	}
	if hint == "" {
		hint = pathScript(path)
	}
	return KeyExport{Origin: origin, Xpub: k.Key.String(), ScriptHint: hint, Label: in.label, Source: in.source}, k, nil
}

// slip132Script is the script a SLIP-132 version implies; plain xpub/tpub
// imply nothing.
func slip132Script(f Format) ScriptType {
	switch f {
	case FormatY:
		return ScriptSHWPKH
	case FormatZ:
		return ScriptWPKH
	case FormatYMult:
		return ScriptSHWSH
	case FormatZMult:
		return ScriptWSH
	}
	return ""
}

// pathScript guesses the script from a path's purpose (BIP43): 44', 45',
// 48'/c'/a'/1' or 2', 49', 84', 86'.
func pathScript(p Path) ScriptType {
	if len(p) == 0 {
		return ""
	}
	switch p[0] {
	case 44 + Hardened:
		return ScriptPKH
	case 45 + Hardened:
		return ScriptSH
	case 49 + Hardened:
		return ScriptSHWPKH
	case 84 + Hardened:
		return ScriptWPKH
	case 86 + Hardened:
		return ScriptTR
	case 48 + Hardened:
		if len(p) == 4 {
			switch p[3] {
			case 1 + Hardened:
				return ScriptSHWSH
			case 2 + Hardened:
				return ScriptWSH
			}
		}
	}
	return ""
}

// parseFingerprintField reads a fingerprint written as 8 hex digits
// (either case), as every JSON format here does.
func parseFingerprintField(s, where, field string) (Fingerprint, error) {
	fp, err := ParseFingerprint(strings.ToLower(strings.TrimSpace(s)))
	if err != nil {
		return Fingerprint{}, fmt.Errorf("%s: %q: %w", where, field, err)
	}
	return fp, nil
}

// coldcardSections are the generic export's sections in file-format order
// with the script each stands for.
var coldcardSections = []struct {
	name string
	hint ScriptType
}{
	{"bip44", ScriptPKH}, {"bip49", ScriptSHWPKH}, {"bip84", ScriptWPKH}, {"bip86", ScriptTR},
	{"bip48_1", ScriptSHWSH}, {"bip48_2", ScriptWSH}, {"bip45", ScriptSH},
}

func parseColdcardGeneric(obj map[string]json.RawMessage) ([]KeyExport, error) {
	const where = "Coldcard generic JSON"
	xfp, err := jsonString(obj, "xfp", where)
	if err != nil {
		return nil, err
	}
	if xfp == "" {
		return nil, fmt.Errorf("%s: the master fingerprint \"xfp\" is missing", where)
	}
	master, err := parseFingerprintField(xfp, where, "xfp")
	if err != nil {
		return nil, err
	}
	chain, err := jsonString(obj, "chain", where)
	if err != nil {
		return nil, err
	}
	params, err := coldcardChain(chain, where)
	if err != nil {
		return nil, err
	}
	if mx, err := jsonString(obj, "xpub", where); err != nil {
		return nil, err
	} else if mx != "" {
		if _, _, err := (keyInput{where: where + ", master xpub", fingerprint: master, key: mx}).build(); err != nil {
			return nil, err
		}
	}
	var out []KeyExport
	for _, sec := range coldcardSections {
		raw, ok := obj[sec.name]
		if !ok {
			continue
		}
		w := where + ", section " + sec.name
		var s map[string]json.RawMessage
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("%s: not a JSON object", w)
		}
		fields := map[string]string{}
		for _, f := range []string{"name", "xfp", "deriv", "xpub", "_pub", "first"} {
			if fields[f], err = jsonString(s, f, w); err != nil {
				return nil, err
			}
		}
		if fields["xpub"] == "" && fields["_pub"] == "" {
			continue // e.g. bip352 silent-payment sections carry no xpub
		}
		hint := sec.hint
		if fields["name"] != "" {
			if named, err := ParseScriptType(fields["name"]); err == nil && named != hint {
				return nil, fmt.Errorf("%s: \"name\" says %s but the section is for %s", w, fields["name"], hint)
			}
		}
		key := fields["xpub"]
		if key == "" {
			key = fields["_pub"]
		}
		e, k, err := keyInput{where: w, fingerprint: master, path: fields["deriv"], key: key, hint: hint, source: SourceColdcardGeneric}.build()
		if err != nil {
			return nil, err
		}
		if fields["_pub"] != "" && fields["xpub"] != "" {
			alt, err := ParseExtendedKey(fields["_pub"])
			if err != nil {
				return nil, fmt.Errorf("%s: \"_pub\": %w", w, err)
			}
			if alt.Key.String() != e.Xpub {
				return nil, fmt.Errorf("%s: \"_pub\" and \"xpub\" are different keys: the file is corrupt", w)
			}
			if implied := slip132Script(alt.Format); implied != "" && implied != hint {
				return nil, fmt.Errorf("%s: \"_pub\" is a %s (%s) but the section is for %s", w, alt.VersionName(), implied, hint)
			}
		}
		if fields["xfp"] != "" {
			own, err := parseFingerprintField(fields["xfp"], w, "xfp")
			if err != nil {
				return nil, err
			}
			if fp, _ := KeyFingerprint(k.Key); own != fp && own != master {
				return nil, fmt.Errorf("%s: \"xfp\" %s is neither the key's fingerprint %s nor the master's %s: the file is corrupt", w, own, fp, master)
			}
		}
		if params != nil && k.Testnet != (params.Net != chaincfg.MainNetParams.Net) {
			return nil, fmt.Errorf("%s: the key is a %s but \"chain\" is %s: the key is for another network", w, k.VersionName(), strings.ToUpper(chain))
		}
		if fields["first"] != "" {
			if err := checkFirstAddress(k, hint, fields["first"], params); err != nil {
				return nil, fmt.Errorf("%s: %w", w, err)
			}
		}
		out = append(out, e)
	}
	if out == nil {
		return nil, fmt.Errorf("%s: no section holds an extended public key", where)
	}
	return out, nil
}

// coldcardChain maps Coldcard's "chain" to chain parameters: BTC, XTN
// (testnet and signet) or XRT (regtest). Empty gives nil: unknown.
func coldcardChain(chain, where string) (*chaincfg.Params, error) {
	switch strings.ToUpper(chain) {
	case "":
		return nil, nil
	case "BTC":
		return &chaincfg.MainNetParams, nil
	case "XTN":
		return &chaincfg.TestNet3Params, nil
	case "XRT":
		return &chaincfg.RegressionNetParams, nil
	}
	return nil, fmt.Errorf("%s: unknown \"chain\" %q: expected BTC, XTN or XRT", where, chain)
}

// checkFirstAddress derives /0/0 from the account key and compares it with
// the address the device printed (Coldcard's "first").
func checkFirstAddress(k *ExtendedKey, hint ScriptType, first string, params *chaincfg.Params) error {
	candidates := []*chaincfg.Params{params}
	if params == nil {
		candidates = []*chaincfg.Params{&chaincfg.MainNetParams}
		if k.Testnet {
			candidates = []*chaincfg.Params{&chaincfg.TestNet3Params, &chaincfg.RegressionNetParams}
		}
	}
	child, err := k.Key.Derive(0)
	if err == nil {
		child, err = child.Derive(0)
	}
	if err != nil {
		return fmt.Errorf("deriving the first address: %w", err)
	}
	pub, err := child.ECPubKey()
	if err != nil {
		return fmt.Errorf("deriving the first address: %w", err)
	}
	var got string
	for _, p := range candidates {
		var addr btcutil.Address
		switch hint {
		case ScriptPKH:
			addr, err = btcutil.NewAddressPubKeyHash(btcutil.Hash160(pub.SerializeCompressed()), p)
		case ScriptWPKH:
			addr, err = btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(pub.SerializeCompressed()), p)
		case ScriptSHWPKH:
			var redeem []byte
			redeem, err = txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(btcutil.Hash160(pub.SerializeCompressed())).Script()
			if err == nil {
				addr, err = btcutil.NewAddressScriptHash(redeem, p)
			}
		case ScriptTR:
			addr, err = btcutil.NewAddressTaproot(schnorr.SerializePubKey(txscript.ComputeTaprootKeyNoScript(pub)), p)
		default:
			return nil // multisig sections have no single first address
		}
		if err != nil {
			return fmt.Errorf("deriving the first address: %w", err)
		}
		got = addr.EncodeAddress()
		if strings.EqualFold(got, first) {
			return nil
		}
	}
	return fmt.Errorf("the first address in the file is %s but the key gives %s: the file is corrupt or the key is not this account's", first, got)
}

func parseColdcardMultisig(obj map[string]json.RawMessage) ([]KeyExport, error) {
	const where = "Coldcard multisig JSON"
	xfp, err := jsonString(obj, "xfp", where)
	if err != nil {
		return nil, err
	}
	if xfp == "" {
		return nil, fmt.Errorf("%s: the master fingerprint \"xfp\" is missing", where)
	}
	master, err := parseFingerprintField(xfp, where, "xfp")
	if err != nil {
		return nil, err
	}
	var out []KeyExport
	// "p2wsh_p2sh" is how early firmware named P2SH-P2WSH; later ones
	// write "p2sh_p2wsh". Both may be present with the same key.
	for _, f := range []struct {
		key  string
		hint ScriptType
	}{{"p2sh", ScriptSH}, {"p2sh_p2wsh", ScriptSHWSH}, {"p2wsh_p2sh", ScriptSHWSH}, {"p2wsh", ScriptWSH}, {"p2tr", ScriptTR}} {
		key, err := jsonString(obj, f.key, where)
		if err != nil {
			return nil, err
		}
		deriv, err := jsonString(obj, f.key+"_deriv", where)
		if err != nil {
			return nil, err
		}
		if key == "" && deriv == "" {
			continue
		}
		w := where + ", " + f.key
		if deriv == "" {
			return nil, fmt.Errorf("%s: %q has no %q path", w, f.key, f.key+"_deriv")
		}
		e, _, err := keyInput{where: w, fingerprint: master, path: deriv, key: key, hint: f.hint, source: SourceColdcardMultisig}.build()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if out == nil {
		return nil, fmt.Errorf("%s: no p2sh, p2sh_p2wsh or p2wsh key", where)
	}
	return out, nil
}

func parseKeystone(obj map[string]json.RawMessage) ([]KeyExport, error) {
	const where = "Keystone/Cobo JSON"
	f, err := requiredStrings(obj, where, "ExtPubKey", "MasterFingerprint", "AccountKeyPath")
	if err != nil {
		return nil, err
	}
	fp, err := parseFingerprintField(f[1], where, "MasterFingerprint")
	if err != nil {
		return nil, err
	}
	e, _, err := keyInput{where: where, fingerprint: fp, path: f[2], key: f[0], source: SourceKeystone}.build()
	if err != nil {
		return nil, err
	}
	return []KeyExport{e}, nil
}

func parseCoboMultisig(obj map[string]json.RawMessage) ([]KeyExport, error) {
	const where = "Cobo multisig JSON"
	f, err := requiredStrings(obj, where, "xfp", "xpub", "path")
	if err != nil {
		return nil, err
	}
	fp, err := parseFingerprintField(f[0], where, "xfp")
	if err != nil {
		return nil, err
	}
	e, _, err := keyInput{where: where, fingerprint: fp, path: f[2], key: f[1], source: SourceCoboMultisig}.build()
	if err != nil {
		return nil, err
	}
	return []KeyExport{e}, nil
}

func parseElectrum(obj map[string]json.RawMessage) ([]KeyExport, error) {
	const where = "Electrum wallet"
	walletType, err := jsonString(obj, "wallet_type", where)
	if err != nil {
		return nil, err
	}
	type named struct {
		name string
		raw  json.RawMessage
	}
	var keystores []named
	multisig := false
	if raw, ok := obj["keystore"]; ok {
		keystores = append(keystores, named{"keystore", raw})
	} else {
		multisig = true
		for k, raw := range obj {
			if electrumCosigner.MatchString(k) {
				keystores = append(keystores, named{k, raw})
			}
		}
		sort.Slice(keystores, func(i, j int) bool {
			a, _ := strconv.Atoi(strings.Trim(keystores[i].name, "x/"))
			b, _ := strconv.Atoi(strings.Trim(keystores[j].name, "x/"))
			return a < b
		})
	}
	if walletType != "" && walletType != "standard" && !strings.Contains(walletType, "of") {
		return nil, fmt.Errorf("%s: wallet type %q has no extended keys to import: use a standard or multisig wallet", where, walletType)
	}
	out := make([]KeyExport, 0, len(keystores))
	for _, ks := range keystores {
		w := where + ", " + ks.name
		var s map[string]json.RawMessage
		if err := json.Unmarshal(ks.raw, &s); err != nil {
			return nil, fmt.Errorf("%s: not a JSON object", w)
		}
		fields := map[string]string{}
		for _, f := range []string{"xpub", "derivation", "root_fingerprint", "label", "type"} {
			if fields[f], err = jsonString(s, f, w); err != nil {
				return nil, err
			}
		}
		if fields["xpub"] == "" {
			return nil, fmt.Errorf("%s: keystore of type %q has no xpub: only BIP32 keystores can be imported", w, fields["type"])
		}
		var fp Fingerprint
		switch {
		case fields["root_fingerprint"] != "":
			if fp, err = parseFingerprintField(fields["root_fingerprint"], w, "root_fingerprint"); err != nil {
				return nil, err
			}
		case len(s["ckcc_xfp"]) > 0:
			var xfp uint32
			if err := json.Unmarshal(s["ckcc_xfp"], &xfp); err != nil {
				return nil, fmt.Errorf("%s: \"ckcc_xfp\" must be a 32-bit number", w)
			}
			fp = FingerprintFromUint32(xfp) // Coldcard's little-endian integer form
		default:
			return nil, fmt.Errorf("%s: the keystore has no root_fingerprint: its key origin is unknown; export the xpub from the device instead", w)
		}
		if fields["derivation"] == "" {
			return nil, fmt.Errorf("%s: the keystore has no derivation path: its key origin is unknown; export the xpub from the device instead", w)
		}
		// Coldcard's Electrum export also carries the master xpub: it must
		// be the key the fingerprint names.
		if mx, err := jsonString(s, "ckcc_xpub", w); err != nil {
			return nil, err
		} else if mx != "" {
			if _, _, err := (keyInput{where: w + ", ckcc_xpub", fingerprint: fp, key: mx}).build(); err != nil {
				return nil, err
			}
		}
		e, k, err := keyInput{where: w, fingerprint: fp, path: fields["derivation"], key: fields["xpub"], label: fields["label"], source: SourceElectrum}.build()
		if err != nil {
			return nil, err
		}
		// Electrum reads a plain xpub/tpub as P2PKH in a standard wallet
		// and as P2SH multisig in a multisig one.
		if k.Format == FormatX {
			e.ScriptHint = ScriptPKH
			if multisig {
				e.ScriptHint = ScriptSH
			}
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no keystore found", where)
	}
	return out, nil
}

func parseSparrowWallet(obj map[string]json.RawMessage) ([]KeyExport, error) {
	const where = "Sparrow wallet JSON"
	scriptType, err := jsonString(obj, "scriptType", where)
	if err != nil {
		return nil, err
	}
	var hint ScriptType
	if scriptType != "" {
		if hint, err = ParseScriptType(scriptType); err != nil {
			return nil, fmt.Errorf("%s: \"scriptType\": %w", where, err)
		}
	}
	var keystores []map[string]json.RawMessage
	if err := json.Unmarshal(obj["keystores"], &keystores); err != nil {
		return nil, fmt.Errorf("%s: \"keystores\" must be a list of objects", where)
	}
	out := make([]KeyExport, 0, len(keystores))
	for i, ks := range keystores {
		w := fmt.Sprintf("%s, keystore %d", where, i+1)
		label, err := jsonString(ks, "label", w)
		if err != nil {
			return nil, err
		}
		key, err := jsonString(ks, "extendedPublicKey", w)
		if err != nil {
			return nil, err
		}
		var kd map[string]json.RawMessage
		if raw, ok := ks["keyDerivation"]; !ok || json.Unmarshal(raw, &kd) != nil {
			return nil, fmt.Errorf("%s: \"keyDerivation\" is missing: the key origin is unknown", w)
		}
		fpStr, err := jsonString(kd, "masterFingerprint", w)
		if err != nil {
			return nil, err
		}
		path, err := jsonString(kd, "derivationPath", w)
		if err != nil {
			return nil, err
		}
		if path == "" {
			// Some writers name the path string "derivation".
			if path, err = jsonString(kd, "derivation", w); err != nil {
				return nil, err
			}
		}
		if fpStr == "" || path == "" {
			return nil, fmt.Errorf("%s: \"keyDerivation\" needs \"masterFingerprint\" and \"derivationPath\"", w)
		}
		fp, err := parseFingerprintField(fpStr, w, "masterFingerprint")
		if err != nil {
			return nil, err
		}
		e, _, err := keyInput{where: w, fingerprint: fp, path: path, key: key, hint: hint, label: label, source: SourceSparrowWallet}.build()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: \"keystores\" is empty", where)
	}
	return out, nil
}

func parseSpecterDevice(obj map[string]json.RawMessage) ([]KeyExport, error) {
	const where = "Specter Desktop device"
	name, err := jsonString(obj, "name", where)
	if err != nil {
		return nil, err
	}
	var keyList []map[string]json.RawMessage
	if err := json.Unmarshal(obj["keys"], &keyList); err != nil {
		return nil, fmt.Errorf("%s: \"keys\" must be a list of objects", where)
	}
	out := make([]KeyExport, 0, len(keyList))
	for i, k := range keyList {
		w := fmt.Sprintf("%s %q, key %d", where, name, i+1)
		fields := map[string]string{}
		for _, f := range []string{"original", "xpub", "fingerprint", "derivation", "type"} {
			if fields[f], err = jsonString(k, f, w); err != nil {
				return nil, err
			}
		}
		if fields["fingerprint"] == "" || fields["derivation"] == "" {
			return nil, fmt.Errorf("%s: \"fingerprint\" and \"derivation\" are needed: the key origin is unknown", w)
		}
		fp, err := parseFingerprintField(fields["fingerprint"], w, "fingerprint")
		if err != nil {
			return nil, err
		}
		var hint ScriptType
		if fields["type"] != "" {
			if hint, err = ParseScriptType(fields["type"]); err != nil {
				return nil, fmt.Errorf("%s: \"type\": %w", w, err)
			}
		}
		key := fields["original"]
		if key == "" {
			key = fields["xpub"]
		}
		e, _, err := keyInput{where: w, fingerprint: fp, path: fields["derivation"], key: key, hint: hint, label: name, source: SourceSpecterDevice}.build()
		if err != nil {
			return nil, err
		}
		if fields["original"] != "" && fields["xpub"] != "" {
			x, err := ParseExtendedKey(fields["xpub"])
			if err != nil {
				return nil, fmt.Errorf("%s: \"xpub\": %w", w, err)
			}
			if x.Key.String() != e.Xpub {
				return nil, fmt.Errorf("%s: \"original\" and \"xpub\" are different keys: the file is corrupt", w)
			}
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s %q: \"keys\" is empty", where, name)
	}
	return out, nil
}

// keyExpression matches a BIP380 key expression with origin: the
// fingerprint, the path steps and the base58 extended key.
var keyExpression = regexp.MustCompile(`\[([0-9a-fA-F]{8})((?:/[0-9]+['hH]?)*)\]([1-9A-HJ-NP-Za-km-z]{100,120})`)

// descriptorScript matches the outermost script function of a descriptor.
var descriptorScript = regexp.MustCompile(`(?:^|[^a-z_])(sh\(wsh|sh\(wpkh|wsh|wpkh|pkh|tr|sh)\(`)

// descriptorFunctionScript maps the outer descriptor functions matched by
// descriptorScript to a script type (BIP381-386).
func descriptorFunctionScript(fn string) ScriptType {
	switch fn {
	case "sh(wsh":
		return ScriptSHWSH
	case "sh(wpkh":
		return ScriptSHWPKH
	case "wsh":
		return ScriptWSH
	case "wpkh":
		return ScriptWPKH
	case "pkh":
		return ScriptPKH
	case "tr":
		return ScriptTR
	case "sh":
		return ScriptSH
	}
	return ""
}

// parseKeyExpressions scans text for "[fingerprint/path]xpub" key
// expressions, alone on a line (Specter DIY, Passport) or inside
// descriptors. Descriptor checksums are not verified here: only the keys
// are taken. It returns nil, nil when the text holds none.
func parseKeyExpressions(text string) ([]KeyExport, error) {
	var out []KeyExport
	for n, line := range strings.Split(text, "\n") {
		for _, m := range keyExpression.FindAllStringSubmatchIndex(line, -1) {
			fp, err := parseFingerprintField(line[m[2]:m[3]], fmt.Sprintf("key expression on line %d", n+1), "fingerprint")
			if err != nil {
				return nil, err
			}
			var hint ScriptType
			if d := descriptorScript.FindStringSubmatch(line[:m[0]]); d != nil {
				hint = descriptorFunctionScript(d[1])
			}
			e, _, err := keyInput{
				where:       fmt.Sprintf("key expression on line %d", n+1),
				fingerprint: fp, path: line[m[4]:m[5]], key: line[m[6]:m[7]], hint: hint,
				source: SourceKeyExpressions,
			}.build()
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// String formats the export as a key expression with its hint, for logs
// and tests: "wpkh [73c5da0a/84h/0h/0h]xpub…".
func (e KeyExport) String() string {
	return fmt.Sprintf("%s [%s]%s", e.ScriptHint, e.Origin, e.Xpub)
}
