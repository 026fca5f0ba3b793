package bigcommerce

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/erpsync/erpsync/internal/syncerr"
)

// Headers of BigCommerce's rate limit: every answer tells how many
// requests are left in the store's window and when it resets; a 429 may
// add X-Retry-After, in seconds.
const (
	headerReset      = "X-Rate-Limit-Time-Reset-Ms"
	headerLeft       = "X-Rate-Limit-Requests-Left"
	headerRetryAfter = "X-Retry-After"
)

// defaultThrottleWait is the wait after a 429 that carries no rate-limit
// headers, which BigCommerce answers when the platform sheds load.
const defaultThrottleWait = time.Second

// limiter holds requests back while the store's quota is spent. The quota
// is shared by every app of the store, so the adapter follows what the
// answers say rather than counting its own requests.
type limiter struct {
	now func() time.Time

	mu    sync.Mutex
	until time.Time // no request before this time
}

// observe reads the rate-limit headers of an answer: when no request is
// left, the next one waits for the window to reset.
func (l *limiter) observe(h http.Header) {
	left, err1 := strconv.Atoi(h.Get(headerLeft))
	reset, err2 := strconv.ParseInt(h.Get(headerReset), 10, 64)
	if err1 != nil || err2 != nil || left > 0 || reset < 0 {
		return
	}
	l.hold(time.Duration(reset) * time.Millisecond)
}

// hold keeps the next request back for d.
func (l *limiter) hold(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if at := l.now().Add(d); at.After(l.until) {
		l.until = at
	}
}

// wait waits until requests may go again, or returns a RateLimitedError
// without waiting when that is more than maxWait away.
func (l *limiter) wait(ctx context.Context, maxWait time.Duration) error {
	l.mu.Lock()
	d := l.until.Sub(l.now())
	l.mu.Unlock()
	if d <= 0 {
		return nil
	}
	if d > maxWait {
		return &syncerr.RateLimitedError{RetryAfter: d}
	}

	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// throttleWait is how long a 429 asks to wait: the longer of
// X-Rate-Limit-Time-Reset-Ms and X-Retry-After, as BigCommerce advises, or
// defaultThrottleWait when it carries neither.
func throttleWait(h http.Header) time.Duration {
	var wait time.Duration
	if ms, err := strconv.ParseInt(h.Get(headerReset), 10, 64); err == nil && ms > 0 {
		wait = time.Duration(ms) * time.Millisecond
	}
	if s, err := strconv.ParseInt(h.Get(headerRetryAfter), 10, 64); err == nil && s > 0 {
		wait = max(wait, time.Duration(min(s, 86400))*time.Second)
	}
	if wait == 0 {
		return defaultThrottleWait
	}
	return wait
}
