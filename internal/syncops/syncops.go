// Package syncops carries out operators' commands on order syncs: list the
// ones that need attention, show one, and send it a decision.
package syncops

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/erpsync/erpsync/internal/synclog"
	"github.com/erpsync/erpsync/workflows"
)

// Parked is one sync waiting for a decision, as the list command shows it.
type Parked struct {
	WorkflowID string `json:"workflow_id"`
	Store      string `json:"store"`
	Order      string `json:"order"`
	Reason     string `json:"reason"`
}

// Ops runs operator commands against a Temporal namespace.
type Ops struct {
	Client    client.Client
	Namespace string
}

// WorkflowID accepts a sync's workflow id ("order/demo/1001",
// "order-changes/demo/1001", "customer/demo/7") or the short form of an
// order's sync ("demo/1001") and returns the workflow id.
func WorkflowID(arg string) (string, error) {
	for _, prefix := range []string{"order/", "order-changes/", "customer/"} {
		if strings.HasPrefix(arg, prefix) {
			return arg, nil
		}
	}
	store, order, ok := strings.Cut(arg, "/")
	if !ok || store == "" || order == "" {
		return "", fmt.Errorf("%q is neither order/STORE/ORDER nor STORE/ORDER", arg)
	}
	return workflows.OrderWorkflowID(store, order), nil
}

// NeedsAttention lists the order syncs whose status is needs_attention, the
// same list as the Web UI filter ErpSyncStatus="needs_attention".
func (o *Ops) NeedsAttention(ctx context.Context, limit int) ([]Parked, error) {
	query := fmt.Sprintf(`%s=%q AND ExecutionStatus="Running"`,
		workflows.StatusKey.GetName(), synclog.StatusNeedsAttention)

	var parked []Parked
	var token []byte
	for {
		resp, err := o.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: o.Namespace, Query: query, NextPageToken: token,
		})
		if err != nil {
			return nil, fmt.Errorf("list syncs that need attention: %w", err)
		}
		for _, info := range resp.GetExecutions() {
			fields := info.GetSearchAttributes().GetIndexedFields()
			parked = append(parked, Parked{
				WorkflowID: info.GetExecution().GetWorkflowId(),
				Store:      decode(fields[workflows.StoreKey.GetName()]),
				Order:      decode(fields[workflows.OrderKey.GetName()]),
				Reason:     decode(fields[workflows.ReasonKey.GetName()]),
			})
			if len(parked) == limit {
				return parked, nil
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return parked, nil
		}
	}
}

// Show returns the state of the sync workflowID through its query.
func (o *Ops) Show(ctx context.Context, workflowID string) (workflows.SyncState, error) {
	var s workflows.SyncState
	v, err := o.Client.QueryWorkflow(ctx, workflowID, "", workflows.QueryState)
	if err != nil {
		return s, fmt.Errorf("query sync %s: %w", workflowID, err)
	}
	if err := v.Get(&s); err != nil {
		return s, fmt.Errorf("decode state of sync %s: %w", workflowID, err)
	}
	return s, nil
}

// ErrNotParked reports a decision sent to a sync that is not waiting for one.
var ErrNotParked = errors.New("sync is not waiting for a decision")

// ErrStale reports a patch written against an older version of the order
// than the sync holds.
var ErrStale = errors.New("patch refused")

// Decide sends signal with d to the sync workflowID. It refuses when the
// sync is not parked, so that a decision meant for a problem that has since
// gone away is not applied to a later one.
func (o *Ops) Decide(ctx context.Context, workflowID, signal string, d workflows.Decision) error {
	if d.Actor == "" || d.Reason == "" {
		return errors.New("a decision needs who takes it and why")
	}
	if signal == workflows.SignalOverrideERPID && d.ERPID == "" {
		return errors.New("override-erp-id needs the ERP id")
	}
	if signal == workflows.SignalPatch {
		if err := workflows.CheckPatch(d.Patch); err != nil {
			return err
		}
	}

	s, err := o.Show(ctx, workflowID)
	if err != nil {
		return err
	}
	if s.Status != synclog.StatusNeedsAttention {
		return fmt.Errorf("%s: %w (status %s)", workflowID, ErrNotParked, s.Status)
	}
	if signal == workflows.SignalPatch {
		if d.Version = cmp.Or(d.Version, s.StoreVersion); d.Version != s.StoreVersion {
			return fmt.Errorf("%s: %w: the patch is for version %s of the store's order, but "+
				"the sync last loaded version %s; show it again and patch what it shows",
				workflowID, ErrStale, d.Version, s.StoreVersion)
		}
	}

	if err := o.Client.SignalWorkflow(ctx, workflowID, "", signal, d); err != nil {
		return fmt.Errorf("signal %s to sync %s: %w", signal, workflowID, err)
	}
	return nil
}

// decode turns a search attribute payload into text; attributes that are
// missing or not strings read as "".
func decode(p *commonpb.Payload) string {
	var s string
	if p == nil || converter.GetDefaultDataConverter().FromPayload(p, &s) != nil {
		return ""
	}
	return s
}
