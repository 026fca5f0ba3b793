package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"

	"github.com/erpsync/erpsync/internal/stack"
)

// sandbox serves the ERP sandbox alone, seeded with the demo catalog, and
// prints one JSON line per system with its URL and credentials.
func sandbox(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	addr := fs.String("odoo-addr", "127.0.0.1:8069", "address of the Odoo sandbox")
	if err := fs.Parse(args); err != nil {
		return err
	}

	sb, err := stack.StartSandbox(*addr)
	if err != nil {
		return err
	}
	defer sb.Close()
	if err := stack.SeedERP(sb.Model); err != nil {
		return err
	}

	line := map[string]string{
		"system": "odoo", "url": sb.URL, "db": stack.OdooDB,
		"login": stack.OdooLogin, "password": stack.OdooPassword,
	}
	if err := json.NewEncoder(stdout).Encode(line); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}
