package intake

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/erpsync/erpsync/workflows"
)

// TemporalStarter starts order syncs on a Temporal cluster.
type TemporalStarter struct {
	Client    client.Client
	TaskQueue string
}

var _ Starter = (*TemporalStarter)(nil)

// StartOrderSync starts the OrderSync workflow for one order. The id reuse
// policy refuses a second run once one has finished and the conflict policy
// refuses one while another runs, so however often a store sends an order,
// it is synced by one workflow.
func (s *TemporalStarter) StartOrderSync(
	ctx context.Context, store, orderID string,
) (string, bool, error) {
	id := workflows.OrderWorkflowID(store, orderID)
	opts := client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                s.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		// Without it the SDK hides the refusal and hands back the existing
		// run, and a duplicate could not be told from a new sync.
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}
	in := workflows.OrderSyncInput{Store: store, OrderID: orderID}

	_, err := s.Client.ExecuteWorkflow(ctx, opts, workflows.OrderSyncName, in)
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &already):
		return id, false, nil
	case err != nil:
		return id, false, fmt.Errorf("start workflow %s: %w", id, err)
	}
	return id, true, nil
}
