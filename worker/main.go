// Command worker runs erpsync's workflows and activities on a Temporal task
// queue. It is configured by environment variables (see the README) and stops
// gracefully on SIGTERM, letting activities in flight finish.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"

	"github.com/erpsync/erpsync/activities"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/boot"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/erps"
	"github.com/erpsync/erpsync/internal/lease"
	"github.com/erpsync/erpsync/internal/shops"
	"github.com/erpsync/erpsync/internal/stockstate"
	"github.com/erpsync/erpsync/internal/synclog"
	"github.com/erpsync/erpsync/internal/telemetry"
	"github.com/erpsync/erpsync/workflows"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		return err
	}
	if err := cfg.CheckWorker(); err != nil {
		return err
	}
	log, err := boot.Logger(cfg.LogLevel)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	log.Info("worker starting", zap.Stringer("config", cfg))
	stopMetrics, err := serveMetrics(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer stopMetrics()

	pool, err := boot.Database(ctx, cfg.DatabaseURL, 0)
	if err != nil {
		return err
	}
	defer pool.Close()

	tc, err := boot.Temporal(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer tc.Close()

	w := worker.New(tc, cfg.TaskQueue, worker.Options{WorkerStopTimeout: cfg.ShutdownTimeout})
	w.RegisterWorkflowWithOptions(workflows.SyncOrder,
		workflow.RegisterOptions{Name: workflows.OrderSyncName})
	w.RegisterWorkflowWithOptions(workflows.SyncInventory,
		workflow.RegisterOptions{Name: workflows.InventorySyncName})
	w.RegisterWorkflowWithOptions(workflows.Backfill,
		workflow.RegisterOptions{Name: workflows.StockBackfillName})
	registerFlowWorkflows(w)

	orderERP, err := erps.Open(cfg, log)
	if err != nil {
		return err
	}
	shopsByName, err := shops.Open(cfg, pool, log)
	if err != nil {
		return err
	}
	orderStores, stockStores := map[string]store.Orders{}, map[string]store.Inventory{}
	for name, st := range shopsByName {
		orderStores[name], stockStores[name] = st, st
	}
	syncLog := synclog.New(pool)
	leases := lease.New(pool)
	locations := map[string]stockstate.LocationMap{}
	for name, st := range cfg.Stores {
		locations[name] = st.Locations
	}
	state := stockstate.New(pool, cfg.ERP, cfg.Inventory.SafetyStock,
		stockstate.WithLocations(locations))
	var acts activitySet
	acts.RegisterActivity(&activities.Orders{
		Stores:    orderStores,
		ERP:       orderERP,
		ERPName:   cfg.ERP,
		Customers: leases,
		SyncLog:   syncLog,
		Charges:   charges(cfg.Flows),
		Lines:     state,
		Metrics:   telemetry.Default(),
		Logger:    log.Named("activities"),
	})
	acts.RegisterActivity(&activities.Inventory{
		ERP:     orderERP,
		ERPName: cfg.ERP,
		Stores:  stockStores,
		State:   state,
		Passes:  leases,
		Metrics: telemetry.Default(),
		Logger:  log.Named("inventory"),
	})

	err = registerFlowActivities(&acts, flowDeps{cfg: cfg, erp: orderERP, stores: shopsByName,
		pool: pool, leases: leases, state: state, syncLog: syncLog, temporal: tc,
		log: log})
	if err != nil {
		return err
	}
	acts.registerOn(w)

	budgeted, err := startBudgetWorkers(tc, cfg, acts, log)
	defer stopAll(budgeted)
	if err != nil {
		return err
	}

	// Run stops the worker when stopc closes, draining activities in flight
	// for up to WorkerStopTimeout.
	stopc := make(chan any)
	go func() {
		<-ctx.Done()
		close(stopc)
	}()
	if err := w.Run(stopc); err != nil {
		return fmt.Errorf("run worker on task queue %s: %w", cfg.TaskQueue, err)
	}
	log.Info("worker stopped")
	return nil
}
