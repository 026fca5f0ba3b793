package woocommerce

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
	"strings"
	"time"

	"github.com/erpsync/erpsync/internal/httpretry"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// maxErrorBody bounds the error bodies the adapter reads.
const maxErrorBody = 64 << 10

// call is one request of the REST API.
type call struct {
	method string
	path   string // below /wp-json/wc/v3/, such as "orders/42"
	query  url.Values
	body   any

	// idempotent marks a POST that may be sent again, such as a batch
	// that sets absolute values.
	idempotent bool
}

// String names the call in errors, without its query.
func (c call) String() string { return c.method + " " + c.path }

// do sends c and decodes a successful answer into out (when not nil). It
// returns the answer's headers, and errors translated into syncerr.
func (s *Store) do(ctx context.Context, c call, out any) (http.Header, error) {
	resp, err := s.send(ctx, c)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, translate(readAPIError(resp))
	}
	if out == nil {
		return resp.Header, nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return nil, fmt.Errorf("malformed answer to %s: %w: %w", c, syncerr.ErrUnavailable, err)
	}
	return resp.Header, nil
}

// send makes the HTTP exchange of c; the signing transport authenticates
// each attempt.
func (s *Store) send(ctx context.Context, c call) (*http.Response, error) {
	var body io.Reader
	if c.body != nil {
		raw, err := json.Marshal(c.body)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", c, err)
		}
		body = bytes.NewReader(raw)
	}
	if c.idempotent {
		ctx = httpretry.Idempotent(ctx)
	}

	u := s.api + c.path
	if len(c.query) > 0 {
		u += "?" + c.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, c.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", c, err)
	}
	req.Header.Set("Accept", "application/json")
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", c, syncerr.ErrUnavailable, transportError(err))
	}
	return resp, nil
}

// transportError returns the cause of a failed exchange without the URL
// that the client quotes, whose query carries the request's signature.
func transportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// apiError is an error answered by WordPress's REST server,
// {"code":...,"message":...,"data":{"status":...,"params":{...}}}, or a
// bare HTTP status.
type apiError struct {
	status     int
	code       string
	message    string
	params     map[string]string
	retryAfter string
}

// Error names the status and the code.
func (e *apiError) Error() string {
	if e.code == "" {
		return fmt.Sprintf("http status %d %s", e.status, http.StatusText(e.status))
	}
	return fmt.Sprintf("http status %d, %s: %s", e.status, e.code, e.message)
}

// field names the request parameter WooCommerce blamed, when it did.
func (e *apiError) field() string {
	names := make([]string, 0, len(e.params))
	for k := range e.params {
		names = append(names, k)
	}
	sort.Strings(names)
	if len(names) > 0 {
		return names[0]
	}
	return ""
}

// wpError is the JSON shape of a WordPress REST error.
type wpError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Data    struct {
		Status int               `json:"status"`
		Params map[string]string `json:"params"`
	} `json:"data"`
}

// readAPIError reads WordPress's error envelope, when the body holds one.
func readAPIError(resp *http.Response) *apiError {
	e := &apiError{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))

	var w wpError
	if json.Unmarshal(body, &w) == nil {
		e.code, e.message, e.params = w.Code, strings.TrimSpace(w.Message), w.Data.Params
	}
	return e
}

// translate maps an API error: 429 to a rate limit with its Retry-After,
// 5xx and 408 to unavailable, 401 and 403 to refused credentials, 404 and
// WooCommerce's "invalid id" (which an update answers with 400) to not
// found, and any other status to an invalid request with WooCommerce's
// message, naming the parameter it blamed.
func translate(e *apiError) error {
	switch {
	case e.status == http.StatusTooManyRequests:
		return &syncerr.RateLimitedError{
			RetryAfter: httpretry.RetryAfter(e.retryAfter, time.Now())}
	case e.status >= 500 || e.status == http.StatusRequestTimeout:
		return fmt.Errorf("%w: %w", syncerr.ErrUnavailable, e)
	case e.status == http.StatusUnauthorized || e.status == http.StatusForbidden:
		return &syncerr.AuthError{System: system, Reason: e.Error()}
	case e.status == http.StatusNotFound || strings.HasSuffix(e.code, "_invalid_id"):
		return fmt.Errorf("%w: %w", syncerr.ErrNotFound, e)
	}
	return &syncerr.InvalidError{Field: e.field(),
		Reason: "woocommerce refused the request: " + e.Error()}
}
