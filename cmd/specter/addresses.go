package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/network"
)

func init() {
	register(command{
		name:    "addresses",
		summary: "print the addresses of an output descriptor (addresses -h for help)",
		run:     runAddresses,
	})
}

// defaultAddressCount is how many addresses "specter addresses" prints
// without --count.
const defaultAddressCount = 10

// maxAddressCount bounds --count so a typo cannot start an hours-long run.
const maxAddressCount = 1_000_000

const addressesUsage = `Usage: specter addresses [--network main|test|signet|regtest] [--start I] [--count K] [--change] DESCRIPTOR

Prints the addresses of an output descriptor (BIP380-386, BIP389), one per line,
for the indexes I, I+1, ... I+K-1 of its /* wildcard.

  --network N  main (default), test, signet or regtest; the keys must belong to it
  --start I    first index (default 0)
  --count K    number of addresses (default 10, at most 1000000)
  --change     for a multipath descriptor (.../<0;1>/*), print the change
               branch (the second value) instead of the receive branch (the first)

The "#checksum" suffix is optional, and checked when present. A descriptor
without /* has a single address: it is printed once, and --start/--count are
refused. Quote the descriptor for the shell: 'wsh(sortedmulti(2,...))'.
`

// runAddresses implements "specter addresses".
func runAddresses(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("addresses", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	netName := fs.String("network", "main", "")
	start := fs.Uint64("start", 0, "")
	count := fs.Uint64("count", defaultAddressCount, "")
	change := fs.Bool("change", false, "")
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, addressesUsage)
		return nil
	}
	if err != nil {
		return usagef("%v (addresses -h for help)", err)
	}
	if len(rest) != 1 {
		return usagef("addresses takes exactly one DESCRIPTOR argument, got %d (addresses -h for help)", len(rest))
	}
	net, err := network.Parse(*netName)
	if err != nil {
		return usagef("%v", err)
	}
	d, err := parseDescriptorArg(rest[0])
	if err != nil {
		return err
	}
	if d.ScriptType() == descriptor.Combo {
		return usagef("combo() gives several scripts per index: write pkh(KEY), wpkh(KEY) or sh(wpkh(KEY)) for the addresses you want")
	}
	branch := 0
	if *change {
		if d.PathCount() < 2 {
			return usagef("--change needs a multipath descriptor such as wpkh(XPUB/<0;1>/*): this one has a single path")
		}
		branch = 1
	}
	if d, err = d.Branch(branch); err != nil {
		return usagef("%v", err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !d.IsRange() {
		if set["start"] || set["count"] {
			return usagef("the descriptor has no /* wildcard, so it has a single address: drop --start and --count")
		}
		*count = 1
	}
	if *count == 0 || *count > maxAddressCount {
		return usagef("--count %d is out of range: give 1 to %d", *count, maxAddressCount)
	}
	if *start+*count > 1<<31 {
		return usagef("--start %d with --count %d goes past index 2147483647, the last unhardened index", *start, *count)
	}
	w := bufio.NewWriter(stdout)
	for i := *start; i < *start+*count; i++ {
		addr, err := d.Address(uint32(i), net)
		if err != nil {
			return usagef("index %d: %v", i, err)
		}
		fmt.Fprintln(w, addr)
	}
	return w.Flush()
}

// parseDescriptorArg parses a descriptor given on the command line, turning
// its error into a one-line usage error.
func parseDescriptorArg(s string) (*descriptor.Descriptor, error) {
	d, err := descriptor.Parse(s)
	if err != nil {
		return nil, usagef("invalid descriptor: %s", strings.TrimPrefix(err.Error(), "descriptor: "))
	}
	return d, nil
}
