package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/erpsync/erpsync/activities"
)

// Names that are part of the persisted API of inventory sync.
const (
	InventorySyncName = "InventorySync"
	StockBackfillName = "StockBackfill"
	QueryProgress     = "progress"
)

// InventoryWorkflowID returns the id of the scheduled inventory sync of a
// store; one runs at a time.
func InventoryWorkflowID(store string) string { return "inventory/" + store }

// BackfillWorkflowID returns the id of the full stock pass of a store.
func BackfillWorkflowID(store string) string { return "inventory-backfill/" + store }

// InventorySyncInput names the store whose stock to bring up to date, and
// how to page the ERP. Zero values take the activities' defaults. Counts
// carries what earlier runs of the same sync did, across continue-as-new.
type InventorySyncInput struct {
	Store       string        `json:"store"`
	PageSize    int           `json:"page_size,omitempty"`
	Concurrency int           `json:"concurrency,omitempty"`
	Overlap     time.Duration `json:"overlap,omitempty"`

	Counts  activities.StockCounts `json:"counts"`
	Touched activities.StockCounts `json:"touched"`
}

// InventorySyncResult says what an inventory sync did: Touched counts the
// SKUs worked out again for their orders in flight or safety stock, the
// rest the levels the ERP listed as changed.
type InventorySyncResult struct {
	activities.StockCounts
	Touched   activities.StockCounts `json:"touched"`
	Watermark time.Time              `json:"watermark"`
}

// SyncInventory brings a store's stock up to date with the ERP: it works
// out again the SKUs whose orders in flight or safety stock changed, then
// pages the ERP's stock changes since the watermark and pushes what the
// store should show. A long listing goes on in new runs of the workflow
// before its history grows large.
func SyncInventory(ctx workflow.Context, in InventorySyncInput) (InventorySyncResult, error) {
	var a *activities.Inventory
	res := InventorySyncResult{StockCounts: in.Counts, Touched: in.Touched}

	if workflow.GetInfo(ctx).ContinuedExecutionRunID == "" {
		var touched activities.StockCounts
		err := workflow.ExecuteActivity(stockCtx(ctx), a.SyncTouchedStock, in.Store).
			Get(ctx, &touched)
		if err != nil {
			return res, err
		}
		res.Touched.Add(touched)
	}

	pass := activities.StockPassInput{Store: in.Store, PageSize: in.PageSize,
		Concurrency: in.Concurrency, Overlap: in.Overlap}
	for {
		var r activities.StockPassResult
		if err := workflow.ExecuteActivity(stockCtx(ctx), a.SyncStock, pass).Get(ctx, &r); err != nil {
			return res, err
		}
		res.Add(r.StockCounts)
		res.Watermark = r.Watermark
		if r.Done {
			return res, nil
		}

		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			in.Counts, in.Touched = res.StockCounts, res.Touched
			return res, workflow.NewContinueAsNewError(ctx, SyncInventory, in)
		}
	}
}

// stockCtx sets the options of stock passes: an attempt lists for its
// budget and heartbeats after every page, so a lost worker is noticed
// within the heartbeat timeout and the next attempt goes on from the last
// page applied. Failures are retried until they pass, since the stock of
// the next run would have to be listed anyway; what cannot pass (refused
// credentials) fails the run, and the schedule starts the next one.
func stockCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        time.Minute,
			NonRetryableErrorTypes: []string{activities.ErrTypeAuth},
		},
	})
}
