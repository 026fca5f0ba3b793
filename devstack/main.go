// Command devstack runs all of erpsync on one machine with no Docker and no
// prior set-up: Postgres, the Temporal dev server with its Web UI, the ERP
// sandbox, the worker and the starter, seeded with a demo catalog.
//
//	go run ./devstack [--erp X]                 run the stack until Ctrl-C
//	go run ./devstack demo --orders N [--erp X]  run N orders through it and check them
//	go run ./devstack sandbox [--faults SPEC]   serve every ERP sandbox alone
//	go run ./devstack bench inventory --skus N --changed M
//	                                            time inventory sync against a per-item loop
//
// DATABASE_URL and TEMPORAL_ADDRESS, when set, point it at existing services.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()

	var exit exitError
	switch {
	case errors.As(err, &exit):
		os.Exit(int(exit))
	case err != nil:
		fmt.Fprintln(os.Stderr, "devstack:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a status code and no further message: the
// output already said what went wrong.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return serve(ctx, args, stdout, stderr)
	}
	switch args[0] {
	case "demo":
		return demo(ctx, args[1:], stdout, stderr)
	case "sandbox":
		return sandbox(ctx, args[1:], stdout, stderr)
	case "bench":
		return bench(ctx, args[1:], stdout, stderr)
	default:
		return fmt.Errorf("unknown command %q; usage: devstack [demo --orders N [--erp ERP] | sandbox [--faults SPEC] | bench inventory --skus N --changed M]", args[0])
	}
}

// logf returns a printf that reports progress on w.
func logf(w io.Writer) func(string, ...any) {
	return func(format string, args ...any) {
		fmt.Fprintf(w, "devstack: "+format+"\n", args...)
	}
}
