//go:build !linux

package demo

import "os/exec"

// dieWithParent is a no-op where the OS has no parent-death signal; Stop
// still ends btcd on a normal shutdown.
func dieWithParent(*exec.Cmd) {}
