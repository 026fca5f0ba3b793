package storesandbox

import "time"

// Topics of the events the model tells its watchers of.
const (
	TopicOrderCreated    = "order.created"
	TopicOrderUpdated    = "order.updated"
	TopicOrderCancelled  = "order.cancelled"
	TopicOrderEdited     = "order.edited"
	TopicOrderFulfilled  = "order.fulfilled"
	TopicRefundCreated   = "refund.created"
	TopicCustomerCreated = "customer.created"
	TopicCustomerUpdated = "customer.updated"
)

// An Event is a change of the model. ID is unique to the event, so that a
// sender's retries of one event can carry it.
type Event struct {
	ID         int64     `json:"id"`
	Topic      string    `json:"topic"`
	OrderID    int64     `json:"order_id,omitempty"`
	CustomerID int64     `json:"customer_id,omitempty"`
	At         time.Time `json:"at"`
}

// OrderChanged reports whether the event is a change of an existing order
// that a synced order must follow: a cancellation, an edit or a refund.
func (e Event) OrderChanged() bool {
	switch e.Topic {
	case TopicOrderCancelled, TopicOrderEdited, TopicRefundCreated:
		return true
	}
	return false
}

// Watch calls watch with every later event, in the goroutine that made the
// change, after the change is stored; watch must not block for long.
func (m *Model) Watch(watch func(Event)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.watchers = append(m.watchers, watch)
}

// notify hands ev to watchers.
func notify(watchers []func(Event), ev Event) {
	for _, w := range watchers {
		w(ev)
	}
}
