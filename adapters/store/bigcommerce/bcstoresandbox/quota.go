package bcstoresandbox

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// The store-wide quota of a Pro plan: 450 requests per 30 seconds.
const (
	DefaultQuota  = 450
	DefaultWindow = 30 * time.Second
)

// Headers of BigCommerce's rate limit, on every answer.
const (
	HeaderWindow     = "X-Rate-Limit-Time-Window-Ms"
	HeaderReset      = "X-Rate-Limit-Time-Reset-Ms"
	HeaderQuota      = "X-Rate-Limit-Requests-Quota"
	HeaderLeft       = "X-Rate-Limit-Requests-Left"
	HeaderRetryAfter = "X-Retry-After"
)

// quota counts requests in fixed windows, as BigCommerce refreshes a
// store's quota at the end of each window.
type quota struct {
	limit  int
	window time.Duration

	mu    sync.Mutex
	start time.Time
	used  int
}

func newQuota(limit int, window time.Duration) *quota {
	return &quota{limit: max(1, limit), window: max(time.Millisecond, window)}
}

// take counts one request at now and reports whether the window had room,
// how many requests are left in it, and when it ends.
func (q *quota) take(now time.Time) (ok bool, left int, reset time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()

	if q.start.IsZero() || !now.Before(q.start.Add(q.window)) {
		q.start, q.used = now, 0
	}
	reset = q.start.Add(q.window).Sub(now)
	if q.used >= q.limit {
		return false, 0, reset
	}
	q.used++
	return true, q.limit - q.used, reset
}

// takeQuota counts the request and sets the rate-limit headers of its
// answer, or answers 429 and reports false when the quota is spent.
func (s *Sandbox) takeQuota(w http.ResponseWriter, version int) bool {
	ok, left, reset := s.quota.take(s.now())
	if !ok {
		s.writeLimited(w, version, reset)
		return false
	}
	setRateHeaders(w.Header(), s.quota, left, reset)
	return true
}

// writeLimited answers a request refused over the rate limit as
// BigCommerce does: 429 with the rate-limit headers, X-Retry-After in
// seconds, and no Retry-After.
func (s *Sandbox) writeLimited(w http.ResponseWriter, version int, wait time.Duration) {
	setRateHeaders(w.Header(), s.quota, 0, wait)
	w.Header().Set(HeaderRetryAfter, strconv.FormatInt(erpsandbox.RetryAfterSeconds(wait), 10))
	writeError(w, version, http.StatusTooManyRequests,
		"Too many requests: the store's API quota is spent until the window resets.", nil)
}

func setRateHeaders(h http.Header, q *quota, left int, reset time.Duration) {
	h.Set(HeaderWindow, strconv.FormatInt(q.window.Milliseconds(), 10))
	// Rounded up, so that a client that waits as long is in the next window.
	ms := (reset + time.Millisecond - 1) / time.Millisecond
	h.Set(HeaderReset, strconv.FormatInt(max(1, int64(ms)), 10))
	h.Set(HeaderQuota, strconv.Itoa(q.limit))
	h.Set(HeaderLeft, strconv.Itoa(left))
}
