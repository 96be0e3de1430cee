package descriptor

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPublicMatchesBitcoinCorePublicForms(t *testing.T) {
	var f struct {
		Valid []struct {
			Prv, Pub        string
			Range, Hardened bool
			Scripts         [][]string
		}
	}
	loadJSON(t, "core.json", &f)
	tested := 0
	for _, v := range f.Valid {
		if v.Hardened {
			continue
		}
		t.Run(testName(v.Prv), func(t *testing.T) {
			prv := mustParse(t, v.Prv)
			require.True(t, prv.HasPrivateKeys())
			pub, err := prv.Public()
			require.NoError(t, err)
			require.False(t, pub.HasPrivateKeys())
			require.Equal(t, normalise(v.Pub), pub.StringNoChecksum())
			for i := range v.Scripts {
				a, err := prv.DeriveAll(uint32(i))
				require.NoError(t, err)
				b, err := pub.DeriveAll(uint32(i))
				require.NoError(t, err)
				require.Equal(t, a, b)
			}
			same, err := pub.Public()
			require.NoError(t, err)
			require.Equal(t, pub.String(), same.String())
		})
		tested++
	}
	require.Equal(t, 24, tested)
}

func TestPublicMovesHardenedStepsIntoTheOrigin(t *testing.T) {
	for name, tc := range map[string]struct{ prv, pub string }{
		// BIP381 lists both forms with the same script.
		"BIP381 pkh pair": {
			"pkh(xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U/2147483647'/0)",
			"pkh([bd16bee5/2147483647h]xpub69H7F5dQzmVd3vPuLKtcXJziMEQByuDidnX3YdwgtNsecY5HRGtAAQC5mXTt4dsv9RzyjgDjAQs9VGVV6ydYCHnprc9vvaA5YtqWyL6hyds/0)",
		},
		// BIP386 lists tr(WIF) and tr(x-only) with the same script.
		"BIP386 WIF as x-only": {
			"tr(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)",
			"tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)",
		},
		"existing origin extended, multipath kept": {
			"wpkh([ffffffff/13h]xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G81dwSM1fwqWpWkeS3v86pgKt/<1;3>/2/*)",
			"wpkh([ffffffff/13h]xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH/<1;3>/2/*)",
		},
	} {
		t.Run(name, func(t *testing.T) {
			prv := mustParse(t, tc.prv)
			pub, err := prv.Public()
			require.NoError(t, err)
			require.Equal(t, tc.pub, pub.StringNoChecksum())
			want := mustParse(t, tc.pub)
			for b := 0; b < pub.PathCount(); b++ {
				pb, err := pub.Branch(b)
				require.NoError(t, err)
				wb, err := want.Branch(b)
				require.NoError(t, err)
				xb, err := prv.Branch(b)
				require.NoError(t, err)
				for i := uint32(0); i < 3; i++ {
					got, err := pb.Derive(i)
					require.NoError(t, err)
					exp, err := wb.Derive(i)
					require.NoError(t, err)
					require.Equal(t, exp, got)
					fromPrv, err := xb.Derive(i)
					require.NoError(t, err)
					require.Equal(t, exp.ScriptPubKey, fromPrv.ScriptPubKey)
				}
			}
		})
	}
}

func TestPublicRefusesKeysWithoutAPublicForm(t *testing.T) {
	for name, tc := range map[string]struct{ in, err string }{
		"hardened wildcard": {
			"sh(wpkh(xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi/10/20/30/40/*'))",
			`descriptor: key "xprv…/10/20/30/40/*h" ends in /*h: every index needs the private key, so it has no public form`,
		},
		"hardened multipath value": {
			"pkh(xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U/<2147483647h;0>/0)",
			`descriptor: key "xprv…/<2147483647h;0>/0" has a hardened multipath value: it has no single public form`,
		},
		"multipath before a hardened step": {
			"pkh(xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U/<0;1>/5h/*)",
			`descriptor: key "xprv…/<0;1>/5h/*" has its multipath step before a hardened step: it has no single public form`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := mustParse(t, tc.in).Public()
			require.EqualError(t, err, tc.err)
		})
	}
}

func TestErrorsNeverCarryPrivateKeys(t *testing.T) {
	for name, tc := range map[string]struct{ in, err string }{
		"WIF with a typo": {"wpkh(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY2)",
			`descriptor: wpkh(): key "L4rK…" is not a hex public key, a WIF private key or an extended key (xpub/xprv/tpub/tprv or SLIP-132): check for a typo`},
		"uncompressed WIF in segwit": {"wpkh([deadbeef/0h]5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss)",
			`descriptor: wpkh(): key "[deadbeef/0h]5KYZ…": uncompressed keys are not allowed in segwit scripts (BIP382): use the compressed key`},
		"xprv with a typo": {"wpkh(xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2V/0/*)",
			`descriptor: wpkh(): key "xprv…/0/*": extended key "xprv9s21…sCzC2V": not valid base58check: checksum does not match: check for a typo or a truncated copy`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(tc.in)
			require.EqualError(t, err, tc.err)
		})
	}
}
