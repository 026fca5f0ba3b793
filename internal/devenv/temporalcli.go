package devenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// TemporalCLIVersion is the version of the Temporal CLI that [TemporalCLI]
// installs when it finds none. It bundles Temporal Server 1.29.1 and its Web
// UI, and is the newest version that builds with a plain go install.
const TemporalCLIVersion = "v1.5.1"

// temporalCLIPackage is the main package of the Temporal CLI.
const temporalCLIPackage = "github.com/temporalio/cli/cmd/temporal"

// TemporalCLI returns the path of the temporal binary: the one on PATH, else
// the one in go env GOBIN or GOPATH/bin. When there is none, it builds
// [TemporalCLIVersion] with go install, which takes about four minutes on a
// cold cache, and says so through logf (which may be nil). Concurrent callers
// on one machine wait for a single build. A binary found is not checked for
// its version: one built by go install reports none.
func TemporalCLI(ctx context.Context, logf func(format string, args ...any)) (string, error) {
	if path, err := exec.LookPath("temporal"); err == nil {
		return path, nil
	}

	dirs, err := goBinDirs(ctx)
	if err != nil {
		return "", err
	}
	if path := findExecutable(dirs, "temporal"); path != "" {
		return path, nil
	}

	return installTemporalCLI(ctx, dirs, logf)
}

// goBinDirs returns the directories go install writes to: GOBIN when set,
// then the bin directory of the first GOPATH entry.
func goBinDirs(ctx context.Context) ([]string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOBIN", "GOPATH").Output()
	if err != nil {
		return nil, fmt.Errorf("run go env to find the temporal CLI: %w", err)
	}

	lines := strings.Split(string(out), "\n")
	var dirs []string
	if gobin := strings.TrimSpace(lines[0]); gobin != "" {
		dirs = append(dirs, gobin)
	}
	if len(lines) > 1 {
		if gopath := filepath.SplitList(strings.TrimSpace(lines[1])); len(gopath) > 0 {
			dirs = append(dirs, filepath.Join(gopath[0], "bin"))
		}
	}
	if len(dirs) == 0 {
		return nil, errors.New("find the temporal CLI: go env reports neither GOBIN nor GOPATH")
	}
	return dirs, nil
}

// installTemporalCLI builds the CLI into dirs[0] and returns its path.
func installTemporalCLI(ctx context.Context, dirs []string,
	logf func(format string, args ...any)) (string, error) {
	unlock, err := lockFile(ctx, filepath.Join(os.TempDir(), "erpsync-temporal-cli.lock"))
	if err != nil {
		return "", err
	}
	defer unlock()

	// Another process may have finished a build while this one waited.
	if path := findExecutable(dirs, "temporal"); path != "" {
		return path, nil
	}

	module := temporalCLIPackage + "@" + TemporalCLIVersion
	if logf != nil {
		logf("temporal CLI not found on PATH nor in %s: building %s with go install "+
			"(about 4 minutes on a cold cache)", strings.Join(dirs, ", "), module)
	}
	cmd := exec.CommandContext(ctx, "go", "install", module)
	cmd.Dir = os.TempDir() // outside any module, so no go.mod takes part
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install %s: %w%s", module, err, outputTail(out))
	}

	path := filepath.Join(dirs[0], "temporal")
	if findExecutable(dirs[:1], "temporal") == "" {
		return "", fmt.Errorf("go install %s: no binary at %s afterwards", module, path)
	}
	return path, nil
}

// findExecutable returns the first dir/name that is an executable file, or "".
func findExecutable(dirs []string, name string) string {
	for _, dir := range dirs {
		path := filepath.Join(dir, name)
		if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() &&
			info.Mode()&0o111 != 0 {
			return path
		}
	}
	return ""
}

// lockFile takes an exclusive lock on the file at path, waiting while another
// process holds it, and returns the function that releases it.
func lockFile(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, fmt.Errorf("open lock file %s: %w", path, err)
	}

	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil // closing releases the lock
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}

		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("wait for lock %s: %w", path, ctx.Err())
		case <-time.After(time.Second):
		}
	}
}
