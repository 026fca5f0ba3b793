package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/postgres"
	"github.com/erpsync/erpsync/internal/devenv"
	"github.com/erpsync/erpsync/internal/pgtest"
	"github.com/erpsync/erpsync/internal/stockstate"
	"github.com/erpsync/erpsync/internal/synclog"
)

var pg *devenv.Postgres

func TestMain(m *testing.M) {
	os.Exit(devenv.RunWithPostgres(m, func(p *devenv.Postgres) { pg = p }))
}

// stockERP is an ERP whose stock listing pages its levels in (modified,
// sku, location) order, with cursors that name the last level listed.
type stockERP struct {
	mu     sync.Mutex
	levels map[[2]string]erp.StockLevel
	sorted []keyedLevel // nil when levels changed since it was sorted
	// onList, when set, runs before each listing, outside the lock.
	onList func(q erp.Changes)
}

// keyedLevel is a level with its listing key.
type keyedLevel struct {
	key string
	l   erp.StockLevel
}

func newStockERP(levels ...erp.StockLevel) *stockERP {
	e := &stockERP{levels: map[[2]string]erp.StockLevel{}}
	for _, l := range levels {
		e.set(l)
	}
	return e
}

func (e *stockERP) set(l erp.StockLevel) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.levels[[2]string{l.SKU, l.Location}] = l
	e.sorted = nil
}

func levelKey(l erp.StockLevel) string {
	return fmt.Sprintf("%020d|%s|%s", l.Modified.UnixNano(), l.SKU, l.Location)
}

func (e *stockERP) ChangedStock(_ context.Context, q erp.Changes) (
	erp.Page[erp.StockLevel], error) {
	if e.onList != nil {
		e.onList(q)
	}
	e.mu.Lock()
	defer e.mu.Unlock()

	if e.sorted == nil {
		for _, l := range e.levels {
			e.sorted = append(e.sorted, keyedLevel{levelKey(l), l})
		}
		sort.Slice(e.sorted, func(i, j int) bool { return e.sorted[i].key < e.sorted[j].key })
	}
	from := sort.Search(len(e.sorted), func(i int) bool {
		k := e.sorted[i]
		return k.key > q.Cursor && !k.l.Modified.Before(q.Since)
	})
	rest := e.sorted[from:]
	page := erp.Page[erp.StockLevel]{Items: make([]erp.StockLevel, 0, q.PageSize())}
	for _, k := range rest[:min(len(rest), q.PageSize())] {
		page.Items = append(page.Items, k.l)
	}
	if len(rest) > q.PageSize() {
		page.Next = rest[q.PageSize()-1].key
	}
	return page, nil
}

// failingStore fails a stock update that holds a given SKU, once.
type failingStore struct {
	store.Inventory
	sku    string
	failed bool
}

func (f *failingStore) SetStock(ctx context.Context, u store.StockUpdate) error {
	for _, l := range u.Levels {
		if l.SKU == f.sku && !f.failed {
			f.failed = true
			return errors.New("store went away")
		}
	}
	return f.Inventory.SetStock(ctx, u)
}

// stockFixture is a headless store over a fresh database, the inventory
// state in the same database, and the activities between them and an ERP.
type stockFixture struct {
	pool  *pgxpool.Pool
	store *postgres.Store
	state *stockstate.State
	erp   *stockERP
	acts  *Inventory
	env   *testsuite.TestActivityEnvironment
}

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func lvl(sku, loc string, onHand, reserved, safety int64, modified time.Time) erp.StockLevel {
	return erp.StockLevel{SKU: sku, Location: loc, OnHand: onHand, Reserved: reserved,
		SafetyStock: safety, Modified: modified}
}

// newStockFixture sells skus in the store, with no stock yet.
func newStockFixture(t testing.TB, e *stockERP, skus ...string) *stockFixture {
	t.Helper()
	pool := pgtest.Pool(t, pg)

	st := postgres.New(pool)
	var products []postgres.Product
	for _, sku := range skus {
		products = append(products, postgres.Product{SKU: sku, Name: sku, PriceMinor: 100,
			Currency: "EUR"})
	}
	if err := st.UpsertProducts(t.Context(), products); err != nil {
		t.Fatal(err)
	}

	f := &stockFixture{pool: pool, store: st, state: stockstate.New(pool, "odoo", 0), erp: e}
	f.acts = &Inventory{ERP: e, ERPName: "odoo", Stores: map[string]store.Inventory{"demo": st},
		State: f.state, Logger: zap.NewNop()}
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	f.env = suite.NewTestActivityEnvironment()
	f.env.RegisterActivity(f.acts)
	return f
}

// pass runs SyncStock and returns its result.
func (f *stockFixture) pass(t testing.TB, in StockPassInput) (StockPassResult, error) {
	t.Helper()
	in.Store = "demo"
	val, err := f.env.ExecuteActivity(f.acts.SyncStock, in)
	var res StockPassResult
	if err == nil {
		err = val.Get(&res)
	}
	return res, err
}

// levels returns the store's stock as "sku@location=quantity", sorted.
func (f *stockFixture) levels(t *testing.T) string {
	t.Helper()
	rows, err := f.pool.Query(t.Context(), `
SELECT p.sku || '@' || s.location || '=' || s.quantity
FROM storefront.stock_levels s JOIN storefront.products p ON p.id = s.product_id
ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestSyncStockPushesEveryLocationClampedAndNetOfSafety(t *testing.T) {
	f := newStockFixture(t, newStockERP(
		lvl("MUG", "EAST", 10, 2, 1, at(0)),
		lvl("MUG", "WEST", 1, 3, 0, at(0)),
		lvl("TEE", "EAST", 5, 0, 9, at(time.Second)),
		lvl("TEE", "WEST", 6, 0, 0, at(time.Second)),
	), "MUG", "TEE")

	res, err := f.pass(t, StockPassInput{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "MUG@EAST=7 MUG@WEST=0 TEE@EAST=0 TEE@WEST=6"; f.levels(t) != want {
		t.Errorf("store holds %s, want %s", f.levels(t), want)
	}
	if !res.Done || res.Levels != 4 || res.Pushed != 4 || !res.Watermark.Equal(at(time.Second)) {
		t.Errorf("result %+v, want done, 4 levels pushed, watermark at the last change", res)
	}
}

func TestSyncStockSkipsWhatItPushedAlready(t *testing.T) {
	f := newStockFixture(t, newStockERP(lvl("MUG", "EAST", 10, 0, 0, at(0)),
		lvl("MUG", "WEST", 4, 0, 0, at(0))), "MUG")
	if _, err := f.pass(t, StockPassInput{}); err != nil {
		t.Fatal(err)
	}

	// The overlap lists both levels again; neither changed.
	res, err := f.pass(t, StockPassInput{})
	if err != nil || res.Levels != 2 || res.Unchanged != 2 || res.Pushed != 0 {
		t.Errorf("second pass = %+v, %v; want 2 levels listed again, none pushed", res, err)
	}

	f.erp.set(lvl("MUG", "WEST", 3, 0, 0, at(time.Minute)))
	res, err = f.pass(t, StockPassInput{})
	if err != nil || res.Pushed != 1 || res.Unchanged != 1 || f.levels(t) != "MUG@EAST=10 MUG@WEST=3" {
		t.Errorf("after WEST changed, %+v, %v, store %s; want WEST pushed alone", res, err,
			f.levels(t))
	}
}

// A pass that fails halfway keeps the watermark of the last page applied
// with all before it; the next one goes on from there and misses nothing.
func TestSyncStockResumesAfterAFailureWithoutMissingAChange(t *testing.T) {
	var levels []erp.StockLevel
	var skus []string
	for i := range 40 {
		sku := fmt.Sprintf("S%02d", i)
		skus = append(skus, sku)
		levels = append(levels, lvl(sku, "EAST", int64(i), 0, 0, at(time.Duration(i)*time.Second)))
	}
	f := newStockFixture(t, newStockERP(levels...), skus...)
	f.acts.Stores["demo"] = &failingStore{Inventory: f.store, sku: "S23"}

	_, err := f.pass(t, StockPassInput{PageSize: 5, Concurrency: 3})
	if err == nil {
		t.Fatal("pass through a failing store succeeded")
	}
	mark, _, _ := f.state.Mark(t.Context(), "stock/odoo/demo")
	if mark.Cursor == "" || !mark.Since.Before(at(23*time.Second)) {
		t.Errorf("mark after the failure %+v, want a cursor before S23", mark)
	}

	res, err := f.pass(t, StockPassInput{PageSize: 5, Concurrency: 3})
	if err != nil || !res.Done {
		t.Fatalf("pass after the failure = %+v, %v", res, err)
	}
	var want []string
	for i := range 40 {
		want = append(want, fmt.Sprintf("S%02d@EAST=%d", i, i))
	}
	if got := f.levels(t); got != strings.Join(want, " ") {
		t.Errorf("store holds %s, want every level", got)
	}
	mark, _, _ = f.state.Mark(t.Context(), "stock/odoo/demo")
	if mark != (stockstate.Mark{Since: at(39 * time.Second)}) {
		t.Errorf("mark %+v, want the last change and no listing under way", mark)
	}
}

// An attempt retried after a crash goes on from the mark of its last
// heartbeat.
func TestSyncStockGoesOnFromTheLastHeartbeat(t *testing.T) {
	f := newStockFixture(t, newStockERP(lvl("MUG", "EAST", 1, 0, 0, at(0)),
		lvl("TEE", "EAST", 2, 0, 0, at(time.Second))), "MUG", "TEE")
	f.env.SetHeartbeatDetails(stockstate.Mark{Since: at(0), From: at(0),
		Cursor: levelKey(lvl("MUG", "EAST", 1, 0, 0, at(0)))})

	res, err := f.pass(t, StockPassInput{})
	if err != nil || res.Levels != 1 || f.levels(t) != "TEE@EAST=2" {
		t.Errorf("resumed pass = %+v, %v, store %s; want only TEE, after the heartbeat", res,
			err, f.levels(t))
	}
}

// A change committed late, stamped before the watermark the pass reached,
// is listed by the next pass thanks to the overlap; a change made during
// the pass to a level it listed already comes later in the same listing.
func TestSyncStockSeesChangesThatLandDuringAPass(t *testing.T) {
	e := newStockERP(lvl("MUG", "EAST", 1, 0, 0, at(0)), lvl("TEE", "EAST", 2, 0, 0, at(10*time.Second)),
		lvl("CAP", "EAST", 3, 0, 0, at(20*time.Second)))
	f := newStockFixture(t, e, "MUG", "TEE", "CAP")
	// When the pass has listed MUG and TEE, MUG changes again, and a change
	// of TEE commits late, stamped before the listing's position.
	var once sync.Once
	e.onList = func(q erp.Changes) {
		if !strings.Contains(q.Cursor, "|TEE|") {
			return
		}
		once.Do(func() {
			e.set(lvl("MUG", "EAST", 7, 0, 0, at(30*time.Second)))
			e.set(lvl("TEE", "EAST", 8, 0, 0, at(5*time.Second)))
		})
	}

	if _, err := f.pass(t, StockPassInput{PageSize: 1, Concurrency: 1}); err != nil {
		t.Fatal(err)
	}
	if want := "CAP@EAST=3 MUG@EAST=7 TEE@EAST=2"; f.levels(t) != want {
		t.Errorf("after the pass, store %s, want %s", f.levels(t), want)
	}

	if _, err := f.pass(t, StockPassInput{PageSize: 1}); err != nil {
		t.Fatal(err)
	}
	if want := "CAP@EAST=3 MUG@EAST=7 TEE@EAST=8"; f.levels(t) != want {
		t.Errorf("after the next pass, store %s, want %s", f.levels(t), want)
	}
}

func TestSyncStockHoldsBackOrdersInFlight(t *testing.T) {
	f := newStockFixture(t, newStockERP(lvl("MUG", "EAST", 10, 0, 0, at(0)),
		lvl("MUG", "WEST", 4, 0, 0, at(0))), "MUG")
	ctx := t.Context()
	err := f.state.RecordOrderLines(ctx, "demo", "1042", []stockstate.OrderLine{{SKU: "MUG",
		Quantity: 8}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.pass(t, StockPassInput{}); err != nil {
		t.Fatal(err)
	}
	if want := "MUG@EAST=2 MUG@WEST=4"; f.levels(t) != want {
		t.Errorf("with 8 units in flight, store %s, want %s", f.levels(t), want)
	}

	// The sync books the order; the ERP has not moved its stock yet, so
	// only the touched SKUs bring the units back.
	err = synclog.New(f.pool).Record(ctx, synclog.Entry{Entity: synclog.EntityOrder,
		Store: "demo", ExternalRef: "1042", Status: synclog.StatusSynced})
	if err != nil {
		t.Fatal(err)
	}
	val, err := f.env.ExecuteActivity(f.acts.SyncTouchedStock, "demo")
	var c StockCounts
	if err == nil {
		err = val.Get(&c)
	}
	if err != nil || c.Pushed != 1 || f.levels(t) != "MUG@EAST=10 MUG@WEST=4" {
		t.Errorf("touched pass = %+v, %v, store %s; want EAST back to 10", c, err, f.levels(t))
	}
}

func TestSyncStockCountsUnknownSKUsAndGoesOn(t *testing.T) {
	f := newStockFixture(t, newStockERP(lvl("MUG", "EAST", 5, 0, 0, at(0)),
		lvl("GHOST", "EAST", 3, 0, 0, at(0)), lvl("GHOST", "WEST", 3, 0, 0, at(0))), "MUG")

	res, err := f.pass(t, StockPassInput{})
	if err != nil || !res.Done || res.Pushed != 1 || res.Unknown != 2 ||
		len(res.UnknownSKUs) != 2 || res.UnknownSKUs[0] != "GHOST" {
		t.Fatalf("pass = %+v, %v; want MUG pushed and GHOST counted twice", res, err)
	}
	if f.levels(t) != "MUG@EAST=5" {
		t.Errorf("store holds %s, want MUG@EAST=5", f.levels(t))
	}
}

// A level the store changed since the last push is not overwritten blindly:
// it is counted stale, and set again without comparing at its next change.
func TestSyncStockForgetsLevelsTheStoreChanged(t *testing.T) {
	f := newStockFixture(t, newStockERP(lvl("MUG", "EAST", 10, 0, 0, at(0))), "MUG")
	if _, err := f.pass(t, StockPassInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(t.Context(),
		`UPDATE storefront.stock_levels SET quantity = 9`); err != nil {
		t.Fatal(err)
	}

	f.erp.set(lvl("MUG", "EAST", 12, 0, 0, at(time.Minute)))
	res, err := f.pass(t, StockPassInput{})
	if err != nil || res.Stale != 1 || f.levels(t) != "MUG@EAST=9" {
		t.Fatalf("pass over a changed level = %+v, %v, store %s; want it stale, untouched",
			res, err, f.levels(t))
	}

	f.erp.set(lvl("MUG", "EAST", 11, 0, 0, at(2*time.Minute)))
	res, err = f.pass(t, StockPassInput{})
	if err != nil || res.Pushed != 1 || f.levels(t) != "MUG@EAST=11" {
		t.Errorf("next pass = %+v, %v, store %s; want MUG@EAST=11", res, err, f.levels(t))
	}
}

func TestFullPassAppliesEverythingAndMovesTheWatermarkOfChanges(t *testing.T) {
	var levels []erp.StockLevel
	var skus []string
	for i := range 60 {
		sku := "P" + strconv.Itoa(i)
		skus = append(skus, sku)
		for _, loc := range []string{"EAST", "WEST", "SHOP"} {
			levels = append(levels, lvl(sku, loc, int64(i%7), 0, 0, at(time.Duration(i%9)*time.Hour)))
		}
	}
	f := newStockFixture(t, newStockERP(levels...), skus...)

	res, err := f.pass(t, StockPassInput{Full: true, PageSize: 11, Concurrency: 4})
	if err != nil || !res.Done || res.Levels != 180 || res.Pushed != 180 {
		t.Fatalf("full pass = %+v, %v; want 180 levels pushed", res, err)
	}
	var n int
	if err := f.pool.QueryRow(t.Context(),
		`SELECT count(*) FROM storefront.stock_levels`).Scan(&n); err != nil || n != 180 {
		t.Errorf("store holds %d levels (%v), want 180", n, err)
	}
	mark, _, _ := f.state.Mark(t.Context(), "stock/odoo/demo")
	if !mark.Since.Equal(at(8 * time.Hour)) {
		t.Errorf("watermark of changes %v, want the last change the full pass saw", mark.Since)
	}

	res, err = f.pass(t, StockPassInput{Full: true, PageSize: 50})
	if err != nil || res.Levels != 180 || res.Unchanged != 180 {
		t.Errorf("second full pass = %+v, %v; want everything listed again, unchanged", res,
			err)
	}
}

func TestSyncStockStopsAtItsBudgetAndGoesOnNextTime(t *testing.T) {
	var levels []erp.StockLevel
	var skus []string
	for i := range 20 {
		sku := "B" + strconv.Itoa(i)
		skus = append(skus, sku)
		levels = append(levels, lvl(sku, "EAST", 1, 0, 0, at(time.Duration(i)*time.Second)))
	}
	f := newStockFixture(t, newStockERP(levels...), skus...)

	res, err := f.pass(t, StockPassInput{PageSize: 3, Budget: time.Nanosecond})
	if err != nil || res.Done || res.Pages != 1 || res.Levels != 3 {
		t.Fatalf("pass with no budget = %+v, %v; want one page and not done", res, err)
	}
	res, err = f.pass(t, StockPassInput{PageSize: 3})
	if err != nil || !res.Done || res.Levels != 17 {
		t.Errorf("next pass = %+v, %v; want the other 17 levels", res, err)
	}
}

func TestCountStockFallsBackToTheLevelsRead(t *testing.T) {
	f := newStockFixture(t, newStockERP(lvl("MUG", "EAST", 1, 0, 0, at(0)),
		lvl("MUG", "WEST", 1, 0, 0, at(0))), "MUG")
	if _, err := f.pass(t, StockPassInput{}); err != nil {
		t.Fatal(err)
	}
	val, err := f.env.ExecuteActivity(f.acts.CountStock, "demo")
	var n int
	if err == nil {
		err = val.Get(&n)
	}
	if err != nil || n != 2 {
		t.Errorf("CountStock() = %d, %v; want 2", n, err)
	}
}

// BenchmarkSyncStockFullPass times a full pass of 3,000 SKUs at 3
// locations from an in-memory ERP into the headless store, on a fresh
// database each round: the cost of erpsync's own side of a pass.
func BenchmarkSyncStockFullPass(b *testing.B) {
	const skus = 3000
	var levels []erp.StockLevel
	var names []string
	for i := range skus {
		sku := fmt.Sprintf("K%06d", i)
		names = append(names, sku)
		for l, loc := range []string{"EAST", "WEST", "SHOP"} {
			levels = append(levels, lvl(sku, loc, int64(i%50+l), 0, 0, at(time.Duration(i)*time.Second)))
		}
	}
	for b.Loop() {
		b.StopTimer()
		f := newStockFixture(b, newStockERP(levels...), names...)
		b.StartTimer()
		res, err := f.pass(b, StockPassInput{Full: true, PageSize: 5000, Concurrency: 1,
			Budget: time.Hour})
		if err != nil || res.Pushed != len(levels) {
			b.Fatalf("pass = %+v, %v", res, err)
		}
	}
	b.ReportMetric(float64(len(levels))*float64(b.N)/b.Elapsed().Seconds(), "levels/s")

}
