package demo

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes Linux kill btcd when the relay dies without stopping
// it (kill -9, crash), so that no demo node is left running.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
