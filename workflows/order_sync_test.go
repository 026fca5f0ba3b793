package workflows

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/erpsync/erpsync/activities"
	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/synclog"
)

var (
	a     *activities.Orders
	input = OrderSyncInput{Store: "demo", OrderID: "7"}
	order = activities.LoadedOrder{
		SalesOrder: erp.SalesOrder{ExternalRef: "demo:1007", OrderNumber: "1007"},
		ERP:        "odoo",
	}
	created = erp.SalesOrderRef{ID: "42", Number: "S00042"}
)

func newEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(SyncOrder)
	env.RegisterActivity(a)
	env.OnActivity(a.RecordStatus, mock.Anything, mock.Anything).Return(nil).Maybe()
	t.Cleanup(func() { env.AssertExpectations(t) })
	return env
}

func result(t *testing.T, env *testsuite.TestWorkflowEnvironment) SyncState {
	t.Helper()
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var s SyncState
	require.NoError(t, env.GetWorkflowResult(&s))
	return s
}

func writeBackOf(id string) any {
	return mock.MatchedBy(func(in activities.WriteBackInput) bool {
		return in.Ref.ID == id && in.Key.OrderID == input.OrderID
	})
}

func TestSyncOrder_createsWhenERPHasNone(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(a.LoadOrder, mock.Anything, mock.Anything).Return(order, nil).Once()
	env.OnActivity(a.FindSalesOrder, mock.Anything, "demo:1007").
		Return(activities.FoundOrder{}, nil).Once()
	env.OnActivity(a.CreateSalesOrder, mock.Anything, order.SalesOrder).Return(created, nil).Once()
	env.OnActivity(a.WriteBack, mock.Anything, writeBackOf("42")).Return(nil).Once()

	env.ExecuteWorkflow(SyncOrder, input)

	s := result(t, env)
	require.Equal(t, synclog.StatusSynced, s.Status)
	require.Equal(t, "42", s.ERPID)
	require.Equal(t, "S00042", s.ERPNumber)
	require.Equal(t, 1, s.Attempts)
}

func TestSyncOrder_usesOrderTheERPAlreadyHas(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(a.LoadOrder, mock.Anything, mock.Anything).Return(order, nil).Once()
	env.OnActivity(a.FindSalesOrder, mock.Anything, "demo:1007").
		Return(activities.FoundOrder{Found: true, Ref: created}, nil).Once()
	env.OnActivity(a.WriteBack, mock.Anything, writeBackOf("42")).Return(nil).Once()

	env.ExecuteWorkflow(SyncOrder, input)

	s := result(t, env)
	require.Equal(t, synclog.StatusSynced, s.Status)
	require.Equal(t, "42", s.ERPID)
}

// A crash after the ERP committed the order and before the write-back must
// retry only the write-back: the order is created once.
func TestSyncOrder_crashBetweenCreateAndWriteBack(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(a.LoadOrder, mock.Anything, mock.Anything).Return(order, nil).Once()
	env.OnActivity(a.FindSalesOrder, mock.Anything, mock.Anything).
		Return(activities.FoundOrder{}, nil).Once()
	env.OnActivity(a.CreateSalesOrder, mock.Anything, mock.Anything).Return(created, nil).Once()
	env.OnActivity(a.WriteBack, mock.Anything, writeBackOf("42")).
		Return(errors.New("worker lost")).Twice()
	env.OnActivity(a.WriteBack, mock.Anything, writeBackOf("42")).Return(nil).Once()

	env.ExecuteWorkflow(SyncOrder, input)

	s := result(t, env)
	require.Equal(t, synclog.StatusSynced, s.Status)
	env.AssertNumberOfCalls(t, "CreateSalesOrder", 1)
	env.AssertNumberOfCalls(t, "WriteBack", 3)
}

func unknownSKU() error {
	p := activities.Problem{Field: "lines[0].sku", Reason: `unknown SKU "NOPE"`}
	return temporal.NewNonRetryableApplicationError("create sales order demo:1007",
		activities.ErrTypeInvalid, nil, p)
}

// parkThen makes the first pass fail permanently, checks the parked state
// through the query, and sends signal with d once the workflow waits.
func parkThen(t *testing.T, env *testsuite.TestWorkflowEnvironment, signal string, d Decision) {
	t.Helper()
	env.OnActivity(a.LoadOrder, mock.Anything, mock.Anything).Return(order, nil)
	env.OnActivity(a.FindSalesOrder, mock.Anything, mock.Anything).
		Return(activities.FoundOrder{}, nil)
	env.OnActivity(a.CreateSalesOrder, mock.Anything, mock.Anything).
		Return(erp.SalesOrderRef{}, unknownSKU()).Once()

	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryState)
		require.NoError(t, err)
		var s SyncState
		require.NoError(t, v.Get(&s))
		require.Equal(t, synclog.StatusNeedsAttention, s.Status)
		require.Equal(t, "lines[0].sku", s.Field)
		require.Equal(t, `lines[0].sku: unknown SKU "NOPE"`, s.Reason)

		env.SignalWorkflow(signal, d)
	}, time.Hour)
}

func TestSyncOrder_parkedThenRetried(t *testing.T) {
	env := newEnv(t)
	parkThen(t, env, SignalRetry, Decision{Actor: "ops", Reason: "SKU mapped"})
	env.OnActivity(a.CreateSalesOrder, mock.Anything, mock.Anything).Return(created, nil).Once()
	env.OnActivity(a.WriteBack, mock.Anything, writeBackOf("42")).Return(nil).Once()

	env.ExecuteWorkflow(SyncOrder, input)

	s := result(t, env)
	require.Equal(t, synclog.StatusSynced, s.Status)
	require.Equal(t, 2, s.Attempts)
	require.Len(t, s.Decisions, 1)
	require.Equal(t, "ops", s.Decisions[0].Actor)
}

func TestSyncOrder_parkedThenSkipped(t *testing.T) {
	env := newEnv(t)
	parkThen(t, env, SignalSkip, Decision{Actor: "ops", Reason: "test order"})

	env.ExecuteWorkflow(SyncOrder, input)

	s := result(t, env)
	require.Equal(t, synclog.StatusSkipped, s.Status)
	require.Equal(t, "test order", s.Reason)
	require.Empty(t, s.ERPID)
	env.AssertNotCalled(t, "WriteBack", mock.Anything, mock.Anything)
	env.AssertCalled(t, "RecordStatus", mock.Anything, mock.MatchedBy(
		func(in activities.StatusInput) bool {
			return in.Status == synclog.StatusSkipped && in.Action != nil &&
				in.Action.Actor == "ops" && in.Action.Action == SignalSkip
		}))
}

func TestSyncOrder_parkedThenOverridden(t *testing.T) {
	env := newEnv(t)
	parkThen(t, env, SignalOverrideERPID, Decision{Actor: "ops", Reason: "keyed by hand",
		ERPID: "77"})
	env.OnActivity(a.WriteBack, mock.Anything, writeBackOf("77")).Return(nil).Once()

	env.ExecuteWorkflow(SyncOrder, input)

	s := result(t, env)
	require.Equal(t, synclog.StatusSynced, s.Status)
	require.Equal(t, "77", s.ERPID)
	env.AssertNumberOfCalls(t, "CreateSalesOrder", 1)
}
