package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// storeCtx sets the options of activities that talk to the store and to
// erpsync's own Postgres. They retry until they succeed: both are systems we
// run, and a sync must not be given up while they are briefly away.
func storeCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
	})
}

// ERPGiveUpAfter is how long an ERP call is retried through transient
// failures (timeouts, 5xx, throttling) before the sync parks as needing
// attention with the last error as its reason.
const ERPGiveUpAfter = 6 * time.Hour

// erpCtx sets the options of activities that call the ERP: exponential
// backoff for transient failures, bounded in total so that an ERP outage
// turns into visible parked syncs rather than silent waiting.
func erpCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    time.Minute,
		ScheduleToCloseTimeout: ERPGiveUpAfter,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    2 * time.Minute,
		},
	})
}
