package main

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"

	"github.com/erpsync/erpsync/activities"
	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/customers"
	"github.com/erpsync/erpsync/internal/drift"
	"github.com/erpsync/erpsync/internal/intake"
	"github.com/erpsync/erpsync/internal/lease"
	"github.com/erpsync/erpsync/internal/stockstate"
	"github.com/erpsync/erpsync/internal/synclog"
	"github.com/erpsync/erpsync/workflows"
)

// registerFlowWorkflows registers the workflows beyond orders and stock.
func registerFlowWorkflows(w worker.Worker) {
	for name, fn := range map[string]any{
		workflows.CustomerSyncName:    workflows.SyncCustomer,
		workflows.CustomerPullName:    workflows.PullCustomers,
		workflows.CatalogSyncName:     workflows.SyncCatalog,
		workflows.FulfillmentSyncName: workflows.SyncFulfillment,
		workflows.OrderChangesName:    workflows.SyncOrderChanges,
		workflows.ReconcileName:       workflows.Reconcile,
		workflows.DriftReportName:     workflows.ReportDrift,
	} {
		w.RegisterWorkflowWithOptions(fn, workflow.RegisterOptions{Name: name})
	}
}

// flowDeps are what the activities of the flows are built from.
type flowDeps struct {
	cfg      config.Config
	erp      erp.ERP
	stores   map[string]store.Store
	pool     *pgxpool.Pool
	leases   *lease.Leases
	state    *stockstate.State
	syncLog  *synclog.Log
	temporal client.Client
	log      *zap.Logger
}

// registerFlowActivities registers the activities of customer, catalog and
// fulfillment sync, order changes and reconciling.
func registerFlowActivities(w *activitySet, d flowDeps) error {
	own, err := customers.ParseOwnership(d.cfg.Flows.CustomerOwnership)
	if err != nil {
		return err
	}
	services := charges(d.cfg.Flows).SKUs()
	services[d.cfg.Flows.RefundSKU] = true

	byKind := storesByKind(d.stores)
	w.RegisterActivity(&activities.Customers{Stores: byKind.customers, ERP: d.erp,
		ERPName: d.cfg.ERP, Ownership: own, Links: customers.NewLinks(d.pool, d.cfg.ERP),
		Marks: d.state, Turns: d.leases, Logger: d.log.Named("customers")})
	w.RegisterActivity(&activities.Catalog{ERP: d.erp, ERPName: d.cfg.ERP,
		Stores: byKind.catalog, Marks: d.state, ServiceSKUs: services,
		Logger: d.log.Named("catalog")})
	w.RegisterActivity(&activities.Fulfillment{ERP: d.erp, ERPName: d.cfg.ERP,
		Stores: byKind.fulfillment, Marks: d.state, SyncLog: d.syncLog, ServiceSKUs: services,
		Logger: d.log.Named("fulfillment")})
	w.RegisterActivity(&activities.Amendments{Stores: byKind.orders, ERP: d.erp,
		ERPName: d.cfg.ERP, Ledger: d.syncLog, RefundSKU: d.cfg.Flows.RefundSKU,
		Logger: d.log.Named("amendments")})
	w.RegisterActivity(&activities.Reconcile{Stores: byKind.reconcile, ERP: d.erp,
		ERPName: d.cfg.ERP, SyncLog: d.syncLog,
		Syncs: &intake.TemporalStarter{Client: d.temporal, TaskQueue: d.cfg.TaskQueue},
		Stock: d.state, Reports: drift.NewReports(d.pool), Logger: d.log.Named("reconcile")})
	return nil
}

// storeKinds holds the store adapters by what each flow needs of them.
type storeKinds struct {
	orders      map[string]store.Orders
	customers   map[string]store.Customers
	catalog     map[string]activities.CatalogStore
	fulfillment map[string]store.Fulfillment
	reconcile   map[string]activities.ReconcileStore
}

func storesByKind(stores map[string]store.Store) storeKinds {
	k := storeKinds{orders: map[string]store.Orders{}, customers: map[string]store.Customers{},
		catalog: map[string]activities.CatalogStore{}, fulfillment: map[string]store.Fulfillment{},
		reconcile: map[string]activities.ReconcileStore{}}
	for name, st := range stores {
		k.orders[name], k.customers[name], k.catalog[name] = st, st, st
		k.fulfillment[name], k.reconcile[name] = st, st
	}
	return k
}

// charges names the ERP's service items for an order's charges.
func charges(f config.Flows) activities.Charges {
	return activities.Charges{ShippingSKU: f.ShippingSKU, DiscountSKU: f.DiscountSKU,
		TaxSKU: f.TaxSKU}
}
