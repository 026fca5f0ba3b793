package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/erpsync/erpsync/activities"
	"github.com/erpsync/erpsync/internal/drift"
	"github.com/erpsync/erpsync/internal/synclog"
)

// Names of the workflows beyond orders and stock, and of the signal that
// tells a running customer or order-change sync to look again. They are
// part of the persisted API.
const (
	CustomerSyncName    = "CustomerSync"
	CustomerPullName    = "CustomerPull"
	CatalogSyncName     = "CatalogSync"
	FulfillmentSyncName = "FulfillmentSync"
	OrderChangesName    = "OrderChanges"
	ReconcileName       = "Reconcile"
	DriftReportName     = "DriftReport"

	SignalChanged = "changed"
)

// CustomerWorkflowID returns the id of the sync of one store customer.
func CustomerWorkflowID(store, customerID string) string {
	return "customer/" + store + "/" + customerID
}

// OrderChangesWorkflowID returns the id of the sync of one order's changes.
func OrderChangesWorkflowID(store, orderID string) string {
	return "order-changes/" + store + "/" + orderID
}

// FlowWorkflowID returns the id of the scheduled run of flow for store, as
// "catalog/shop".
func FlowWorkflowID(flow, store string) string { return flow + "/" + store }

// SyncCustomer merges a store customer with its ERP customer, and again
// for every change signalled while it ran, so that a change that arrives
// during a merge is never lost.
//
// A customer the ERP refuses (an e-mail in use by another customer, a
// field too long) parks with the reason, like an order, until a retry, a
// skip or another change from the store.
func SyncCustomer(ctx workflow.Context, key activities.CustomerKey) (CustomerSyncState,
	error) {
	s := &CustomerSyncState{Store: key.Store, CustomerID: key.CustomerID,
		Parking: Parking{Status: synclog.StatusRunning}}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (CustomerSyncState, error) {
		return *s, nil
	}); err != nil {
		return *s, err
	}
	var a *activities.Customers
	changed := workflow.GetSignalChannel(ctx, SignalChanged)

	for {
		drain(changed)
		err := workflow.ExecuteActivity(storeCtx(ctx), a.SyncStoreCustomer, key).
			Get(ctx, &s.CustomerResult)
		if err != nil {
			signal, _, err := parkFor(ctx, &s.Parking, key.Store, err)
			if err != nil {
				return *s, err
			}
			if signal == SignalSkip {
				s.Status = synclog.StatusSkipped
				upsert(ctx, StatusKey.ValueSet(s.Status))
				return *s, nil
			}
			continue
		}
		if !drain(changed) {
			s.Status = synclog.StatusSynced
			upsert(ctx, StatusKey.ValueSet(s.Status), StoreKey.ValueSet(key.Store))
			return *s, nil
		}
	}
}

// drain takes every pending signal from c and reports whether there was one.
func drain(c workflow.ReceiveChannel) bool {
	got := false
	for c.ReceiveAsync(nil) {
		got = true
	}
	return got
}

// PullCustomers merges the ERP's changed customers into a store.
func PullCustomers(ctx workflow.Context, in activities.CustomerPullInput) (
	activities.CustomerPullResult, error) {
	var a *activities.Customers
	var res activities.CustomerPullResult
	err := workflow.ExecuteActivity(passCtx(ctx), a.PullERPCustomers, in).Get(ctx, &res)
	return res, err
}

// SyncCatalog carries the ERP's changed products and base prices to a
// store.
func SyncCatalog(ctx workflow.Context, in activities.CatalogPassInput) (
	activities.CatalogCounts, error) {
	var a *activities.Catalog
	var res activities.CatalogCounts
	err := workflow.ExecuteActivity(passCtx(ctx), a.SyncCatalog, in).Get(ctx, &res)
	return res, err
}

// SyncFulfillment carries the ERP's shipments and cancellations to a store.
func SyncFulfillment(ctx workflow.Context, in activities.FulfillmentPassInput) (
	activities.FulfillmentCounts, error) {
	var a *activities.Fulfillment
	var res activities.FulfillmentCounts
	err := workflow.ExecuteActivity(passCtx(ctx), a.SyncFulfillment, in).Get(ctx, &res)
	return res, err
}

// Reconcile starts the syncs of a store's recent orders that have none.
func Reconcile(ctx workflow.Context, in activities.SweepInput) (activities.SweepResult, error) {
	var a *activities.Reconcile
	var res activities.SweepResult
	err := workflow.ExecuteActivity(passCtx(ctx), a.SweepOrders, in).Get(ctx, &res)
	return res, err
}

// ReportDrift compares a store with the ERP and stores the report.
func ReportDrift(ctx workflow.Context, in activities.DriftInput) (drift.Report, error) {
	var a *activities.Reconcile
	var res drift.Report
	err := workflow.ExecuteActivity(passCtx(ctx), a.ReportDrift, in).Get(ctx, &res)
	return res, err
}

// passCtx sets the options of scheduled passes: they heartbeat after every
// page, and save their watermark with it, so a retry goes on from there.
// What cannot pass (refused credentials) fails the run, and the schedule
// starts the next one.
func passCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        time.Minute,
			MaximumAttempts:        10,
			NonRetryableErrorTypes: []string{activities.ErrTypeAuth},
		},
	})
}

// Parking is where a sync of changes stands, and the decisions taken on it
// while it waited for a person.
type Parking struct {
	Status    string            `json:"status"`
	Reason    string            `json:"reason,omitempty"`
	Field     string            `json:"field,omitempty"`
	Decisions []AppliedDecision `json:"decisions,omitempty"`
}

// OrderChangesState is what the state query of an order-change sync
// returns.
type OrderChangesState struct {
	Store   string   `json:"store"`
	OrderID string   `json:"order_id"`
	Carried []string `json:"carried,omitempty"`
	Parking
}

// CustomerSyncState is what the state query of a customer sync returns.
type CustomerSyncState struct {
	Store      string `json:"store"`
	CustomerID string `json:"customer_id"`
	activities.CustomerResult
	Parking
}

// SyncOrderChanges carries the changes of a synced order to the ERP: a
// cancellation, refunds, and edits, which park for a person. It waits,
// retrying, while the order's own sync has not booked it, and looks again
// for every change signalled while it ran. A parked change waits for the
// retry signal (look again) or skip (settled by hand).
func SyncOrderChanges(ctx workflow.Context, key activities.OrderKey) (OrderChangesState, error) {
	s := &OrderChangesState{Store: key.Store, OrderID: key.OrderID,
		Parking: Parking{Status: "running"}}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (OrderChangesState, error) {
		return *s, nil
	}); err != nil {
		return *s, err
	}
	changed := workflow.GetSignalChannel(ctx, SignalChanged)

	for {
		drain(changed)
		var a *activities.Amendments
		var res activities.ChangeResult
		err := workflow.ExecuteActivity(changesCtx(ctx), a.ApplyOrderChanges, key).
			Get(ctx, &res)
		s.Carried = append(s.Carried, res.Carried...)
		if err != nil {
			signal, d, err := parkFor(ctx, &s.Parking, key.Store, err)
			if err != nil {
				return *s, err
			}
			if err := settleOnSkip(ctx, key, signal, d); err != nil {
				return *s, err
			}
			continue
		}
		if !drain(changed) {
			s.Status, s.Reason, s.Field = synclog.StatusSynced, "", ""
			upsert(ctx, StatusKey.ValueSet(s.Status), ReasonKey.ValueUnset(),
				StoreKey.ValueSet(key.Store))
			return *s, nil
		}
	}
}

// parkFor shows a sync that needs a person, with the reason, in the state
// and the search attributes, and waits for a retry, a skip, or another
// change from the store (which reads as "look again"). A failure that is
// not about the record itself is returned as it is.
func parkFor(ctx workflow.Context, s *Parking, store string, failure error) (string, Decision,
	error) {
	var appErr *temporal.ApplicationError
	if !errors.As(failure, &appErr) || appErr.Type() != activities.ErrTypeInvalid {
		return "", Decision{}, failure
	}
	p := problem(failure)
	s.Status, s.Reason, s.Field = synclog.StatusNeedsAttention, p.String(), p.Field
	upsert(ctx, StatusKey.ValueSet(s.Status), ReasonKey.ValueSet(s.Reason),
		StoreKey.ValueSet(store))
	workflow.GetLogger(ctx).Warn("sync needs attention", "store", store, "field", p.Field)

	signal, d := awaitDecisionOrChange(ctx)
	s.Status = synclog.StatusRunning
	upsert(ctx, StatusKey.ValueSet(s.Status), ReasonKey.ValueUnset())
	if signal != SignalChanged {
		s.Decisions = append(s.Decisions, AppliedDecision{Signal: signal,
			At: workflow.Now(ctx), Decision: d})
	}
	return signal, d, nil
}

// settleOnSkip records, on a skip, every change of the order not carried
// as settled by hand.
func settleOnSkip(ctx workflow.Context, key activities.OrderKey, signal string,
	d Decision) error {
	if signal != SignalSkip {
		return nil
	}
	var a *activities.Amendments
	in := activities.SettleInput{Key: key, Actor: d.Actor, Reason: d.Reason}
	return workflow.ExecuteActivity(storeCtx(ctx), a.SettleOrderChanges, in).Get(ctx, nil)
}

// awaitDecisionOrChange blocks until an operator's retry or skip arrives,
// or the store reports another change of the order, and returns the
// signal's name and an operator's decision.
func awaitDecisionOrChange(ctx workflow.Context) (string, Decision) {
	var signal string
	var d Decision

	sel := workflow.NewSelector(ctx)
	for _, name := range []string{SignalRetry, SignalSkip} {
		sel.AddReceive(workflow.GetSignalChannel(ctx, name), func(c workflow.ReceiveChannel,
			_ bool) {
			c.Receive(ctx, &d)
			signal = c.Name()
		})
	}
	sel.AddReceive(workflow.GetSignalChannel(ctx, SignalChanged), func(c workflow.ReceiveChannel,
		_ bool) {
		drain(c)
		signal = SignalChanged
	})
	sel.Select(ctx)
	return signal, d
}

// changesCtx sets the options of carrying order changes, on the ERP's task
// queue: an order not yet synced is waited for, retrying at least every 30
// seconds, for up to a week.
func changesCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              ERPTaskQueue(workflow.GetInfo(ctx).TaskQueueName),
		StartToCloseTimeout:    time.Minute,
		ScheduleToCloseTimeout: 7 * 24 * time.Hour,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    2 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    30 * time.Second,
		},
	})
}
