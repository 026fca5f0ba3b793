package workflows

import (
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/erpsync/erpsync/activities"
	"github.com/erpsync/erpsync/internal/synclog"
)

// park marks the sync as needing attention for the failure err and blocks
// until an operator decides. It reports done when the decision ends the
// workflow (skip, or an override that was written back); after a retry it
// returns false so the caller runs the sync again.
func park(ctx workflow.Context, s *SyncState, failure error) (done bool, err error) {
	p := problem(failure)
	if p.Version != "" {
		s.StoreVersion = p.Version
	}
	setStatus(ctx, s, synclog.StatusNeedsAttention, p.String(), p.Field)
	workflow.GetLogger(ctx).Warn("order sync needs attention",
		"store", s.Store, "order_id", s.OrderID, "field", p.Field)

	if err := recordStatus(ctx, s, nil); err != nil {
		return false, err
	}

	signal, d := awaitDecision(ctx)
	s.Decisions = append(s.Decisions, AppliedDecision{
		Signal: signal, At: workflow.Now(ctx), Decision: d,
	})
	manual := &activities.Manual{Action: signal, Actor: d.Actor, Reason: d.Reason, Detail: d.ERPID}

	switch signal {
	case SignalPatch:
		s.Patch, s.PatchVersion = d.Patch, d.Version
		// The sync log names the fields patched; their values may be
		// customer data, which the history keeps.
		manual.Detail = "patched " + strings.Join(sortedKeys(d.Patch), ", ")
		setStatus(ctx, s, synclog.StatusRunning, "", "")
		return false, recordStatus(ctx, s, manual)

	case SignalSkip:
		setStatus(ctx, s, synclog.StatusSkipped, d.Reason, "")
		return true, recordStatus(ctx, s, manual)

	case SignalOverrideERPID:
		setStatus(ctx, s, synclog.StatusRunning, "", "")
		if err := recordStatus(ctx, s, manual); err != nil {
			return false, err
		}
		s.ERPID, s.ERPNumber = d.ERPID, ""
		if err := writeBack(ctx, s); err != nil {
			return park(ctx, s, err)
		}
		setStatus(ctx, s, synclog.StatusSynced, "", "")
		return true, nil

	default:
		setStatus(ctx, s, synclog.StatusRunning, "", "")
		return false, recordStatus(ctx, s, manual)
	}
}

// awaitDecision blocks until one of the operator signals arrives and returns
// its name and payload.
func awaitDecision(ctx workflow.Context) (string, Decision) {
	var signal string
	var d Decision

	sel := workflow.NewSelector(ctx)
	for _, name := range []string{SignalRetry, SignalSkip, SignalOverrideERPID, SignalPatch} {
		sel.AddReceive(workflow.GetSignalChannel(ctx, name), func(c workflow.ReceiveChannel, _ bool) {
			c.Receive(ctx, &d)
			signal = c.Name()
		})
	}
	sel.Select(ctx)
	return signal, d
}

// setStatus updates the state that the query returns and the search
// attributes that the Web UI filters on.
func setStatus(ctx workflow.Context, s *SyncState, status, reason, field string) {
	s.Status, s.Reason, s.Field = status, reason, field

	reasonUpdate := ReasonKey.ValueUnset()
	if reason != "" {
		reasonUpdate = ReasonKey.ValueSet(reason)
	}
	upsert(ctx, StatusKey.ValueSet(status), reasonUpdate, StoreKey.ValueSet(s.Store))
}

// upsert sets search attributes. A failure here means the attribute is not
// registered in the namespace; the sync itself must go on regardless, so it
// is logged rather than returned.
func upsert(ctx workflow.Context, updates ...temporal.SearchAttributeUpdate) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		workflow.GetLogger(ctx).Error("search attributes not updated", "error", err)
	}
}

func recordStatus(ctx workflow.Context, s *SyncState, manual *activities.Manual) error {
	var a *activities.Orders
	in := activities.StatusInput{
		Key:        activities.OrderKey{Store: s.Store, OrderID: s.OrderID},
		Status:     s.Status,
		Reason:     s.Reason,
		Field:      s.Field,
		Attempts:   s.Attempts,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
		Action:     manual,
	}
	return workflow.ExecuteActivity(storeCtx(ctx), a.RecordStatus, in).Get(ctx, nil)
}
