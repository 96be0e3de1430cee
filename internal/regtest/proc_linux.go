package regtest

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes Linux kill btcd when the test binary dies, so that a
// test killed by a timeout leaves no node behind.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
