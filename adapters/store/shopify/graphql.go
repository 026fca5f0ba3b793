package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/httpretry"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// Limits of the adapter's patience with the rate limit: a request waits
// for the bucket at most maxPaceWait, and a THROTTLED answer is sent again
// at most maxThrottled times, before the caller gets a
// [syncerr.RateLimitedError] with the wait.
const (
	maxPaceWait  = 5 * time.Second
	maxThrottled = 2
)

// maxBody bounds the answers the adapter reads.
const maxBody = 8 << 20

// gqlRequest is the body of a GraphQL request.
type gqlRequest struct {
	Query     string `json:"query"`
	Variables any    `json:"variables,omitempty"`
}

// gqlAnswer is the body of a GraphQL answer. Errors is a list of errors,
// or, on refused credentials and other HTTP errors, a string.
type gqlAnswer struct {
	Data       json.RawMessage `json:"data"`
	Errors     json.RawMessage `json:"errors"`
	Extensions struct {
		Cost queryCost `json:"cost"`
	} `json:"extensions"`
}

// gqlError is one GraphQL error.
type gqlError struct {
	Message    string `json:"message"`
	Path       []any  `json:"path"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// Codes of GraphQL errors that the adapter tells apart.
const (
	codeThrottled      = "THROTTLED"
	codeAccessDenied   = "ACCESS_DENIED"
	codeInternal       = "INTERNAL_SERVER_ERROR"
	codeMaxCostExceeds = "MAX_COST_EXCEEDED"
)

// throttledError is a THROTTLED answer and how long the bucket needs to
// hold the query's cost.
type throttledError struct{ wait time.Duration }

func (e *throttledError) Error() string {
	return fmt.Sprintf("throttled by the query cost limit for %s", e.wait)
}

// query sends the operation op (a name for logs and pacing) with vars and
// decodes its data into out. It is for operations that are safe to send
// again: reads, absolute writes and idempotent inventory writes, which the
// HTTP client may resend after a lost answer. It waits for the cost bucket,
// and sends a THROTTLED query again after the wait that its answer
// computes, up to a limit.
func (s *Store) query(ctx context.Context, op, q string, vars, out any) error {
	return s.send(ctx, op, q, vars, out, true)
}

// mutate sends a mutation that would apply twice if it were sent twice,
// such as fulfillmentCreate, as query does, except that the HTTP client
// does not resend it after a lost answer: the caller looks before it
// sends it again. A THROTTLED answer is still sent again, since Shopify
// ran nothing of it.
func (s *Store) mutate(ctx context.Context, op, q string, vars, out any) error {
	return s.send(ctx, op, q, vars, out, false)
}

// send sends one operation; safe says whether the HTTP client may resend
// it after a lost answer.
func (s *Store) send(ctx context.Context, op, q string, vars, out any, safe bool) error {
	body, err := json.Marshal(gqlRequest{Query: q, Variables: vars})
	if err != nil {
		return fmt.Errorf("%s: encode request: %w", op, err)
	}

	for attempt := 0; ; attempt++ {
		if err := s.paceFor(ctx, op); err != nil {
			return err
		}
		err := s.exchange(ctx, op, body, safe, out)
		var throttled *throttledError
		if !errors.As(err, &throttled) {
			return err
		}
		if attempt >= maxThrottled || throttled.wait > maxPaceWait {
			return fmt.Errorf("%s: %w", op, &syncerr.RateLimitedError{RetryAfter: throttled.wait})
		}
		s.log.Debug("throttled, waiting", zap.String(fieldOperation, op),
			zap.Duration(fieldWait, throttled.wait))
		if err := sleep(ctx, throttled.wait); err != nil {
			return err
		}
	}
}

// paceFor waits until the bucket holds what op is expected to cost, or
// returns a [syncerr.RateLimitedError] when that would take too long.
func (s *Store) paceFor(ctx context.Context, op string) error {
	for range 3 {
		wait := s.pace.reserve(op, s.now())
		if wait == 0 {
			return nil
		}
		if wait > maxPaceWait {
			return fmt.Errorf("%s: %w", op, &syncerr.RateLimitedError{RetryAfter: wait})
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
	return nil
}

// exchange makes one HTTP exchange and translates its answer. A token the
// shop refuses is replaced once, when it came from the client credentials
// grant, since the shop may revoke one before it expires.
func (s *Store) exchange(ctx context.Context, op string, body []byte, safe bool,
	out any) error {
	token, err := s.tokens.get(ctx, "")
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	resp, err := s.post(ctx, body, token, safe)
	if err == nil && resp.StatusCode == http.StatusUnauthorized && s.tokens.renewable() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
		if token, err = s.tokens.get(ctx, token); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		resp, err = s.post(ctx, body, token, safe)
	}
	if err != nil {
		return fmt.Errorf("%s: %w: %w", op, syncerr.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("%s: read answer: %w: %w", op, syncerr.ErrUnavailable, err)
	}

	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %w", op, httpError(resp, raw))
	}
	return s.decode(op, raw, out)
}

// post sends one GraphQL request with token, marked safe to resend when
// safe is set.
func (s *Store) post(ctx context.Context, body []byte, token string,
	safe bool) (*http.Response, error) {
	if safe {
		ctx = httpretry.Idempotent(ctx)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint,
		bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Shopify-Access-Token", token)
	return s.hc.Do(req)
}

// decode reads a 200 answer: its cost, its errors, and its data into out.
func (s *Store) decode(op string, raw []byte, out any) error {
	var a gqlAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("%s: malformed answer: %w: %w", op, syncerr.ErrUnavailable, err)
	}
	s.pace.observe(op, a.Extensions.Cost, s.now())

	if len(a.Errors) > 0 && !bytes.Equal(a.Errors, []byte("null")) {
		return fmt.Errorf("%s: %w", op, graphQLErrors(a.Errors, a.Extensions.Cost))
	}
	if len(a.Data) == 0 || bytes.Equal(a.Data, []byte("null")) {
		return fmt.Errorf("%s: answer has no data: %w", op, syncerr.ErrUnavailable)
	}
	if err := json.Unmarshal(a.Data, out); err != nil {
		return fmt.Errorf("%s: malformed data: %w: %w", op, syncerr.ErrUnavailable, err)
	}
	return nil
}

// graphQLErrors translates the errors of a 200 answer: THROTTLED to a wait,
// ACCESS_DENIED to refused credentials, internal errors to unavailable, and
// any other to an invalid request naming the path at fault.
func graphQLErrors(raw json.RawMessage, cost queryCost) error {
	var errs []gqlError
	if err := json.Unmarshal(raw, &errs); err != nil || len(errs) == 0 {
		return fmt.Errorf("malformed errors %s: %w", truncate(string(raw)),
			syncerr.ErrUnavailable)
	}
	first := errs[0]
	switch first.Extensions.Code {
	case codeThrottled:
		ts := cost.ThrottleStatus
		return &throttledError{wait: waitFor(max(cost.RequestedQueryCost, 1),
			ts.CurrentlyAvailable, ts.RestoreRate)}
	case codeAccessDenied:
		return &syncerr.AuthError{System: system, Reason: first.Message}
	case codeInternal:
		return fmt.Errorf("%w: %s", syncerr.ErrUnavailable, first.Message)
	}
	return &syncerr.InvalidError{Field: pathOf(first.Path),
		Reason: "shopify refused the query: " + first.Message}
}

// pathOf joins a GraphQL error path.
func pathOf(path []any) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, ".")
}

// httpError translates an answer other than 200.
func httpError(resp *http.Response, raw []byte) error {
	msg := errorMessage(raw)
	switch code := resp.StatusCode; {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return &syncerr.AuthError{System: system, Reason: msg}
	case code == http.StatusTooManyRequests:
		return &syncerr.RateLimitedError{
			RetryAfter: httpretry.RetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	case code == http.StatusNotFound:
		return fmt.Errorf("the shop or api version was not found (%s): %w", msg,
			syncerr.ErrNotFound)
	case code >= 500:
		return fmt.Errorf("http status %d: %s: %w", code, msg, syncerr.ErrUnavailable)
	}
	return &syncerr.InvalidError{Reason: fmt.Sprintf("shopify refused the request with "+
		"http status %d: %s", resp.StatusCode, msg)}
}

// errorMessage reads Shopify's {"errors": ...} body, whose value is a
// string or an object of messages, or returns the start of the body.
func errorMessage(raw []byte) string {
	var body struct {
		Errors json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(raw, &body) != nil || len(body.Errors) == 0 {
		return truncate(strings.TrimSpace(string(raw)))
	}
	var s string
	if json.Unmarshal(body.Errors, &s) == nil {
		return s
	}
	return truncate(string(body.Errors))
}

// truncate keeps error texts short.
func truncate(s string) string {
	const limit = 200
	if len(s) > limit {
		return s[:limit] + "…"
	}
	return s
}

// sleep waits for d, or returns the context's error when it ends first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
