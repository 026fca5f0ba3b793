package workflows

import (
	"context"
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

func TestSyncOrder_skipsAnOrderCancelledBeforeItWasSynced(t *testing.T) {
	env := newEnv(t)
	cancelled := activities.LoadedOrder{Cancelled: true, ERP: "odoo"}
	env.OnActivity(a.LoadOrder, mock.Anything, mock.Anything).Return(cancelled, nil).Once()

	env.ExecuteWorkflow(SyncOrder, input)

	s := result(t, env)
	require.Equal(t, synclog.StatusSkipped, s.Status)
	require.Contains(t, s.Reason, "cancelled in the store")
}

var (
	amend    *activities.Amendments
	orderKey = activities.OrderKey{Store: "demo", OrderID: "7"}
)

func newChangesEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(SyncOrderChanges)
	env.RegisterActivity(amend)
	t.Cleanup(func() { env.AssertExpectations(t) })
	return env
}

func changesResult(t *testing.T, env *testsuite.TestWorkflowEnvironment) OrderChangesState {
	t.Helper()
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var s OrderChangesState
	require.NoError(t, env.GetWorkflowResult(&s))
	return s
}

func TestSyncOrderChanges_waitsUntilTheOrderIsSynced(t *testing.T) {
	env := newChangesEnv(t)
	notYet := temporal.NewApplicationError("order demo/7 is not synced yet",
		activities.ErrTypeNotSynced)
	env.OnActivity(amend.ApplyOrderChanges, mock.Anything, orderKey).
		Return(activities.ChangeResult{}, notYet).Twice()
	env.OnActivity(amend.ApplyOrderChanges, mock.Anything, orderKey).
		Return(activities.ChangeResult{ERPID: "42", Carried: []string{"cancel"}}, nil).Once()

	env.ExecuteWorkflow(SyncOrderChanges, orderKey)

	s := changesResult(t, env)
	require.Equal(t, "synced", s.Status)
	require.Equal(t, []string{"cancel"}, s.Carried)
}

func TestSyncOrderChanges_parksACancellationAfterShippingUntilSkipped(t *testing.T) {
	env := newChangesEnv(t)
	shipped := temporal.NewNonRetryableApplicationError("cancel sales order 42",
		activities.ErrTypeInvalid, nil, activities.Problem{Field: "status",
			Reason: "order 1007 was cancelled in the store after odoo shipped it"})
	env.OnActivity(amend.ApplyOrderChanges, mock.Anything, orderKey).
		Return(activities.ChangeResult{}, shipped).Once()
	env.OnActivity(amend.SettleOrderChanges, mock.Anything, activities.SettleInput{
		Key: orderKey, Actor: "ana", Reason: "return booked"}).Return(nil).Once()
	env.OnActivity(amend.ApplyOrderChanges, mock.Anything, orderKey).
		Return(activities.ChangeResult{ERPID: "42"}, nil).Once()

	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryState)
		require.NoError(t, err)
		var s OrderChangesState
		require.NoError(t, v.Get(&s))
		require.Equal(t, synclog.StatusNeedsAttention, s.Status)
		require.Equal(t, "status", s.Field)
		env.SignalWorkflow(SignalSkip, Decision{Actor: "ana", Reason: "return booked"})
	}, time.Minute)
	env.ExecuteWorkflow(SyncOrderChanges, orderKey)

	s := changesResult(t, env)
	require.Equal(t, "synced", s.Status)
	require.Len(t, s.Decisions, 1)
	require.Equal(t, SignalSkip, s.Decisions[0].Signal)
}

func TestSyncCustomer_mergesAgainForAChangeSignalledMeanwhile(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	var c *activities.Customers
	env.RegisterActivity(c)
	key := activities.CustomerKey{Store: "demo", CustomerID: "3"}
	calls := 0
	env.OnActivity(c.SyncStoreCustomer, mock.Anything, key).Return(
		func(context.Context, activities.CustomerKey) (activities.CustomerResult, error) {
			calls++
			if calls == 1 {
				env.SignalWorkflow(SignalChanged, nil)
			}
			return activities.CustomerResult{ERPID: "9"}, nil
		}).Times(2)

	env.ExecuteWorkflow(SyncCustomer, key)

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, 2, calls)
	env.AssertExpectations(t)
}

func TestSyncOrderChanges_looksAgainWhenTheStoreChangesAParkedOrder(t *testing.T) {
	env := newChangesEnv(t)
	edited := temporal.NewNonRetryableApplicationError("compare order 1007",
		activities.ErrTypeInvalid, nil, activities.Problem{Field: "lines",
			Reason: "order 1007 was edited in the store after it was booked"})
	env.OnActivity(amend.ApplyOrderChanges, mock.Anything, orderKey).
		Return(activities.ChangeResult{}, edited).Once()
	env.OnActivity(amend.ApplyOrderChanges, mock.Anything, orderKey).
		Return(activities.ChangeResult{ERPID: "42", Carried: []string{"cancel"}}, nil).Once()

	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalChanged, nil)
	}, time.Minute)
	env.ExecuteWorkflow(SyncOrderChanges, orderKey)

	s := changesResult(t, env)
	require.Equal(t, "synced", s.Status)
	require.Empty(t, s.Decisions)
	require.Equal(t, []string{"cancel"}, s.Carried)
}

func TestSyncOrder_patchFixesTheDataOfTheVersionItWasWrittenFor(t *testing.T) {
	env := newEnv(t)
	v1 := order
	v1.Version = "v1"
	v1.SalesOrder.Lines = []erp.Line{{SKU: "TYPO", Quantity: 1}}
	unknown := temporal.NewNonRetryableApplicationError("create sales order",
		activities.ErrTypeInvalid, nil, activities.Problem{Field: "lines[0].sku",
			Reason: `sku "TYPO" is not a product`})
	fixed := v1.SalesOrder
	fixed.Lines = []erp.Line{{SKU: "MUG-BLK", Quantity: 1}}

	env.OnActivity(a.LoadOrder, mock.Anything, mock.Anything).Return(v1, nil).Twice()
	env.OnActivity(a.FindSalesOrder, mock.Anything, "demo:1007").
		Return(activities.FoundOrder{}, nil).Twice()
	env.OnActivity(a.CreateSalesOrder, mock.Anything, v1.SalesOrder).Return(erp.SalesOrderRef{},
		unknown).Once()
	env.OnActivity(a.CreateSalesOrder, mock.Anything, fixed).Return(created, nil).Once()
	env.OnActivity(a.WriteBack, mock.Anything, writeBackOf("42")).Return(nil).Once()

	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalPatch, Decision{Actor: "ana", Reason: "typo",
			Patch: map[string]string{"lines[0].sku": "MUG-BLK"}, Version: "v1"})
	}, time.Minute)
	env.ExecuteWorkflow(SyncOrder, input)

	s := result(t, env)
	require.Equal(t, synclog.StatusSynced, s.Status)
	require.Equal(t, SignalPatch, s.Decisions[0].Signal)
}

func TestSyncOrder_patchForAnOlderVersionIsRefused(t *testing.T) {
	env := newEnv(t)
	v1, v2 := order, order
	v1.Version, v2.Version = "v1", "v2"
	unknown := temporal.NewNonRetryableApplicationError("create sales order",
		activities.ErrTypeInvalid, nil, activities.Problem{Field: "lines[0].sku",
			Reason: "unknown sku"})
	env.OnActivity(a.LoadOrder, mock.Anything, mock.Anything).Return(v1, nil).Once()
	env.OnActivity(a.LoadOrder, mock.Anything, mock.Anything).Return(v2, nil).Once()
	env.OnActivity(a.FindSalesOrder, mock.Anything, "demo:1007").
		Return(activities.FoundOrder{}, nil).Once()
	env.OnActivity(a.CreateSalesOrder, mock.Anything, mock.Anything).
		Return(erp.SalesOrderRef{}, unknown).Once()

	var parked SyncState
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalPatch, Decision{Actor: "ana", Reason: "typo",
			Patch: map[string]string{"lines[0].sku": "MUG-BLK"}, Version: "v1"})
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryState)
		require.NoError(t, err)
		require.NoError(t, v.Get(&parked))
		env.SignalWorkflow(SignalSkip, Decision{Actor: "ana", Reason: "done"})
	}, 2*time.Minute)
	env.ExecuteWorkflow(SyncOrder, input)

	result(t, env)
	require.Equal(t, synclog.StatusNeedsAttention, parked.Status)
	require.Equal(t, "patch", parked.Field)
	require.Contains(t, parked.Reason, "version v1")
	require.Equal(t, "v2", parked.StoreVersion)
	require.Empty(t, parked.Patch)
}

func TestCheckPatch(t *testing.T) {
	require.NoError(t, CheckPatch(map[string]string{"lines[2].sku": "X", "customer.email": "a@b"}))
	for _, bad := range []map[string]string{nil, {"total": "1"}, {"lines[0].quantity": "-1"},
		{"customer.email": "nobody"}} {
		require.Error(t, CheckPatch(bad), "%v", bad)
	}
}

func TestSyncCustomer_parksACustomerTheERPRefusesUntilRetried(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	var c *activities.Customers
	env.RegisterActivity(c)
	key := activities.CustomerKey{Store: "demo", CustomerID: "3"}
	refused := temporal.NewNonRetryableApplicationError("update erp customer",
		activities.ErrTypeInvalid, nil, activities.Problem{Field: "email",
			Reason: "e-mail in use by another customer"})
	env.OnActivity(c.SyncStoreCustomer, mock.Anything, key).
		Return(activities.CustomerResult{}, refused).Once()
	env.OnActivity(c.SyncStoreCustomer, mock.Anything, key).
		Return(activities.CustomerResult{ERPID: "9"}, nil).Once()

	var parked CustomerSyncState
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryState)
		require.NoError(t, err)
		require.NoError(t, v.Get(&parked))
		env.SignalWorkflow(SignalRetry, Decision{Actor: "ana", Reason: "merged by hand"})
	}, time.Minute)
	env.ExecuteWorkflow(SyncCustomer, key)

	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var s CustomerSyncState
	require.NoError(t, env.GetWorkflowResult(&s))
	require.Equal(t, synclog.StatusNeedsAttention, parked.Status)
	require.Equal(t, "email", parked.Field)
	require.Equal(t, synclog.StatusSynced, s.Status)
	require.Equal(t, "9", s.ERPID)
	env.AssertExpectations(t)
}
