package bigcommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/syncerr"
)

// maxBody bounds the answers the adapter reads.
const maxBody = 32 << 20

// throttledAttempts is how many times a call is sent while BigCommerce
// answers it with 429.
const throttledAttempts = 3

// call is one request of the API.
type call struct {
	method string
	path   string // below the store's API root, such as "/v2/orders/5"
	query  url.Values
	body   any
}

// String names the call in errors, without its query, which may hold
// customer data.
func (c call) String() string { return c.method + " " + c.path }

// do sends c and decodes a 2xx answer that has a body into out (when not
// nil), and returns the status. It waits while the store's quota is spent,
// and sends c again after a 429 when the wait is short; errors are
// translated into syncerr.
func (s *Store) do(ctx context.Context, c call, out any) (int, error) {
	var payload []byte
	if c.body != nil {
		var err error
		if payload, err = json.Marshal(c.body); err != nil {
			return 0, fmt.Errorf("%s: encode request: %w", c, err)
		}
	}

	for attempt := 1; ; attempt++ {
		if err := s.limit.wait(ctx, s.cfg.MaxWait); err != nil {
			return 0, fmt.Errorf("%s: %w", c, err)
		}
		resp, err := s.send(ctx, c, payload)
		if err != nil {
			return 0, fmt.Errorf("%s: %w: %w", c, syncerr.ErrUnavailable, transportCause(err))
		}
		s.limit.observe(resp.Header)

		if resp.StatusCode == http.StatusTooManyRequests {
			drain(resp)
			if err := s.throttled(c, resp.Header, attempt); err != nil {
				return 0, err
			}
			continue
		}
		return resp.StatusCode, read(resp, c, out)
	}
}

// throttled handles a 429: it has the limiter hold the next attempt for as
// long as BigCommerce asked, or returns a RateLimitedError when the wait is
// too long or the attempts are spent.
func (s *Store) throttled(c call, h http.Header, attempt int) error {
	wait := throttleWait(h)
	s.log.Warn("bigcommerce rate limit reached", zap.String(fieldCall, c.String()),
		zap.Duration(fieldWait, wait), zap.Int(fieldAttempt, attempt))
	if attempt >= throttledAttempts || wait > s.cfg.MaxWait {
		return fmt.Errorf("%s: %w", c, &syncerr.RateLimitedError{RetryAfter: wait})
	}
	s.limit.hold(wait)
	return nil
}

// readPages reads every page of the V3 collection at path, 250 records a
// page, filtered by q.
func readPages[T any](ctx context.Context, s *Store, path string, q url.Values) ([]T, error) {
	var all []T
	for page := 1; ; page++ {
		var out struct {
			Data []T `json:"data"`
			Meta struct {
				Pagination struct {
					TotalPages int `json:"total_pages"`
				} `json:"pagination"`
			} `json:"meta"`
		}
		q.Set("page", strconv.Itoa(page))
		q.Set("limit", "250")
		if _, err := s.do(ctx, call{method: http.MethodGet, path: path, query: q},
			&out); err != nil {
			return nil, err
		}
		all = append(all, out.Data...)
		if page >= out.Meta.Pagination.TotalPages {
			return all, nil
		}
	}
}

// send makes one HTTP exchange of c.
func (s *Store) send(ctx context.Context, c call, payload []byte) (*http.Response, error) {
	u := s.api + c.path
	if len(c.query) > 0 {
		u += "?" + c.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, u, body)
	if err != nil {
		return nil, err
	}

	req.Header.Set("X-Auth-Token", s.cfg.AccessToken)
	req.Header.Set("Accept", "application/json")
	if s.cfg.ClientID != "" {
		req.Header.Set("X-Auth-Client", s.cfg.ClientID)
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return s.hc.Do(req)
}

// transportCause drops the URL that a transport error quotes: its query may
// hold customer data.
func transportCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// read decodes a 2xx answer into out, or translates an error answer. A
// 204, or an empty body, leaves out alone.
func read(resp *http.Response, c call, out any) error {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("%s: read answer: %w: %w", c, syncerr.ErrUnavailable, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s: %w", c, translate(parseAPIError(resp.StatusCode, body)))
	}

	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("%s: malformed answer from bigcommerce: %w: %w", c,
			syncerr.ErrUnavailable, err)
	}
	return nil
}

// drain reads what is left of a body and closes it, so that the connection
// can be used again.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// apiError is an error answered by BigCommerce: V2 answers a list of
// {"status","message"}, V3 a problem object {"status","title","errors"},
// and batch updates a list of those in "batch_errors".
type apiError struct {
	status  int
	message string
	fields  map[string]string
}

// Error names the status, the message and the fields at fault.
func (e *apiError) Error() string {
	msg := fmt.Sprintf("http status %d", e.status)
	if e.message != "" {
		msg += ": " + e.message
	}
	for _, f := range e.fieldNames() {
		msg += "; " + f + ": " + e.fields[f]
	}
	return msg
}

// fieldNames returns the fields at fault in order.
func (e *apiError) fieldNames() []string {
	names := make([]string, 0, len(e.fields))
	for f := range e.fields {
		names = append(names, f)
	}
	sort.Strings(names)
	return names
}

// problemBody is a V3 error. Its errors are the fields at fault, or, in
// the answer of a batch write of metafields that partly failed, the
// problems of the items refused.
type problemBody struct {
	Title  string          `json:"title"`
	Detail string          `json:"detail"`
	Errors json.RawMessage `json:"errors"`
	Batch  []problemBody   `json:"batch_errors"`
}

// parseAPIError reads the error in body, whichever shape it has.
func parseAPIError(status int, body []byte) *apiError {
	e := &apiError{status: status}
	var v2 []struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &v2) == nil && len(v2) > 0 {
		msgs := make([]string, len(v2))
		for i, m := range v2 {
			msgs[i] = m.Message
		}
		e.message = strings.Join(msgs, "; ")
		return e
	}

	var p problemBody
	if json.Unmarshal(body, &p) != nil {
		return e
	}
	var items []problemBody
	if json.Unmarshal(p.Errors, &items) == nil && len(items) > 0 {
		p.Batch = items
	}
	if len(p.Batch) > 0 {
		p = p.Batch[0]
	}
	e.message = strings.TrimSpace(strings.TrimSpace(p.Title + " " + p.Detail))
	e.fields = map[string]string{}
	var fields map[string]any
	_ = json.Unmarshal(p.Errors, &fields) // absent or a list: no field named
	for f, v := range fields {
		e.fields[f] = fmt.Sprint(v)
	}
	return e
}

// translate maps an API error: 401 and 403 to refused credentials, 404 to
// not found, 408 and 5xx to unavailable, and any other status to an
// invalid request naming the first field at fault with BigCommerce's
// message.
func translate(e *apiError) error {
	switch {
	case e.status == http.StatusUnauthorized || e.status == http.StatusForbidden:
		return &syncerr.AuthError{System: system, Reason: e.Error()}
	case e.status == http.StatusNotFound:
		return fmt.Errorf("%w: %w", syncerr.ErrNotFound, e)
	case e.status >= 500 || e.status == http.StatusRequestTimeout:
		return fmt.Errorf("%w: %w", syncerr.ErrUnavailable, e)
	}
	invalid := &syncerr.InvalidError{Reason: "bigcommerce refused the request: " + e.Error()}
	if names := e.fieldNames(); len(names) > 0 {
		invalid.Field = names[0]
	}
	return &refusal{invalid: invalid, api: e}
}

// refusal is a request that BigCommerce refused as invalid: an
// [syncerr.InvalidError] for callers, which keeps the answer for the
// adapter, which tells some refusals apart.
type refusal struct {
	invalid *syncerr.InvalidError
	api     *apiError
}

// Error returns the InvalidError's message.
func (r *refusal) Error() string { return r.invalid.Error() }

// Unwrap gives both the InvalidError and the answer.
func (r *refusal) Unwrap() []error { return []error{r.invalid, r.api} }
