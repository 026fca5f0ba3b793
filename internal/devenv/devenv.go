// Package devenv provisions the services erpsync depends on, a throwaway
// Postgres cluster and the Temporal dev server, as child processes of the
// caller. The devstack command and the integration tests use it, so that
// neither needs Docker nor a service someone started by hand.
//
// Both services follow the same life cycle: a Start function creates and
// starts one, StopServer and StartServer stop and start its process while
// keeping its data and ports, Restart does both, and Stop ends it and removes
// what Start created.
package devenv

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
)

// FreePort returns a TCP port on 127.0.0.1 that was free when asked. Another
// process may bind it before the caller does; on a development machine that
// is rare enough to accept.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a free loopback port: %w", err)
	}
	defer l.Close()

	return l.Addr().(*net.TCPAddr).Port, nil
}

// portOrFree returns port, or a free loopback port when port is 0.
func portOrFree(port int) (int, error) {
	if port != 0 {
		return port, nil
	}
	return FreePort()
}

// tailSize is how much of a log an error quotes.
const tailSize = 3000

// fileTail returns the last lines of the file at path, prefixed with a line
// that names it, or "" when the file cannot be read or is empty.
func fileTail(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()

	if info, err := f.Stat(); err == nil && info.Size() > tailSize {
		if _, err := f.Seek(info.Size()-tailSize, io.SeekStart); err != nil {
			return ""
		}
	}
	b, err := io.ReadAll(f)
	if err != nil || len(bytes.TrimSpace(b)) == 0 {
		return ""
	}

	return "\n--- tail of " + path + " ---\n" + string(trimToLines(b))
}

// trimToLines drops a leading partial line and trailing blank space, so that
// a tail read from the middle of a file starts on a line boundary.
func trimToLines(b []byte) []byte {
	if len(b) >= tailSize {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return bytes.TrimRight(b, " \n")
}

// outputTail returns the end of a command's output for an error message.
func outputTail(out []byte) string {
	out = bytes.TrimSpace(out)
	if len(out) > tailSize {
		out = trimToLines(out[len(out)-tailSize:])
	}
	if len(out) == 0 {
		return ""
	}
	return "\n" + string(out)
}
