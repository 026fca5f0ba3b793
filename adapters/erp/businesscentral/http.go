package businesscentral

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/erpsync/erpsync/internal/httpretry"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// maxErrorBody bounds the error bodies the adapter reads.
const maxErrorBody = 64 << 10

// request is one call of the API.
type request struct {
	method  string
	url     string
	body    any
	ifMatch string
	prefer  string
}

// apiError is an error answered by Business Central in its envelope
// {"error":{"code":...,"message":...}}, or a bare HTTP status.
type apiError struct {
	status     int
	code       string
	message    string
	retryAfter string
}

// Error names the status and the code.
func (e *apiError) Error() string {
	if e.code == "" {
		return fmt.Sprintf("http status %d %s", e.status, http.StatusText(e.status))
	}
	return fmt.Sprintf("http status %d, %s: %s", e.status, e.code, e.message)
}

// do sends r with a bearer token and decodes a successful answer into out
// (when not nil). A 401 is retried once with a new token, since a token can
// be revoked or expire early. Errors are translated into syncerr.
func (c *Client) do(ctx context.Context, r request, out any) error {
	token, err := c.tokens.get(ctx, "")
	if err != nil {
		return err
	}
	resp, err := c.send(ctx, r, token)
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		drain(resp)
		if token, err = c.tokens.get(ctx, token); err != nil {
			return err
		}
		resp, err = c.send(ctx, r, token)
	}
	if err != nil {
		return fmt.Errorf("%w: %w", syncerr.ErrUnavailable, withoutQuery(r, err))
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return translate(readAPIError(resp))
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("decode answer of %s: %w: %w", r.method, syncerr.ErrUnavailable, err)
	}
	return nil
}

// send makes one HTTP exchange of r.
func (c *Client) send(ctx context.Context, r request, token string) (*http.Response, error) {
	var body io.Reader
	if r.body != nil {
		raw, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		return nil, err
	}

	setBearer(req, token)
	req.Header.Set("Accept", "application/json")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.ifMatch != "" {
		req.Header.Set("If-Match", r.ifMatch)
	}
	if r.prefer != "" {
		req.Header.Set("Prefer", r.prefer)
	}
	return c.hc.Do(req)
}

// withoutQuery replaces the URL that a transport error quotes by the
// request's path: queries can hold an e-mail address, which must not reach
// the logs.
func withoutQuery(r request, err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	path, _, _ := strings.Cut(r.url, "?")
	return fmt.Errorf("%s %s: %w", r.method, path, ue.Err)
}

// drain reads what is left of a body and closes it, so that the connection
// can be used again.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
}

// readAPIError reads Business Central's error envelope, when the body holds
// one.
func readAPIError(resp *http.Response) *apiError {
	e := &apiError{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var env struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &env) == nil {
		e.code, e.message = env.Error.Code, strings.TrimSpace(env.Error.Message)
	}
	return e
}

// Error codes of Business Central that the adapter tells apart.
const (
	codeEntityChanged = "Request_EntityChanged"
)

// translate maps an API error: 429 to a rate limit with its Retry-After,
// 5xx and 408 to unavailable, 401 and 403 to refused credentials, a stale
// ETag to errEntityChanged, 404 to errNotFound, and any other status to an
// invalid request carrying Business Central's message.
func translate(e *apiError) error {
	switch {
	case e.status == http.StatusTooManyRequests:
		return &syncerr.RateLimitedError{RetryAfter: httpretry.RetryAfter(e.retryAfter, time.Now())}
	case e.status >= 500 || e.status == http.StatusRequestTimeout:
		return fmt.Errorf("%w: %w", syncerr.ErrUnavailable, e)
	case e.status == http.StatusUnauthorized || e.status == http.StatusForbidden:
		return &syncerr.AuthError{System: system, Reason: e.Error()}
	case e.code == codeEntityChanged || e.status == http.StatusPreconditionFailed:
		return fmt.Errorf("%w: %w", errEntityChanged, e)
	case e.status == http.StatusNotFound:
		return &notFoundError{api: e}
	}
	return &syncerr.InvalidError{Reason: "business central refused the request: " + e.Error()}
}

// errEntityChanged reports an update refused because the record changed
// since its ETag was read.
var errEntityChanged = errors.New("record changed since it was read")

// notFoundError is a 404. Callers that look a record up by id report it as
// missing; to the others it is an invalid request, such as an order naming
// an item that does not exist.
type notFoundError struct{ api *apiError }

// Error returns the API error.
func (e *notFoundError) Error() string { return e.api.Error() }

// Unwrap makes a 404 an InvalidError for callers that do not expect it.
func (e *notFoundError) Unwrap() error {
	return &syncerr.InvalidError{Reason: "business central refused the request: " +
		e.api.Error()}
}
