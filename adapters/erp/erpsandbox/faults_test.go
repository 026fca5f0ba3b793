package erpsandbox

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestMatchOp(t *testing.T) {
	tests := []struct {
		pattern, op string
		want        bool
	}{
		{"", "sale.order/create", true},
		{"*", "common/version", true},
		{"sale.order/create", "sale.order/create", true},
		{"sale.order/create", "sale.order/write", false},
		{"sale.order/*", "sale.order/write", true},
		{"sale.order/*", "res.partner/create", false},
		{"sale.order", "sale.order/create", false},
	}
	for _, tt := range tests {
		if got := matchOp(tt.pattern, tt.op); got != tt.want {
			t.Errorf("matchOp(%q, %q) = %v, want %v", tt.pattern, tt.op, got, tt.want)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"zero", Config{}, ""},
		{"probability over one", Config{ServerError: ServerErrorFault{Probability: 1.5}},
			"server_error.probability"},
		{"status not 5xx", Config{ServerError: ServerErrorFault{Status: 404}},
			"server_error.status"},
		{"negative latency", Config{Latency: LatencyFault{FixedMS: -1}}, "latency.fixed_ms"},
		{"empty op", Config{DropResponse: DropFault{Ops: []string{" "}}}, "drop_response.ops[0]"},
		{"negative capacity", Config{Capacity: Capacity{RequestsPerSecond: -1}}, "capacity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewFaults(tt.cfg)
			if tt.want == "" {
				if err != nil {
					t.Errorf("NewFaults() error = %v, want none", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewFaults() error = %v, want one naming %q", err, tt.want)
			}
		})
	}
}

func TestOneShotQueue(t *testing.T) {
	f, err := NewFaults(Config{})
	if err != nil {
		t.Fatalf("NewFaults() error = %v", err)
	}
	if err := f.Enqueue(Shot{Op: "sale.order/create", Kind: KindDropResponse, Count: 2},
		Shot{Op: "sale.order/*", Kind: KindServerError}); err != nil {
		t.Fatalf("Enqueue() error = %v", err)
	}

	ops := []string{"res.partner/create", "sale.order/create", "sale.order/write",
		"sale.order/create", "sale.order/create", "sale.order/write"}
	want := []Kind{"", KindDropResponse, KindServerError, KindDropResponse, "", ""}
	for i, op := range ops {
		if got := f.decide(op).kind; got != want[i] {
			t.Errorf("request %d (%s): kind %q, want %q", i, op, got, want[i])
		}
	}
	if q := f.Queued(); len(q) != 0 {
		t.Errorf("Queued() = %v, want empty", q)
	}
	injected := f.Injected()
	if injected[KindDropResponse] != 2 || injected[KindServerError] != 1 {
		t.Errorf("Injected() = %v, want 2 drops and 1 server error", injected)
	}
}

func TestEnqueueRefusesBadShots(t *testing.T) {
	f, _ := NewFaults(Config{})
	err := f.Enqueue(Shot{Kind: KindLatency}, Shot{Kind: "explode"})
	if err == nil || !strings.Contains(err.Error(), "shot 1") {
		t.Errorf("Enqueue() error = %v, want one naming shot 1", err)
	}
	if len(f.Queued()) != 0 {
		t.Errorf("Queued() = %v after a refused batch, want empty", f.Queued())
	}
}

func TestProbabilitiesAreReproducible(t *testing.T) {
	cfg := Config{
		ServerError:  ServerErrorFault{Probability: 0.3},
		DropResponse: DropFault{Probability: 0.3, Ops: []string{"sale.order/*"}},
	}
	run := func() []Kind {
		f, err := NewFaults(cfg, WithSeed(42))
		if err != nil {
			t.Fatalf("NewFaults() error = %v", err)
		}
		kinds := make([]Kind, 200)
		for i := range kinds {
			kinds[i] = f.decide("sale.order/create").kind
		}
		return kinds
	}

	a, b := run(), run()
	counts := map[Kind]int{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("decision %d differs between runs with one seed: %q vs %q", i, a[i], b[i])
		}
		counts[a[i]]++
	}
	if counts[KindServerError] == 0 || counts[KindDropResponse] == 0 || counts[""] == 0 {
		t.Errorf("decisions = %v, want a mix of server errors, drops and clean requests", counts)
	}
}

func TestDropOnlyMatchingOps(t *testing.T) {
	f, _ := NewFaults(Config{DropResponse: DropFault{Probability: 1,
		Ops: []string{"sale.order/create"}}})
	if got := f.decide("res.partner/create").kind; got != "" {
		t.Errorf("decide(res.partner/create) = %q, want no fault", got)
	}
	if got := f.decide("sale.order/create").kind; got != KindDropResponse {
		t.Errorf("decide(sale.order/create) = %q, want drop_response", got)
	}
}

// serveCounting serves every request through f as op, counting the calls
// of the protocol handler.
func serveCounting(t *testing.T, f *Faults, op string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	handled := new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		f.Serve(w, r, op, func(w http.ResponseWriter) {
			handled.Add(1)
			_, _ = io.WriteString(w, "ok")
		})
	}))
	t.Cleanup(srv.Close)
	return srv, handled
}

func TestServe(t *testing.T) {
	tests := []struct {
		name        string
		shot        Shot
		wantStatus  int
		wantRetry   string
		wantHandled int64
	}{
		{"no fault", Shot{Kind: KindLatency, LatencyMS: 1}, http.StatusOK, "", 1},
		{"server error", Shot{Kind: KindServerError, Status: 502}, http.StatusBadGateway, "", 0},
		{"rate limit", Shot{Kind: KindRateLimit, RetryAfterSeconds: 7},
			http.StatusTooManyRequests, "7", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := NewFaults(Config{})
			srv, handled := serveCounting(t, f, "x/y")
			if err := f.Enqueue(tt.shot); err != nil {
				t.Fatalf("Enqueue() error = %v", err)
			}

			resp, err := http.Post(srv.URL, "application/json", strings.NewReader("{}"))
			if err != nil {
				t.Fatalf("Post() error = %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || resp.Header.Get("Retry-After") != tt.wantRetry {
				t.Errorf("answer = %d Retry-After %q, want %d %q", resp.StatusCode,
					resp.Header.Get("Retry-After"), tt.wantStatus, tt.wantRetry)
			}
			if handled.Load() != tt.wantHandled {
				t.Errorf("handler ran %d times, want %d", handled.Load(), tt.wantHandled)
			}
		})
	}
}

func TestServeDropsResponseAfterCommit(t *testing.T) {
	f, _ := NewFaults(Config{})
	srv, handled := serveCounting(t, f, "sale.order/create")
	if err := f.Enqueue(Shot{Op: "sale.order/create", Kind: KindDropResponse}); err != nil {
		t.Fatalf("Enqueue() error = %v", err)
	}

	resp, err := http.Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("Post() answered %d, want the connection dropped", resp.StatusCode)
	}
	if handled.Load() != 1 {
		t.Errorf("handler ran %d times, want 1: the effect must be applied", handled.Load())
	}

	resp, err = http.Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatalf("Post() after the drop error = %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("next answer = %d, want 200", resp.StatusCode)
	}
}

func TestServeLatency(t *testing.T) {
	f, _ := NewFaults(Config{Latency: LatencyFault{FixedMS: 30}})
	srv, _ := serveCounting(t, f, "x/y")

	start := time.Now()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatalf("Get() error = %v", err)
	}
	resp.Body.Close()
	if elapsed := time.Since(start); elapsed < 30*time.Millisecond {
		t.Errorf("request took %v, want at least the configured 30ms", elapsed)
	}
	if f.Injected()[KindLatency] != 1 {
		t.Errorf("Injected() = %v, want one latency", f.Injected())
	}
}

func TestCapacityLimit(t *testing.T) {
	clock := newFakeClock()
	f, err := NewFaults(Config{Capacity: Capacity{RequestsPerSecond: 2, Burst: 2}},
		WithClock(clock.now))
	if err != nil {
		t.Fatalf("NewFaults() error = %v", err)
	}

	var kinds []Kind
	var waits []time.Duration
	step := func() {
		d := f.decide("x/y")
		kinds = append(kinds, d.kind)
		waits = append(waits, d.retryAfter)
	}
	step()
	step()
	step() // over the burst
	clock.advance(500 * time.Millisecond)
	step() // one token back

	want := []Kind{"", "", KindCapacity, ""}
	for i := range want {
		if kinds[i] != want[i] {
			t.Errorf("request %d: kind %q, want %q", i, kinds[i], want[i])
		}
	}
	if waits[2] != 500*time.Millisecond {
		t.Errorf("refused request wait = %v, want 500ms", waits[2])
	}

	rec := httptest.NewRecorder()
	writeRateLimited(rec, waits[2])
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "1" {
		t.Errorf("over-capacity answer = %d Retry-After %q, want 429 \"1\"",
			rec.Code, rec.Header().Get("Retry-After"))
	}
}

func TestSetConfigKeepsOldOnError(t *testing.T) {
	f, _ := NewFaults(Config{RateLimit: RateLimitFault{Probability: 0.5}})
	err := f.SetConfig(Config{RateLimit: RateLimitFault{Probability: 2}})
	if err == nil {
		t.Fatal("SetConfig(probability 2) error = nil, want one")
	}
	if got := f.Config().RateLimit.Probability; got != 0.5 {
		t.Errorf("Config() probability = %v after refused change, want 0.5", got)
	}
	if errors.Is(err, ErrInvalid) {
		t.Errorf("config errors are not model errors: %v", err)
	}
}

func TestServeLimitedWritesTheProtocolsAnswer(t *testing.T) {
	f, err := NewFaults(Config{RateLimit: RateLimitFault{Probability: 1,
		RetryAfterSeconds: 3}})
	if err != nil {
		t.Fatalf("NewFaults() error = %v", err)
	}
	var handled bool
	limited := func(w http.ResponseWriter, wait time.Duration) {
		w.Header().Set("X-Rate-Limit-Time-Reset-Ms", strconv.FormatInt(wait.Milliseconds(), 10))
		w.WriteHeader(http.StatusTooManyRequests)
	}

	rec := httptest.NewRecorder()
	f.ServeLimited(rec, httptest.NewRequest(http.MethodGet, "/", nil), "x/y", limited,
		func(http.ResponseWriter) { handled = true })
	if handled || rec.Code != http.StatusTooManyRequests ||
		rec.Header().Get("X-Rate-Limit-Time-Reset-Ms") != "3000" {
		t.Errorf("answer = %d reset %q, handled %v; want 429 reset 3000, not handled",
			rec.Code, rec.Header().Get("X-Rate-Limit-Time-Reset-Ms"), handled)
	}
}
