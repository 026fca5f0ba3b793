package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/stack"
)

// demo starts the stack, runs the order demo through it, and prints the
// summary as its last line. It fails unless no order was duplicated or lost.
func demo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	orders := fs.Int("orders", 100, "orders to place and sync")
	unknown := fs.Int("unknown-sku", 2, "orders among them for a SKU the ERP does not know")
	faults := faultsFlag{cfg: stack.DemoFaults, text: "true"}
	fs.Var(&faults, "faults", "ERP faults: alone (the default) a mix of 5xx, 429, lost "+
		"responses and latency; false for none; or a spec such as 5xx=0.1,429=0.1,lost=0.05")
	erpName := fs.String("erp", config.ERPOdoo, "ERP to sync to: "+strings.Join(config.ERPs, ", "))
	platform := fs.String("store", config.PlatformHeadless,
		"platform of the demo store: "+strings.Join(config.Platforms, ", "))
	concurrency := fs.Int("concurrency", 16, "webhooks in flight at once")
	timeout := fs.Duration("timeout", 20*time.Minute, "give up waiting for the syncs after this")
	seed := fs.Uint64("seed", 1, "seed of the order contents and delivery order")
	flows := fs.Bool("flows", true, "after the orders, run the customer, catalog, "+
		"fulfillment, cancellation, refund, reconcile and drift flows")
	if err := fs.Parse(joinFaultSpec(args)); err != nil {
		return err
	}
	if *orders < 1 || *unknown < 0 || *unknown > *orders {
		return fmt.Errorf("need --orders >= 1 and 0 <= --unknown-sku <= --orders")
	}
	if !slices.Contains(config.ERPs, *erpName) {
		return fmt.Errorf("--erp %q: want one of %s", *erpName, strings.Join(config.ERPs, ", "))
	}
	if !slices.Contains(config.Platforms, *platform) {
		return fmt.Errorf("--store %q: want one of %s", *platform,
			strings.Join(config.Platforms, ", "))
	}

	began := time.Now()
	s, err := stack.Start(ctx, stack.Options{
		DatabaseURL:     os.Getenv("DATABASE_URL"),
		TemporalAddress: os.Getenv("TEMPORAL_ADDRESS"),
		ERP:             *erpName,
		Platform:        *platform,
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
	fmt.Fprintf(stderr, "devstack: stack up in %s; sending %d orders\n",
		time.Since(began).Round(time.Millisecond), *orders)

	sum, stats, err := s.Demo(ctx, stack.DemoOptions{
		Orders: *orders, UnknownSKU: *unknown, Faults: faults.cfg,
		Concurrency: *concurrency, Timeout: *timeout, Seed: *seed, Flows: *flows,
	})
	if err != nil {
		return err
	}
	return report(stdout, stderr, s, sum, stats)
}

func report(stdout, stderr io.Writer, s *stack.Stack, sum stack.Summary,
	stats stack.WebhookStats) error {
	webhooks, err := json.Marshal(stats)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "devstack: webhooks %s\n", webhooks)
	fmt.Fprintf(stderr, "devstack: erp faults injected %v\n", s.Faults.Injected())
	fmt.Fprintf(stderr, "devstack: erp customers created twice: %d\n", s.DuplicateCustomers())

	line, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(line))
	if sum.Duplicates != 0 || sum.Lost != 0 {
		return exitError(1)
	}
	return nil
}
