// Package workflows holds erpsync's Temporal workflows. Workflow code is
// deterministic orchestration only; every side effect is an activity.
package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/erpsync/erpsync/activities"
	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/synclog"
)

// Names that are part of the persisted API of order sync: workflow type,
// query and signals. Renaming any of them breaks running workflows.
const (
	OrderSyncName = "OrderSync"
	TaskQueue     = "erpsync"

	QueryState          = "state"
	SignalRetry         = "retry"
	SignalSkip          = "skip"
	SignalOverrideERPID = "override-erp-id"
)

// OrderWorkflowID returns the id of the sync of one store order. Temporal
// allows one workflow per id, which is what makes order sync exactly once.
func OrderWorkflowID(store, orderID string) string {
	return "order/" + store + "/" + orderID
}

// OrderSyncInput names the store order to sync.
type OrderSyncInput struct {
	Store   string `json:"store"`
	OrderID string `json:"order_id"`
}

// Decision is the payload of every operator signal: who decided, why, and
// for override-erp-id the ERP id to link the order to.
type Decision struct {
	Actor  string `json:"actor"`
	Reason string `json:"reason"`
	ERPID  string `json:"erp_id,omitempty"`

	// Patch sets fields of the order's data (see [PatchFields]) for the
	// patch signal; Version is the store's version of the order that the
	// operator looked at.
	Patch   map[string]string `json:"patch,omitempty"`
	Version string            `json:"version,omitempty"`
}

// SyncState is what the state query returns.
type SyncState struct {
	Store       string `json:"store"`
	OrderID     string `json:"order_id"`
	OrderNumber string `json:"order_number,omitempty"`
	ExternalRef string `json:"external_ref,omitempty"`
	ERP         string `json:"erp,omitempty"`

	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	Field  string `json:"field,omitempty"`

	ERPID     string `json:"erp_id,omitempty"`
	ERPNumber string `json:"erp_number,omitempty"`
	Attempts  int    `json:"attempts"`

	// Digest sums up what the sales order books, to notice later edits.
	Digest string `json:"digest,omitempty"`

	// PlacedAt is when the store took the order.
	PlacedAt time.Time `json:"placed_at,omitzero"`

	// StoreVersion is the store's version of the order as last loaded.
	// Patch is the operator's correction in force, written against
	// PatchVersion.
	StoreVersion string            `json:"store_version,omitempty"`
	Patch        map[string]string `json:"patch,omitempty"`
	PatchVersion string            `json:"patch_version,omitempty"`

	Decisions []AppliedDecision `json:"decisions,omitempty"`
}

// AppliedDecision is an operator signal that the workflow acted on.
type AppliedDecision struct {
	Signal string    `json:"signal"`
	At     time.Time `json:"at"`
	Decision
}

// SyncOrder copies one store order into the ERP as exactly one sales order
// and writes the ERP id back. It never fails on a bad order: it parks with
// status needs_attention and the reason, and waits for an operator's retry,
// skip or override-erp-id signal.
func SyncOrder(ctx workflow.Context, in OrderSyncInput) (SyncState, error) {
	s := &SyncState{Store: in.Store, OrderID: in.OrderID, Status: synclog.StatusRunning}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (SyncState, error) {
		return *s, nil
	}); err != nil {
		return *s, err
	}
	setStatus(ctx, s, synclog.StatusRunning, "", "")

	for {
		s.Attempts++
		err := syncOnce(ctx, s)
		if errors.Is(err, errCancelledInStore) {
			setStatus(ctx, s, synclog.StatusSkipped, "cancelled in the store before it was synced",
				"")
			return *s, recordStatus(ctx, s, nil)
		}
		if err == nil {
			setStatus(ctx, s, synclog.StatusSynced, "", "")
			return *s, nil
		}

		done, err := park(ctx, s, err)
		if err != nil || done {
			return *s, err
		}
	}
}

// syncOnce runs the steps of one pass: load and map the order, look the
// ERP up by the external reference, create the sales order only when there
// is none, and write the ERP id back.
func syncOnce(ctx workflow.Context, s *SyncState) error {
	var a *activities.Orders
	key := activities.OrderKey{Store: s.Store, OrderID: s.OrderID}

	var loaded activities.LoadedOrder
	if err := workflow.ExecuteActivity(storeIOCtx(ctx, s.Store), a.LoadOrder, key).Get(ctx, &loaded); err != nil {
		return err
	}
	s.OrderNumber, s.ExternalRef, s.ERP = loaded.SalesOrder.OrderNumber,
		loaded.SalesOrder.ExternalRef, loaded.ERP
	s.Digest, s.StoreVersion = loaded.Digest, loaded.Version
	s.PlacedAt = loaded.SalesOrder.OrderedAt
	if loaded.Cancelled {
		return errCancelledInStore
	}
	so, err := patched(s, loaded)
	if err != nil {
		return err
	}
	loaded.SalesOrder = so
	upsert(ctx, OrderKey.ValueSet(s.OrderNumber), ERPKey.ValueSet(s.ERP))

	var found activities.FoundOrder
	err = workflow.ExecuteActivity(erpCtx(ctx), a.FindSalesOrder, s.ExternalRef).Get(ctx, &found)
	if err != nil {
		return err
	}

	ref := found.Ref
	if !found.Found {
		err := workflow.ExecuteActivity(erpCtx(ctx), a.CreateSalesOrder, loaded.SalesOrder).
			Get(ctx, &ref)
		if err != nil {
			return err
		}
	}
	s.ERPID, s.ERPNumber = ref.ID, ref.Number

	return writeBack(ctx, s)
}

func writeBack(ctx workflow.Context, s *SyncState) error {
	var a *activities.Orders
	in := activities.WriteBackInput{
		Key:        activities.OrderKey{Store: s.Store, OrderID: s.OrderID},
		Ref:        erp.SalesOrderRef{ID: s.ERPID, Number: s.ERPNumber},
		Attempts:   s.Attempts,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
		Digest:     s.Digest,
		PlacedAt:   s.PlacedAt,
	}
	return workflow.ExecuteActivity(storeIOCtx(ctx, s.Store), a.WriteBack, in).Get(ctx, nil)
}

// errCancelledInStore ends a sync whose order the store cancelled before
// it was booked: there is nothing to book.
var errCancelledInStore = errors.New("order cancelled in the store before it was synced")

// problem extracts the field and the reason from an activity failure. Errors
// that carry no [activities.Problem], such as a timeout after the retries ran
// out, give their message as the reason.
func problem(err error) activities.Problem {
	var refused patchRefused
	if errors.As(err, &refused) {
		return activities.Problem{Field: "patch", Reason: refused.reason}
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.HasDetails() {
		var p activities.Problem
		if appErr.Details(&p) == nil && p.Reason != "" {
			return p
		}
	}

	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return activities.Problem{Reason: "gave up retrying: " + err.Error()}
	}
	return activities.Problem{Reason: err.Error()}
}
