package spend_test

import (
	"fmt"

	"github.com/specterpwa/specter/shared/spend"
)

func ExampleParseBIP21() {
	uri, err := spend.ParseBIP21("bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?amount=50&label=Luke-Jr&message=Donation%20for%20project%20xyz")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(uri.Address, uri.Amount, uri.Label, uri.Message)
	// Output: 175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W 5000000000 Luke-Jr Donation for project xyz
}

func ExampleParseCSV() {
	rs, err := spend.ParseCSV("address,amount\nbcrt1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5afv7ye,0.015\nbcrt1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5afv7ye,2500 sats,rent\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rs {
		fmt.Printf("%d sats %q\n", r.Amount, r.Label)
	}
	_, err = spend.ParseCSV("bcrt1q...,1.5\nbcrt1q...,ten\n")
	fmt.Println(err)
	// Output:
	// 1500000 sats ""
	// 2500 sats "rent"
	// line 2: amount "ten": not a number
}
