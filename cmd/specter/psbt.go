package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/specterpwa/specter/shared/descriptor"
	"github.com/specterpwa/specter/shared/keys"
	"github.com/specterpwa/specter/shared/network"
	"github.com/specterpwa/specter/shared/psbt"
	"github.com/specterpwa/specter/shared/wallet"
)

func init() {
	register(command{
		name:    "psbt",
		summary: "decode, sign, combine, finalize or extract PSBTs (BIP174) offline (psbt -h for help)",
		run:     runPSBT,
	})
}

const psbtUsage = `Usage:
  specter psbt decode   [--json] [--network N] [--descriptor DESC] FILE
  specter psbt sign     [--mnemonic-file F] [--passphrase-file F] [--network N] [--binary --out FILE] FILE
  specter psbt combine  [--binary --out FILE] FILE FILE...
  specter psbt finalize [--binary --out FILE] FILE
  specter psbt extract  FILE

FILE is a base64, hex or binary PSBT file; "-" reads standard input.
PSBTs are written as base64 on standard output unless --out is given;
--binary (with --out) writes the binary form. sign reads the mnemonic from
--mnemonic-file, or from standard input when no file is given: never from
the command line. decode --descriptor proves change outputs against the
wallet's descriptor (a BIP389 <0;1> multipath descriptor). --network is
main by default; decode switches to test when the PSBT's xpubs are tpubs.
`

// runPSBT dispatches "specter psbt SUBCOMMAND".
func runPSBT(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("psbt needs a subcommand: decode, sign, combine, finalize or extract (psbt -h for help)")
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, psbtUsage)
		return nil
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("psbt "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := psbtOpts{}
	fs.StringVar(&o.out, "out", "", "write the PSBT to this file")
	fs.BoolVar(&o.binary, "binary", false, "write the binary PSBT (needs --out)")
	fs.StringVar(&o.net, "network", "main", "network: main, test, signet or regtest")
	switch sub {
	case "decode":
		fs.BoolVar(&o.json, "json", false, "print JSON")
		fs.StringVar(&o.desc, "descriptor", "", "wallet descriptor to prove change with")
	case "sign":
		fs.StringVar(&o.mnemonicFile, "mnemonic-file", "", "file holding the BIP39 mnemonic")
		fs.StringVar(&o.passphraseFile, "passphrase-file", "", "file holding the BIP39 passphrase")
	case "combine", "finalize", "extract":
	default:
		return usagef("unknown psbt subcommand %q: use decode, sign, combine, finalize or extract", sub)
	}
	files, err := parseInterleaved(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, psbtUsage)
		return nil
	}
	if err != nil {
		return usagef("%v", err)
	}
	if o.binary && o.out == "" {
		return usagef("--binary needs --out FILE: binary data is not written to the terminal")
	}
	net, err := network.Parse(o.net)
	if err != nil {
		return usagef("%v", err)
	}
	o.network = net
	fs.Visit(func(f *flag.Flag) { o.netGiven = o.netGiven || f.Name == "network" })
	switch sub {
	case "combine":
		if len(files) < 2 {
			return usagef("combine needs at least two PSBT files")
		}
	default:
		if len(files) != 1 {
			return usagef("%s needs exactly one PSBT file (or - for standard input), got %d", sub, len(files))
		}
	}
	if sub == "sign" && o.mnemonicFile == "" {
		for _, f := range files {
			if f == "-" {
				return usagef("the PSBT is read from standard input, so the mnemonic must come from --mnemonic-file")
			}
		}
	}
	stdinUsed := false
	var packets []*psbt.Packet
	for _, f := range files {
		if f == "-" {
			if stdinUsed {
				return usagef("standard input can be read only once")
			}
			stdinUsed = true
		}
		p, err := readPSBT(f, stdin)
		if err != nil {
			return err
		}
		packets = append(packets, p)
	}
	switch sub {
	case "decode":
		return psbtDecode(packets[0], o, stdout)
	case "sign":
		return psbtSign(packets[0], o, stdin, stdout, stderr)
	case "combine":
		p, err := psbt.Combine(packets...)
		if err != nil {
			return usagef("%v", err)
		}
		return writePSBT(p, o, stdout)
	case "finalize":
		p := packets[0]
		n, err := psbt.Finalize(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%d of %d inputs final\n", n, len(p.Inputs))
		return writePSBT(p, o, stdout)
	default: // extract
		tx, err := psbt.Extract(packets[0])
		var open *psbt.NotFinalizedError
		if errors.As(err, &open) {
			return usagef("%s not finalized: collect the missing signatures and run 'specter psbt finalize' on the PSBT first, then extract", open.Which())
		}
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := tx.Serialize(&b); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%x\n", b.Bytes())
		return nil
	}
}

type psbtOpts struct {
	out, net, desc               string
	mnemonicFile, passphraseFile string
	binary, json, netGiven       bool
	network                      network.Network
}

// parseInterleaved lets flags and file names come in any order.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return files, nil
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func readPSBT(name string, stdin io.Reader) (*psbt.Packet, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, 64<<20))
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, usagef("reading %s: %v", name, err)
	}
	p, err := psbt.Decode(data)
	if err != nil {
		return nil, usagef("%s: %v", name, err)
	}
	return p, nil
}

func writePSBT(p *psbt.Packet, o psbtOpts, stdout io.Writer) error {
	raw, err := psbt.Serialize(p)
	if err != nil {
		return err
	}
	if o.binary {
		return os.WriteFile(o.out, raw, 0o600)
	}
	text, err := psbt.EncodeBase64(p)
	if err != nil {
		return err
	}
	if o.out != "" {
		return os.WriteFile(o.out, []byte(text+"\n"), 0o600)
	}
	_, err = fmt.Fprintln(stdout, text)
	return err
}

func psbtDecode(p *psbt.Packet, o psbtOpts, stdout io.Writer) error {
	if !o.netGiven {
		// Without --network, tpub global xpubs tell a test network.
		if xp, err := psbt.GlobalXpubs(p); err == nil && len(xp) > 0 && !xp[0].Key.IsForNet(network.Main.Params()) {
			o.network = network.Test
		}
	}
	opts := psbt.AnalyseOptions{Network: o.network}
	if o.desc != "" {
		d, err := descriptor.Parse(o.desc)
		if err != nil {
			return usagef("--descriptor: %v", err)
		}
		if opts.Wallet, err = psbt.NewWallet(o.network, d); err != nil {
			return usagef("--descriptor: %v", err)
		}
	}
	a, err := psbt.Analyse(p, opts)
	if err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(a)
	}
	w := func(format string, args ...any) { fmt.Fprintf(stdout, format, args...) }
	w("Transaction %s (version %d, locktime %d, RBF %s)\n", a.TxID, a.Version, a.LockTime, yesNo(a.RBF))
	w("Inputs (%d):\n", len(a.Inputs))
	for _, in := range a.Inputs {
		amount := "unknown amount"
		if in.AmountKnown {
			amount = btc(in.Amount)
		}
		state := fmt.Sprintf("%d of %d signatures", in.Signatures, in.Required)
		if in.Finalized {
			state = "finalized"
		}
		w("  #%d %s %s %s %s", in.Index, in.OutPoint, amount, in.ScriptType, state)
		if len(in.SignedBy) > 0 {
			w(", signed by %s", strings.Join(in.SignedBy, ", "))
		}
		w("\n")
	}
	w("Outputs (%d):\n", len(a.Outputs))
	for _, out := range a.Outputs {
		dest := out.Address
		if dest == "" {
			dest = "script " + out.Script
		}
		w("  #%d %s %s", out.Index, dest, btc(out.Amount))
		if out.Change {
			w(" (change, proven: branch %d index %d)", out.Branch, out.AddrIndex)
		}
		w("\n")
	}
	if a.FeeKnown {
		approx := ""
		if a.VSizeEstimated {
			approx = "about "
		}
		w("Fee: %s, %s%d vB, %.2f sat/vB\n", btc(a.Fee), approx, a.VSize, a.FeeRate)
	} else {
		w("Fee: unknown (inputs lack UTXO information)\n")
	}
	for _, x := range a.GlobalXpubs {
		w("Cosigner xpub: %s\n", x)
	}
	w("Complete: %s\n", yesNo(a.Complete))
	for _, warn := range a.Warnings {
		w("WARNING: %s\n", warn)
	}
	return nil
}

// btc formats satoshis as BTC with all eight decimals (wallet.FormatBTC) and
// the unit.
func btc(sat int64) string { return wallet.FormatBTC(sat) + " BTC" }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func psbtSign(p *psbt.Packet, o psbtOpts, stdin io.Reader, stdout, stderr io.Writer) error {
	var mnemonic []byte
	var err error
	switch {
	case o.mnemonicFile != "":
		mnemonic, err = os.ReadFile(o.mnemonicFile)
		if err != nil {
			return usagef("reading the mnemonic file: %v", err)
		}
	default:
		mnemonic, err = io.ReadAll(io.LimitReader(stdin, 4096))
		if err != nil {
			return usagef("reading the mnemonic from standard input: %v", err)
		}
	}
	passphrase := ""
	if o.passphraseFile != "" {
		b, err := os.ReadFile(o.passphraseFile)
		if err != nil {
			return usagef("reading the passphrase file: %v", err)
		}
		// A passphrase may contain spaces; only the final line break of the file is dropped.
		passphrase = strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	}
	words := strings.Join(strings.Fields(string(mnemonic)), " ")
	clear(mnemonic)
	master, err := keys.MasterFromMnemonic(words, passphrase, o.network)
	if err != nil {
		return usagef("%v", err)
	}
	fp, err := keys.MasterFingerprint(master)
	if err != nil {
		return err
	}
	res, err := psbt.Sign(p, master)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "key %s added %d signature(s) to %d input(s)\n", fp, res.Signatures, len(res.Inputs))
	return writePSBT(p, o, stdout)
}
