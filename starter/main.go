// Command starter receives store webhooks and starts order syncs, and gives
// operators the commands to list, inspect and decide on syncs that need
// attention.
//
//	starter serve                                     webhook receiver
//	starter setup                                     register the search attributes
//	starter syncs list [-limit N]                     syncs that need attention
//	starter syncs show ID                             one sync's state
//	starter syncs retry|skip ID -reason WHY [-by WHO]
//	starter syncs override ID -erp-id X -reason WHY [-by WHO]
//	starter syncs patch ID -set FIELD=VALUE -reason WHY [-by WHO]
//	starter schedules apply                           create or update the schedules
//	starter schedules list [-json]
//	starter schedules pause|resume STORE [-reason WHY] [-by WHO]
//	starter backfill start STORE [-page-size N] [-concurrency N]
//	starter backfill status STORE [-json]
//	starter stock safety SKU N|default                safety stock erpsync holds back
//	starter report drift [-store STORE] [-json]       the latest drift reports
//
// ID is a workflow id ("order/demo/1001") or its short form ("demo/1001").
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/erpsync/erpsync/internal/config"
)

const usage = `usage:
  starter serve
  starter setup
  starter syncs list [-limit N] [-json]
  starter syncs show ID
  starter syncs retry ID -reason WHY [-by WHO]
  starter syncs skip ID -reason WHY [-by WHO]
  starter syncs override ID -erp-id ERP_ID -reason WHY [-by WHO]
  starter syncs patch ID -set FIELD=VALUE [-set ...] [-version V] -reason WHY [-by WHO]
  starter schedules apply
  starter schedules list [-json]
  starter schedules pause STORE [-reason WHY] [-by WHO]
  starter schedules resume STORE [-reason WHY] [-by WHO]
  starter backfill start STORE [-page-size N] [-concurrency N]
  starter backfill status STORE [-json]
  starter stock safety SKU N|default
  starter report drift [-store STORE] [-json]`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "starter:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		return err
	}

	switch {
	case len(args) == 0 || args[0] == "serve":
		return serve(ctx, cfg)
	case args[0] == "setup" && len(args) == 1:
		return setup(ctx, cfg, out)
	case args[0] == "syncs" && len(args) > 1:
		return syncs(ctx, cfg, args[1], args[2:], out)
	case args[0] == "schedules" && len(args) > 1:
		return schedulesCmd(ctx, cfg, args[1], args[2:], out)
	case args[0] == "backfill" && len(args) > 1:
		return backfillCmd(ctx, cfg, args[1], args[2:], out)
	case args[0] == "stock" && len(args) > 1:
		return stockCmd(ctx, cfg, args[1], args[2:], out)
	case args[0] == "report" && len(args) > 1 && args[1] == "drift":
		return reportDrift(ctx, cfg, args[2:], out)
	default:
		return errors.New(usage)
	}
}
