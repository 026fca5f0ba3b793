package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/erpsync/erpsync/activities"
	"github.com/erpsync/erpsync/internal/boot"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/drift"
	"github.com/erpsync/erpsync/internal/schedules"
	"github.com/erpsync/erpsync/workflows"
)

// Flows with a schedule per store besides inventory, as the first part of
// their schedule ids.
const (
	flowCustomers   = "customers"
	flowCatalog     = "catalog"
	flowFulfillment = "fulfillment"
	flowReconcile   = "reconcile"
	flowDrift       = "drift"
)

// flowNames lists the flows in the order schedules are listed.
var flowNames = []string{flowCustomers, flowCatalog, flowFulfillment, flowReconcile, flowDrift}

// flowPlans returns the schedules of the flows of every store of cfg.
func flowPlans(cfg config.Config) []schedules.Plan {
	f := cfg.Flows
	var plans []schedules.Plan
	for _, name := range cfg.StoreNames() {
		plans = append(plans,
			schedules.Plan{Store: name, Flow: flowCustomers, Workflow: workflows.CustomerPullName,
				Every: f.CustomerInterval, TaskQueue: cfg.TaskQueue,
				Input: activities.CustomerPullInput{Store: name}},
			schedules.Plan{Store: name, Flow: flowCatalog, Workflow: workflows.CatalogSyncName,
				Every: f.CatalogInterval, TaskQueue: cfg.TaskQueue,
				Input: activities.CatalogPassInput{Store: name}},
			schedules.Plan{Store: name, Flow: flowFulfillment,
				Workflow: workflows.FulfillmentSyncName, Every: f.FulfillmentInterval,
				TaskQueue: cfg.TaskQueue, Input: activities.FulfillmentPassInput{Store: name}},
			schedules.Plan{Store: name, Flow: flowReconcile, Workflow: workflows.ReconcileName,
				Every: f.ReconcileInterval, TaskQueue: cfg.TaskQueue,
				Input: activities.SweepInput{Store: name, Days: f.ReconcileDays}},
			schedules.Plan{Store: name, Flow: flowDrift, Workflow: workflows.DriftReportName,
				Every: f.DriftInterval, TaskQueue: cfg.TaskQueue,
				Input: activities.DriftInput{Store: name, Days: f.ReconcileDays,
					Threshold: f.DriftThreshold}},
		)
	}
	return plans
}

// reportDrift prints the latest drift report of each store, or of one.
func reportDrift(ctx context.Context, cfg config.Config, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("report drift", flag.ContinueOnError)
	storeName := fs.String("store", "", "only this store")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	if err := fs.Parse(args); err != nil {
		return err
	}

	pool, err := boot.Database(ctx, cfg.DatabaseURL, 0)
	if err != nil {
		return err
	}
	defer pool.Close()
	reports, err := drift.NewReports(pool).Latest(ctx, *storeName)
	if err != nil {
		return err
	}
	if len(reports) == 0 {
		return fmt.Errorf("no drift report yet: the drift schedule of each store makes one "+
			"every %s", cfg.Flows.DriftInterval)
	}

	if *asJSON {
		return encodeLines(out, reports)
	}
	for _, r := range reports {
		if err := r.Write(out); err != nil {
			return err
		}
	}
	return nil
}
