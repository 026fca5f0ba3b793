package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/boot"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/schedules"
	"github.com/erpsync/erpsync/internal/stockstate"
	"github.com/erpsync/erpsync/workflows"
)

// withTemporal runs do with a client of the configured Temporal server.
func withTemporal(ctx context.Context, cfg config.Config, do func(client.Client) error) error {
	tc, err := boot.Temporal(ctx, cfg, zap.NewNop())
	if err != nil {
		return err
	}
	defer tc.Close()
	return do(tc)
}

// schedulesCmd runs one command on the inventory schedules.
func schedulesCmd(ctx context.Context, cfg config.Config, cmd string, args []string,
	out io.Writer) error {
	return withTemporal(ctx, cfg, func(tc client.Client) error {
		return schedulesOn(ctx, tc, cfg, cmd, args, out)
	})
}

func schedulesOn(ctx context.Context, tc client.Client, cfg config.Config, cmd string,
	args []string, out io.Writer) error {
	switch cmd {
	case "apply":
		return applySchedules(ctx, tc, cfg, out)
	case "list":
		return listSchedules(ctx, tc, cfg, args, out)
	case "pause", "resume":
		return pauseSchedule(ctx, tc, cmd, args, out)
	default:
		return errors.New(usage)
	}
}

// inventoryPlans returns the inventory schedule of every store of cfg.
func inventoryPlans(cfg config.Config) []schedules.Plan {
	var plans []schedules.Plan
	for _, name := range cfg.StoreNames() {
		plans = append(plans, schedules.Plan{
			Store: name, Every: cfg.Inventory.Interval, TaskQueue: cfg.TaskQueue,
			Input: workflows.InventorySyncInput{Store: name, PageSize: cfg.Inventory.PageSize,
				Concurrency: cfg.Inventory.Concurrency, Overlap: cfg.Inventory.Overlap},
		})
	}
	return plans
}

func applySchedules(ctx context.Context, tc client.Client, cfg config.Config,
	out io.Writer) error {
	plans := append(inventoryPlans(cfg), flowPlans(cfg)...)
	applied, err := schedules.Apply(ctx, tc, plans)
	for i, a := range applied {
		paused := ""
		if a.Paused {
			paused = " (paused)"
		}
		fmt.Fprintf(out, "%s schedule %s of store %s, every %s%s\n", a.Outcome, a.ID, a.Store,
			plans[i].Every, paused)
	}
	return err
}

func listSchedules(ctx context.Context, tc client.Client, cfg config.Config, args []string,
	out io.Writer) error {
	fs := flag.NewFlagSet("schedules list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	if err := fs.Parse(args); err != nil {
		return err
	}

	var all []schedules.Status
	for _, name := range cfg.StoreNames() {
		st, err := schedules.Describe(ctx, tc, name)
		if err != nil {
			return err
		}
		all = append(all, st)
		for _, flow := range flowNames {
			st, err := schedules.DescribeID(ctx, tc, name, schedules.FlowID(flow, name))
			if err != nil {
				return err
			}
			all = append(all, st)
		}
	}
	if *asJSON {
		return encodeLines(out, all)
	}

	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCHEDULE ID\tEVERY\tPAUSED\tSTARTED\tSKIPPED\tNEXT\tNOTE")
	for _, s := range all {
		fmt.Fprintf(tw, "%s\t%s\t%v\t%d\t%d\t%s\t%s\n", s.ID, s.Every, s.Paused, s.Started,
			s.Skipped, clock(s.Next), s.Note)
	}
	return tw.Flush()
}

// pauseSchedule pauses or resumes the schedule of one store.
func pauseSchedule(ctx context.Context, tc client.Client, cmd string, args []string,
	out io.Writer) error {
	fs := flag.NewFlagSet("schedules "+cmd, flag.ContinueOnError)
	reason := fs.String("reason", "", "why (shown with the schedule)")
	by := fs.String("by", os.Getenv("USER"), "who (shown with the schedule)")
	store, err := parseWithArg(fs, args, "STORE")
	if err != nil {
		return err
	}

	note := fmt.Sprintf("%sd by %s: %s", cmd, *by, *reason)
	if cmd == "pause" {
		err = schedules.Pause(ctx, tc, store, note)
	} else {
		err = schedules.Resume(ctx, tc, store, note)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%sd schedule %s\n", cmd, schedules.ID(store))
	return nil
}

// backfillCmd starts the full stock pass of a store or shows its progress.
func backfillCmd(ctx context.Context, cfg config.Config, cmd string, args []string,
	out io.Writer) error {
	return withTemporal(ctx, cfg, func(tc client.Client) error {
		switch cmd {
		case "start":
			return startBackfill(ctx, tc, cfg, args, out)
		case "status":
			return backfillStatus(ctx, tc, args, out)
		default:
			return errors.New(usage)
		}
	})
}

func startBackfill(ctx context.Context, tc client.Client, cfg config.Config, args []string,
	out io.Writer) error {
	fs := flag.NewFlagSet("backfill start", flag.ContinueOnError)
	pageSize := fs.Int("page-size", cfg.Inventory.PageSize, "stock levels a page asks for")
	concurrency := fs.Int("concurrency", cfg.Inventory.Concurrency,
		"pages applied at once")
	store, err := parseWithArg(fs, args, "STORE")
	if err != nil {
		return err
	}
	if _, ok := cfg.Stores[store]; !ok {
		return fmt.Errorf("store %q is not configured (%s)", store, config.EnvStores)
	}

	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.BackfillWorkflowID(store),
		TaskQueue:                cfg.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, workflows.StockBackfillName, workflows.BackfillInput{Store: store, PageSize: *pageSize,
		Concurrency: *concurrency})
	if err != nil {
		return fmt.Errorf("start the backfill of store %s: %w", store, err)
	}
	fmt.Fprintf(out, "started %s (run %s)\n", run.GetID(), run.GetRunID())
	return nil
}

func backfillStatus(ctx context.Context, tc client.Client, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("backfill status", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the progress as JSON")
	store, err := parseWithArg(fs, args, "STORE")
	if err != nil {
		return err
	}

	p, err := backfillProgress(ctx, tc, store)
	if err != nil {
		return err
	}
	if *asJSON {
		return encodeLines(out, []workflows.BackfillProgress{p})
	}
	fmt.Fprintln(out, describeProgress(p))
	return nil
}

// backfillProgress returns where the latest backfill of a store stands:
// from its progress query while it runs, from its result once it ended.
func backfillProgress(ctx context.Context, tc client.Client, store string) (
	workflows.BackfillProgress, error) {
	var p workflows.BackfillProgress
	id := workflows.BackfillWorkflowID(store)
	val, err := tc.QueryWorkflow(ctx, id, "", workflows.QueryProgress)
	if err == nil {
		return p, val.Get(&p)
	}
	if gerr := tc.GetWorkflow(ctx, id, "").Get(ctx, &p); gerr != nil {
		return p, fmt.Errorf("read the progress of %s: %w", id, err)
	}
	return p, nil
}

// describeProgress says in one line how far a backfill got.
func describeProgress(p workflows.BackfillProgress) string {
	total := "?"
	if p.Total > 0 {
		total = strconv.Itoa(p.Total)
	}
	state := fmt.Sprintf("%s left", p.Remaining.Round(time.Second))
	if p.Finished {
		state = "finished"
	}
	return fmt.Sprintf("store %s: %d of %s levels, %.0f levels/s, %s; %d pushed, %d unknown, "+
		"%d stale", p.Store, p.Done, total, p.Rate, state, p.Counts.Pushed, p.Counts.Unknown,
		p.Counts.Stale)
}

// stockCmd sets erpsync's own stock settings in Postgres.
func stockCmd(ctx context.Context, cfg config.Config, cmd string, args []string,
	out io.Writer) error {
	if cmd != "safety" || len(args) != 2 {
		return errors.New(usage)
	}
	var qty *int64
	if args[1] != "default" {
		n, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("safety stock %q: want a whole number of at least 0, or default",
				args[1])
		}
		qty = &n
	}

	pool, err := boot.Database(ctx, cfg.DatabaseURL, 0)
	if err != nil {
		return err
	}
	defer pool.Close()
	state := stockstate.New(pool, cfg.ERP, cfg.Inventory.SafetyStock)
	if err := state.SetSafetyStock(ctx, args[0], qty); err != nil {
		return err
	}
	fmt.Fprintf(out, "safety stock of %s: %s\n", args[0], args[1])
	return nil
}

// encodeLines prints each value as one JSON line.
func encodeLines[T any](out io.Writer, values []T) error {
	enc := json.NewEncoder(out)
	for _, v := range values {
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	return nil
}

// clock prints a time in UTC to the second, or "-" for none.
func clock(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.DateTime)
}

// parseWithArg parses flags around one positional argument named what.
func parseWithArg(fs *flag.FlagSet, args []string, what string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return "", fmt.Errorf("usage: starter %s %s [flags]", fs.Name(), what)
	}
	if err := fs.Parse(rest[1:]); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return rest[0], nil
}
