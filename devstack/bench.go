package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/stack"
)

// bench runs one of devstack's benchmarks.
func bench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "inventory" {
		return errors.New("usage: devstack bench inventory --skus N --changed M")
	}
	return benchInventory(ctx, args[1:], stdout, stderr)
}

// benchInventory starts the stack, runs the inventory benchmark through
// it, and prints the measures as its last line.
func benchInventory(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench inventory", flag.ContinueOnError)
	fs.SetOutput(stderr)
	skus := fs.Int("skus", 10000, "SKUs in the catalog, each stocked at 3 locations")
	changed := fs.Int("changed", 1000, "SKUs whose stock changes before the delta pass")
	pageSize := fs.Int("page-size", 5000, "stock levels a page of the ERP holds")
	concurrency := fs.Int("concurrency", 4, "pages applied at once")
	erpName := fs.String("erp", config.ERPOdoo, "ERP to page: "+strings.Join(config.ERPs, ", "))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *skus < 1 || *changed < 1 || *changed > *skus || *pageSize < 1 || *concurrency < 1 {
		return errors.New("need --skus >= --changed >= 1, --page-size >= 1 and " +
			"--concurrency >= 1")
	}
	if !slices.Contains(config.ERPs, *erpName) {
		return fmt.Errorf("--erp %q: want one of %s", *erpName, strings.Join(config.ERPs, ", "))
	}

	s, err := stack.Start(ctx, stack.Options{
		DatabaseURL:     os.Getenv("DATABASE_URL"),
		TemporalAddress: os.Getenv("TEMPORAL_ADDRESS"),
		ERP:             *erpName,
		Headless:        true,
		Logf:            logf(stderr),
	})
	if err != nil {
		return err
	}
	defer func() {
		if err := s.Stop(); err != nil {
			fmt.Fprintln(stderr, "devstack:", err)
		}
	}()

	res, err := s.BenchInventory(ctx, stack.BenchOptions{SKUs: *skus, Changed: *changed,
		PageSize: *pageSize, Concurrency: *concurrency})
	if err != nil {
		return err
	}
	line, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(line))
	return nil
}
