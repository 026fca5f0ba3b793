//go:build !linux

package devenv

import "syscall"

// dieWithParent does nothing where the kernel offers no parent-death signal;
// there a server outlives a caller that dies without calling Stop.
func dieWithParent(*syscall.SysProcAttr) {}
