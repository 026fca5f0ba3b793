package devenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
)

// debianPGBins is where Debian's postgresql packages put the server
// binaries, one directory per major version.
const debianPGBins = "/usr/lib/postgresql/*/bin"

// pgBinaries are the programs a throwaway cluster needs.
var pgBinaries = []string{"initdb", "pg_ctl", "postgres"}

// findPGBin returns the directory that holds initdb, pg_ctl and postgres:
// dir itself when given, else the directory pg_ctl on PATH resolves to, else
// the newest Debian version directory.
func findPGBin(dir string) (string, error) {
	if dir != "" {
		return dir, checkPGBin(dir)
	}

	if path, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(path); err == nil {
			if d := filepath.Dir(real); checkPGBin(d) == nil {
				return d, nil
			}
		}
	}

	for _, d := range debianBinDirs() {
		if checkPGBin(d) == nil {
			return d, nil
		}
	}
	return "", errors.New("find postgres binaries: initdb, pg_ctl and postgres are neither " +
		"on PATH nor in " + debianPGBins + " (Debian: apt-get install postgresql)")
}

// checkPGBin reports whether dir holds every program in pgBinaries.
func checkPGBin(dir string) error {
	for _, name := range pgBinaries {
		path := filepath.Join(dir, name)
		info, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("find postgres binary %s: %w", name, err)
		}
		if info.IsDir() || info.Mode()&0o111 == 0 {
			return fmt.Errorf("find postgres binary %s: %s is not executable", name, path)
		}
	}
	return nil
}

// debianBinDirs lists Debian's version directories, newest first.
func debianBinDirs() []string {
	dirs, _ := filepath.Glob(debianPGBins) // the pattern is constant and valid
	version := func(d string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(d)), 64)
		return v
	}
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	return dirs
}

// unprivilegedCredential returns the identity to run initdb and pg_ctl
// under: nil (the caller's own) unless the caller is root, since initdb
// refuses to run as root; then the postgres user, or nobody.
func unprivilegedCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}

	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, errU := strconv.ParseUint(u.Uid, 10, 32)
		gid, errG := strconv.ParseUint(u.Gid, 10, 32)
		if errU != nil || errG != nil {
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("find an unprivileged user for postgres: running as root, " +
		"and neither user postgres nor nobody exists")
}

// runAs runs prog with the given identity in dir. When it fails, the error
// names the step and quotes the end of the program's output.
func runAs(ctx context.Context, cred *syscall.Credential, dir, step, prog string,
	args ...string) error {
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}

	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w%s", step, err, outputTail(out))
	}
	return nil
}
