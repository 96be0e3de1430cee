//go:build !linux

package demo

import "os/exec"

// dieWithParent does nothing where the OS has no parent-death signal; Stop
// still ends btcd on a normal shutdown.
func dieWithParent(*exec.Cmd) {}
