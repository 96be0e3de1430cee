package walletfile

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
)

// coldcardKeyLine matches a "XFP: xpub" line of a Coldcard setup file.
var coldcardKeyLine = regexp.MustCompile(`(?m)^\s*[0-9A-Fa-f]{8}\s*:\s*[A-Za-z]pub[1-9A-HJ-NP-Za-km-z]{100,}\s*$`)

// coldcardPolicy reads "2 of 3", "2/3", "2,3" (Coldcard accepts them all).
var coldcardPolicy = regexp.MustCompile(`^(\d+)\D+(\d+)$`)

// looksColdcard reports whether text is a Coldcard multisig setup file.
func looksColdcard(text string) bool {
	if !coldcardKeyLine.MatchString(text) {
		return false
	}
	low := strings.ToLower(text)
	return strings.Contains(low, "policy:") || strings.Contains(low, "derivation:") || strings.Contains(low, "format:") || strings.Contains(low, "name:")
}

// maxColdcardSigners is Coldcard's MAX_SIGNERS (multisig.py): a P2WSH
// script's 15-key limit.
const maxColdcardSigners = 15

// importColdcard reads Coldcard's multisig setup text (firmware
// multisig.py from_simple_text): "label: value" lines where label is name,
// policy ("M of N"), derivation (for the key lines after it), format (p2sh,
// p2sh-p2wsh or p2wsh-p2sh, p2wsh; p2sh when absent) or the 8-hex-digit
// master fingerprint of a key; "#" starts a comment. The script is always
// sortedmulti (BIP67).
func importColdcard(text string, opts Options) (*Imported, error) {
	if len(text) > maxFileSize {
		return nil, fmt.Errorf("the file is %d bytes, far more than a setup file", len(text))
	}
	var (
		name, deriv string
		m, n        = -1, -1
		format      = "p2sh"
		keyExprs    []string
		lineNo      int
	)
	for _, ln := range strings.Split(text, "\n") {
		lineNo++
		if i := strings.IndexByte(ln, '#'); i == 0 {
			continue
		} else if i > 0 && !(i+1 < len(ln) && ln[i+1] >= '0' && ln[i+1] <= '9') {
			ln = ln[:i]
		}
		ln = strings.TrimSpace(ln)
		if ln == "" {
			continue
		}
		label, value, ok := strings.Cut(ln, ":")
		if !ok {
			if strings.Contains(ln, "pub") {
				return nil, fmt.Errorf("line %d: a key without its master fingerprint: write it as \"XFP: xpub\"", lineNo)
			}
			continue
		}
		label = strings.ToLower(strings.TrimSpace(label))
		value = strings.TrimSpace(value)
		switch label {
		case "name":
			name = value
		case "policy":
			mm := coldcardPolicy.FindStringSubmatch(value)
			if mm == nil {
				return nil, fmt.Errorf("line %d: policy %q is not \"M of N\"", lineNo, value)
			}
			m, _ = strconv.Atoi(mm[1])
			n, _ = strconv.Atoi(mm[2])
			if m < 1 || m > n || n > maxColdcardSigners {
				return nil, fmt.Errorf("line %d: policy %d of %d is out of range: 1 <= M <= N <= %d", lineNo, m, n, maxColdcardSigners)
			}
		case "derivation":
			p, err := keys.ParsePath(value)
			if err != nil || value == "" {
				return nil, fmt.Errorf("line %d: derivation %q is not a BIP32 path like m/48'/0'/0'/2'", lineNo, value)
			}
			deriv = p.String()
		case "format":
			switch strings.ToLower(value) {
			case "p2sh", "bip45":
				format = "p2sh"
			case "p2sh-p2wsh", "p2wsh-p2sh":
				format = "p2sh-p2wsh"
			case "p2wsh":
				format = "p2wsh"
			default:
				return nil, fmt.Errorf("line %d: format %q is not P2WSH, P2SH-P2WSH or P2SH", lineNo, value)
			}
		default:
			if len(label) != 8 {
				continue // Coldcard ignores other labels
			}
			fp, err := keys.ParseFingerprint(label)
			if err != nil {
				continue
			}
			if deriv == "" {
				return nil, fmt.Errorf("line %d: key %s comes before any \"Derivation:\" line: its path is unknown", lineNo, label)
			}
			ek, err := keys.ParseExtendedKey(value)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", lineNo, err)
			}
			if ek.Key.IsPrivate() {
				return nil, fmt.Errorf("line %d: a private key: setup files hold public keys only", lineNo)
			}
			origin := fp.String()
			if deriv != "" {
				origin += "/" + deriv
			}
			keyExprs = append(keyExprs, "["+origin+"]"+ek.Key.String()+"/<0;1>/*")
		}
	}
	if len(keyExprs) == 0 {
		return nil, errors.New("no \"XFP: xpub\" key lines found")
	}
	if m == -1 {
		m, n = len(keyExprs), len(keyExprs)
	}
	if n != len(keyExprs) {
		return nil, fmt.Errorf("the policy is %d of %d but the file lists %d keys", m, n, len(keyExprs))
	}
	inner := "sortedmulti(" + strconv.Itoa(m) + "," + strings.Join(keyExprs, ",") + ")"
	var text2 string
	switch format {
	case "p2wsh":
		text2 = "wsh(" + inner + ")"
	case "p2sh-p2wsh":
		text2 = "sh(wsh(" + inner + "))"
	default:
		text2 = "sh(" + inner + ")"
	}
	d, err := descriptor.Parse(text2)
	if err != nil {
		return nil, err
	}
	b := &builder{name: name, opts: opts, m: m, n: n}
	return b.build(d)
}

// coldcardName makes a Coldcard wallet name: printable ASCII, 1 to 20
// characters (Coldcard refuses others).
func coldcardName(name string, m, n int) string {
	var b strings.Builder
	for _, r := range name {
		if r >= 0x20 && r < 0x7f && b.Len() < 20 {
			b.WriteRune(r)
		}
	}
	s := strings.TrimSpace(b.String())
	if s == "" {
		return fmt.Sprintf("%d-of-%d", m, n)
	}
	return s
}

// exportColdcard writes a Coldcard multisig setup file: one "Derivation:"
// line when every key has the same path, otherwise one before each key
// whose path differs from the previous key's.
func exportColdcard(w *wallet) ([]byte, error) {
	ms, err := w.asSortedMulti("Coldcard")
	if err != nil {
		return nil, err
	}
	format := map[descriptor.ScriptType]string{descriptor.WSH: "P2WSH", descriptor.SHWSH: "P2SH-P2WSH", descriptor.SH: "P2SH"}[ms.script]
	same := true
	for i := range ms.keys {
		if ms.keys[i].Origin.Path.String() != ms.keys[0].Origin.Path.String() {
			same = false
		}
	}
	var b strings.Builder
	b.WriteString("# Coldcard Multisig setup file (exported from Specter PWA)\n#\n")
	fmt.Fprintf(&b, "Name: %s\nPolicy: %d of %d\n", coldcardName(w.setup.Name, w.setup.M, w.setup.N), w.setup.M, w.setup.N)
	if same {
		fmt.Fprintf(&b, "Derivation: %s\n", mPath(ms.keys[0].Origin.Path))
	}
	fmt.Fprintf(&b, "Format: %s\n\n", format)
	last := ""
	for i := range ms.keys {
		k := &ms.keys[i]
		if p := mPath(k.Origin.Path); !same && p != last {
			fmt.Fprintf(&b, "Derivation: %s\n", p)
			last = p
		}
		fmt.Fprintf(&b, "%s: %s\n", strings.ToUpper(k.Origin.Fingerprint.String()), k.Xpub)
	}
	return []byte(b.String()), nil
}

// mPath writes a path as hardware wallets print it: "m/48'/0'/0'/2'", or
// "m" for the master key.
func mPath(p keys.Path) string {
	if len(p) == 0 {
		return "m"
	}
	return "m/" + p.StringApostrophe()
}
