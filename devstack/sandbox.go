package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/erpsync/erpsync/internal/stack"
)

// sandbox serves the sandbox of every ERP and store platform, seeded with
// the demo catalog, and prints one JSON line per sandbox with its URL and
// credentials.
func sandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	host := fs.String("host", "127.0.0.1", "address to serve the sandboxes on")
	faults := faultsFlag{}
	fs.Var(&faults, "faults", "faults of every sandbox, such as 5xx=0.1,429=0.1,lost=0.05,latency=20ms")
	if err := fs.Parse(joinFaultSpec(args)); err != nil {
		return err
	}

	sb, err := stack.StartSandboxes(*host, nil)
	if err != nil {
		return err
	}
	defer sb.Close()
	if err := sb.Faults.SetConfig(faults.cfg); err != nil {
		return err
	}
	if err := stack.SeedERP(sb.Model); err != nil {
		return err
	}
	stores, err := stack.StartStoreSandboxes(*host, sb.Faults)
	if err != nil {
		return err
	}
	defer stores.Close()
	if err := stack.SeedStore(stores.Model); err != nil {
		return err
	}

	for _, s := range sb.Systems {
		fmt.Fprintln(stdout, string(s.Info))
	}
	for _, s := range stores.Systems {
		fmt.Fprintln(stdout, string(s.Info))
	}
	<-ctx.Done()
	return nil
}
