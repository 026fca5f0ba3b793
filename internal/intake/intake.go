// Package intake receives store webhooks: it checks each delivery's
// signature, drops replays, and starts the sync workflow, answering in
// milliseconds while the sync itself runs later on a worker.
package intake

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/config"
)

// Headers of a signed order webhook. The signature is the base64 HMAC-SHA256
// of the raw body keyed with the store's webhook secret.
const (
	HeaderSignature = "X-Erpsync-Hmac-Sha256"
	HeaderDelivery  = "X-Erpsync-Delivery-Id"
)

// MaxBody is the largest webhook body accepted.
const MaxBody = 1 << 20

// Outcomes reported in the "status" field of a webhook answer.
const (
	OutcomeStarted        = "started"
	OutcomeAlreadyStarted = "already_started"
	OutcomeReplay         = "replay"
)

// Starter starts the sync of one store order. It reports started false when
// a sync with the same workflow id already runs or ran: starting twice is a
// no-op.
type Starter interface {
	StartOrderSync(ctx context.Context, store, orderID string) (workflowID string,
		started bool, err error)
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
}

// Handler serves POST /webhooks/orders/{store}.
type Handler struct {
	stores     map[string]config.Store
	starter    Starter
	deliveries Deliveries
	log        *zap.Logger
	workflowID func(store, orderID string) string
}

// NewHandler returns a Handler for the configured stores. workflowID maps an
// order to the id of its sync workflow.
func NewHandler(stores map[string]config.Store, s Starter, d Deliveries, log *zap.Logger,
	workflowID func(store, orderID string) string) *Handler {
	return &Handler{stores: stores, starter: s, deliveries: d, log: log, workflowID: workflowID}
}

// Register adds the handler's routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /webhooks/orders/{store}", h.serveOrder)
}

// answer is the JSON body of every webhook response.
type answer struct {
	Status     string `json:"status"`
	WorkflowID string `json:"workflow_id,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

func (h *Handler) serveOrder(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	storeName := r.PathValue("store")
	code, a := h.intake(r, storeName)

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(a) // the client may have gone; nothing to do then

	h.log.Info("order webhook", zap.String("store", storeName), zap.Int("code", code),
		zap.String("outcome", a.Status), zap.String("workflow_id", a.WorkflowID),
		zap.Duration("took", time.Since(began)))
}

// intake runs the checks in order and returns the status code and answer.
func (h *Handler) intake(r *http.Request, storeName string) (int, answer) {
	st, ok := h.stores[storeName]
	if !ok {
		return refuse(http.StatusNotFound, "unknown store "+storeName)
	}

	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return refuse(http.StatusRequestEntityTooLarge, "body is larger than 1 MiB")
	}
	if err != nil {
		return refuse(http.StatusBadRequest, "body could not be read")
	}

	if reason := verify(st.WebhookSecret, body, r.Header.Get(HeaderSignature)); reason != "" {
		return refuse(http.StatusUnauthorized, reason)
	}

	orderID, reason := parseOrderID(body)
	if reason != "" {
		return refuse(http.StatusBadRequest, reason)
	}

	d := Delivery{
		Store:      storeName,
		ID:         deliveryID(r.Header.Get(HeaderDelivery), body),
		Topic:      "orders",
		ResourceID: orderID,
		WorkflowID: h.workflowID(storeName, orderID),
	}
	return h.start(r.Context(), d)
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
		return http.StatusOK, answer{Status: OutcomeReplay, WorkflowID: d.WorkflowID}
	}

	id, started, err := h.starter.StartOrderSync(ctx, d.Store, d.ResourceID)
	if err != nil {
		h.log.Error("order sync not started", zap.String("workflow_id", d.WorkflowID),
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

// verify checks the base64 HMAC-SHA256 signature of body in constant time.
// It returns the reason for refusing, or "" when the signature is good.
func verify(secret string, body []byte, signature string) string {
	if signature == "" {
		return "missing " + HeaderSignature + " header"
	}
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return HeaderSignature + " is not base64"
	}

	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return "signature does not match the body"
	}
	return ""
}

// Sign returns the signature header value for body, as a store computes it.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// deliveryID returns the delivery id the store sent, or, for stores that
// send none, a digest of the body: a byte-identical replay is then still
// recognised.
func deliveryID(header string, body []byte) string {
	if header != "" && len(header) <= 200 {
		return header
	}
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func refuse(code int, reason string) (int, answer) {
	return code, answer{Status: "refused", Reason: reason}
}
