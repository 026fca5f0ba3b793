package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"go.temporal.io/sdk/client"

	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/syncops"
	"github.com/erpsync/erpsync/workflows"
)

// syncs runs one operator command against Temporal.
func syncs(ctx context.Context, cfg config.Config, cmd string, args []string, out io.Writer) error {
	return withTemporal(ctx, cfg, func(tc client.Client) error {
		ops := &syncops.Ops{Client: tc, Namespace: cfg.TemporalNamespace}
		switch cmd {
		case "list":
			return list(ctx, ops, args, out)
		case "show":
			return show(ctx, ops, args, out)
		case "retry", "skip", "override", "patch":
			return decide(ctx, ops, cmd, args, out)
		default:
			return errors.New(usage)
		}
	})
}

func list(ctx context.Context, ops *syncops.Ops, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("syncs list", flag.ContinueOnError)
	limit := fs.Int("limit", 100, "list at most this many syncs")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	if err := fs.Parse(args); err != nil {
		return err
	}

	parked, err := ops.NeedsAttention(ctx, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		return encodeLines(out, parked)
	}

	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKFLOW ID\tSTORE\tORDER\tREASON")
	for _, p := range parked {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.WorkflowID, p.Store, p.Order, p.Reason)
	}
	fmt.Fprintf(tw, "%d syncs need attention\n", len(parked))
	return tw.Flush()
}

func show(ctx context.Context, ops *syncops.Ops, args []string, out io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: starter syncs show ID")
	}
	id, err := syncops.WorkflowID(args[0])
	if err != nil {
		return err
	}

	s, err := ops.Show(ctx, id)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// decide sends an operator decision. Flags may come before or after the id.
func decide(ctx context.Context, ops *syncops.Ops, cmd string, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("syncs "+cmd, flag.ContinueOnError)
	reason := fs.String("reason", "", "why (recorded with the decision)")
	by := fs.String("by", os.Getenv("USER"), "who decides (recorded with the decision)")
	erpID := fs.String("erp-id", "", "ERP sales order id to link the order to (override)")
	set := patchFlag{}
	fs.Var(set, "set", "FIELD=VALUE to patch, again for each field (patch): "+
		strings.Join(workflows.PatchFields, ", "))
	version := fs.String("version", "", "the store's version of the order the patch is for "+
		"(patch; default: the version syncs show gives)")
	id, err := parseWithID(fs, args)
	if err != nil {
		return err
	}

	signal := map[string]string{
		"retry":    workflows.SignalRetry,
		"skip":     workflows.SignalSkip,
		"override": workflows.SignalOverrideERPID,
		"patch":    workflows.SignalPatch,
	}[cmd]
	d := workflows.Decision{Actor: *by, Reason: *reason, ERPID: *erpID}
	if cmd == "patch" {
		d.Patch, d.Version = set, *version
	}
	if err := ops.Decide(ctx, id, signal, d); err != nil {
		return err
	}
	fmt.Fprintf(out, "sent %s to %s\n", signal, id)
	return nil
}

// patchFlag collects -set FIELD=VALUE flags.
type patchFlag map[string]string

func (p patchFlag) String() string { return "" }

func (p patchFlag) Set(v string) error {
	field, value, ok := strings.Cut(v, "=")
	if !ok || field == "" {
		return fmt.Errorf("-set %q: want FIELD=VALUE", v)
	}
	p[field] = value
	return nil
}

// parseWithID parses flags around one positional sync id.
func parseWithID(fs *flag.FlagSet, args []string) (string, error) {
	arg, err := parseWithArg(fs, args, "ID")
	if err != nil {
		return "", err
	}
	return syncops.WorkflowID(arg)
}
