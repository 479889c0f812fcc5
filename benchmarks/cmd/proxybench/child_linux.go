package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the proxy child be killed when this process dies,
// however it dies: an orphaned child would hold on to what it inherited
// (a benchmark lock's descriptor, under flock) and its ports.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
