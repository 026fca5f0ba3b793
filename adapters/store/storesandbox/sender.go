package storesandbox

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Build makes the request of one attempt (counting from 0) at delivering ev
// to url, signed as the platform signs it. A platform's retries carry the
// original payload, so Build should make the same body for every attempt.
type Build func(ctx context.Context, ev Event, url string, attempt int) (*http.Request, error)

// A Sender delivers webhooks as platforms do: each event is posted to each
// of its subscribers, and a delivery that fails (a transport error, or an
// answer that Accepted refuses) is sent again after each wait of Schedule,
// scaled by Scale, then given up. Deliveries run in the background; Wait
// waits for those in flight. A Sender is safe for concurrent use.
type Sender struct {
	// Client posts the deliveries; nil means a client with a 10s timeout.
	Client *http.Client

	// Schedule holds the waits before each retry, as the platform
	// documents them; nil means no retry.
	Schedule []time.Duration

	// Scale multiplies the waits of Schedule, to compress hours into
	// moments in tests and demos; 0 means 1.
	Scale float64

	// Accepted reports whether an answer's status counts as delivered;
	// nil means any 2xx.
	Accepted func(status int) bool

	wg    sync.WaitGroup
	stats senderCounters

	mu     sync.Mutex
	closed chan struct{}
}

// SenderStats counts what a Sender did.
type SenderStats struct {
	Attempts  int64 `json:"attempts"`
	Delivered int64 `json:"delivered"`
	GaveUp    int64 `json:"gave_up"`
}

type senderCounters struct{ attempts, delivered, gaveUp atomic.Int64 }

// Send delivers ev to url in the background, building each attempt with
// build, until it is delivered, the schedule runs out, ctx ends or the
// Sender is closed.
func (s *Sender) Send(ctx context.Context, ev Event, url string, build Build) {
	ctx, cancel := context.WithCancel(ctx)
	closed := s.closing()
	select {
	case <-closed:
		cancel()
	default:
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		go func() {
			select {
			case <-closed:
				cancel()
			case <-ctx.Done():
			}
		}()
		s.deliver(ctx, ev, url, build)
	}()
}

// Close gives up the deliveries in flight, and those sent later, and waits
// until they have ended.
func (s *Sender) Close() {
	closed := s.closing()
	s.mu.Lock()
	select {
	case <-closed:
	default:
		close(closed)
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// closing returns the channel that Close closes.
func (s *Sender) closing() chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed == nil {
		s.closed = make(chan struct{})
	}
	return s.closed
}

// Wait waits until every delivery in flight was delivered or given up.
func (s *Sender) Wait() { s.wg.Wait() }

// Stats returns the counts so far.
func (s *Sender) Stats() SenderStats {
	return SenderStats{Attempts: s.stats.attempts.Load(),
		Delivered: s.stats.delivered.Load(), GaveUp: s.stats.gaveUp.Load()}
}

// deliver makes the attempts of one delivery.
func (s *Sender) deliver(ctx context.Context, ev Event, url string, build Build) {
	for attempt := 0; ; attempt++ {
		if ctx.Err() != nil {
			s.stats.gaveUp.Add(1)
			return
		}
		if s.try(ctx, ev, url, build, attempt) {
			s.stats.delivered.Add(1)
			return
		}

		if attempt >= len(s.Schedule) || !sleep(ctx, s.wait(attempt)) {
			s.stats.gaveUp.Add(1)
			return
		}
	}
}

// try makes one attempt and reports whether it was delivered.
func (s *Sender) try(ctx context.Context, ev Event, url string, build Build, attempt int) bool {
	s.stats.attempts.Add(1)
	req, err := build(ctx, ev, url, attempt)
	if err != nil {
		return false
	}

	resp, err := s.client().Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body) // lets the connection be reused
	return s.accepted(resp.StatusCode)
}

func (s *Sender) wait(attempt int) time.Duration {
	scale := s.Scale
	if scale == 0 {
		scale = 1
	}
	return time.Duration(float64(s.Schedule[attempt]) * scale)
}

func (s *Sender) accepted(status int) bool {
	if s.Accepted != nil {
		return s.Accepted(status)
	}
	return status >= 200 && status < 300
}

var defaultClient = &http.Client{Timeout: 10 * time.Second}

func (s *Sender) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return defaultClient
}

// sleep waits for d, or reports false when ctx ends first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()

	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
