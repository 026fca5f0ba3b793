package erpsandbox

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// Kind names a fault that a sandbox can inject.
type Kind string

// The kinds of fault. KindCapacity is never configured as a fault: it counts
// the requests that the capacity limit refused.
const (
	KindLatency      Kind = "latency"
	KindServerError  Kind = "server_error"
	KindRateLimit    Kind = "rate_limit"
	KindDropResponse Kind = "drop_response"
	KindCapacity     Kind = "capacity"
)

// Config says which faults a sandbox injects and how often. The zero Config
// injects nothing and has no capacity limit. Every fault applies to the
// operations its Ops list names: an entry ending in "*" is a prefix
// ("sale.order/*"), any other entry an exact operation name
// ("sale.order/create"); an empty list means every operation.
type Config struct {
	Latency      LatencyFault     `json:"latency"`
	ServerError  ServerErrorFault `json:"server_error"`
	RateLimit    RateLimitFault   `json:"rate_limit"`
	DropResponse DropFault        `json:"drop_response"`
	Capacity     Capacity         `json:"capacity"`
}

// LatencyFault delays requests by FixedMS milliseconds, plus SpikeMS more
// with probability SpikeProbability.
type LatencyFault struct {
	FixedMS          int      `json:"fixed_ms"`
	SpikeMS          int      `json:"spike_ms"`
	SpikeProbability float64  `json:"spike_probability"`
	Ops              []string `json:"ops,omitempty"`
}

// ServerErrorFault answers requests with HTTP Status (503 when zero) with
// probability Probability, without applying them.
type ServerErrorFault struct {
	Probability float64  `json:"probability"`
	Status      int      `json:"status,omitempty"`
	Ops         []string `json:"ops,omitempty"`
}

// RateLimitFault answers requests with HTTP 429 and a Retry-After of
// RetryAfterSeconds (1 when zero) with probability Probability, without
// applying them.
type RateLimitFault struct {
	Probability       float64  `json:"probability"`
	RetryAfterSeconds int      `json:"retry_after_seconds,omitempty"`
	Ops               []string `json:"ops,omitempty"`
}

// DropFault applies requests and then closes their connection without an
// answer, with probability Probability: the change is committed but the
// client never learns it.
type DropFault struct {
	Probability float64  `json:"probability"`
	Ops         []string `json:"ops,omitempty"`
}

// Capacity limits the request rate with a token bucket. Requests over it get
// HTTP 429 with a Retry-After. Zero RequestsPerSecond means no limit; Burst
// defaults to RequestsPerSecond rounded up, and at least one.
type Capacity struct {
	RequestsPerSecond float64 `json:"requests_per_second"`
	Burst             int     `json:"burst,omitempty"`
}

// A Shot is a one-shot fault: the next Count requests (1 when zero) whose
// operation matches Op get fault Kind, whatever the probabilities say. Op
// follows the rules of [Config] ("" matches every operation). Status,
// RetryAfterSeconds and LatencyMS refine server errors, rate limits and
// latency and take the defaults of [Config] when zero.
type Shot struct {
	Op                string `json:"op"`
	Kind              Kind   `json:"kind"`
	Count             int    `json:"count,omitempty"`
	Status            int    `json:"status,omitempty"`
	RetryAfterSeconds int    `json:"retry_after_seconds,omitempty"`
	LatencyMS         int    `json:"latency_ms,omitempty"`
}

// maxLatency bounds configured latencies so that a typo cannot hang a test.
const maxLatency = 10 * time.Minute

// Faults decides, request by request, which fault a sandbox injects. It is
// safe for concurrent use, and its configuration can change at any time.
type Faults struct {
	now func() time.Time

	mu       sync.Mutex
	cfg      Config
	rng      *rand.Rand
	queue    []Shot
	injected map[Kind]int64
	bucket   bucket
}

// A FaultsOption adjusts [NewFaults].
type FaultsOption func(*Faults)

// WithSeed makes the random draws of the probabilities reproducible.
func WithSeed(seed uint64) FaultsOption {
	return func(f *Faults) { f.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }
}

// WithClock sets the clock of the capacity limit; the wall clock by default.
func WithClock(now func() time.Time) FaultsOption {
	return func(f *Faults) { f.now = now }
}

// NewFaults returns fault injection configured with cfg, or an error naming
// the first invalid setting.
func NewFaults(cfg Config, opts ...FaultsOption) (*Faults, error) {
	f := &Faults{
		now:      time.Now,
		rng:      rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		injected: map[Kind]int64{},
	}
	for _, opt := range opts {
		opt(f)
	}

	if err := f.SetConfig(cfg); err != nil {
		return nil, err
	}
	return f, nil
}

// Config returns the configuration in force.
func (f *Faults) Config() Config {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cfg
}

// SetConfig replaces the configuration, or returns an error naming the first
// invalid setting and keeps the old one. Queued shots stay queued.
func (f *Faults) SetConfig(cfg Config) error {
	if err := cfg.validate(); err != nil {
		return err
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg = cfg
	f.bucket.reset(cfg.Capacity, f.now())
	return nil
}

// Enqueue adds one-shot faults after those already queued, or returns an
// error naming the first invalid shot and queues none.
func (f *Faults) Enqueue(shots ...Shot) error {
	for i := range shots {
		if err := shots[i].validate(); err != nil {
			return fmt.Errorf("shot %d: %w", i, err)
		}
		if shots[i].Count == 0 {
			shots[i].Count = 1
		}
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, shots...)
	return nil
}

// Queued returns the one-shot faults still waiting for a request.
func (f *Faults) Queued() []Shot {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Shot(nil), f.queue...)
}

// Injected returns how many faults of each kind were injected so far.
func (f *Faults) Injected() map[Kind]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()

	counts := make(map[Kind]int64, len(f.injected))
	for k, n := range f.injected {
		counts[k] = n
	}
	return counts
}

// validate reports the first setting of c that is out of range.
func (c Config) validate() error {
	l := c.Latency
	errs := []error{
		checkMillis("latency.fixed_ms", l.FixedMS),
		checkMillis("latency.spike_ms", l.SpikeMS),
		checkProbability("latency.spike_probability", l.SpikeProbability),
		checkOps("latency.ops", l.Ops),
		checkProbability("server_error.probability", c.ServerError.Probability),
		checkStatus("server_error.status", c.ServerError.Status),
		checkOps("server_error.ops", c.ServerError.Ops),
		checkProbability("rate_limit.probability", c.RateLimit.Probability),
		checkRetryAfter("rate_limit.retry_after_seconds", c.RateLimit.RetryAfterSeconds),
		checkOps("rate_limit.ops", c.RateLimit.Ops),
		checkProbability("drop_response.probability", c.DropResponse.Probability),
		checkOps("drop_response.ops", c.DropResponse.Ops),
	}
	if c.Capacity.RequestsPerSecond < 0 || c.Capacity.Burst < 0 {
		errs = append(errs, errors.New("capacity: rate and burst may not be negative"))
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// validate reports the first setting of s that is out of range.
func (s Shot) validate() error {
	switch s.Kind {
	case KindLatency, KindServerError, KindRateLimit, KindDropResponse:
	default:
		return fmt.Errorf("kind %q is not one of latency, server_error, rate_limit, "+
			"drop_response", s.Kind)
	}
	errs := []error{
		checkStatus("status", s.Status),
		checkRetryAfter("retry_after_seconds", s.RetryAfterSeconds),
		checkMillis("latency_ms", s.LatencyMS),
	}
	if s.Count < 0 {
		errs = append(errs, fmt.Errorf("count %d is negative", s.Count))
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func checkProbability(name string, p float64) error {
	if p < 0 || p > 1 || math.IsNaN(p) {
		return fmt.Errorf("%s: %v is not a probability between 0 and 1", name, p)
	}
	return nil
}

func checkMillis(name string, ms int) error {
	if ms < 0 || time.Duration(ms)*time.Millisecond > maxLatency {
		return fmt.Errorf("%s: %d is not between 0 and %d", name, ms, maxLatency.Milliseconds())
	}
	return nil
}

func checkStatus(name string, status int) error {
	if status != 0 && (status < 500 || status > 599) {
		return fmt.Errorf("%s: %d is not a 5xx status", name, status)
	}
	return nil
}

func checkRetryAfter(name string, seconds int) error {
	if seconds < 0 || seconds > 86400 {
		return fmt.Errorf("%s: %d is not between 0 and 86400", name, seconds)
	}
	return nil
}

func checkOps(name string, ops []string) error {
	for i, op := range ops {
		if strings.TrimSpace(op) == "" {
			return fmt.Errorf("%s[%d]: empty operation name", name, i)
		}
	}
	return nil
}

// matchOp reports whether op matches pattern: "" and "*" match everything,
// a pattern ending in "*" matches by prefix, any other pattern exactly.
func matchOp(pattern, op string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(op, prefix)
	}
	return pattern == "" || pattern == op
}

// matchAny reports whether op matches one of patterns, or patterns is empty.
func matchAny(patterns []string, op string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		if matchOp(p, op) {
			return true
		}
	}
	return false
}
