package stack

import (
	"context"
	"fmt"
	"net/http"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/erpsync/erpsync/workflows"
)

// readyTimeout bounds the wait for a child process to become ready.
const readyTimeout = time.Minute

// waitUntil polls ready every 100 ms until it reports true, p exits, or the
// timeout passes.
func waitUntil(ctx context.Context, p *process, ready func(context.Context) bool) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()

	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if ready(ctx) {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited at start-up; end of %s:\n%s", p.name, p.logPath, logTail(p))
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s; end of %s:\n%s", p.name, readyTimeout,
				p.logPath, logTail(p))
		case <-tick.C:
		}
	}
}

// waitForWorker waits until the worker polls the task queue.
func (s *Stack) waitForWorker(ctx context.Context) error {
	return waitUntil(ctx, s.worker, func(ctx context.Context) bool {
		resp, err := s.Client.WorkflowService().DescribeTaskQueue(ctx,
			&workflowservice.DescribeTaskQueueRequest{
				Namespace:     s.Namespace,
				TaskQueue:     &taskqueuepb.TaskQueue{Name: workflows.TaskQueue},
				TaskQueueType: enumspb.TASK_QUEUE_TYPE_WORKFLOW,
			})
		return err == nil && len(resp.GetPollers()) > 0
	})
}

// waitForStarter waits until the starter answers its health check.
func (s *Stack) waitForStarter(ctx context.Context) error {
	return waitUntil(ctx, s.starter, func(ctx context.Context) bool {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.StarterURL+"/healthz", nil)
		if err != nil {
			return false
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}
