// Package httpretry retries the HTTP requests of adapters a few times, fast,
// before an error reaches the activity and its much slower retry policy. A
// call to an ERP often takes several requests; retrying only whole activity
// attempts would make a sync fail far more often than any one request does.
//
// A request is retried only when that is safe. Requests with an idempotent
// method (GET, HEAD, PUT, DELETE, OPTIONS) and requests whose context says
// so with [Idempotent] are retried after a transport error, a 5xx or a 429.
// Other requests are retried only after a 429 or a 503, which say that the
// server did not process them; after a lost connection or another 5xx the
// server may have applied them, so the error goes back to the caller, which
// must look before it writes again.
package httpretry

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Defaults of a [Transport].
const (
	DefaultAttempts      = 4
	DefaultBaseDelay     = 100 * time.Millisecond
	DefaultMaxRetryAfter = 2 * time.Second
)

// Transport is an [http.RoundTripper] that retries as the package describes.
type Transport struct {
	// Base sends the requests; nil means [http.DefaultTransport].
	Base http.RoundTripper

	// Attempts is how many times a request is sent at most; 0 means
	// [DefaultAttempts].
	Attempts int

	// BaseDelay is the wait before the first retry, doubled for each
	// later one, with jitter; 0 means [DefaultBaseDelay].
	BaseDelay time.Duration

	// MaxRetryAfter is the longest Retry-After honoured here; a server
	// that asks for a longer wait gets its answer handed back, so that the
	// caller can wait without holding a request open. 0 means
	// [DefaultMaxRetryAfter].
	MaxRetryAfter time.Duration
}

type idempotentKey struct{}

// Idempotent marks the requests made with ctx as safe to send again, such
// as a read sent with POST.
func Idempotent(ctx context.Context) context.Context {
	return context.WithValue(ctx, idempotentKey{}, true)
}

// RoundTrip sends req, again when the answer allows it.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	safe := isIdempotent(req)
	attempts := max(1, t.Attempts)
	if t.Attempts == 0 {
		attempts = DefaultAttempts
	}

	for attempt := 1; ; attempt++ {
		resp, err := t.base().RoundTrip(req)
		wait, retry := t.retryAfter(resp, err, safe)
		if !retry || attempt == attempts || req.GetBody == nil && req.Body != nil {
			return resp, err
		}

		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		if err := sleep(req.Context(), max(wait, t.backoff(attempt))); err != nil {
			return nil, err
		}
		if req, err = rewind(req); err != nil {
			return nil, err
		}
	}
}

// retryAfter decides whether an answer is worth another attempt, and the
// least wait the server asked for.
func (t *Transport) retryAfter(resp *http.Response, err error, safe bool) (time.Duration,
	bool) {
	if err != nil {
		return 0, safe
	}

	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		wait, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		if ok && wait > t.maxRetryAfter() {
			return 0, false
		}
		return wait, true
	case code >= 500:
		return 0, safe
	default:
		return 0, false
	}
}

// backoff is the wait before retry number attempt: BaseDelay doubled for
// each retry, with up to half of it added at random.
func (t *Transport) backoff(attempt int) time.Duration {
	d := t.BaseDelay
	if d == 0 {
		d = DefaultBaseDelay
	}
	d <<= attempt - 1
	return d + rand.N(d/2+1)
}

func (t *Transport) base() http.RoundTripper { return orDefault(t.Base) }

func (t *Transport) maxRetryAfter() time.Duration {
	if t.MaxRetryAfter == 0 {
		return DefaultMaxRetryAfter
	}
	return t.MaxRetryAfter
}

// isIdempotent reports whether req may be sent twice.
func isIdempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete,
		http.MethodOptions:
		return true
	}
	marked, _ := req.Context().Value(idempotentKey{}).(bool)
	return marked
}

// DefaultWait is the wait that [RetryAfter] assumes when a server asks
// for none it can be understood by.
const DefaultWait = time.Second

// maxWaitSeconds caps the seconds read from a Retry-After header: a day.
const maxWaitSeconds = 86400

// RetryAfter returns the wait that a Retry-After header value asks for,
// relative to now: delay seconds, at most a day, or an HTTP date, no wait
// once it has passed. A missing or malformed value means [DefaultWait].
func RetryAfter(v string, now time.Time) time.Duration {
	if wait, ok := parseRetryAfter(v, now); ok {
		return wait
	}
	return DefaultWait
}

// parseRetryAfter reads a Retry-After header in seconds or as an HTTP date,
// and reports false when there is none it can read.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if s, err := strconv.ParseInt(v, 10, 64); err == nil && s >= 0 {
		return time.Duration(min(s, maxWaitSeconds)) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(0, at.Sub(now)), true
	}
	return 0, false
}

// rewind returns a copy of req with a fresh body, to send again.
func rewind(req *http.Request) (*http.Request, error) {
	if req.GetBody == nil {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	next := req.Clone(req.Context())
	next.Body = body
	return next, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// Beneath returns a copy of hc whose requests go through the transport
// that wrap makes of the transport below it. When hc retries through a
// [Transport], the new transport goes under it, so that every attempt
// passes through it: a signature with a nonce, for one, must be made again
// for each attempt.
func Beneath(hc *http.Client, wrap func(base http.RoundTripper) http.RoundTripper) *http.Client {
	c := *hc
	retry, ok := hc.Transport.(*Transport)
	if !ok {
		c.Transport = wrap(orDefault(hc.Transport))
		return &c
	}

	under := *retry
	under.Base = wrap(orDefault(retry.Base))
	c.Transport = &under
	return &c
}

// orDefault returns rt, or [http.DefaultTransport] when rt is nil.
func orDefault(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		return http.DefaultTransport
	}
	return rt
}
