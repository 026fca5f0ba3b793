package devenv

import "syscall"

// dieWithParent asks the kernel to terminate the child when the process
// that started it dies, so that a test binary killed on a timeout does not
// leave a server behind.
func dieWithParent(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGTERM
}
