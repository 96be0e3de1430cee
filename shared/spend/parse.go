package spend

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"

	"github.com/specterpwa/specter/shared/network"
)

// maxMoney is consensus MAX_MONEY, 21 million BTC in satoshis (btcutil's
// MaxSatoshi).
const maxMoney = btcutil.MaxSatoshi

// Recipient is one payment of a send.
type Recipient struct {
	// Address is the destination address, or a BIP21 "bitcoin:" URI whose
	// address (and amount, when Amount is 0 and Max is false) is used.
	Address string `json:"address"`
	// Amount is the value to pay in satoshis (ignored with Max).
	Amount int64 `json:"amount"`
	// Max sends everything left after the other recipients and the fee
	// (no change output). At most one recipient may have it.
	Max bool `json:"max,omitempty"`
	// SubtractFee makes this recipient pay (a share of) the fee, as Core's
	// subtractfeefromamount.
	SubtractFee bool `json:"subtract_fee,omitempty"`
	// Label is the BIP21 label or the CSV's third column, for the review
	// screen and a BIP329 label.
	Label string `json:"label,omitempty"`
	// Message is the BIP21 message.
	Message string `json:"message,omitempty"`
}

// ParseAmount reads an amount as people write it: BTC with at most 8
// decimals ("0.015", "1", "1 BTC") or satoshis with a unit ("1500 sats",
// "1500 sat"). A period is the only decimal separator and no thousands
// separators are allowed, as BIP21 requires of its amounts.
func ParseAmount(s string) (int64, error) {
	t := strings.TrimSpace(s)
	lower := strings.ToLower(t)
	unit := "btc"
	for _, u := range []string{"sats", "sat", "btc"} {
		if strings.HasSuffix(lower, u) {
			unit = u
			t = strings.TrimSpace(t[:len(t)-len(u)])
			break
		}
	}
	if t == "" {
		return 0, fmt.Errorf("amount %q has no number: write BTC like 0.015 or satoshis like 1500 sats", s)
	}
	if unit != "btc" {
		v, err := parseDecimal(t, 0)
		if err != nil {
			return 0, fmt.Errorf("amount %q: %w (satoshis are whole numbers)", s, err)
		}
		return v, nil
	}
	v, err := parseDecimal(t, 8)
	if err != nil {
		return 0, fmt.Errorf("amount %q: %w", s, err)
	}
	return v, nil
}

// parseDecimal reads a non-negative decimal with at most decimals digits
// after the period, scaled by 10^decimals, within 21 million BTC.
func parseDecimal(t string, decimals int) (int64, error) {
	whole, frac, hasDot := strings.Cut(t, ".")
	if strings.ContainsAny(t, ",' _") {
		return 0, errors.New("write it without thousands separators, with a period for decimals")
	}
	if whole == "" && frac == "" || hasDot && frac == "" && whole == "" {
		return 0, errors.New("not a number")
	}
	if hasDot && decimals == 0 {
		return 0, errors.New("has decimals")
	}
	if len(frac) > decimals {
		return 0, fmt.Errorf("has more than %d decimals", decimals)
	}
	var v int64
	for _, part := range []string{whole, frac + strings.Repeat("0", decimals-len(frac))} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, errors.New("not a number")
			}
			v = v*10 + int64(c-'0')
			if v > maxMoney {
				return 0, errors.New("more than 21 million BTC")
			}
		}
	}
	return v, nil
}

// BIP21 is a parsed "bitcoin:" payment URI (BIP21).
type BIP21 struct {
	Address string `json:"address"`
	// Amount is in satoshis; 0 when the URI has none.
	Amount  int64  `json:"amount"`
	Label   string `json:"label,omitempty"`
	Message string `json:"message,omitempty"`
	// Other holds the parameters this wallet does not use (BIP21 says they
	// may be ignored unless prefixed req-).
	Other map[string]string `json:"other,omitempty"`
}

// ParseBIP21 reads a BIP21 URI: bitcoin:ADDRESS?amount=BTC&label=&message=.
// The scheme is case-insensitive; amounts are decimal BTC with a period; a
// parameter given twice is refused; any "req-" parameter makes the URI
// invalid, as BIP21 requires of clients that do not implement it. The
// address is returned as given (check it with CheckAddress).
func ParseBIP21(uri string) (BIP21, error) {
	u := strings.TrimSpace(uri)
	scheme, rest, ok := strings.Cut(u, ":")
	if !ok || !strings.EqualFold(scheme, "bitcoin") {
		return BIP21{}, fmt.Errorf("%q is not a BIP21 payment URI: it must start with bitcoin:", shorten(uri))
	}
	rest = strings.TrimPrefix(rest, "//") // some wallets write bitcoin://
	addr, query, _ := strings.Cut(rest, "?")
	var out BIP21
	a, err := url.PathUnescape(addr)
	if err != nil {
		return BIP21{}, fmt.Errorf("the address in the payment URI is badly encoded: %w", err)
	}
	out.Address = a
	seen := map[string]bool{}
	if query != "" {
		for _, kv := range strings.Split(query, "&") {
			if kv == "" {
				continue
			}
			k, v, _ := strings.Cut(kv, "=")
			key, err := url.QueryUnescape(k)
			if err != nil {
				return BIP21{}, fmt.Errorf("payment URI parameter %q is badly encoded: %w", shorten(k), err)
			}
			val, err := url.PathUnescape(v)
			if err != nil {
				return BIP21{}, fmt.Errorf("payment URI parameter %s is badly encoded: %w", key, err)
			}
			if seen[key] {
				return BIP21{}, fmt.Errorf("payment URI parameter %s is given twice: ask the payee for a correct URI", key)
			}
			seen[key] = true
			switch {
			case strings.HasPrefix(key, "req-"):
				return BIP21{}, fmt.Errorf("payment URI requires %q, which this wallet does not understand: BIP21 says such a URI must not be paid; ask the payee for a plain address", key)
			case key == "amount":
				if out.Amount, err = parseDecimal(val, 8); err != nil {
					return BIP21{}, fmt.Errorf("payment URI amount %q: %w (BIP21 amounts are decimal BTC)", shorten(val), err)
				}
			case key == "label":
				out.Label = val
			case key == "message":
				out.Message = val
			default:
				if out.Other == nil {
					out.Other = map[string]string{}
				}
				out.Other[key] = val
			}
		}
	}
	if out.Address == "" {
		return BIP21{}, errors.New("the payment URI has no address: BIP21 payments without an address (such as BIP70 or lightning-only) are not supported")
	}
	return out, nil
}

// IsBIP21 reports whether s looks like a BIP21 URI (starts with bitcoin:).
func IsBIP21(s string) bool {
	t := strings.TrimSpace(s)
	return len(t) >= 8 && strings.EqualFold(t[:8], "bitcoin:")
}

func shorten(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// CheckAddress decodes an address (base58 P2PKH/P2SH, BIP173 bech32 or
// BIP350 bech32m) for the wallet's network and returns its output script.
// An address of another network is refused with an error that names the
// network it belongs to.
func CheckAddress(addr string, net network.Network) ([]byte, error) {
	a := strings.TrimSpace(addr)
	if a == "" {
		return nil, errors.New("the address is empty")
	}
	if strings.ToUpper(a) == a {
		a = strings.ToLower(a) // QR codes carry upper-case bech32 (BIP173)
		if _, err := btcutil.DecodeAddress(a, net.Params()); err != nil {
			a = strings.TrimSpace(addr) // base58 is case-sensitive
		}
	}
	if dec, err := net.DecodeAddress(a); err == nil {
		script, err := txscript.PayToAddrScript(dec)
		if err != nil {
			return nil, fmt.Errorf("address %s cannot be paid: %w", a, err)
		}
		return script, nil
	}
	var others []string
	for _, n := range network.AddressNetworks(a) {
		if n != net {
			others = append(others, string(n))
		}
	}
	if len(others) > 0 {
		return nil, fmt.Errorf("address %s belongs to %s, but this wallet is on %s: check you copied the right address", a, networkNames(others), net)
	}
	return nil, fmt.Errorf("%q is not a valid bitcoin address: check it was copied whole", shorten(a))
}

func networkNames(ns []string) string {
	names := map[string]string{"main": "mainnet", "test": "testnet", "signet": "signet", "regtest": "regtest"}
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = names[n]
	}
	if len(out) == 1 {
		return out[0]
	}
	return strings.Join(out[:len(out)-1], ", ") + " or " + out[len(out)-1]
}

// ParseCSV reads recipients pasted as CSV lines "address,amount[,label]":
// amounts in BTC (up to 8 decimals) or in satoshis with a "sats"/"sat" unit,
// or "max" for the one recipient that takes the rest. A header line
// ("address,amount") is optional; blank lines and lines starting with # are
// skipped; a tab or a semicolon may separate the columns instead of a comma.
// Each bad line is reported as "line N: ...", all of them at once. Addresses
// are checked later, by Build, against the wallet's network.
func ParseCSV(text string) ([]Recipient, error) {
	var out []Recipient
	var errs []error
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, line := range lines {
		n := i + 1
		l := strings.TrimSpace(strings.TrimPrefix(line, "\ufeff"))
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		sep := ","
		if !strings.Contains(l, ",") {
			if strings.Contains(l, "\t") {
				sep = "\t"
			} else if strings.Contains(l, ";") {
				sep = ";"
			}
		}
		cols := strings.Split(l, sep)
		for j := range cols {
			cols[j] = strings.Trim(strings.TrimSpace(cols[j]), `"`)
		}
		if len(out) == 0 && len(errs) == 0 && isHeader(cols) {
			continue
		}
		if len(cols) < 2 || len(cols) > 3 {
			errs = append(errs, fmt.Errorf("line %d: expected address,amount (optionally ,label), found %d column(s)", n, len(cols)))
			continue
		}
		r := Recipient{Address: cols[0]}
		if len(cols) == 3 {
			if isDigits(cols[2]) && sep == "," {
				errs = append(errs, fmt.Errorf("line %d: the amount %q looks like it has a comma as thousands separator: write amounts without separators, like 1000 or 1000 sats", n, cols[1]+","+cols[2]))
				continue
			}
			r.Label = cols[2]
		}
		if r.Address == "" {
			errs = append(errs, fmt.Errorf("line %d: the address is empty", n))
			continue
		}
		if strings.EqualFold(cols[1], "max") {
			r.Max = true
		} else {
			v, err := ParseAmount(cols[1])
			if err != nil {
				errs = append(errs, fmt.Errorf("line %d: %w", n, err))
				continue
			}
			if v == 0 {
				errs = append(errs, fmt.Errorf("line %d: the amount is zero", n))
				continue
			}
			r.Amount = v
		}
		out = append(out, r)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(out) == 0 {
		return nil, errors.New("no recipients found: paste lines of address,amount")
	}
	maxes := 0
	for _, r := range out {
		if r.Max {
			maxes++
		}
	}
	if maxes > 1 {
		return nil, fmt.Errorf("%d lines say max: only one recipient can take the rest", maxes)
	}
	return out, nil
}

func isHeader(cols []string) bool {
	if len(cols) < 2 {
		return false
	}
	a, b := strings.ToLower(cols[0]), strings.ToLower(cols[1])
	return strings.Contains(a, "address") && (strings.Contains(b, "amount") || strings.Contains(b, "value"))
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
