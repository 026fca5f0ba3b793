// Package intake receives store webhooks: it checks each delivery's
// signature, drops replays, and starts the sync workflow, answering in
// milliseconds while the sync itself runs later on a worker.
package intake

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/workflows"
)

// MaxBody is the largest webhook body accepted.
const MaxBody = 1 << 20

// Outcomes reported in the "status" field of a webhook answer.
const (
	OutcomeStarted        = "started"
	OutcomeAlreadyStarted = "already_started"
	OutcomeReplay         = "replay"
	OutcomePing           = "ping"
	OutcomeIgnored        = "ignored"
)

// Starter starts the sync of one store order. It reports started false when
// a sync with the same workflow id already runs or ran: starting twice is a
// no-op.
type Starter interface {
	StartOrderSync(ctx context.Context, store, orderID string) (workflowID string,
		started bool, err error)

	// SyncOrderChanges starts the sync of an order's changes, or tells the
	// one running to look again.
	SyncOrderChanges(ctx context.Context, store, orderID string) (workflowID string, err error)

	// SyncCustomer starts the sync of a store customer, or tells the one
	// running to look again.
	SyncCustomer(ctx context.Context, store, customerID string) (workflowID string, err error)
}

// Deliveries remembers which webhook deliveries led to a started sync.
type Deliveries interface {
	// Claim records a delivery and reports whether an earlier copy of it
	// already started its sync.
	Claim(ctx context.Context, d Delivery) (alreadyStarted bool, err error)

	// MarkStarted notes that the delivery's sync was started.
	MarkStarted(ctx context.Context, store, deliveryID string) error
}

// Delivery is one webhook delivery.
type Delivery struct {
	Store      string
	ID         string
	Topic      string
	ResourceID string
	WorkflowID string

	// Changed says the delivery reports a change of an order; Customer
	// that ResourceID is a customer's id rather than an order's.
	Changed  bool
	Customer bool
}

// Source is where one store's webhooks come from: its platform, which is
// the second segment of their path, and the verifier of its signatures.
type Source struct {
	Platform string
	Verifier store.WebhookVerifier
}

// Handler serves the webhooks of the configured stores.
type Handler struct {
	sources    map[string]Source
	starter    Starter
	deliveries Deliveries
	log        *zap.Logger
	workflowID func(store, orderID string) string
}

// NewHandler returns a Handler for the stores of sources, by store name.
// workflowID maps an order to the id of its sync workflow.
func NewHandler(sources map[string]Source, s Starter, d Deliveries, log *zap.Logger,
	workflowID func(store, orderID string) string) *Handler {
	return &Handler{sources: sources, starter: s, deliveries: d, log: log,
		workflowID: workflowID}
}

// Register adds the handler's routes to mux: POST /webhooks/{platform}/{store},
// and POST /webhooks/orders/{store} for the headless storefront.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /webhooks/orders/{store}", h.serve)
	mux.HandleFunc("POST /webhooks/{platform}/{store}", h.serve)
}

// answer is the JSON body of every webhook response.
type answer struct {
	Status     string `json:"status"`
	WorkflowID string `json:"workflow_id,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	platform, storeName := cmp.Or(r.PathValue("platform"), config.PlatformHeadless),
		r.PathValue("store")
	code, a := h.intake(r, platform, storeName)

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(a) // the client may have gone; nothing to do then

	h.log.Info("webhook", zap.String("platform", platform), zap.String("store", storeName),
		zap.Int("code", code), zap.String("outcome", a.Status),
		zap.String("workflow_id", a.WorkflowID), zap.Duration("took", time.Since(began)))
}

// intake runs the checks in order and returns the status code and answer.
func (h *Handler) intake(r *http.Request, platform, storeName string) (int, answer) {
	src, ok := h.sources[storeName]
	if !ok {
		return refuse(http.StatusNotFound, "unknown store "+storeName)
	}
	if src.Platform != platform {
		return refuse(http.StatusNotFound, fmt.Sprintf("store %s is a %s store, not %s",
			storeName, src.Platform, platform))
	}

	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return refuse(http.StatusRequestEntityTooLarge, "body is larger than 1 MiB")
	}
	if err != nil {
		return refuse(http.StatusBadRequest, "body could not be read")
	}

	wh, err := src.Verifier.VerifyWebhook(store.WebhookDelivery{Header: r.Header, Body: body,
		Received: time.Now()})
	if err != nil {
		return refuse(refusal(err), err.Error())
	}
	return h.accept(r.Context(), storeName, wh)
}

// accept starts the sync of a verified delivery about an order, and
// acknowledges the others.
func (h *Handler) accept(ctx context.Context, storeName string, wh store.Webhook) (int,
	answer) {
	switch {
	case wh.Ping:
		return http.StatusOK, answer{Status: OutcomePing}
	case wh.CustomerID != "":
		return h.startCustomer(ctx, storeName, wh)
	case wh.OrderID == "":
		return http.StatusOK, answer{Status: OutcomeIgnored,
			Reason: fmt.Sprintf("topic %q is not about an order", wh.Topic)}
	case !config.ValidName(wh.OrderID):
		return refuse(http.StatusBadRequest, fmt.Sprintf(
			"order id %q is not 1 to 64 letters, digits, - or _", wh.OrderID))
	}

	return h.start(ctx, Delivery{
		Store:      storeName,
		ID:         wh.ID,
		Topic:      wh.Topic,
		ResourceID: wh.OrderID,
		WorkflowID: h.workflowID(storeName, wh.OrderID),
		Changed:    wh.OrderChanged,
	})
}

// startCustomer starts or signals the sync of the customer of a verified
// delivery.
func (h *Handler) startCustomer(ctx context.Context, storeName string, wh store.Webhook) (int,
	answer) {
	if !config.ValidName(wh.CustomerID) {
		return refuse(http.StatusBadRequest, fmt.Sprintf(
			"customer id %q is not 1 to 64 letters, digits, - or _", wh.CustomerID))
	}
	d := Delivery{Store: storeName, ID: wh.ID, Topic: wh.Topic, ResourceID: wh.CustomerID,
		WorkflowID: workflows.CustomerWorkflowID(storeName, wh.CustomerID), Customer: true}
	return h.start(ctx, d)
}

// refusal is the status that answers a delivery the verifier refused.
func refusal(err error) int {
	switch {
	case errors.Is(err, store.ErrBadSignature):
		return http.StatusUnauthorized
	case errors.Is(err, store.ErrStale):
		return http.StatusConflict
	default:
		return http.StatusBadRequest
	}
}

// start claims the delivery and starts its sync. A delivery is marked started
// only after the workflow start succeeded, so a delivery that failed to start
// is started by the store's next retry rather than dropped as a replay.
func (h *Handler) start(ctx context.Context, d Delivery) (int, answer) {
	seen, err := h.deliveries.Claim(ctx, d)
	if err != nil {
		h.log.Error("webhook delivery not recorded", zap.String("store", d.Store), zap.Error(err))
		return refuse(http.StatusServiceUnavailable, "delivery could not be recorded; retry later")
	}
	if seen {
		return h.replay(ctx, d)
	}

	id, started, err := h.startSyncs(ctx, d)
	if err != nil {
		h.log.Error("sync not started", zap.String("workflow_id", d.WorkflowID),
			zap.Error(err))
		return refuse(http.StatusServiceUnavailable, "sync could not be started; retry later")
	}

	if err := h.deliveries.MarkStarted(ctx, d.Store, d.ID); err != nil {
		// The sync runs; a replay of this delivery will find it running.
		h.log.Warn("webhook delivery not marked started", zap.String("workflow_id", id),
			zap.Error(err))
	}
	if !started {
		return http.StatusOK, answer{Status: OutcomeAlreadyStarted, WorkflowID: id}
	}
	return http.StatusAccepted, answer{Status: OutcomeStarted, WorkflowID: id}
}

// replay answers a delivery seen before. A change of an order or of a
// customer is looked at again all the same: that is harmless, and a
// platform whose delivery ids name the record and its time to the second
// gives two changes within one second the same id.
func (h *Handler) replay(ctx context.Context, d Delivery) (int, answer) {
	var err error
	id := d.WorkflowID
	switch {
	case d.Customer:
		id, err = h.starter.SyncCustomer(ctx, d.Store, d.ResourceID)
	case d.Changed:
		id, err = h.starter.SyncOrderChanges(ctx, d.Store, d.ResourceID)
	}
	if err != nil {
		h.log.Error("sync not signalled", zap.String("workflow_id", id), zap.Error(err))
		return refuse(http.StatusServiceUnavailable, "sync could not be started; retry later")
	}
	return http.StatusOK, answer{Status: OutcomeReplay, WorkflowID: id}
}

// startSyncs starts what a delivery asks for. A change of an order starts
// its sync too, which is a no-op when the order is synced already and the
// backstop when its creation webhook was lost.
func (h *Handler) startSyncs(ctx context.Context, d Delivery) (string, bool, error) {
	if d.Customer {
		id, err := h.starter.SyncCustomer(ctx, d.Store, d.ResourceID)
		return id, true, err
	}
	id, started, err := h.starter.StartOrderSync(ctx, d.Store, d.ResourceID)
	if err != nil || !d.Changed {
		return id, started, err
	}
	id, err = h.starter.SyncOrderChanges(ctx, d.Store, d.ResourceID)
	return id, true, err
}

func refuse(code int, reason string) (int, answer) {
	return code, answer{Status: "refused", Reason: reason}
}
