package stockstate

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/devenv"
	"github.com/erpsync/erpsync/internal/pgtest"
	"github.com/erpsync/erpsync/internal/synclog"
)

var pg *devenv.Postgres

func TestMain(m *testing.M) {
	os.Exit(devenv.RunWithPostgres(m, func(p *devenv.Postgres) { pg = p }))
}

// newState returns the state of the ERP "odoo" over a fresh, migrated
// database, with a default safety stock of 1, and its pool.
func newState(t *testing.T) (*State, *pgxpool.Pool) {
	t.Helper()
	pool := pgtest.Pool(t, pg)
	return New(pool, "odoo", 1), pool
}

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func stock(sku, loc string, onHand int64, at time.Duration) erp.StockLevel {
	return erp.StockLevel{SKU: sku, Location: loc, OnHand: onHand, Modified: t0.Add(at)}
}

// byPlace renders targets as "sku@location=available" in order, with "*"
// after the ones the store must be told of.
func byPlace(targets []Target) string {
	var parts []string
	for _, t := range targets {
		mark := ""
		if t.Changed() {
			mark = "*"
		}
		parts = append(parts, fmt.Sprintf("%s@%s=%d%s", t.SKU, t.Location, t.Available, mark))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func TestPlanWorksOutEveryLocationOfTheSKUsGiven(t *testing.T) {
	s, _ := newState(t)
	_, err := s.Plan(t.Context(), "demo", []erp.StockLevel{
		stock("MUG", "EAST", 10, 0), stock("MUG", "WEST", 4, 0), stock("TEE", "EAST", 7, 0),
	})
	if err != nil {
		t.Fatal(err)
	}

	got, err := s.Plan(t.Context(), "demo", []erp.StockLevel{stock("MUG", "EAST", 12, time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if want := "MUG@EAST=11* MUG@WEST=3*"; byPlace(got) != want {
		t.Errorf("Plan() = %s, want %s (default safety stock 1)", byPlace(got), want)
	}
}

func TestPlanKeepsTheLastLevelRead(t *testing.T) {
	s, _ := newState(t)
	_, err := s.Plan(t.Context(), "demo", []erp.StockLevel{
		stock("MUG", "EAST", 10, time.Minute), stock("MUG", "EAST", 20, 2*time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.PlanSKUs(t.Context(), "demo", []string{"MUG"})
	if want := "MUG@EAST=19*"; byPlace(got) != want {
		t.Errorf("of two levels in one page, Plan() kept %s, want %s", byPlace(got), want)
	}

	// A change that committed late carries an earlier time; it is still
	// the ERP's stock as it stands.
	got, err = s.Plan(t.Context(), "demo", []erp.StockLevel{stock("MUG", "EAST", 5, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if want := "MUG@EAST=4*"; byPlace(got) != want {
		t.Errorf("after a level committed late, Plan() = %s, want %s", byPlace(got), want)
	}
}

func TestPushedLevelsAreUnchangedUntilForgotten(t *testing.T) {
	s, _ := newState(t)
	targets, err := s.Plan(t.Context(), "demo", []erp.StockLevel{stock("MUG", "EAST", 10, 0),
		stock("MUG", "WEST", 3, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordPushed(t.Context(), "demo", targets); err != nil {
		t.Fatal(err)
	}

	again, _ := s.PlanSKUs(t.Context(), "demo", []string{"MUG"})
	other, _ := s.PlanSKUs(t.Context(), "other-store", []string{"MUG"})
	if byPlace(again) != "MUG@EAST=9 MUG@WEST=2" || byPlace(other) != "MUG@EAST=9* MUG@WEST=2*" {
		t.Errorf("after the push, demo %s and other-store %s; want demo unchanged",
			byPlace(again), byPlace(other))
	}

	if err := s.Forget(t.Context(), "demo", again[:1]); err != nil {
		t.Fatal(err)
	}
	forgot, _ := s.PlanSKUs(t.Context(), "demo", []string{"MUG"})
	if want := "MUG@EAST=9* MUG@WEST=2"; byPlace(forgot) != want {
		t.Errorf("after forgetting EAST, %s, want %s", byPlace(forgot), want)
	}
}

func TestOrdersInFlightHoldStockUntilBooked(t *testing.T) {
	s, pool := newState(t)
	ctx := t.Context()
	if _, err := s.Plan(ctx, "demo", []erp.StockLevel{stock("MUG", "EAST", 10, 0),
		stock("MUG", "WEST", 6, 0)}); err != nil {
		t.Fatal(err)
	}
	for id, qty := range map[string]int64{"1": 2, "2": 3, "3": 4, "4": 5} {
		err := s.RecordOrderLines(ctx, "demo", id, []OrderLine{{"MUG", qty}})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Order 1 is booked, 2 parked, 3 skipped, 4 not yet recorded; the
	// same order in another store holds nothing here.
	log := synclog.New(pool)
	for id, status := range map[string]string{"1": synclog.StatusSynced,
		"2": synclog.StatusNeedsAttention, "3": synclog.StatusSkipped} {
		err := log.Record(ctx, synclog.Entry{Entity: synclog.EntityOrder, Store: "demo",
			ExternalRef: id, Status: status})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordOrderLines(ctx, "other", "9", []OrderLine{{"MUG", 7}}); err != nil {
		t.Fatal(err)
	}

	got, err := s.PlanSKUs(ctx, "demo", []string{"MUG"})
	if err != nil {
		t.Fatal(err)
	}
	// 9 and 5 to sell; orders 2 and 4 hold 3 + 5 = 8, from EAST first.
	if want := "MUG@EAST=1* MUG@WEST=5*"; byPlace(got) != want {
		t.Errorf("PlanSKUs() = %s, want %s", byPlace(got), want)
	}
}

func TestRecordOrderLinesReplacesAnEditedOrder(t *testing.T) {
	s, pool := newState(t)
	ctx := t.Context()
	err := s.RecordOrderLines(ctx, "demo", "1", []OrderLine{{"MUG", 2}, {"TEE", 1},
		{"MUG", 1}, {"", 4}, {"CAP", 0}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordOrderLines(ctx, "demo", "1", []OrderLine{{"MUG", 3}, {"BAG", 2}}); err != nil {
		t.Fatal(err)
	}

	rows, _ := pool.Query(ctx, `SELECT sku || '=' || quantity FROM erpsync.order_lines
WHERE store = 'demo' AND order_id = '1' ORDER BY sku`)
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if strings.Join(got, " ") != "BAG=2 MUG=3" {
		t.Errorf("lines %v, want BAG=2 MUG=3", got)
	}
}

func TestTouchedNamesSKUsWhoseAvailabilityMovedWithoutTheERP(t *testing.T) {
	s, pool := newState(t)
	ctx := t.Context()
	for id, sku := range map[string]string{"1": "MUG", "2": "TEE", "3": "CAP"} {
		if err := s.RecordOrderLines(ctx, "demo", id, []OrderLine{{sku, 1}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `UPDATE erpsync.order_lines SET loaded_at = $1`,
		t0); err != nil {
		t.Fatal(err)
	}
	since := time.Now().Add(-time.Second)

	err := synclog.New(pool).Record(ctx, synclog.Entry{Entity: synclog.EntityOrder,
		Store: "demo", ExternalRef: "2", Status: synclog.StatusSynced})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordOrderLines(ctx, "demo", "4", []OrderLine{{"BAG", 1}}); err != nil {
		t.Fatal(err)
	}
	five := int64(5)
	if err := s.SetSafetyStock(ctx, "PIN", &five); err != nil {
		t.Fatal(err)
	}

	got, err := s.Touched(ctx, "demo", since)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	if strings.Join(got, " ") != "BAG PIN TEE" {
		t.Errorf("Touched() = %v, want BAG (loaded), PIN (safety) and TEE (booked)", got)
	}
}

func TestSafetyStockPerSKUReplacesTheDefault(t *testing.T) {
	s, _ := newState(t)
	ctx := t.Context()
	if _, err := s.Plan(ctx, "demo", []erp.StockLevel{stock("MUG", "EAST", 10, 0),
		stock("TEE", "EAST", 10, 0)}); err != nil {
		t.Fatal(err)
	}

	four := int64(4)
	if err := s.SetSafetyStock(ctx, "MUG", &four); err != nil {
		t.Fatal(err)
	}
	got, _ := s.PlanSKUs(ctx, "demo", []string{"MUG", "TEE"})
	if want := "MUG@EAST=6* TEE@EAST=9*"; byPlace(got) != want {
		t.Errorf("with MUG's own safety stock, %s, want %s", byPlace(got), want)
	}

	if err := s.SetSafetyStock(ctx, "MUG", nil); err != nil {
		t.Fatal(err)
	}
	got, _ = s.PlanSKUs(ctx, "demo", []string{"MUG"})
	if want := "MUG@EAST=9*"; byPlace(got) != want {
		t.Errorf("back to the default, %s, want %s", byPlace(got), want)
	}
}

func TestMarksRoundTrip(t *testing.T) {
	s, _ := newState(t)
	if _, ok, err := s.Mark(t.Context(), "stock/demo"); ok || err != nil {
		t.Fatalf("Mark() of a new listing = %v, %v; want none", ok, err)
	}
	want := Mark{Since: t0, From: t0.Add(-time.Minute), Cursor: "page-2"}
	for _, m := range []Mark{{Since: t0.Add(-time.Hour)}, want} {
		if err := s.SaveMark(t.Context(), "stock/demo", m); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := s.Mark(t.Context(), "stock/demo")
	if err != nil || !ok || got != want {
		t.Errorf("Mark() = %+v, %v, %v; want %+v", got, ok, err, want)
	}
}

func TestPruneOrderLinesDropsOnlyOldBookedOrders(t *testing.T) {
	s, pool := newState(t)
	ctx := t.Context()
	log := synclog.New(pool)
	for id, status := range map[string]string{"1": synclog.StatusSynced,
		"2": synclog.StatusSkipped, "3": synclog.StatusNeedsAttention, "4": ""} {
		if err := s.RecordOrderLines(ctx, "demo", id, []OrderLine{{"MUG", 1}}); err != nil {
			t.Fatal(err)
		}
		if status == "" {
			continue
		}
		err := log.Record(ctx, synclog.Entry{Entity: synclog.EntityOrder, Store: "demo",
			ExternalRef: id, Status: status})
		if err != nil {
			t.Fatal(err)
		}
	}

	n, err := s.PruneOrderLines(ctx, "demo", time.Now().Add(time.Minute))
	if err != nil || n != 2 {
		t.Errorf("PruneOrderLines() = %d, %v; want the booked and the skipped order", n, err)
	}
	n, _ = s.PruneOrderLines(ctx, "demo", time.Now().Add(-time.Hour))
	if n != 0 {
		t.Errorf("pruned %d lines synced within the hour, want none", n)
	}
}

func TestMarkWithoutCursorHasNoListingUnderWay(t *testing.T) {
	s, _ := newState(t)
	err := s.SaveMark(t.Context(), "stock/demo", Mark{Since: t0, From: t0, Cursor: ""})
	if err != nil {
		t.Fatal(err)
	}
	got, _, _ := s.Mark(t.Context(), "stock/demo")
	if got != (Mark{Since: t0}) {
		t.Errorf("Mark() = %+v, want only the watermark", got)
	}
}

func TestPlanSellsStockWhereTheStoresLocationMapSays(t *testing.T) {
	_, pool := newState(t)
	s := New(pool, "odoo", 0, WithLocations(map[string]LocationMap{
		"web": {"EAST": "ONLINE", "WEST": "ONLINE"},
	}))
	_, err := s.Plan(t.Context(), "demo", []erp.StockLevel{stock("MUG", "EAST", 10, 0),
		stock("MUG", "WEST", 4, 0), stock("MUG", "SHOP", 2, 0)})
	if err != nil {
		t.Fatal(err)
	}

	web, _ := s.PlanSKUs(t.Context(), "web", []string{"MUG"})
	demo, _ := s.PlanSKUs(t.Context(), "demo", []string{"MUG"})
	if byPlace(web) != "MUG@ONLINE=14*" || byPlace(demo) != "MUG@EAST=10* MUG@SHOP=2* MUG@WEST=4*" {
		t.Errorf("web %s, demo %s; want web to sell EAST and WEST as ONLINE", byPlace(web),
			byPlace(demo))
	}
}
