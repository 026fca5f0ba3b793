package stack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// process is one of the stack's own programs (worker, starter) running as a
// child process, with its output in a log file.
type process struct {
	name    string
	path    string
	args    []string
	env     []string
	logPath string

	cmd    *exec.Cmd
	exited chan struct{}
}

// start runs the program; its output is appended to its log file.
func (p *process) start() error {
	log, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open %s log: %w", p.name, err)
	}

	cmd := exec.Command(p.path, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("start %s: %w", p.name, err)
	}

	p.cmd, p.exited = cmd, make(chan struct{})
	go func() {
		_ = cmd.Wait() // the exit is seen through exited; the log says why
		log.Close()
		close(p.exited)
	}()
	return nil
}

// running reports whether the process is still up.
func (p *process) running() bool {
	if p.cmd == nil {
		return false
	}
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// stop asks the process to shut down with SIGTERM and kills it if it has not
// within grace.
func (p *process) stop(grace time.Duration) error {
	if !p.running() {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)

	select {
	case <-p.exited:
		return nil
	case <-time.After(grace):
		return errors.Join(fmt.Errorf("%s did not stop within %s", p.name, grace), p.kill())
	}
}

// kill ends the process at once with SIGKILL, as a crash would.
func (p *process) kill() error {
	if !p.running() {
		return nil
	}
	if err := syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		return fmt.Errorf("kill %s: %w", p.name, err)
	}
	<-p.exited
	return nil
}

// build compiles the worker and the starter into dir.
func build(ctx context.Context, dir string) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dir+"/", "./worker", "./starter")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build worker and starter: %w\n%s", err, out)
	}
	return nil
}

// moduleRoot returns the directory of erpsync's go.mod, found from the
// working directory.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := string(out)
	if err != nil || len(gomod) < len("/go.mod\n") || gomod == "/dev/null\n" {
		return "", errors.New("run devstack from within the erpsync source tree")
	}
	return gomod[:len(gomod)-len("/go.mod\n")], nil
}
