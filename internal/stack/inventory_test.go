package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/postgres"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/schedules"
	"github.com/erpsync/erpsync/internal/synclog"
	"github.com/erpsync/erpsync/workflows"
)

// stockItem adds a product to the ERP and the store, with the ERP's stock
// on hand at each location, none reserved.
func stockItem(t *testing.T, sku string, onHand map[string]int64) {
	t.Helper()
	if _, err := st.Model.CreateProduct(erpsandbox.Product{SKU: sku, Name: sku,
		PriceMinor: 500, Currency: Currency}); err != nil {
		t.Fatal(err)
	}
	err := st.Store.UpsertProducts(t.Context(), []postgres.Product{{SKU: sku, Name: sku,
		PriceMinor: 500, Currency: Currency}})
	if err != nil {
		t.Fatal(err)
	}
	for loc, n := range onHand {
		if _, err := st.Model.SetStock(sku, loc, n, 0); err != nil {
			t.Fatal(err)
		}
	}
}

// storeStock returns the store's stock of sku as "location=n" sorted.
func storeStock(t *testing.T, sku string) string {
	t.Helper()
	levels, err := st.Store.StockOf(t.Context(), sku)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, loc := range Locations {
		if n, ok := levels[loc]; ok {
			parts = append(parts, fmt.Sprintf("%s=%d", loc, n))
		}
	}
	return strings.Join(parts, " ")
}

// runSchedule starts the demo store's inventory sync now, and again every
// few seconds (a start while a run is under way is skipped, as the
// schedule's overlap policy says), until the store's stock of sku reads
// want.
func runSchedule(t *testing.T, sku, want string) {
	t.Helper()
	h := st.Client.ScheduleClient().GetHandle(t.Context(), schedules.ID(StoreName))
	deadline := time.Now().Add(time.Minute)
	for next := time.Now(); storeStock(t, sku) != want; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("store holds %s of %s, want %s; see %s/worker.log", storeStock(t, sku),
				sku, want, st.Dir())
		}
		if time.Now().Before(next) {
			continue
		}
		if err := h.Trigger(t.Context(), client.ScheduleTriggerOptions{}); err != nil {
			t.Fatal(err)
		}
		next = time.Now().Add(5 * time.Second)
	}
}

// TestInventoryScheduleSyncsStockNetOfOrdersInFlight applies the schedule
// from the starter, pauses and resumes it, and runs it: the store gets the
// ERP's stock, less the units of an order whose sync is parked, and gets
// them back once the order is skipped.
func TestInventoryScheduleSyncsStockNetOfOrdersInFlight(t *testing.T) {
	// The other flows' schedules wait a day, so that they run in no other
	// test.
	daily := []string{config.EnvCustomerInterval + "=24h", config.EnvCatalogInterval + "=24h",
		config.EnvFulfillmentInterval + "=24h", config.EnvReconcileInterval + "=24h"}
	for _, want := range []string{"created", "updated"} {
		out, err := starterCmd(t, daily, "schedules", "apply")
		if err != nil || !strings.Contains(out, want+" schedule inventory/demo") ||
			!strings.Contains(out, want+" schedule fulfillment/demo of store demo, every 24h0m0s") {
			t.Fatalf("schedules apply = %q, %v; want %s", out, err, want)
		}
	}
	checkPaused(t, "pause", true)
	checkPaused(t, "resume", false)

	const sku = "INV-MUG"
	stockItem(t, sku, map[string]int64{"WH-EAST": 9, "WH-WEST": 4})
	runSchedule(t, sku, "WH-EAST=9 WH-WEST=4")

	// An order of 6 units that parks: its units stay sold in the store.
	id, _ := placeOrder(t, func(o *store.Order) {
		o.Lines = []store.Line{{SKU: sku, Name: sku, Quantity: 6, UnitPriceMinor: 500},
			{SKU: UnknownSKU, Name: "?", Quantity: 1, UnitPriceMinor: 100}}
		o.TotalMinor = o.ShippingMinor + 6*500 + 100
	})
	if code := webhook(t, id, "inv-"+id); code != 202 {
		t.Fatalf("webhook answered %d, want 202", code)
	}
	waitStatus(t, id, synclog.StatusNeedsAttention)
	runSchedule(t, sku, "WH-EAST=3 WH-WEST=4")

	if out, err := starterCmd(t, nil, "syncs", "skip", StoreName+"/"+id, "-reason",
		"test order", "-by", "ana"); err != nil {
		t.Fatalf("syncs skip: %v: %s", err, out)
	}
	waitStatus(t, id, synclog.StatusSkipped)
	runSchedule(t, sku, "WH-EAST=9 WH-WEST=4")

	// A change in the ERP comes through the next run.
	if _, err := st.Model.SetStock(sku, "WH-WEST", 7, 2); err != nil {
		t.Fatal(err)
	}
	runSchedule(t, sku, "WH-EAST=9 WH-WEST=5")
}

// checkPaused pauses or resumes the schedule from the starter and checks
// what the starter then lists.
func checkPaused(t *testing.T, cmd string, paused bool) {
	t.Helper()
	out, err := starterCmd(t, nil, "schedules", cmd, StoreName, "-reason", "stocktake",
		"-by", "ana")
	if err != nil {
		t.Fatalf("schedules %s: %v: %s", cmd, err, out)
	}
	out, err = starterCmd(t, nil, "schedules", "list", "-json")
	var s schedules.Status
	if err == nil { // the inventory schedule comes first
		first, _, _ := strings.Cut(out, "\n")
		err = json.Unmarshal([]byte(first), &s)
	}
	if err != nil || s.Paused != paused || !strings.Contains(s.Note, "by ana: stocktake") ||
		s.Every != time.Minute {
		t.Errorf("after %s, schedules list = %q (%v); want paused %v with the note", cmd, out,
			err, paused)
	}
}

// TestBackfillPassesOverTheWholeCatalog starts a backfill from the starter
// and follows its progress until it has listed every level of the ERP.
func TestBackfillPassesOverTheWholeCatalog(t *testing.T) {
	stockItem(t, "INV-BAG", map[string]int64{"WH-EAST": 2, "SHOP-1": 5})
	levels := len(st.Model.StockLevels())

	out, err := starterCmd(t, nil, "backfill", "start", StoreName, "-page-size", "10",
		"-concurrency", "3")
	if err != nil || !strings.Contains(out, workflows.BackfillWorkflowID(StoreName)) {
		t.Fatalf("backfill start = %q, %v", out, err)
	}

	var p workflows.BackfillProgress
	waitFor(t, "the backfill to finish", func() bool {
		out, err := starterCmd(t, nil, "backfill", "status", StoreName, "-json")
		return err == nil && json.Unmarshal([]byte(out), &p) == nil && p.Finished
	})
	if p.Done != levels || p.Total != levels || p.Counts.Pages < levels/10 {
		t.Errorf("progress %+v, want all %d levels listed in pages of 10", p, levels)
	}
	if got := storeStock(t, "INV-BAG"); got != "WH-EAST=2 SHOP-1=5" {
		t.Errorf("store holds %s of INV-BAG, want WH-EAST=2 SHOP-1=5", got)
	}
	out, _ = starterCmd(t, nil, "backfill", "status", StoreName)
	if !strings.Contains(out, "finished") {
		t.Errorf("backfill status = %q, want it finished", out)
	}
}

// TestInventorySyncThroughEveryERP runs the inventory sync against every
// ERP's sandbox, each naming its locations its own way, which the store's
// location map translates.
func TestInventorySyncThroughEveryERP(t *testing.T) {
	maps := map[string]string{
		config.ERPOdoo:            "",
		config.ERPNetSuite:        "",
		config.ERPSAP:             "1010/WH-EAST=WH-EAST,1010/WH-WEST=WH-WEST",
		config.ERPBusinessCentral: "=WH-EAST",
	}
	t.Cleanup(func() {
		st.SetEnv()
		if err := st.UseERP(context.WithoutCancel(t.Context()), config.ERPOdoo); err != nil {
			t.Errorf("point the worker back at odoo: %v", err)
		}
	})

	for _, name := range config.ERPs {
		t.Run(name, func(t *testing.T) {
			st.SetEnv(config.StoreEnv(StoreName, config.SettingLocations) + "=" + maps[name])
			if err := st.UseERP(t.Context(), name); err != nil {
				t.Fatal(err)
			}
			sku := "INV-" + strings.ToUpper(strings.ReplaceAll(name, "_", ""))
			stockItem(t, sku, map[string]int64{"WH-EAST": 6, "WH-WEST": 2})
			want := "WH-EAST=6 WH-WEST=2"
			if name == config.ERPBusinessCentral {
				want = "WH-EAST=8" // one total, sold at WH-EAST
			}

			var res workflows.InventorySyncResult
			id := fmt.Sprintf("inventory-%s-%d", name, time.Now().UnixNano())
			err := st.runWorkflow(t.Context(), id, workflows.InventorySyncName,
				workflows.InventorySyncInput{Store: StoreName, PageSize: 50}, &res)
			if err != nil {
				t.Fatal(err)
			}
			if got := storeStock(t, sku); got != want {
				t.Errorf("after a sync from %s (%+v), store holds %s, want %s", name, res,
					got, want)
			}
		})
	}
}

// TestInventorySyncToEveryStorePlatform runs the inventory sync into every
// store platform's sandbox through its adapter's bulk stock call.
func TestInventorySyncToEveryStorePlatform(t *testing.T) {
	t.Cleanup(func() { useHeadless(t) })

	for _, platform := range config.Platforms[1:] {
		t.Run(platform, func(t *testing.T) {
			if err := st.UseStore(t.Context(), platform); err != nil {
				t.Fatal(err)
			}
			sku := "INV-" + strings.ToUpper(platform)
			if _, err := st.StoreModel.CreateProduct(storesandbox.Product{SKU: sku, Name: sku,
				PriceMinor: 500, Currency: Currency}); err != nil {
				t.Fatal(err)
			}
			stockItem(t, sku, map[string]int64{"WH-EAST": 5, "WH-WEST": 3})

			var res workflows.InventorySyncResult
			id := fmt.Sprintf("inventory-%s-%d", platform, time.Now().UnixNano())
			err := st.runWorkflow(t.Context(), id, workflows.InventorySyncName,
				workflows.InventorySyncInput{Store: StoreName, PageSize: 50}, &res)
			if err != nil {
				t.Fatal(err)
			}

			east, _ := st.StoreModel.Stock(sku, "WH-EAST")
			west, westSet := st.StoreModel.Stock(sku, "WH-WEST")
			// WooCommerce keeps one quantity per product: that of WH-EAST.
			wantWest := platform != config.PlatformWooCommerce
			if east != 5 || westSet != wantWest || wantWest && west != 3 {
				t.Errorf("after a sync into %s (%+v), WH-EAST %d, WH-WEST %d (%v); want 5 "+
					"and 3", platform, res, east, west, westSet)
			}
		})
	}
}
