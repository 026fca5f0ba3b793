package stack

import (
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/synclog"
)

// TestParkedSyncPatchedFromTheCommandLine parks an order for a SKU the ERP
// does not know, refuses a patch written for another version of the
// order, and books the order once the patch for the version shown names a
// SKU the ERP has.
func TestParkedSyncPatchedFromTheCommandLine(t *testing.T) {
	id, ref := parkOrder(t, "MUG-TYPO")

	out, err := starterCmd(t, nil, "syncs", "patch", StoreName+"/"+id, "-set",
		"lines[0].sku=MUG-BLK", "-version", "2001-01-01T00:00:00Z", "-reason", "typo",
		"-by", "ana")
	if err == nil || !strings.Contains(out+err.Error(), "patch refused") {
		t.Fatalf("patch for an old version = %q, %v; want it refused", out, err)
	}

	out, err = starterCmd(t, nil, "syncs", "patch", StoreName+"/"+id, "-set",
		"lines[0].sku=MUG-BLK", "-reason", "typo in the storefront's catalog", "-by", "ana")
	if err != nil {
		t.Fatalf("syncs patch: %v: %s", err, out)
	}
	waitStatus(t, id, synclog.StatusSynced)

	found := st.Model.FindSalesOrders(func(o erpsandbox.SalesOrder) bool {
		return strings.EqualFold(o.ExternalRef, ref)
	})
	if len(found) != 1 {
		t.Fatalf("%d sales orders for %s, want 1", len(found), ref)
	}
	p, _ := st.Model.ProductBySKU("MUG-BLK")
	if found[0].Lines[0].ProductID != p.ID {
		t.Errorf("sales order's first line is product %d, want MUG-BLK (%d)",
			found[0].Lines[0].ProductID, p.ID)
	}
}

// TestDemoUnderTheERPsCapacityParksNothingForThrottling runs the demo while
// the ERP serves a few requests a second and answers the rest with 429:
// every order still syncs, none parks or is lost for throttling.
func TestDemoUnderTheERPsCapacityParksNothingForThrottling(t *testing.T) {
	t.Cleanup(func() {
		if err := st.Faults.SetConfig(erpsandbox.Config{}); err != nil {
			t.Error(err)
		}
	})
	capacity := erpsandbox.Config{Capacity: erpsandbox.Capacity{RequestsPerSecond: 15}}
	sum, _, err := st.Demo(t.Context(), DemoOptions{Orders: 30, Faults: capacity,
		Concurrency: 8, Timeout: 3 * time.Minute, Seed: 31})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Synced != 30 || sum.NeedsAttention != 0 || sum.Duplicates != 0 || sum.Lost != 0 {
		t.Errorf("demo at 15 requests a second: %+v, want all 30 synced", sum)
	}
	if limited := st.Faults.Injected()[erpsandbox.KindCapacity]; limited == 0 {
		t.Errorf("the sandbox refused no request over its capacity; the test proves nothing")
	}
}
