// Package npmcheck runs the npm projects under clientcheck/, each of which
// drives an ERP sandbox through a widely used client library of the system
// that the sandbox emulates, from a Go test. The libraries come pinned by a
// package-lock.json and are installed with npm ci into a copy of the
// project, so that the repository holds no node_modules.
package npmcheck

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// timeout bounds the install and the run of one check.
const timeout = 5 * time.Minute

// files are the files of a client check project.
var files = []string{"package.json", "package-lock.json", "check.js"}

// A Check is a client check project installed in a temporary directory.
type Check struct {
	// Dir is the directory of the installed copy; a test may write files
	// there for check.js to read.
	Dir string

	ctx context.Context
}

// Install copies the client check project clientcheck/name to a temporary
// directory of t and installs its pinned libraries with npm ci. root is the
// path from the calling test's package to the repository's root, such as
// "../../..". It fails t when node or npm are missing or the install fails.
func Install(t *testing.T, root, name string) *Check {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is required to check the %s sandbox against a real client: %v",
				tool, name, err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	t.Cleanup(cancel)

	c := &Check{Dir: t.TempDir(), ctx: ctx}
	src := filepath.Join(root, "clientcheck", name)
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatalf("read client check %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(c.Dir, f), data, 0o644); err != nil {
			t.Fatalf("copy client check %s: %v", name, err)
		}
	}

	c.run(t, nil, "npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
	return c
}

// Run runs check.js with env added to the test's environment, and fails t
// with the script's output when it exits non-zero.
func (c *Check) Run(t *testing.T, env ...string) {
	t.Helper()
	c.run(t, env, "node", "check.js")
}

// run runs a command in c.Dir and fails t with its output when it fails.
func (c *Check) run(t *testing.T, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(c.ctx, name, args...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), env...)

	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	t.Logf("%s %v:\n%s", name, args, out)
}
