package stack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/postgres"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/erps"
	"github.com/erpsync/erpsync/internal/shops"
	"github.com/erpsync/erpsync/workflows"
)

// InventoryBench is what the inventory benchmark measured; its JSON form
// is printed as the benchmark's last line, which scripts read.
type InventoryBench struct {
	SKUs              int     `json:"skus"`
	Changed           int     `json:"changed"`
	FullSeconds       float64 `json:"full_seconds"`
	DeltaSeconds      float64 `json:"delta_seconds"`
	NaiveDeltaSeconds float64 `json:"naive_delta_seconds"`
	Speedup           float64 `json:"speedup"`
	RSSMB             float64 `json:"rss_mb"`
}

// BenchOptions configures [Stack.BenchInventory].
type BenchOptions struct {
	// SKUs is the size of the catalog, stocked at each of [Locations];
	// Changed is how many of them change before the delta pass.
	SKUs    int
	Changed int

	// PageSize and Concurrency tune the passes.
	PageSize    int
	Concurrency int
}

// benchOverlap is the overlap of the benchmark's pass over changes. The
// changes come seconds after the catalog is seeded; a production overlap of
// minutes would list the whole catalog again.
const benchOverlap = time.Second

// BenchInventory seeds the ERP sandbox and the headless store with a
// catalog, times a full pass through the backfill workflow, changes some
// SKUs in the ERP and times a pass over the changes through the inventory
// sync workflow, then changes the same SKUs again and times the loop that
// a hand-written sync runs: for each changed level, a query of the
// store's quantity, a lookup of the product, and an update when it
// differs, each its own round trip.
func (s *Stack) BenchInventory(ctx context.Context, opts BenchOptions) (InventoryBench, error) {
	res := InventoryBench{SKUs: opts.SKUs, Changed: opts.Changed}
	if opts.Changed > opts.SKUs {
		return res, errors.New("cannot change more SKUs than the catalog holds")
	}
	began := time.Now()
	if err := s.seedBench(ctx, opts.SKUs); err != nil {
		return res, err
	}
	s.logf("seeded %d skus at %d locations in %s", opts.SKUs, len(Locations),
		time.Since(began).Round(time.Millisecond))

	full, err := s.timeBackfill(ctx, opts)
	if err != nil {
		return res, err
	}
	res.FullSeconds = roundSeconds(full)
	s.logf("full pass: %s", full.Round(time.Millisecond))

	delta, err := s.timeDelta(ctx, opts)
	if err != nil {
		return res, err
	}
	res.DeltaSeconds = roundSeconds(delta)
	s.logf("pass over %d changes: %s", opts.Changed, delta.Round(time.Millisecond))

	naive, err := s.timeNaive(ctx, opts)
	if err != nil {
		return res, err
	}
	res.NaiveDeltaSeconds = roundSeconds(naive)
	s.logf("per-item loop over %d changes: %s", opts.Changed, naive.Round(time.Millisecond))

	if delta > 0 {
		res.Speedup = float64(int(naive.Seconds()/delta.Seconds()*100)) / 100
	}
	rss, err := s.WorkerPeakRSS()
	res.RSSMB = float64(rss>>10) / 1024
	return res, err
}

// benchSKU names the i-th SKU of the benchmark's catalog.
func benchSKU(i int) string { return fmt.Sprintf("BENCH-%07d", i) }

// seedBench loads a catalog of n SKUs into the ERP, with stock at every
// location, stamped an hour ago as if imported then, and into the store,
// with none.
func (s *Stack) seedBench(ctx context.Context, n int) error {
	s.BackdateERP(time.Hour)
	defer s.BackdateERP(0)

	products := make([]erpsandbox.Product, n)
	shop := make([]postgres.Product, n)
	levels := make([]erpsandbox.StockLevel, 0, n*len(Locations))
	for i := range n {
		products[i] = erpsandbox.Product{SKU: benchSKU(i), Name: benchSKU(i),
			PriceMinor: 1000, Currency: Currency}
		shop[i] = postgres.Product{SKU: benchSKU(i), Name: benchSKU(i), PriceMinor: 1000,
			Currency: Currency}
		for l, loc := range Locations {
			levels = append(levels, erpsandbox.StockLevel{SKU: benchSKU(i), Location: loc,
				OnHand: stockOf(i, l)})
		}
	}
	if err := s.Model.SeedCatalog(products); err != nil {
		return fmt.Errorf("seed the erp's catalog: %w", err)
	}
	if err := s.Model.SeedStock(levels); err != nil {
		return fmt.Errorf("seed the erp's stock: %w", err)
	}
	if err := s.Store.UpsertProducts(ctx, shop); err != nil {
		return fmt.Errorf("seed the store's catalog: %w", err)
	}
	return nil
}

// timeBackfill runs a full pass through the backfill workflow.
func (s *Stack) timeBackfill(ctx context.Context, opts BenchOptions) (time.Duration, error) {
	began := time.Now()
	in := workflows.BackfillInput{Store: StoreName, PageSize: opts.PageSize,
		Concurrency: opts.Concurrency}
	var p workflows.BackfillProgress
	if err := s.runWorkflow(ctx, workflows.BackfillWorkflowID(StoreName),
		workflows.StockBackfillName, in, &p); err != nil {
		return 0, err
	}
	if want := opts.SKUs * len(Locations); p.Done < want {
		return 0, fmt.Errorf("the full pass listed %d levels, want at least %d", p.Done, want)
	}
	return time.Since(began), nil
}

// timeDelta changes some SKUs in the ERP and runs the inventory sync over
// the changes.
func (s *Stack) timeDelta(ctx context.Context, opts BenchOptions) (time.Duration, error) {
	if err := s.changeBench(opts.Changed); err != nil {
		return 0, err
	}

	began := time.Now()
	in := workflows.InventorySyncInput{Store: StoreName, PageSize: opts.PageSize,
		Concurrency: opts.Concurrency, Overlap: benchOverlap}
	var res workflows.InventorySyncResult
	id := workflows.InventoryWorkflowID(StoreName) + "-bench"
	if err := s.runWorkflow(ctx, id, workflows.InventorySyncName, in, &res); err != nil {
		return 0, err
	}
	if want := opts.Changed * len(Locations); res.Pushed < want {
		return 0, fmt.Errorf("the pass over changes pushed %d levels, want %d", res.Pushed,
			want)
	}
	return time.Since(began), nil
}

// changeBench adds 10 units to the stock of the first n SKUs at every
// location, after waiting long enough for the changes to be stamped apart
// from what came before.
func (s *Stack) changeBench(n int) error {
	time.Sleep(time.Second + benchOverlap)
	skus := make([]string, n)
	for i := range n {
		skus[i] = benchSKU(i)
	}
	_, err := s.Model.UpdateStock(skus, func(l *erpsandbox.StockLevel) error {
		l.OnHand += 10
		return nil
	})
	if err != nil {
		return fmt.Errorf("change the erp's stock of %d skus: %w", n, err)
	}
	return nil
}

// runWorkflow runs a workflow to its end and decodes its result into out.
func (s *Stack) runWorkflow(ctx context.Context, id, name string, in, out any) error {
	run, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: workflows.TaskQueue,
	}, name, in)
	if err != nil {
		return fmt.Errorf("start %s: %w", id, err)
	}
	if err := run.Get(ctx, out); err != nil {
		return fmt.Errorf("run %s: %w; see %s/worker.log", id, err, s.Dir())
	}
	return nil
}

// timeNaive changes the same SKUs again and runs the per-item loop over
// the ERP's changes, with the worker's ERP adapter and the stack's pool.
func (s *Stack) timeNaive(ctx context.Context, opts BenchOptions) (time.Duration, error) {
	e, err := s.openERP()
	if err != nil {
		return 0, err
	}
	since := time.Now()
	if err := s.changeBench(opts.Changed); err != nil {
		return 0, err
	}

	began := time.Now()
	n, err := s.naiveLoop(ctx, e, since, opts.PageSize)
	if err != nil {
		return 0, err
	}
	if want := opts.Changed * len(Locations); n < want {
		return 0, fmt.Errorf("the per-item loop updated %d levels, want %d", n, want)
	}
	return time.Since(began), nil
}

// naiveLoop pages the ERP's stock changes since since and, for each level,
// reads the store's quantity, looks the product up and updates the level
// when it differs, one round trip each. It returns how many it updated.
func (s *Stack) naiveLoop(ctx context.Context, e erp.Inventory, since time.Time,
	pageSize int) (int, error) {
	q := erp.Changes{Since: since, Limit: pageSize}
	updated := 0
	for {
		page, err := e.ChangedStock(ctx, q)
		if err != nil {
			return updated, err
		}
		for _, l := range page.Items {
			n, err := s.naiveItem(ctx, l)
			if err != nil {
				return updated, err
			}
			updated += n
		}
		if q.Cursor = page.Next; q.Cursor == "" {
			return updated, nil
		}
	}
}

// naiveItem applies one level as a hand-written sync does.
func (s *Stack) naiveItem(ctx context.Context, l erp.StockLevel) (int, error) {
	var current int64
	err := s.Pool.QueryRow(ctx, `
SELECT l.quantity FROM storefront.stock_levels l
JOIN storefront.products p ON p.id = l.product_id
WHERE p.sku = $1 AND l.location = $2`, l.SKU, l.Location).Scan(&current)
	if err != nil {
		return 0, fmt.Errorf("read the store's stock of %s: %w", l.SKU, err)
	}

	var id int64
	err = s.Pool.QueryRow(ctx, `SELECT id FROM storefront.products WHERE sku = $1`, l.SKU).
		Scan(&id)
	if err != nil || current == l.Available() {
		return 0, err
	}
	_, err = s.Pool.Exec(ctx, `
UPDATE storefront.stock_levels SET quantity = $3, updated_at = now()
WHERE product_id = $1 AND location = $2`, id, l.Location, l.Available())
	return 1, err
}

// openERP opens the adapter of the ERP the worker syncs to, configured as
// the worker is.
func (s *Stack) openERP() (erp.ERP, error) {
	cfg, err := readConfig(s.env(""))
	if err != nil {
		return nil, err
	}
	return erps.Open(cfg, zap.NewNop())
}

// openStore opens the adapter of the demo store, configured as the worker
// is.
func (s *Stack) openStore() (store.Store, error) {
	cfg, err := readConfig(s.env(""))
	if err != nil {
		return nil, err
	}
	stores, err := shops.Open(cfg, s.Pool, zap.NewNop())
	if err != nil {
		return nil, err
	}
	return stores[StoreName], nil
}

// readConfig reads the configuration that env, a list of "KEY=value",
// gives a process, and nothing else of the environment.
func readConfig(env []string) (config.Config, error) {
	vars := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	return config.FromEnv(func(k string) string { return vars[k] })
}

// WorkerPeakRSS returns the most memory the worker process has held
// resident so far, in bytes.
func (s *Stack) WorkerPeakRSS() (int64, error) {
	if s.worker == nil || s.worker.cmd == nil {
		return 0, errors.New("the worker is not running")
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.worker.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("read the worker's memory use: %w", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(
				strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("the worker's status holds no peak memory use")
}
