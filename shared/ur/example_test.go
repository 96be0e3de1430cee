package ur_test

import (
	"fmt"

	"github.com/specterpwa/specter/shared/ur"
)

// Animated crypto-psbt QR frames out, scanned frames back in (any order,
// frames may be missed: fountain parts fill the gaps).
func Example_psbtRoundTrip() {
	psbt := append([]byte("psbt\xff"), make([]byte, 300)...)
	enc, _ := ur.NewEncoder(ur.EncodePSBT(psbt, true), 100)
	fmt.Println("fragments:", enc.SeqLen())
	dec := ur.NewDecoder()
	for frame := 0; !dec.IsComplete(); frame++ {
		part := enc.NextPart()
		if frame == 0 {
			fmt.Println(part[:20])
			continue // the camera missed the first frame
		}
		if err := dec.ReceivePart(part); err != nil {
			fmt.Println("rejected:", err)
		}
	}
	u, _ := dec.Result()
	got, _ := ur.DecodePSBT(u)
	fmt.Println(u.Type, len(got))
	// Output:
	// fragments: 4
	// ur:crypto-psbt/1-4/l
	// crypto-psbt 305
}

// A crypto-account exported by a signer, read as descriptors.
func ExampleDecodeAccount() {
	u, _ := ur.Decode("ur:crypto-account/oeadcyemrewytyaolttaadmutaaddloxaxhdclaxwmfmdeiamecsdsemgtvsjzcncygrkowtrontzschgezokstswkkscfmklrtauteyaahdcxiehfonurdppfyntapejpproypegrdawkgmaewejlsfdtsrfybdehcaflmtrlbdhpamtaaddyoyadlncsdwykaeykaeykaycynlytsnyltaadmhtaadmwtaaddloxaxhdclaostvelfemdyynwydwyaievosrgmambklovabdgypdglldvespsthysadamhpmjeinaahdcxntdllnaaeykoytdacygegwhgjsiyonpywmcmrpwphsvodsrerozsbyaxluzcoxdpamtaaddyoyadlncsehykaeykaeykaycypdbskeuytaadmwtaaddloxaxhdclaxzcfxeegdrpmogrgwkbzctlttweadkiengrwlhtprremouoluutqdpfbncedkynfhaahdcxjpwevdeogthttkmeswzcolcpsaahcfnshkhtehytclmnteatmoteadtlwynnftloamtaaddyoyadlncsghykaeykaeykaycybthlvytstaadmhtaaddloxaxhdclaxhhsnhdrpftdwuocntilydibehnecmovdfekpjkclcslasbhkpawsaddmcmmnahnyaahdcxlotedtndfymyltclhlmtpfsadscnhtztaolbnnkistaedegwfmmedreetnwmcycnamtaaddyoyadlfcsdpykaycyemrewytytaadmhtaadmetaaddloxaxhdclaxdwkswmztpytnswtsecnblfbayajkdldeclqzzolrsnhljedsgminetytbnahatbyaahdcxkkguwsvyimjkvwteytwztyswvendtpmncpasfrrylprnhtkblndrgrmkoyjtbkrpamtaaddyoyadlocsdyykaeykaeykadykaycyhkrpnddrtaadmetaaddloxaxhdclaohnhffmvsbndslrfgclpfjejyatbdpebacnzokotofxntaoemvskpaowmryfnotfgaahdcxdlnbvecentssfsssgylnhkrstoytecrdlyadrekirfaybglahltalsrfcaeerobwamtaaddyoyadlocsdyykaeykaeykaoykaycyhkrpnddrtaadnltaaddloxaxhdclaorkrhkeytwsoykorletwstbwycagtbsotmeptjkesgwrfcmveskvdmngujzttgtdpaahdcxgrfgmuvyylmwcxjtttechplslgoegagaptdniatidmhdmebdwfryfsnsdkcplyvaamtaaddyoyadlncshfykaeykaeykaycytostatbnimltntsp")
	acct, err := ur.DecodeAccount(u)
	if err != nil {
		fmt.Println(err)
		return
	}
	ds, _ := acct.Descriptors()
	fmt.Println(acct.MasterFingerprint)
	fmt.Println(ds[2])
	// Output:
	// 37b5eed4
	// wpkh([37b5eed4/84'/0'/0']xpub6BkU445MSEBXbPjD3g2c2ch6mn8yy1SXXQUM7EwjgYiq6Wt1NDwDZ45npqWcV8uQC5oi2gHuVukoCoZZyT4HKq8EpotPMqGqxdZRuapCQ23)
}
