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

// ERPTaskQueue returns the task queue of the activities that call the ERP,
// beside the workflows' queue. Workers rate-limit it to the ERP's budget, for
// all workers together.
func ERPTaskQueue(queue string) string { return queue + "-erp" }

// StoreTaskQueue returns the task queue of the order activities that call
// store, beside the workflows' queue, limited to the store's budget.
func StoreTaskQueue(queue, store string) string { return queue + "-store-" + store }

// storeIOCtx sets the options of activities that call store: those of
// storeCtx, on the store's task queue.
func storeIOCtx(ctx workflow.Context, store string) workflow.Context {
	ctx = storeCtx(ctx)
	opts := workflow.GetActivityOptions(ctx)
	opts.TaskQueue = StoreTaskQueue(workflow.GetInfo(ctx).TaskQueueName, store)
	return workflow.WithActivityOptions(ctx, opts)
}

// erpCtx sets the options of activities that call the ERP: exponential
// backoff for transient failures, bounded in total so that an ERP outage
// turns into visible parked syncs rather than silent waiting. They run on
// the ERP's task queue.
func erpCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              ERPTaskQueue(workflow.GetInfo(ctx).TaskQueueName),
		StartToCloseTimeout:    time.Minute,
		ScheduleToCloseTimeout: ERPGiveUpAfter,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    2 * time.Minute,
		},
	})
}
