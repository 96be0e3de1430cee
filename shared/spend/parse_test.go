package spend

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/network"
)

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  string
	}{
		{"1", 100_000_000, ""},
		{"0.015", 1_500_000, ""},
		{" 0.00000001 ", 1, ""},
		{"20.3", 2_030_000_000, ""},
		{".5", 50_000_000, ""},
		{"2.", 200_000_000, ""},
		{"1 BTC", 100_000_000, ""},
		{"0.1btc", 10_000_000, ""},
		{"1500 sats", 1_500, ""},
		{"1500sat", 1_500, ""},
		{"1500 SATS", 1_500, ""},
		{"21000000", 2_100_000_000_000_000, ""},
		{"0.000000001", 0, "more than 8 decimals"},
		{"1.5 sats", 0, "has decimals (satoshis are whole numbers)"},
		{"50,000.00", 0, "without thousands separators"},
		{"1 000", 0, "without thousands separators"},
		{"-1", 0, "not a number"},
		{"1e5", 0, "not a number"},
		{"0x10", 0, "not a number"},
		{"", 0, "has no number"},
		{"sats", 0, "has no number"},
		{".", 0, "not a number"},
		{"21000000.00000001", 0, "more than 21 million BTC"},
		{"99999999999999999999999", 0, "more than 21 million BTC"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseAmount(tc.in)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

type bip21Vectors struct {
	Network string `json:"network"`
	Valid   []struct {
		Comment string            `json:"comment"`
		URI     string            `json:"uri"`
		Address string            `json:"address"`
		Amount  int64             `json:"amount"`
		Label   string            `json:"label"`
		Message string            `json:"message"`
		Other   map[string]string `json:"other"`
		// AddressValid is false for BIP21's example address, whose
		// base58check checksum is wrong.
		AddressValid bool   `json:"address_valid"`
		ScriptHex    string `json:"script_hex"`
	} `json:"valid"`
	Invalid []struct {
		Comment string `json:"comment"`
		URI     string `json:"uri"`
		Error   string `json:"error"`
	} `json:"invalid"`
}

func loadBIP21(t testing.TB) bip21Vectors {
	raw, err := os.ReadFile("testdata/bip21.json")
	require.NoError(t, err)
	var v bip21Vectors
	require.NoError(t, json.Unmarshal(raw, &v))
	return v
}

func TestParseBIP21Vectors(t *testing.T) {
	v := loadBIP21(t)
	net, err := network.Parse(v.Network)
	require.NoError(t, err)
	for _, tc := range v.Valid {
		t.Run(tc.Comment, func(t *testing.T) {
			got, err := ParseBIP21(tc.URI)
			require.NoError(t, err)
			require.Equal(t, BIP21{Address: tc.Address, Amount: tc.Amount, Label: tc.Label, Message: tc.Message, Other: tc.Other}, got)
			script, err := CheckAddress(got.Address, net)
			if !tc.AddressValid {
				require.EqualError(t, err, `"`+tc.Address+`" is not a valid bitcoin address: check it was copied whole`)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.ScriptHex, hex.EncodeToString(script))
		})
	}
	for _, tc := range v.Invalid {
		t.Run(tc.Comment, func(t *testing.T) {
			_, err := ParseBIP21(tc.URI)
			require.ErrorContains(t, err, tc.Error)
		})
	}
}

func TestParseBIP21Errors(t *testing.T) {
	for _, tc := range []struct{ name, uri, err string }{
		{"other scheme", "lightning:lnbc1", "is not a BIP21 payment URI"},
		{"no scheme", "175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W", "must start with bitcoin:"},
		{"no address", "bitcoin:?amount=1", "has no address"},
		{"amount twice", "bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?amount=1&amount=2", "amount is given twice"},
		{"amount with 9 decimals", "bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?amount=0.000000001", "has more than 8 decimals"},
		{"amount with unit", "bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?amount=1sat", "not a number"},
		{"bad escape", "bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?label=%zz", "badly encoded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseBIP21(tc.uri)
			require.ErrorContains(t, err, tc.err)
		})
	}
}

// addrs are one 20-byte key hash and one 32-byte taproot key encoded for
// each network, computed with btcutil.
type netAddrs struct {
	wpkh, tr, pkh map[network.Network]string
}

func testAddrs(t testing.TB) netAddrs {
	h := make([]byte, 20)
	k := make([]byte, 32)
	for i := range h {
		h[i] = byte(i + 1)
	}
	for i := range k {
		k[i] = byte(0x40 + i)
	}
	a := netAddrs{wpkh: map[network.Network]string{}, tr: map[network.Network]string{}, pkh: map[network.Network]string{}}
	for _, n := range network.All {
		w, err := btcutil.NewAddressWitnessPubKeyHash(h, n.Params())
		require.NoError(t, err)
		tr, err := btcutil.NewAddressTaproot(k, n.Params())
		require.NoError(t, err)
		p, err := btcutil.NewAddressPubKeyHash(h, n.Params())
		require.NoError(t, err)
		a.wpkh[n], a.tr[n], a.pkh[n] = w.EncodeAddress(), tr.EncodeAddress(), p.EncodeAddress()
	}
	return a
}

func TestCheckAddress(t *testing.T) {
	a := testAddrs(t)
	for _, tc := range []struct {
		name, addr string
		net        network.Network
		err        string
	}{
		{"regtest bech32 on regtest", a.wpkh[network.Regtest], network.Regtest, ""},
		{"regtest bech32 upper case (QR) on regtest", strings.ToUpper(a.wpkh[network.Regtest]), network.Regtest, ""},
		{"regtest bech32m taproot on regtest", a.tr[network.Regtest], network.Regtest, ""},
		{"testnet base58 on regtest (same version bytes)", a.pkh[network.Test], network.Regtest, ""},
		{"mainnet bech32 on regtest", a.wpkh[network.Main], network.Regtest, "belongs to mainnet, but this wallet is on regtest"},
		{"testnet bech32 on regtest", a.wpkh[network.Test], network.Regtest, "belongs to testnet or signet, but this wallet is on regtest"},
		{"regtest bech32 on mainnet", a.wpkh[network.Regtest], network.Main, "belongs to regtest, but this wallet is on main"},
		{"testnet base58 on mainnet", a.pkh[network.Test], network.Main, "belongs to testnet, signet or regtest, but this wallet is on main"},
		{"mainnet base58 on testnet", a.pkh[network.Main], network.Test, "belongs to mainnet, but this wallet is on test"},
		{"bad checksum", a.wpkh[network.Regtest][:len(a.wpkh[network.Regtest])-1] + "q", network.Regtest, "is not a valid bitcoin address"},
		{"empty", " ", network.Regtest, "the address is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			script, err := CheckAddress(tc.addr, tc.net)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			dec, err := btcutil.DecodeAddress(strings.ToLower(tc.addr), &chaincfg.RegressionNetParams)
			if err != nil {
				dec, err = btcutil.DecodeAddress(tc.addr, &chaincfg.RegressionNetParams)
			}
			require.NoError(t, err)
			want, err := txscript.PayToAddrScript(dec)
			require.NoError(t, err)
			require.Equal(t, want, script)
		})
	}
}

func TestParseCSV(t *testing.T) {
	a := testAddrs(t)
	r1, r2, r3 := a.wpkh[network.Regtest], a.tr[network.Regtest], a.pkh[network.Test]
	for _, tc := range []struct {
		name string
		text string
		want []Recipient
		err  string
	}{
		{
			name: "header, BTC and sats amounts, label, blank line and CRLF",
			text: "address,amount\r\n" + r1 + ",0.015\r\n\r\n" + r2 + ", 2500 sats ,rent\r\n",
			want: []Recipient{{Address: r1, Amount: 1_500_000}, {Address: r2, Amount: 2_500, Label: "rent"}},
		},
		{
			name: "no header, quoted fields, tab and semicolon separators, comment",
			text: "# payroll\n\"" + r1 + "\",\"1\"\n" + r2 + "\t0.5\n" + r3 + ";100000 sat\n",
			want: []Recipient{{Address: r1, Amount: 100_000_000}, {Address: r2, Amount: 50_000_000}, {Address: r3, Amount: 100_000}},
		},
		{
			name: "max for one recipient",
			text: r1 + ",0.001\n" + r2 + ",max\n",
			want: []Recipient{{Address: r1, Amount: 100_000}, {Address: r2, Max: true}},
		},
		{
			name: "every bad line is reported with its number",
			text: "Address,Amount\n" + r1 + ",0.1\n" + r2 + ",1,000\n" + r3 + "\n,5\n" + r1 + ",0\n" + r1 + ",1.000000001\n",
			err:  "line 3: amount \"1\": ... ",
		},
		{name: "two max", text: r1 + ",max\n" + r2 + ",MAX\n", err: "2 lines say max: only one recipient can take the rest"},
		{name: "empty", text: "\n \n", err: "no recipients found"},
		{name: "only a header", text: "address,amount\n", err: "no recipients found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCSV(tc.text)
			if tc.err != "" {
				require.Error(t, err)
				if tc.name == "every bad line is reported with its number" {
					require.Equal(t, "line 3: the amount \"1,000\" looks like it has a comma as thousands separator: write amounts without separators, like 1000 or 1000 sats\n"+
						"line 4: expected address,amount (optionally ,label), found 1 column(s)\n"+
						"line 5: the address is empty\n"+
						"line 6: the amount is zero\n"+
						"line 7: amount \"1.000000001\": has more than 8 decimals", err.Error())
					return
				}
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// FuzzParseBIP21 checks that the BIP21 parser never panics, and that a URI
// it accepts has an address and an amount within 21 million BTC, and is
// accepted again when rebuilt from its parts.
func FuzzParseBIP21(f *testing.F) {
	v := loadBIP21(f)
	for _, tc := range v.Valid {
		f.Add(tc.URI)
	}
	for _, tc := range v.Invalid {
		f.Add(tc.URI)
	}
	f.Add("bitcoin:bcrt1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5fhqf9p?amount=0.1&label=%E2%82%BF")
	f.Fuzz(func(t *testing.T, uri string) {
		got, err := ParseBIP21(uri)
		if err != nil {
			return
		}
		require.NotEmpty(t, got.Address)
		require.GreaterOrEqual(t, got.Amount, int64(0))
		require.LessOrEqual(t, got.Amount, int64(maxMoney))
		_, _ = CheckAddress(got.Address, network.Main)
	})
}

// FuzzParseCSV checks that the CSV parser never panics and that what it
// accepts is well formed: addresses present, positive amounts within 21
// million BTC or max, at most one max.
func FuzzParseCSV(f *testing.F) {
	a := testAddrs(f)
	f.Add("address,amount\n" + a.wpkh[network.Regtest] + ",0.015\n" + a.tr[network.Regtest] + ",2500 sats,rent\n")
	f.Add(a.wpkh[network.Regtest] + ",max\n")
	f.Add("x,1,000\n\n;\t,")
	f.Fuzz(func(t *testing.T, text string) {
		rs, err := ParseCSV(text)
		if err != nil {
			require.NotEmpty(t, err.Error())
			return
		}
		require.NotEmpty(t, rs)
		maxes := 0
		for _, r := range rs {
			require.NotEmpty(t, r.Address)
			if r.Max {
				maxes++
				continue
			}
			require.Greater(t, r.Amount, int64(0))
			require.LessOrEqual(t, r.Amount, int64(maxMoney))
		}
		require.LessOrEqual(t, maxes, 1)
	})
}
