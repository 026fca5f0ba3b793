package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/erpsync/erpsync/activities"
)

// BackfillBudget is how long one batch of a backfill lists before the
// workflow records its progress.
const BackfillBudget = 15 * time.Second

// BackfillInput names the store whose whole catalog to pass over, and how
// to page the ERP; zero values take the activities' defaults. Progress
// carries what earlier runs of the same backfill did, across
// continue-as-new.
type BackfillInput struct {
	Store       string `json:"store"`
	PageSize    int    `json:"page_size,omitempty"`
	Concurrency int    `json:"concurrency,omitempty"`

	Progress *BackfillProgress `json:"progress,omitempty"`
}

// BackfillProgress is where a backfill stands, as the progress query
// returns it. Total is the ERP's count of levels when it gives one (0 when
// it does not); Rate is levels per second since the start, and Remaining
// the time left at that rate.
type BackfillProgress struct {
	Store     string        `json:"store"`
	Done      int           `json:"done"`
	Total     int           `json:"total"`
	Rate      float64       `json:"rate"`
	Remaining time.Duration `json:"remaining"`
	Started   time.Time     `json:"started"`
	Finished  bool          `json:"finished"`

	Counts activities.StockCounts `json:"counts"`
}

// update adds a batch's counts and works out the rate and the time left
// as of now.
func (p *BackfillProgress) update(c activities.StockCounts, now time.Time) {
	p.Counts.Add(c)
	p.Done = p.Counts.Levels
	if elapsed := now.Sub(p.Started).Seconds(); elapsed > 0 {
		p.Rate = float64(p.Done) / elapsed
	}
	p.Remaining = 0
	if p.Rate > 0 && p.Total > p.Done {
		p.Remaining = time.Duration(float64(p.Total-p.Done) / p.Rate * float64(time.Second))
	}
}

// Backfill makes a full pass over the ERP's stock for a store, in batches:
// each batch lists pages for a while, applying several at once, and saves
// where it stopped after every page, so that a crash costs at most the
// pages in flight. The progress query tells how far it got, how fast it
// goes and how long it has left.
func Backfill(ctx workflow.Context, in BackfillInput) (BackfillProgress, error) {
	var a *activities.Inventory
	p := in.Progress
	if p == nil {
		p = &BackfillProgress{Store: in.Store, Started: workflow.Now(ctx)}
		var total int
		err := workflow.ExecuteActivity(storeCtx(ctx), a.CountStock, in.Store).Get(ctx, &total)
		if err != nil {
			return *p, err
		}
		p.Total = total
	}
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (BackfillProgress, error) {
		return *p, nil
	}); err != nil {
		return *p, err
	}

	batch := activities.StockPassInput{Store: in.Store, Full: true, PageSize: in.PageSize,
		Concurrency: in.Concurrency, Budget: BackfillBudget}
	for {
		var r activities.StockPassResult
		if err := workflow.ExecuteActivity(stockCtx(ctx), a.SyncStock, batch).Get(ctx, &r); err != nil {
			return *p, err
		}
		p.update(r.StockCounts, workflow.Now(ctx))
		if r.Done {
			p.Finished, p.Remaining = true, 0
			return *p, nil
		}

		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			in.Progress = p
			return *p, workflow.NewContinueAsNewError(ctx, Backfill, in)
		}
	}
}
