package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/specterpwa/specter/shared/descriptor"
)

func TestDescriptorPrintsTheNormalisedFormWithChecksum(t *testing.T) {
	core := "sh(multi(2,[00000000/111h/222]xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL,xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y/0))"
	coreSum, err := descriptor.Checksum(core)
	require.NoError(t, err)
	zpubAsXpub := "wpkh([73c5da0a/84h/0h/0h]xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V/<0;1>/*)"
	zSum, err := descriptor.Checksum(zpubAsXpub)
	require.NoError(t, err)
	for name, tc := range map[string]struct{ in, out string }{
		"BIP380 checksum vector":                 {"raw(deadbeef)", "raw(deadbeef)#89f8spxm\n"},
		"apostrophes become h, checksum checked": {"sh(multi(2,[00000000/111'/222]xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL,xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y/0))#tjg09x5t", core + "#" + coreSum + "\n"},
		"zpub becomes xpub":                      {bip84Desc, zpubAsXpub + "#" + zSum + "\n"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runCmd("", "descriptor", tc.in)
			require.Equal(t, 0, code, errOut)
			require.Equal(t, tc.out, out)
			require.Empty(t, errOut)
		})
	}
}

func TestDescriptorPublicDropsPrivateKeys(t *testing.T) {
	// BIP381 lists this xprv descriptor and its public form with the same script.
	const pub = "pkh([bd16bee5/2147483647h]xpub69H7F5dQzmVd3vPuLKtcXJziMEQByuDidnX3YdwgtNsecY5HRGtAAQC5mXTt4dsv9RzyjgDjAQs9VGVV6ydYCHnprc9vvaA5YtqWyL6hyds/0)"
	sum, err := descriptor.Checksum(pub)
	require.NoError(t, err)
	code, out, errOut := runCmd("", "descriptor", "--public", "pkh(xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U/2147483647'/0)")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, pub+"#"+sum+"\n", out)
	require.Empty(t, errOut)

	code, out, errOut = runCmd("", "descriptor", "--public", "wpkh(xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U/*h)")
	require.Equal(t, 2, code)
	require.Empty(t, out)
	require.Equal(t, "specter descriptor: key \"xprv…/*h\" ends in /*h: every index needs the private key, so it has no public form\n", errOut)
}

func TestDescriptorBadInputExitsTwo(t *testing.T) {
	deedSum, err := descriptor.Checksum("raw(deedbeef)")
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		args   []string
		stderr string
	}{
		"no argument":    {[]string{"descriptor"}, "specter descriptor: descriptor takes exactly one DESCRIPTOR argument, got 0 (descriptor -h for help)\n"},
		"bad checksum":   {[]string{"descriptor", "raw(deedbeef)#89f8spxm"}, "specter descriptor: invalid descriptor: checksum \"89f8spxm\" does not match the descriptor (expected \"" + deedSum + "\"): the descriptor or its checksum was mistyped\n"},
		"segwit context": {[]string{"descriptor", "wpkh(04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235)"}, "specter descriptor: invalid descriptor: wpkh(): key \"04a34b99f22c…5abea235\": uncompressed keys are not allowed in segwit scripts (BIP382): use the compressed key\n"},
		"unknown flag":   {[]string{"descriptor", "--json", "raw(deadbeef)"}, "specter descriptor: flag provided but not defined: -json (descriptor -h for help)\n"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runCmd("", tc.args...)
			require.Equal(t, 2, code)
			require.Empty(t, out)
			require.Equal(t, tc.stderr, errOut)
		})
	}
}

func TestDescriptorHelpGoesToStdout(t *testing.T) {
	code, out, errOut := runCmd("", "descriptor", "--help")
	require.Equal(t, 0, code)
	require.Equal(t, descriptorUsage, out)
	require.Empty(t, errOut)
}
