package bcstoresandbox

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// RetrySchedule is how long BigCommerce waits before each retry of a
// callback that was not answered with a 2xx: about 48 hours in all, after
// which the hook is deactivated.
var RetrySchedule = []time.Duration{
	60 * time.Second, 180 * time.Second, 300 * time.Second, 600 * time.Second,
	900 * time.Second, 1800 * time.Second, time.Hour, 2 * time.Hour, 6 * time.Hour,
	14 * time.Hour, 24 * time.Hour,
}

// Scopes of the events the model tells of.
const (
	ScopeOrderCreated       = "store/order/created"
	ScopeOrderUpdated       = "store/order/updated"
	ScopeOrderStatusUpdated = "store/order/statusUpdated"
	ScopeOrderRefundCreated = "store/order/refund/created"
	ScopeShipmentCreated    = "store/shipment/created"
	ScopeCustomerCreated    = "store/customer/created"
	ScopeCustomerUpdated    = "store/customer/updated"
)

// Hook is a webhook registration as /v3/hooks answers it.
type Hook struct {
	ID          int64             `json:"id"`
	ClientID    string            `json:"client_id"`
	StoreHash   string            `json:"store_hash"`
	Scope       string            `json:"scope"`
	Destination string            `json:"destination"`
	IsActive    bool              `json:"is_active"`
	Headers     map[string]string `json:"headers"`
	CreatedAt   int64             `json:"created_at"`
	UpdatedAt   int64             `json:"updated_at"`
}

// matches reports whether the hook is for scope: the same scope, or a
// wildcard such as "store/order/*" above it.
func (h Hook) matches(scope string) bool {
	if prefix, ok := strings.CutSuffix(h.Scope, "*"); ok {
		return strings.HasPrefix(scope, prefix)
	}
	return h.Scope == scope
}

// hookInput is the body of a create or an update; fields left out of an
// update keep their value.
type hookInput struct {
	Scope       *string           `json:"scope"`
	Destination *string           `json:"destination"`
	IsActive    *bool             `json:"is_active"`
	Headers     map[string]string `json:"headers"`
}

// hooks holds the registrations and delivers the model's events to them.
type hooks struct {
	s      *Sandbox
	life   context.Context
	sender *storesandbox.Sender

	mu     sync.Mutex
	lastID int64
	all    map[int64]*Hook
}

// newHooks returns the hooks of s, delivering under life.
func newHooks(s *Sandbox, life context.Context) *hooks {
	h := &hooks{s: s, life: life, all: map[int64]*Hook{}}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &outcomes{gaveUp: h.deactivate}}
	h.sender = &storesandbox.Sender{Client: client, Schedule: RetrySchedule}
	return h
}

// Subscribe registers a hook for scope at destination, with headers sent
// on every callback, as POST /v3/hooks does.
func (s *Sandbox) Subscribe(scope, destination string, headers map[string]string) (Hook,
	error) {
	active := true
	in := hookInput{Scope: &scope, Destination: &destination, IsActive: &active,
		Headers: headers}
	if bad := in.check(true); len(bad) > 0 {
		return Hook{}, fmt.Errorf("subscribe %s to %s: %v", scope, destination, bad)
	}
	return s.hooks.add(in), nil
}

// Hooks returns the registrations, by id.
func (s *Sandbox) Hooks() []Hook { return s.hooks.snapshot() }

// add stores a new hook from a checked input.
func (h *hooks) add(in hookInput) Hook {
	h.mu.Lock()
	defer h.mu.Unlock()

	h.lastID++
	now := h.s.now().Unix()
	hook := &Hook{ID: h.lastID, ClientID: h.s.creds.ClientID, StoreHash: h.s.creds.StoreHash,
		Scope: *in.Scope, Destination: *in.Destination, IsActive: true,
		Headers: maps.Clone(in.Headers), CreatedAt: now, UpdatedAt: now}
	if in.IsActive != nil {
		hook.IsActive = *in.IsActive
	}
	if hook.Headers == nil {
		hook.Headers = map[string]string{}
	}
	h.all[hook.ID] = hook
	return copyHook(hook)
}

func (h *hooks) snapshot() []Hook {
	h.mu.Lock()
	defer h.mu.Unlock()

	out := make([]Hook, 0, len(h.all))
	for _, hook := range h.all {
		out = append(out, copyHook(hook))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func copyHook(h *Hook) Hook {
	c := *h
	c.Headers = maps.Clone(h.Headers)
	return c
}

// list answers GET /v3/hooks, filtered by is_active, scope and destination.
func (h *hooks) list(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	p, ok := readPaging(w, q, 3, 50, 250)
	if !ok {
		return
	}

	var found []Hook
	for _, hook := range h.snapshot() {
		if (q.Get("is_active") == "" || q.Get("is_active") == strconv.FormatBool(hook.IsActive)) &&
			(q.Get("scope") == "" || q.Get("scope") == hook.Scope) &&
			(q.Get("destination") == "" || q.Get("destination") == hook.Destination) {
			found = append(found, hook)
		}
	}
	page, meta := cut(found, p)
	writeData(w, page, meta)
}

// create answers POST /v3/hooks.
func (h *hooks) create(w http.ResponseWriter, _ *http.Request, body []byte) {
	in, ok := readHook(w, body, true)
	if ok {
		writeData(w, h.add(in), nil)
	}
}

// get answers GET /v3/hooks/{id}.
func (h *hooks) get(w http.ResponseWriter, r *http.Request, _ []byte) {
	hook, ok := h.find(w, r)
	if ok {
		writeData(w, hook, nil)
	}
}

// update answers PUT /v3/hooks/{id}; reactivating a hook is how
// BigCommerce has one deactivated after failed retries delivered again.
func (h *hooks) update(w http.ResponseWriter, r *http.Request, body []byte) {
	hook, ok := h.find(w, r)
	if !ok {
		return
	}
	in, ok := readHook(w, body, false)
	if !ok {
		return
	}

	h.mu.Lock()
	stored := h.all[hook.ID]
	if in.Scope != nil {
		stored.Scope = *in.Scope
	}
	if in.Destination != nil {
		stored.Destination = *in.Destination
	}
	if in.IsActive != nil {
		stored.IsActive = *in.IsActive
	}
	if in.Headers != nil {
		stored.Headers = maps.Clone(in.Headers)
	}
	stored.UpdatedAt = h.s.now().Unix()
	out := copyHook(stored)
	h.mu.Unlock()
	writeData(w, out, nil)
}

// remove answers DELETE /v3/hooks/{id} with the hook it deleted.
func (h *hooks) remove(w http.ResponseWriter, r *http.Request, _ []byte) {
	hook, ok := h.find(w, r)
	if !ok {
		return
	}
	h.mu.Lock()
	delete(h.all, hook.ID)
	h.mu.Unlock()
	writeData(w, hook, nil)
}

// find returns the hook the path names, or answers 404 and reports false.
func (h *hooks) find(w http.ResponseWriter, r *http.Request) (Hook, bool) {
	id, ok := pathID(w, r, 3, "id")
	if !ok {
		return Hook{}, false
	}
	h.mu.Lock()
	hook, ok := h.all[id]
	h.mu.Unlock()
	if !ok {
		writeError(w, 3, http.StatusNotFound, fmt.Sprintf("Webhook with id [%d] not found", id),
			nil)
		return Hook{}, false
	}
	return copyHook(hook), true
}

// deactivate marks the hook inactive, as BigCommerce does once a callback
// failed its last retry.
func (h *hooks) deactivate(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if hook, ok := h.all[id]; ok {
		hook.IsActive = false
		hook.UpdatedAt = h.s.now().Unix()
	}
}

// readHook reads a create (or an update) of a hook, or answers 400 or 422
// and reports false.
func readHook(w http.ResponseWriter, body []byte, create bool) (hookInput, bool) {
	var in hookInput
	if !decodeBody(w, 3, body, &in) {
		return in, false
	}
	if bad := in.check(create); len(bad) > 0 {
		writeError(w, 3, http.StatusUnprocessableEntity, "JSON data is missing or invalid", bad)
		return in, false
	}
	return in, true
}

// check returns the fields of in that BigCommerce refuses, by name; a
// create needs a scope and a destination.
func (in hookInput) check(create bool) map[string]string {
	bad := map[string]string{}
	switch {
	case in.Scope == nil && create:
		bad["scope"] = "error.path.missing"
	case in.Scope != nil && !strings.HasPrefix(*in.Scope, "store/"):
		bad["scope"] = "scope " + strconv.Quote(*in.Scope) + " is not a webhook scope"
	}
	switch {
	case in.Destination == nil && create:
		bad["destination"] = "error.path.missing"
	case in.Destination != nil:
		if err := checkDestination(*in.Destination); err != nil {
			bad["destination"] = err.Error()
		}
	}
	return bad
}

// checkDestination accepts what BigCommerce accepts, an https URL on port
// 443, and, since a sandbox's subscribers listen on loopback, any http or
// https URL of a loopback host.
func checkDestination(dest string) error {
	u, err := url.Parse(dest)
	if err != nil || u.Host == "" {
		return errors.New("the destination is not an absolute URL")
	}
	if host := u.Hostname(); host == "localhost" || net.ParseIP(host).IsLoopback() {
		if u.Scheme == "http" || u.Scheme == "https" {
			return nil
		}
	}
	if u.Scheme != "https" || (u.Port() != "" && u.Port() != "443") {
		return errors.New("the destination must be an https URL served on port 443")
	}
	return nil
}
