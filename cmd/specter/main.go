// Command specter is Specter PWA in one binary: "specter serve" runs the
// relay that serves the PWA and proxies the node; the other subcommands are
// offline tools on the engine for scripting and air-gapped use.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// usageError marks bad input from the user: it is printed as one line and the
// command exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// command is one subcommand: it reads its arguments and the standard streams
// and returns an error to print.
type command struct {
	name    string
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

// commands lists the subcommands; each file of this package adds its own.
var commands []command

func register(c command) { commands = append(commands, c) }

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one invocation and returns the process exit status: 0 on
// success, 2 on bad input, 1 on any other failure.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			err := c.run(args[1:], stdin, stdout, stderr)
			if err == nil {
				return 0
			}
			fmt.Fprintf(stderr, "specter %s: %v\n", c.name, err)
			var ue usageError
			if errors.As(err, &ue) {
				return 2
			}
			return 1
		}
	}
	fmt.Fprintf(stderr, "specter: unknown command %q: run 'specter help' for the list\n", args[0])
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Specter PWA: a Bitcoin multisig wallet coordinator.")
	fmt.Fprintln(w, "\nUsage: specter COMMAND [flags] [args]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
}
