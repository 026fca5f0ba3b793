// Package schedules keeps the Temporal Schedules that start inventory sync,
// one per store: it creates or updates them to the configuration, pauses
// and resumes them, and describes them.
package schedules

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/erpsync/erpsync/workflows"
)

// ID returns the id of the inventory schedule of a store. The workflows it
// starts carry the same id, followed by the time of each start.
func ID(store string) string { return workflows.InventoryWorkflowID(store) }

// Plan is a schedule that one store should have: of inventory sync when
// Workflow is empty, else of the workflow named, whose runs and schedule
// have the id FlowID gives.
type Plan struct {
	Store     string
	Every     time.Duration
	TaskQueue string
	Input     any

	Flow     string
	Workflow string
}

// FlowID returns the id of the schedule of flow ("catalog", ...) of store.
func FlowID(flow, store string) string { return workflows.FlowWorkflowID(flow, store) }

// id returns the id of the plan's schedule.
func (p Plan) id() string {
	if p.Flow == "" {
		return ID(p.Store)
	}
	return FlowID(p.Flow, p.Store)
}

// workflow returns the name of the workflow the plan starts.
func (p Plan) workflow() string {
	if p.Workflow == "" {
		return workflows.InventorySyncName
	}
	return p.Workflow
}

// note says what the plan's schedule does.
func (p Plan) note() string {
	if p.Flow == "" {
		return "inventory sync of store " + p.Store
	}
	return p.Flow + " of store " + p.Store
}

// Outcomes of [Apply] for one schedule.
const (
	Created = "created"
	Updated = "updated"
)

// Applied says what [Apply] did to the schedule of a store.
type Applied struct {
	Store   string `json:"store"`
	ID      string `json:"schedule_id"`
	Outcome string `json:"outcome"`
	Paused  bool   `json:"paused"`
}

// Apply creates the schedule of each plan, or updates it to the plan when
// it exists, keeping whether it is paused. It is safe to run again.
func Apply(ctx context.Context, c client.Client, plans []Plan) ([]Applied, error) {
	out := make([]Applied, 0, len(plans))
	for _, p := range plans {
		a, err := apply(ctx, c, p)
		if err != nil {
			return out, fmt.Errorf("apply schedule %s: %w", p.id(), err)
		}
		out = append(out, a)
	}
	return out, nil
}

func apply(ctx context.Context, c client.Client, p Plan) (Applied, error) {
	a := Applied{Store: p.Store, ID: p.id(), Outcome: Created}
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:      a.ID,
		Spec:    spec(p),
		Action:  action(p),
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Note:    p.note(),
	})
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return a, err
	}

	a.Outcome = Updated
	err = c.ScheduleClient().GetHandle(ctx, a.ID).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			s := in.Description.Schedule
			sp := spec(p)
			s.Spec, s.Action = &sp, action(p)
			if s.Policy == nil {
				s.Policy = &client.SchedulePolicies{}
			}
			s.Policy.Overlap = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP
			if s.State != nil {
				a.Paused = s.State.Paused
			}
			return &client.ScheduleUpdate{Schedule: &s}, nil
		},
	})
	return a, err
}

func spec(p Plan) client.ScheduleSpec {
	return client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: p.Every}}}
}

func action(p Plan) *client.ScheduleWorkflowAction {
	return &client.ScheduleWorkflowAction{
		ID:        p.id(),
		Workflow:  p.workflow(),
		Args:      []any{p.Input},
		TaskQueue: p.TaskQueue,
	}
}

// Pause stops the schedule of store from starting syncs until it is
// resumed; note says why, and shows in the Web UI.
func Pause(ctx context.Context, c client.Client, store, note string) error {
	err := c.ScheduleClient().GetHandle(ctx, ID(store)).Pause(ctx,
		client.SchedulePauseOptions{Note: note})
	if err != nil {
		return fmt.Errorf("pause the inventory schedule of store %s: %w", store, err)
	}
	return nil
}

// Resume lets the schedule of store start syncs again.
func Resume(ctx context.Context, c client.Client, store, note string) error {
	err := c.ScheduleClient().GetHandle(ctx, ID(store)).Unpause(ctx,
		client.ScheduleUnpauseOptions{Note: note})
	if err != nil {
		return fmt.Errorf("resume the inventory schedule of store %s: %w", store, err)
	}
	return nil
}

// Status describes the schedule of a store.
type Status struct {
	Store   string        `json:"store"`
	ID      string        `json:"schedule_id"`
	Every   time.Duration `json:"every"`
	Paused  bool          `json:"paused"`
	Note    string        `json:"note,omitempty"`
	Next    time.Time     `json:"next,omitzero"`
	Last    time.Time     `json:"last,omitzero"`
	Started int64         `json:"started"`
	Skipped int64         `json:"skipped"`
}

// Describe returns the status of the inventory schedule of store.
func Describe(ctx context.Context, c client.Client, store string) (Status, error) {
	return DescribeID(ctx, c, store, ID(store))
}

// DescribeID returns the status of the schedule id of store.
func DescribeID(ctx context.Context, c client.Client, store, id string) (Status, error) {
	d, err := c.ScheduleClient().GetHandle(ctx, id).Describe(ctx)
	if err != nil {
		return Status{}, fmt.Errorf("describe schedule %s: %w", id, err)
	}

	st := Status{Store: store, ID: id, Started: int64(d.Info.NumActions),
		Skipped: int64(d.Info.NumActionsSkippedOverlap)}
	if sp := d.Schedule.Spec; sp != nil && len(sp.Intervals) > 0 {
		st.Every = sp.Intervals[0].Every
	}
	if s := d.Schedule.State; s != nil {
		st.Paused, st.Note = s.Paused, s.Note
	}
	if len(d.Info.NextActionTimes) > 0 {
		st.Next = d.Info.NextActionTimes[0]
	}
	if n := len(d.Info.RecentActions); n > 0 {
		st.Last = d.Info.RecentActions[n-1].ActualTime
	}
	return st, nil
}
