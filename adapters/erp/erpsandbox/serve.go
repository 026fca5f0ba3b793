package erpsandbox

import (
	"context"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"
)

// decision is what Faults decided for one request.
type decision struct {
	latency    time.Duration
	kind       Kind // "" or KindLatency: serve normally after the latency
	status     int
	retryAfter time.Duration
}

// Serve answers one request of operation op under the faults in force.
// handle writes the protocol's answer to the writer it is given. Serve may
// refuse the request over capacity, delay it, answer it with a 5xx or a 429
// without calling handle, or call handle with a writer that discards the
// answer and then close the connection with no HTTP response at all. The
// caller must have read the request body before, since a dropped answer
// hijacks the connection.
func (f *Faults) Serve(w http.ResponseWriter, r *http.Request, op string,
	handle func(http.ResponseWriter)) {
	f.ServeLimited(w, r, op, writeRateLimited, handle)
}

// A LimitWriter writes a protocol's answer to a request refused over the
// rate limit; wait is how long the client should wait before it asks again.
type LimitWriter func(w http.ResponseWriter, wait time.Duration)

// ServeLimited is [Faults.Serve] for protocols that refuse a request over
// their rate limit in their own way: limited writes that answer, instead of
// a bare 429 with a Retry-After.
func (f *Faults) ServeLimited(w http.ResponseWriter, r *http.Request, op string,
	limited LimitWriter, handle func(http.ResponseWriter)) {
	d := f.decide(op)

	if d.latency > 0 && !sleep(r.Context(), d.latency) {
		return
	}

	switch d.kind {
	case KindCapacity, KindRateLimit:
		limited(w, d.retryAfter)
	case KindServerError:
		http.Error(w, "sandbox: injected server error", d.status)
	case KindDropResponse:
		handle(&discardWriter{header: http.Header{}})
		dropConnection(w)
	default:
		handle(w)
	}
}

// decide picks the fault for a request of op and counts it: the capacity
// limit first, then the first matching one-shot fault, then the
// probabilities of the configuration.
func (f *Faults) decide(op string) decision {
	f.mu.Lock()
	defer f.mu.Unlock()

	if ok, wait := f.bucket.take(f.now()); !ok {
		f.injected[KindCapacity]++
		return decision{kind: KindCapacity, retryAfter: wait}
	}

	d, ok := f.takeShot(op)
	if !ok {
		d = f.draw(op)
	}
	if d.latency > 0 {
		f.injected[KindLatency]++
	}
	if d.kind != "" && d.kind != KindLatency {
		f.injected[d.kind]++
	}
	return d
}

// takeShot removes one use of the first queued shot matching op and returns
// its decision. The caller holds f.mu.
func (f *Faults) takeShot(op string) (decision, bool) {
	for i := range f.queue {
		s := &f.queue[i]
		if !matchOp(s.Op, op) {
			continue
		}

		s.Count--
		shot := *s
		if s.Count <= 0 {
			f.queue = append(f.queue[:i], f.queue[i+1:]...)
		}
		return f.shotDecision(shot), true
	}
	return decision{}, false
}

// shotDecision turns a shot into a decision, filling defaults from the
// configuration. The caller holds f.mu.
func (f *Faults) shotDecision(s Shot) decision {
	d := decision{kind: s.Kind, status: s.Status}
	switch s.Kind {
	case KindLatency:
		d.latency = time.Duration(s.LatencyMS) * time.Millisecond
		if s.LatencyMS == 0 {
			d.latency = time.Duration(f.cfg.Latency.FixedMS+f.cfg.Latency.SpikeMS) *
				time.Millisecond
		}
	case KindServerError:
		if d.status == 0 {
			d.status = f.serverErrorStatus()
		}
	case KindRateLimit:
		d.retryAfter = time.Duration(s.RetryAfterSeconds) * time.Second
		if s.RetryAfterSeconds == 0 {
			d.retryAfter = f.rateLimitWait()
		}
	}
	return d
}

// draw decides by the configured probabilities. The caller holds f.mu.
func (f *Faults) draw(op string) decision {
	var d decision
	c := f.cfg

	if matchAny(c.Latency.Ops, op) {
		d.latency = time.Duration(c.Latency.FixedMS) * time.Millisecond
		if f.chance(c.Latency.SpikeProbability) {
			d.latency += time.Duration(c.Latency.SpikeMS) * time.Millisecond
		}
	}

	switch {
	case matchAny(c.RateLimit.Ops, op) && f.chance(c.RateLimit.Probability):
		d.kind, d.retryAfter = KindRateLimit, f.rateLimitWait()
	case matchAny(c.ServerError.Ops, op) && f.chance(c.ServerError.Probability):
		d.kind, d.status = KindServerError, f.serverErrorStatus()
	case matchAny(c.DropResponse.Ops, op) && f.chance(c.DropResponse.Probability):
		d.kind = KindDropResponse
	}
	return d
}

// chance draws true with probability p. It draws nothing when p is 0 or 1,
// so that switching a fault off does not shift the random sequence.
func (f *Faults) chance(p float64) bool {
	if p <= 0 {
		return false
	}
	if p >= 1 {
		return true
	}
	return f.rng.Float64() < p
}

func (f *Faults) serverErrorStatus() int {
	if f.cfg.ServerError.Status != 0 {
		return f.cfg.ServerError.Status
	}
	return http.StatusServiceUnavailable
}

func (f *Faults) rateLimitWait() time.Duration {
	if f.cfg.RateLimit.RetryAfterSeconds != 0 {
		return time.Duration(f.cfg.RateLimit.RetryAfterSeconds) * time.Second
	}
	return time.Second
}

// writeRateLimited answers 429 with a Retry-After of wait in whole seconds,
// rounded up and at least one.
func writeRateLimited(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.FormatInt(RetryAfterSeconds(wait), 10))
	http.Error(w, "sandbox: too many requests", http.StatusTooManyRequests)
}

// RetryAfterSeconds returns wait in whole seconds, rounded up and at least
// one, as a Retry-After header gives it.
func RetryAfterSeconds(wait time.Duration) int64 {
	return max(1, int64(math.Ceil(wait.Seconds())))
}

// dropConnection closes the client's connection without writing anything,
// so the client sees the connection end before any response. A server that
// cannot hand over its connection (HTTP/2) gets a 500 that says so.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "sandbox: cannot drop the response on this connection: "+err.Error(),
			http.StatusInternalServerError)
		return
	}

	// A zero linger makes Close send a reset, as a crashed proxy would. Both
	// calls are best effort: the connection is abandoned either way.
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
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

// discardWriter is a ResponseWriter that forgets what it is given.
type discardWriter struct {
	header http.Header
}

// Header returns headers that nobody reads.
func (d *discardWriter) Header() http.Header { return d.header }

// Write discards p.
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// WriteHeader discards the status.
func (d *discardWriter) WriteHeader(int) {}
