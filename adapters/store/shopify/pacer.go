package shopify

import (
	"math"
	"sync"
	"time"
)

// defaultEstimate is what a query never sent before is expected to cost.
const defaultEstimate = 50

// pacer keeps the adapter inside the shop's bucket of query cost. Each
// answer reports what the bucket holds and how fast it refills; the pacer
// adds what was restored since, subtracts what requests in flight were
// charged, and tells how long a request of a given cost must wait.
type pacer struct {
	mu        sync.Mutex
	known     bool
	available float64
	size      float64
	restore   float64
	at        time.Time
	costs     map[string]float64 // last requested cost, by operation
}

func newPacer() pacer { return pacer{costs: map[string]float64{}} }

// throttleStatus is extensions.cost.throttleStatus of an answer.
type throttleStatus struct {
	MaximumAvailable   float64 `json:"maximumAvailable"`
	CurrentlyAvailable float64 `json:"currentlyAvailable"`
	RestoreRate        float64 `json:"restoreRate"`
}

// queryCost is extensions.cost of an answer.
type queryCost struct {
	RequestedQueryCost float64        `json:"requestedQueryCost"`
	ThrottleStatus     throttleStatus `json:"throttleStatus"`
}

// reserve returns how long a request of operation op must wait for the
// bucket to hold its cost, and charges the cost when it need not wait.
func (p *pacer) reserve(op string, now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.known {
		return 0
	}

	cost, ok := p.costs[op]
	if !ok {
		cost = defaultEstimate
	}
	p.refill(now)
	if cost > p.available {
		return waitFor(cost, p.available, p.restore)
	}
	p.available -= cost
	return 0
}

// refill adds what was restored since the last look. The caller holds
// p.mu.
func (p *pacer) refill(now time.Time) {
	if now.After(p.at) {
		p.available = math.Min(p.size, p.available+now.Sub(p.at).Seconds()*p.restore)
		p.at = now
	}
}

// observe takes what an answer of op reports.
func (p *pacer) observe(op string, c queryCost, now time.Time) {
	if c.ThrottleStatus.RestoreRate <= 0 {
		return // an answer without cost, or a malformed one: keep what is known
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.known = true
	p.available, p.at = c.ThrottleStatus.CurrentlyAvailable, now
	p.size, p.restore = c.ThrottleStatus.MaximumAvailable, c.ThrottleStatus.RestoreRate
	if c.RequestedQueryCost > 0 {
		p.costs[op] = c.RequestedQueryCost
	}
}

// waitFor is how long a bucket holding available, refilling at restore a
// second, takes to hold cost; at least a millisecond, and a second when the
// rate is unknown.
func waitFor(cost, available, restore float64) time.Duration {
	if restore <= 0 {
		return time.Second
	}
	wait := time.Duration((cost - available) / restore * float64(time.Second))
	return max(wait, time.Millisecond)
}
