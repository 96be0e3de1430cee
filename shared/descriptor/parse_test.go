package descriptor

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/keys"
)

const (
	hexKey   = "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd"
	xonlyKey = "a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd"
	xpubKey  = "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL"
)

func TestParseRejectsWithExactErrors(t *testing.T) {
	keys21 := strings.TrimSuffix(strings.Repeat(hexKey+",", 21), ",")
	deep := strings.Repeat("{pk("+xonlyKey+"),", 129) + "pk(" + xonlyKey + ")" + strings.Repeat("}", 129)
	var xonly1000 []string
	for i := 0; i < 1000; i++ {
		xonly1000 = append(xonly1000, xonlyKey)
	}
	for name, tc := range map[string]struct{ in, err string }{
		"empty":                            {"", "descriptor: the descriptor is empty"},
		"unclosed parenthesis":             {"wpkh(" + hexKey, `descriptor: "wpkh(03a34b9…c540c5bd" is not a script expression such as wpkh(KEY) or wsh(multi(...)): check the parentheses`},
		"extra parenthesis":                {"wpkh(" + hexKey + "))", `descriptor: "wpkh(03a34b9…40c5bd))" is not a script expression such as wpkh(KEY) or wsh(multi(...)): check the parentheses`},
		"unknown function":                 {"WPKH(" + hexKey + ")", `descriptor: unknown script expression "WPKH": supported are pk, pkh, wpkh, sh, wsh, multi, sortedmulti, combo, raw, addr, tr, multi_a, sortedmulti_a`},
		"two keys in wpkh":                 {"wpkh(" + hexKey + "," + hexKey + ")", "descriptor: wpkh() takes exactly one key"},
		"two scripts in sh":                {"sh(wpkh(" + hexKey + "),wpkh(" + hexKey + "))", "descriptor: sh() takes exactly one script"},
		"empty sh":                         {"sh()", "descriptor: sh(): a script expression is missing"},
		"21 keys in wsh multisig":          {"wsh(multi(1," + keys21 + "))", "descriptor: wsh(): multi(): 21 keys is more than the 20 allowed in wsh() or sh()"},
		"1000 keys in multi_a":             {"tr(" + xonlyKey + ",multi_a(1," + strings.Join(xonly1000, ",") + "))", "descriptor: tr(): multi_a(): 1000 keys is more than the 999 allowed in multi_a()"},
		"threshold above the key count":    {"wsh(sortedmulti(99999," + hexKey + "))", "descriptor: wsh(): sortedmulti(): threshold 99999 is larger than the number of keys (1)"},
		"negative threshold":               {"multi(-1," + hexKey + ")", `descriptor: multi(): threshold "-1" is not a decimal number`},
		"multi without keys":               {"multi(1)", "descriptor: multi() needs a threshold and at least one key: multi(k,KEY,...)"},
		"tree deeper than 128":             {"tr(" + xonlyKey + "," + deep + ")", "descriptor: tr(): script tree is deeper than 128 levels (BIP341 limit)"},
		"tree branch with one child":       {"tr(" + xonlyKey + ",{pk(" + xonlyKey + ")})", `descriptor: tr(): tree "{pk(a34b99f2…40c5bd)}": a branch {A,B} holds exactly two subtrees`},
		"two trees in tr":                  {"tr(" + xonlyKey + ",pk(" + xonlyKey + "),pk(" + xonlyKey + "))", "descriptor: tr() takes a key and at most one tree: tr(KEY) or tr(KEY,TREE); write several leaves as {A,B}"},
		"multi in tr":                      {"tr(" + xonlyKey + ",multi(1," + xonlyKey + "))", "descriptor: tr(): multi() is not allowed inside tr(): use multi_a() (BIP387)"},
		"x-only key outside tr":            {"wpkh(" + xonlyKey + ")", `descriptor: wpkh(): key "a34b99f22c79…c540c5bd": a 64-digit x-only public key is only allowed inside tr() (BIP386): elsewhere use the 66-digit compressed key (or was it cut short?)`},
		"bad key prefix":                   {"wpkh(05" + xonlyKey + ")", `descriptor: wpkh(): key "05a34b99f22c…c540c5bd": a compressed public key starts with 02 or 03`},
		"point not on the curve":           {"wpkh(02" + strings.Repeat("f", 64) + ")", `descriptor: wpkh(): key "02ffffffffff…ffffffff": not a valid secp256k1 public key: invalid public key: x >= field prime`},
		"short extended key":               {"pk(xpub123)", `descriptor: pk(): key "xpub123" is not a hex public key, a WIF private key or an extended key (xpub/xprv/tpub/tprv or SLIP-132): check for a typo`},
		"extended key with a typo":         {"pk(" + xpubKey[:100] + "X" + xpubKey[101:] + ")", `descriptor: pk(): key "xpub6ERApfZw…uZZvRcEL": extended key "xpub6ERA…ZvRcEL": not valid base58check: checksum does not match: check for a typo or a truncated copy`},
		"repeated multipath value":         {"wpkh(" + xpubKey + "/<0;0>/*)", `descriptor: wpkh(): key "xpub6ERApfZw…/<0;0>/*": multipath step "<0;0>" repeats 0: the values must be distinct (BIP389)`},
		"single multipath value":           {"wpkh(" + xpubKey + "/<0>/*)", `descriptor: wpkh(): key "xpub6ERApfZw…EL/<0>/*": multipath step "<0>" needs at least two values separated by ';' (BIP389)`},
		"wildcard not last":                {"wpkh(" + xpubKey + "/*/0)", `descriptor: wpkh(): key "xpub6ERApfZw…RcEL/*/0": the wildcard /* must be the last step`},
		"path after a hex key":             {"wpkh(" + hexKey + "/0)", `descriptor: wpkh(): key "03a34b99f22c…40c5bd/0": derivation steps are only allowed after an extended key (xpub/xprv)`},
		"empty raw":                        {"raw()", `descriptor: raw(): "" is not a hex script`},
		"odd raw":                          {"raw(abc)", `descriptor: raw(): "abc" is not a hex script`},
		"address of no network":            {"addr(bc1qxyz)", `descriptor: addr(): "bc1qxyz" is not a valid Bitcoin address for main, test, signet or regtest`},
		"tab in the descriptor":            {"wpkh(\t" + hexKey + ")", `descriptor: character "\t" at position 6 is not allowed in a descriptor (BIP380 character set)`},
		"space in the descriptor":          {"wpkh( " + hexKey + ")", "descriptor: a space at position 6: descriptors have no spaces, remove it"},
		"multipath lengths differ in wsh":  {"wsh(multi(1," + xpubKey + "/<0;1>/*," + xpubKey + "/<0;1;2>/*))", "descriptor: multipath steps have different lengths (2 and 3): every <a;b;...> in a descriptor must list the same number of values (BIP389)"},
		"uncompressed key under sh(wsh())": {"sh(wsh(multi(1,04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235)))", `descriptor: sh(): wsh(): multi(): key "04a34b99f22c…5abea235": uncompressed keys are not allowed in segwit scripts (BIP382): use the compressed key`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(tc.in)
			require.EqualError(t, err, tc.err)
		})
	}
}

func TestParseNormalises(t *testing.T) {
	for name, tc := range map[string]struct{ in, out string }{
		"hardened markers become h":   {"wpkh([DEADBEEF/84'/0H/0h]" + xpubKey + "/1'/*')", "wpkh([deadbeef/84h/0h/0h]" + xpubKey + "/1h/*h)"},
		"hex keys lowercased":         {"pk(" + strings.ToUpper(hexKey) + ")", "pk(" + hexKey + ")"},
		"multipath hardened values":   {"pkh(" + xpubKey + "/<0';1H>/*)", "pkh(" + xpubKey + "/<0h;1h>/*)"},
		"surrounding whitespace":      {"  raw(DEADBEEF)\n", "raw(deadbeef)"},
		"x-only and compressed in tr": {"tr(" + hexKey + ",pk(" + xonlyKey + "))", "tr(" + hexKey + ",pk(" + xonlyKey + "))"},
		"threshold leading zeros":     {"multi(01," + hexKey + ")", "multi(1," + hexKey + ")"},
		"bech32 address lowercased":   {"addr(BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4)", "addr(bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4)"},
	} {
		t.Run(name, func(t *testing.T) {
			d, err := Parse(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.out, d.StringNoChecksum())
			sum, err := Checksum(tc.out)
			require.NoError(t, err)
			require.Equal(t, tc.out+"#"+sum, d.String())
		})
	}
}

func TestParseNormalisesSLIP132Keys(t *testing.T) {
	// Every SLIP-132 public version of an xpub and of a tpub is printed
	// back as the xpub/tpub (the Format is what the device exported).
	tpub, _ := testAccount(t, 4)
	for _, std := range []string{xpubKey, tpub} {
		ek, err := keys.ParseExtendedKey(std)
		require.NoError(t, err)
		for _, f := range []keys.Format{keys.FormatY, keys.FormatZ, keys.FormatYMult, keys.FormatZMult} {
			slip, err := keys.ConvertVersion(ek.Key, f, ek.Testnet)
			require.NoError(t, err)
			require.NotEqual(t, std, slip)
			d, err := Parse("wsh(sortedmulti(1,[01020304/48h/1h/0h/2h]" + slip + "/0/*))")
			require.NoError(t, err, slip)
			require.Equal(t, "wsh(sortedmulti(1,[01020304/48h/1h/0h/2h]"+std+"/0/*))", d.StringNoChecksum(), "%s from %s", f, slip)
			require.Equal(t, std, d.Keys()[0].Xpub)
		}
	}
}

func TestKeysDescribeEachKeyExpression(t *testing.T) {
	d, err := Parse("tr([aabbccdd/86h/0h/0h]" + xpubKey + "/<0;1>/*h,{pk(" + xonlyKey + "),sortedmulti_a(1,L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1," + xpubKey + "/7)})")
	require.NoError(t, err)
	ks := d.Keys()
	require.Len(t, ks, 4)
	require.Equal(t, &keys.Origin{Fingerprint: keys.Fingerprint{0xaa, 0xbb, 0xcc, 0xdd}, Path: keys.Path{86 + keys.Hardened, keys.Hardened, keys.Hardened}}, ks[0].Origin)
	require.Equal(t, xpubKey, ks[0].Xpub)
	require.Equal(t, keys.Path{0}, ks[0].Path)
	require.Equal(t, []uint32{0, 1}, ks[0].Multipath)
	require.True(t, ks[0].Wildcard)
	require.True(t, ks[0].Hardened)
	require.False(t, ks[0].Private)
	require.Equal(t, "[aabbccdd/86h/0h/0h]"+xpubKey+"/<0;1>/*h", ks[0].String())

	require.Nil(t, ks[1].Origin)
	require.Equal(t, xonlyKey, ks[1].Xpub)
	require.True(t, ks[1].XOnly)
	require.Empty(t, ks[1].Path)

	require.Equal(t, hexKey, ks[2].Xpub, "a WIF key is listed by its public key")
	require.True(t, ks[2].Private)
	require.False(t, ks[2].XOnly)

	require.Equal(t, keys.Path{7}, ks[3].Path)
	require.False(t, ks[3].Wildcard)
	require.Nil(t, ks[3].Multipath)

	// Keys returns copies: changing them does not change the descriptor.
	ks[0].Path[0] = 99
	ks[0].Origin.Path[0] = 1
	require.Equal(t, keys.Path{0}, d.Keys()[0].Path)
	require.Equal(t, "aabbccdd/86h/0h/0h", d.Keys()[0].Origin.String())

	b, err := d.Branch(1)
	require.NoError(t, err)
	require.Equal(t, keys.Path{1}, b.Keys()[0].Path)
	require.Nil(t, b.Keys()[0].Multipath)
	m, n := d.Threshold()
	require.Equal(t, [2]int{1, 2}, [2]int{m, n})
	require.Equal(t, TR, d.ScriptType())
}

func TestScriptTypeAndThreshold(t *testing.T) {
	for in, want := range map[string]struct {
		typ  ScriptType
		name string
		m, n int
	}{
		"pk(" + hexKey + ")":                                               {PK, "pk", 1, 1},
		"pkh(" + hexKey + ")":                                              {PKH, "pkh", 1, 1},
		"wpkh(" + hexKey + ")":                                             {WPKH, "wpkh", 1, 1},
		"sh(wpkh(" + hexKey + "))":                                         {SHWPKH, "sh-wpkh", 1, 1},
		"sh(multi(1," + hexKey + "," + hexKey + "))":                       {SH, "sh", 1, 2},
		"wsh(sortedmulti(2," + hexKey + "," + hexKey + "))":                {WSH, "wsh", 2, 2},
		"sh(wsh(multi(1," + hexKey + "," + hexKey + ")))":                  {SHWSH, "sh-wsh", 1, 2},
		"multi(1," + hexKey + ")":                                          {Bare, "bare", 1, 1},
		"tr(" + xonlyKey + ")":                                             {TR, "tr", 1, 1},
		"tr(" + xonlyKey + ",{pk(" + xonlyKey + "),pk(" + xonlyKey + ")})": {TR, "tr", 1, 1},
		"combo(" + hexKey + ")":                                            {Combo, "combo", 1, 1},
		"raw(51)":                                                          {Raw, "raw", 0, 0},
		"addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j)":                         {Addr, "addr", 0, 0},
	} {
		t.Run(want.name+" "+testName(in), func(t *testing.T) {
			d, err := Parse(in)
			require.NoError(t, err)
			require.Equal(t, want.typ, d.ScriptType())
			require.Equal(t, want.name, d.ScriptType().String())
			m, n := d.Threshold()
			require.Equal(t, [2]int{want.m, want.n}, [2]int{m, n})
			require.Equal(t, 1, d.PathCount())
			require.False(t, d.IsRange())
		})
	}
}

func TestFunctionNamesMatchTheirConstants(t *testing.T) {
	require.Len(t, fnNames, len(fnText))
	for name, f := range fnNames {
		require.Equal(t, name, f.String())
	}
}
