package demo

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes Linux kill btcd when the relay dies without stopping
// it (kill -9, crash), so that no demo node is left running. btcd gets its
// own process group, so that Ctrl-C in the terminal reaches only the relay,
// which saves the demo chain before it stops btcd.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
}
