package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

func init() {
	register(command{
		name:    "descriptor",
		summary: "check an output descriptor and print it normalised with its checksum",
		run:     runDescriptor,
	})
}

const descriptorUsage = `Usage: specter descriptor [--public] DESCRIPTOR

Checks an output descriptor (BIP380-386, BIP387 multi_a, BIP389 multipath) and
prints its normalised form with its BIP380 checksum: hardened steps written h,
SLIP-132 keys (ypub, zpub, Zpub, ...) as xpub/tpub, hex in lowercase. The
"#checksum" suffix of the input is optional, and checked when present.

  --public  print the watch-only form: private keys (WIF, xprv) replaced by
            their public keys, hardened steps after an xprv moved into the
            key origin (BIP380)
`

// runDescriptor implements "specter descriptor".
func runDescriptor(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("descriptor", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	public := fs.Bool("public", false, "")
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, descriptorUsage)
		return nil
	}
	if err != nil {
		return usagef("%v (descriptor -h for help)", err)
	}
	if len(rest) != 1 {
		return usagef("descriptor takes exactly one DESCRIPTOR argument, got %d (descriptor -h for help)", len(rest))
	}
	d, err := parseDescriptorArg(rest[0])
	if err != nil {
		return err
	}
	if *public {
		if d, err = d.Public(); err != nil {
			return usagef("%s", strings.TrimPrefix(err.Error(), "descriptor: "))
		}
	}
	_, err = fmt.Fprintln(stdout, d.String())
	return err
}
