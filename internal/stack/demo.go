package stack

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/erpsync/erpsync/activities"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/synclog"
)

// Summary is the result of a demo run, printed as its last line. Its JSON
// form is a public interface: scripts read it.
type Summary struct {
	Orders         int     `json:"orders"`
	Synced         int     `json:"synced"`
	NeedsAttention int     `json:"needs_attention"`
	Duplicates     int     `json:"duplicates"`
	Lost           int     `json:"lost"`
	Seconds        float64 `json:"seconds"`

	// FlowCounts counts what the flows beyond orders did, when the demo
	// ran them.
	FlowCounts
}

// DemoOptions configures [Stack.Demo].
type DemoOptions struct {
	// Orders is how many orders the store takes.
	Orders int

	// UnknownSKU is how many of them order a SKU the ERP does not know, so
	// that their syncs park.
	UnknownSKU int

	// Faults makes the ERP sandbox fail now and then: 5xx, 429 with
	// Retry-After, and orders committed with their answer lost. The zero
	// Config injects nothing; [DemoFaults] is the usual mix.
	Faults erpsandbox.Config

	// Concurrency is how many webhooks are in flight at once.
	Concurrency int

	// Timeout bounds the wait for every sync to finish or park.
	Timeout time.Duration

	// Seed makes the order contents and the delivery order reproducible.
	Seed uint64

	// Flows runs the flows beyond orders after the orders settled: see
	// [Stack.RunFlows].
	Flows bool
}

// DemoFaults is the fault mix of a demo run with faults on.
var DemoFaults = erpsandbox.Config{
	ServerError:  erpsandbox.ServerErrorFault{Probability: 0.03},
	RateLimit:    erpsandbox.RateLimitFault{Probability: 0.02, RetryAfterSeconds: 1},
	DropResponse: erpsandbox.DropFault{Probability: 0.02},
	Latency:      erpsandbox.LatencyFault{SpikeMS: 200, SpikeProbability: 0.01},
}

// Demo places orders in the headless store, sends their webhooks with
// duplicate deliveries and replays mixed in, waits until every sync has
// finished or parked, and checks the ERP sandbox for duplicates and the
// store for lost orders.
func (s *Stack) Demo(ctx context.Context, opts DemoOptions) (Summary, WebhookStats, error) {
	rng := rand.New(rand.NewPCG(opts.Seed, 1))
	if err := s.Faults.SetConfig(opts.Faults); err != nil {
		return Summary{}, WebhookStats{}, err
	}
	sum, stats, ids, err := s.demoOrders(ctx, rng, opts)
	if err != nil || !opts.Flows {
		return sum, stats, err
	}

	// The flows run without faults: they check outcomes at once, and the
	// order demo has shown the retries already.
	if err := s.Faults.SetConfig(erpsandbox.Config{}); err != nil {
		return sum, stats, err
	}
	began := time.Now()
	sum.FlowCounts, err = s.RunFlows(ctx, ids)
	sum.FlowSeconds = roundSeconds(time.Since(began))
	return sum, stats, err
}

// demoOrders runs the order part of the demo and returns the orders' ids.
func (s *Stack) demoOrders(ctx context.Context, rng *rand.Rand, opts DemoOptions) (Summary,
	WebhookStats, []string, error) {
	if s.Shop.Platform != "" {
		return s.platformDemo(ctx, rng, opts)
	}

	ids, err := s.placeOrders(ctx, rng, opts)
	if err != nil {
		return Summary{}, WebhookStats{}, nil, err
	}

	began := time.Now()
	stats, err := s.sendWebhooks(ctx, deliveries(rng, ids), opts.Concurrency)
	if err != nil {
		return Summary{}, stats, nil, err
	}
	if err := s.waitSettled(ctx, ids, opts.Timeout); err != nil {
		return Summary{}, stats, nil, err
	}

	sum, err := s.Check(ctx, ids)
	sum.Seconds = roundSeconds(time.Since(began))
	return sum, stats, ids, err
}

// placeOrders creates the demo's orders in the headless store and returns
// their ids.
func (s *Stack) placeOrders(ctx context.Context, rng *rand.Rand, opts DemoOptions) ([]string, error) {
	unknownAt := unknownPositions(opts)
	ids := make([]string, 0, opts.Orders)
	run := s.demoRuns.Add(1)
	for i := range opts.Orders {
		o := demoOrder(rng, i, unknownAt[i])
		if run > 1 {
			o.Number = fmt.Sprintf("%s-%d-%05d", runPrefix, run, i+1)
		}
		id, err := s.Store.CreateOrder(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("place demo order %s: %w", o.Number, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// unknownPositions spreads the demo's orders for an unknown SKU evenly
// among its orders, by position.
func unknownPositions(opts DemoOptions) map[int]bool {
	at := map[int]bool{}
	for i := 1; i <= opts.UnknownSKU && i <= opts.Orders; i++ {
		at[i*opts.Orders/(opts.UnknownSKU+1)] = true
	}
	return at
}

// waitSettled waits until the sync log shows every order of ids synced or
// parked.
func (s *Stack) waitSettled(ctx context.Context, ids []string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	for {
		statuses, err := s.syncStatuses(ctx, ids)
		if err != nil {
			return err
		}
		settled := 0
		for _, st := range statuses {
			if st == synclog.StatusSynced || st == synclog.StatusNeedsAttention {
				settled++
			}
		}
		if settled == len(ids) {
			return nil
		}

		select {
		case <-ctx.Done():
			return fmt.Errorf("%d of %d syncs settled after %s; see %s/worker.log",
				settled, len(ids), timeout, s.Dir())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// syncStatuses returns the sync log's status of each demo store order of ids.
func (s *Stack) syncStatuses(ctx context.Context, ids []string) (map[string]string, error) {
	return synclog.New(s.Pool).Statuses(ctx, synclog.EntityOrder, StoreName, ids)
}

// Check compares the store, the sync log and the ERP sandbox for the orders
// ids. An order counts as synced when the store carries an ERP id and the ERP
// holds a sales order with the order's external reference, as parked when
// its sync needs attention, and as lost otherwise. A reference held by more
// than one sales order is a duplicate.
func (s *Stack) Check(ctx context.Context, ids []string) (Summary, error) {
	sum := Summary{Orders: len(ids)}
	statuses, err := s.syncStatuses(ctx, ids)
	if err != nil {
		return sum, err
	}
	inERP := s.Model.SalesOrdersByExternalRef()

	for _, id := range ids {
		o, err := s.Store.LoadOrder(ctx, id)
		if err != nil {
			return sum, fmt.Errorf("check order %s: %w", id, err)
		}
		switch {
		case o.ERPID != "" && inERP[activities.ExternalRef(StoreName, o.Number)] > 0:
			sum.Synced++
		case statuses[id] == synclog.StatusNeedsAttention:
			sum.NeedsAttention++
		default:
			sum.Lost++
		}
	}
	sum.Duplicates = duplicates(inERP)
	return sum, nil
}

// duplicates counts the external references that more than one ERP sales
// order carries.
func duplicates(byRef map[string]int) int {
	n := 0
	for _, count := range byRef {
		if count > 1 {
			n++
		}
	}
	return n
}

// delivery is one webhook the demo sends.
type delivery struct {
	orderID    string
	deliveryID string
}

// deliveries returns one delivery per order, plus about one in ten sent
// again with the same delivery id (a replay) and one in ten sent again as a
// new delivery (a store that fires the same event twice), all shuffled.
func deliveries(rng *rand.Rand, ids []string) []delivery {
	var ds []delivery
	for _, id := range ids {
		first := delivery{orderID: id, deliveryID: "demo-" + id}
		ds = append(ds, first)
		if rng.IntN(10) == 0 {
			ds = append(ds, first)
		}
		if rng.IntN(10) == 0 {
			ds = append(ds, delivery{orderID: id, deliveryID: "demo-" + id + "-again"})
		}
	}
	rng.Shuffle(len(ds), func(i, j int) { ds[i], ds[j] = ds[j], ds[i] })
	return ds
}

func roundSeconds(d time.Duration) float64 {
	return float64(d.Round(10*time.Millisecond).Milliseconds()) / 1000
}

// percentile returns the p-th percentile (0..100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}

func sortDurations(ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
}

// DuplicateCustomers counts the e-mail addresses that more than one ERP
// customer carries: a customer created twice by syncs of their orders.
func (s *Stack) DuplicateCustomers() int {
	byEmail := map[string]int{}
	for _, c := range s.Model.Customers() {
		byEmail[strings.ToLower(c.Email)]++
	}
	dups := 0
	for _, n := range byEmail {
		if n > 1 {
			dups++
		}
	}
	return dups
}
