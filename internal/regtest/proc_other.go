//go:build !linux

package regtest

import "os/exec"

// dieWithParent is Linux-only; elsewhere Cleanup alone stops btcd.
func dieWithParent(*exec.Cmd) {}
