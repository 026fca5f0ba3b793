package intake

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/erpsync/erpsync/activities"
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

// SyncOrderChanges starts the OrderChanges workflow of one order with a
// changed signal, or signals the one running, in one call.
func (s *TemporalStarter) SyncOrderChanges(ctx context.Context, store, orderID string) (string,
	error) {
	id := workflows.OrderChangesWorkflowID(store, orderID)
	in := activities.OrderKey{Store: store, OrderID: orderID}
	return id, s.signalWithStart(ctx, id, workflows.OrderChangesName, in)
}

// SyncCustomer starts the CustomerSync workflow of one store customer with
// a changed signal, or signals the one running, in one call.
func (s *TemporalStarter) SyncCustomer(ctx context.Context, store, customerID string) (string,
	error) {
	id := workflows.CustomerWorkflowID(store, customerID)
	in := activities.CustomerKey{Store: store, CustomerID: customerID}
	return id, s.signalWithStart(ctx, id, workflows.CustomerSyncName, in)
}

func (s *TemporalStarter) signalWithStart(ctx context.Context, id, workflow string,
	in any) error {
	opts := client.StartWorkflowOptions{ID: id, TaskQueue: s.TaskQueue}
	_, err := s.Client.SignalWithStartWorkflow(ctx, id, workflows.SignalChanged, nil, opts,
		workflow, in)
	if err != nil {
		return fmt.Errorf("signal or start workflow %s: %w", id, err)
	}
	return nil
}
