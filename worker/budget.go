package main

import (
	"fmt"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/workflows"
)

// activitySet collects the activities every worker of the process runs.
type activitySet []any

// RegisterActivity adds the activities of a.
func (s *activitySet) RegisterActivity(a any) { *s = append(*s, a) }

// registerOn registers the activities with w.
func (s activitySet) registerOn(w worker.Worker) {
	for _, a := range s {
		w.RegisterActivity(a)
	}
}

// startBudgetWorkers starts a worker of activities only on the ERP's task
// queue and on each store's, each held to that system's budget: Temporal
// spreads the rate over every worker of the queue, so the budget holds for
// the whole deployment. It returns the workers it started, to stop.
func startBudgetWorkers(tc client.Client, cfg config.Config, acts activitySet,
	log *zap.Logger) ([]worker.Worker, error) {
	queues := map[string]config.Budget{workflows.ERPTaskQueue(cfg.TaskQueue): cfg.ERPBudget}
	for _, name := range cfg.StoreNames() {
		queues[workflows.StoreTaskQueue(cfg.TaskQueue, name)] = cfg.Stores[name].Budget
	}

	var started []worker.Worker
	for queue, b := range queues {
		w := worker.New(tc, queue, worker.Options{
			DisableWorkflowWorker:              true,
			TaskQueueActivitiesPerSecond:       b.PerSecond,
			MaxConcurrentActivityExecutionSize: b.Concurrent,
			WorkerStopTimeout:                  cfg.ShutdownTimeout,
		})
		acts.registerOn(w)
		if err := w.Start(); err != nil {
			return started, fmt.Errorf("start worker on task queue %s: %w", queue, err)
		}
		started = append(started, w)
		log.Info("worker started", zap.String("task_queue", queue),
			zap.Float64("activities_per_second", b.PerSecond),
			zap.Int("concurrent", b.Concurrent))
	}
	return started, nil
}

// stopAll stops the workers, each draining the activities it runs.
func stopAll(workers []worker.Worker) {
	for _, w := range workers {
		w.Stop()
	}
}
