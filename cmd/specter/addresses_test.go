package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/descriptor"
)

// BIP84 and BIP86 account 0 of the "abandon ... about" mnemonic, as multipath descriptors.
const (
	bip84Desc = "wpkh([73c5da0a/84'/0'/0']zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs/<0;1>/*)"
	bip86Desc = "tr([73c5da0a/86h/0h/0h]xpub6BgBgsespWvERF3LHQu6CnqdvfEvtMcQjYrcRzx53QJjSxarj2afYWcLteoGVky7D3UKDP9QyrLprQ3VCECoY49yfdDEHGCtMMj92pReUsQ/<0;1>/*)"
	bip49Desc = "sh(wpkh([73c5da0a/49h/1h/0h]upub5EFU65HtV5TeiSHmZZm7FUffBGy8UKeqp7vw43jYbvZPpoVsgU93oac7Wk3u6moKegAEWtGNF8DehrnHtv21XXEMYRUocHqguyjknFHYfgY/0/*))"
)

func TestAddressesPrintsTenReceiveAddressesByDefault(t *testing.T) {
	code, out, errOut := runCmd("", "addresses", bip84Desc)
	require.Equal(t, 0, code, errOut)
	require.Empty(t, errOut)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 10)
	require.Equal(t, "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", lines[0])
	require.Equal(t, "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g", lines[1])
	for _, l := range lines {
		require.True(t, strings.HasPrefix(l, "bc1q"), l)
	}
}

func TestAddressesExactOutputs(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		out  string
	}{
		"count 2 from index 0":          {[]string{"addresses", "--count", "2", bip84Desc}, "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu\nbc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g\n"},
		"flags after the descriptor":    {[]string{"addresses", bip84Desc, "--count", "1", "--start", "1"}, "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g\n"},
		"change branch of <0;1>":        {[]string{"addresses", "--change", "--count", "1", bip84Desc}, "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el\n"},
		"taproot receive index 1":       {[]string{"addresses", "--start", "1", "--count", "1", bip86Desc}, "bc1p4qhjn9zdvkux4e44uhx8tc55attvtyu358kutcqkudyccelu0was9fqzwh\n"},
		"taproot change":                {[]string{"addresses", "--change", "--count=1", bip86Desc}, "bc1p3qkhfews2uk44qtvauqyr2ttdsw7svhkl9nkm9s9c3x4ax5h60wqwruhk7\n"},
		"testnet nested segwit":         {[]string{"addresses", "--network", "test", "--count", "1", bip49Desc}, "2Mww8dCYPUpKHofjgcXcBCEGmniw9CoaiD2\n"},
		"regtest nested segwit":         {[]string{"addresses", "--network", "regtest", "--count", "1", bip49Desc}, "2Mww8dCYPUpKHofjgcXcBCEGmniw9CoaiD2\n"},
		"with checksum":                 {[]string{"addresses", withChecksum(t, "raw(a914eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee87)")}, "3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j\n"},
		"non-ranged prints one address": {[]string{"addresses", "addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j)"}, "3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j\n"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runCmd("", tc.args...)
			require.Equal(t, 0, code, errOut)
			require.Equal(t, tc.out, out)
			require.Empty(t, errOut)
		})
	}
}

func TestAddressesBadInputExitsTwoWithOneLine(t *testing.T) {
	const xpubDesc = "wpkh(xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL/*)"
	for name, tc := range map[string]struct {
		args   []string
		stderr string
	}{
		"no descriptor":      {[]string{"addresses"}, "specter addresses: addresses takes exactly one DESCRIPTOR argument, got 0 (addresses -h for help)\n"},
		"two descriptors":    {[]string{"addresses", bip84Desc, bip86Desc}, "specter addresses: addresses takes exactly one DESCRIPTOR argument, got 2 (addresses -h for help)\n"},
		"unknown flag":       {[]string{"addresses", "--gap", "5", bip84Desc}, "specter addresses: flag provided but not defined: -gap (addresses -h for help)\n"},
		"bad count":          {[]string{"addresses", "--count", "x", bip84Desc}, "specter addresses: invalid value \"x\" for flag -count: parse error (addresses -h for help)\n"},
		"zero count":         {[]string{"addresses", "--count", "0", bip84Desc}, "specter addresses: --count 0 is out of range: give 1 to 1000000\n"},
		"past last index":    {[]string{"addresses", "--start", "2147483647", "--count", "2", bip84Desc}, "specter addresses: --start 2147483647 with --count 2 goes past index 2147483647, the last unhardened index\n"},
		"unknown network":    {[]string{"addresses", "--network", "bitcoincash", bip84Desc}, "specter addresses: unknown network \"bitcoincash\": use main, test, signet or regtest\n"},
		"bad checksum":       {[]string{"addresses", "raw(deadbeef)#89f8spxx"}, "specter addresses: invalid descriptor: checksum \"89f8spxx\" does not match the descriptor (expected \"89f8spxm\"): the descriptor or its checksum was mistyped\n"},
		"xpub on testnet":    {[]string{"addresses", "--network", "test", xpubDesc}, "specter addresses: index 0: key \"xpub6ERApfZw…uZZvRcEL\" is a mainnet key but addresses for test were asked: use the network the keys were exported for\n"},
		"change single path": {[]string{"addresses", "--change", xpubDesc}, "specter addresses: --change needs a multipath descriptor such as wpkh(XPUB/<0;1>/*): this one has a single path\n"},
		"count on non-range": {[]string{"addresses", "--count", "3", "addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j)"}, "specter addresses: the descriptor has no /* wildcard, so it has a single address: drop --start and --count\n"},
		"pk has no address":  {[]string{"addresses", "pk(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)"}, "specter addresses: index 0: a pubkey script has no address form: use the script itself\n"},
		"combo":              {[]string{"addresses", "combo(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)"}, "specter addresses: combo() gives several scripts per index: write pkh(KEY), wpkh(KEY) or sh(wpkh(KEY)) for the addresses you want\n"},
		"hardened from xpub": {[]string{"addresses", "wpkh(xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL/*h)"}, "specter addresses: index 0: key \"xpub6ERApfZw…vRcEL/*h\": cannot derive the hardened step 0h from a public key: give the private key or the xpub after the last hardened step\n"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runCmd("", tc.args...)
			require.Equal(t, 2, code)
			require.Empty(t, out)
			require.Equal(t, tc.stderr, errOut)
		})
	}
}

// withChecksum appends the BIP380 checksum (checked against the BIP380
// vectors in shared/descriptor).
func withChecksum(t *testing.T, desc string) string {
	t.Helper()
	sum, err := descriptor.Checksum(desc)
	require.NoError(t, err)
	return desc + "#" + sum
}

func TestAddressesHelpGoesToStdout(t *testing.T) {
	code, out, errOut := runCmd("", "addresses", "-h")
	require.Equal(t, 0, code)
	require.Equal(t, addressesUsage, out)
	require.Empty(t, errOut)
	require.Contains(t, out, "--count K    number of addresses (default 10")
}
