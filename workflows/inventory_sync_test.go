package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/erpsync/erpsync/activities"
)

var inv *activities.Inventory

func newInventoryEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(SyncInventory)
	env.RegisterWorkflow(Backfill)
	env.RegisterActivity(inv)
	t.Cleanup(func() { env.AssertExpectations(t) })
	return env
}

// batch returns a pass result of levels levels, done or not.
func batch(levels int, done bool) activities.StockPassResult {
	return activities.StockPassResult{Done: done, Watermark: time.Unix(int64(levels), 0),
		StockCounts: activities.StockCounts{Pages: 1, Levels: levels, Pushed: levels / 2}}
}

func TestSyncInventory_passesUntilTheListingEnds(t *testing.T) {
	env := newInventoryEnv(t)
	env.OnActivity(inv.SyncTouchedStock, mock.Anything, "demo").
		Return(activities.StockCounts{Pushed: 3}, nil).Once()
	delta := mock.MatchedBy(func(in activities.StockPassInput) bool {
		return in.Store == "demo" && !in.Full && in.PageSize == 500
	})
	env.OnActivity(inv.SyncStock, mock.Anything, delta).Return(batch(10, false), nil).Twice()
	env.OnActivity(inv.SyncStock, mock.Anything, delta).Return(batch(4, true), nil).Once()

	env.ExecuteWorkflow(SyncInventory, InventorySyncInput{Store: "demo", PageSize: 500})

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res InventorySyncResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, 24, res.Levels)
	require.Equal(t, 12, res.Pushed)
	require.Equal(t, 3, res.Touched.Pushed)
	require.Equal(t, time.Unix(4, 0).UTC(), res.Watermark.UTC())
}

func TestBackfill_reportsProgressUntilDone(t *testing.T) {
	env := newInventoryEnv(t)
	env.OnActivity(inv.CountStock, mock.Anything, "demo").Return(300, nil).Once()
	full := mock.MatchedBy(func(in activities.StockPassInput) bool {
		return in.Full && in.Concurrency == 3 && in.Budget == BackfillBudget
	})
	env.OnActivity(inv.SyncStock, mock.Anything, full).After(time.Minute).
		Return(batch(100, false), nil).Twice()
	env.OnActivity(inv.SyncStock, mock.Anything, full).After(time.Minute).
		Return(batch(100, true), nil).Once()

	// Halfway through the third batch: 200 of 300 done in two minutes.
	var during BackfillProgress
	env.RegisterDelayedCallback(func() {
		val, err := env.QueryWorkflow(QueryProgress)
		require.NoError(t, err)
		require.NoError(t, val.Get(&during))
	}, 150*time.Second)

	env.ExecuteWorkflow(Backfill, BackfillInput{Store: "demo", Concurrency: 3})

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var p BackfillProgress
	require.NoError(t, env.GetWorkflowResult(&p))
	require.True(t, p.Finished)
	require.Equal(t, 300, p.Done)
	require.Equal(t, 300, p.Total)
	require.Equal(t, 200, during.Done)
	require.False(t, during.Finished)
	require.InDelta(t, 200.0/120, during.Rate, 0.01)
	require.Equal(t, time.Minute, during.Remaining.Round(time.Second))
}

func TestBackfill_continuesAsNewWithItsProgress(t *testing.T) {
	env := newInventoryEnv(t)
	started := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	carried := &BackfillProgress{Store: "demo", Total: 50, Started: started,
		Counts: activities.StockCounts{Levels: 20}}
	env.OnActivity(inv.SyncStock, mock.Anything, mock.Anything).Return(batch(30, true), nil).
		Once()

	env.ExecuteWorkflow(Backfill, BackfillInput{Store: "demo", Progress: carried})

	var p BackfillProgress
	require.NoError(t, env.GetWorkflowResult(&p))
	require.Equal(t, 50, p.Done)
	require.True(t, p.Finished)
	require.Equal(t, started, p.Started.UTC())
}
