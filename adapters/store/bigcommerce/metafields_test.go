package bigcommerce

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
)

func TestSetERPIDIsIdempotent(t *testing.T) {
	f := newFixture(t, nil)
	placed, err := f.model.CreateOrder(order())
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(placed.ID, 10)
	path := "/stores/" + testHash + "/v3/orders/" + id + "/metafields"
	var updates atomic.Int64
	f.model.Watch(func(ev storesandbox.Event) {
		if ev.Topic == storesandbox.TopicOrderUpdated {
			updates.Add(1)
		}
	})

	for range 2 {
		if err := f.store.SetERPID(t.Context(), id, "SO-42"); err != nil {
			t.Fatalf("SetERPID() error = %v", err)
		}
	}
	if n := f.requests(http.MethodPost, path); n != 1 || updates.Load() != 1 {
		t.Errorf("two equal writes made %d creates and %d order updates, want 1 and 1",
			n, updates.Load())
	}
	got, err := f.store.LoadOrder(t.Context(), id)
	if err != nil || got.ERPID != "SO-42" {
		t.Fatalf("LoadOrder() = ERPID %q, %v; want SO-42", got.ERPID, err)
	}

	if err := f.store.SetERPID(t.Context(), id, "SO-43"); err != nil {
		t.Fatalf("SetERPID(another id) error = %v", err)
	}
	o, _ := f.model.Order(placed.ID)
	if o.Metafields["erp.sales_order_id"] != "SO-43" || len(o.Metafields) != 1 ||
		f.requests(http.MethodPost, path) != 1 {
		t.Errorf("metafields after a new id = %v, %d creates; want SO-43 updated in place",
			o.Metafields, f.requests(http.MethodPost, path))
	}
}

func TestSetERPIDUpdatesAMetafieldCreatedMeanwhile(t *testing.T) {
	var hidden atomic.Bool
	f := newFixture(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The first read misses the metafield another writer just made.
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/metafields") &&
				hidden.CompareAndSwap(false, true) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"data":[],"meta":{"pagination":{"total":0}}}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	placed, err := f.model.CreateOrder(order())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.model.SetMetafield(placed.ID, "erp.sales_order_id", "SO-1"); err != nil {
		t.Fatal(err)
	}

	if err := f.store.SetERPID(t.Context(), strconv.FormatInt(placed.ID, 10), "SO-2"); err != nil {
		t.Fatalf("SetERPID() after a 409 error = %v", err)
	}
	o, _ := f.model.Order(placed.ID)
	if o.Metafields["erp.sales_order_id"] != "SO-2" {
		t.Errorf("metafield = %q, want SO-2 written over the conflict",
			o.Metafields["erp.sales_order_id"])
	}
}

func TestSetERPIDRefusesBadInput(t *testing.T) {
	f := newFixture(t, nil)
	placed, err := f.model.CreateOrder(order())
	if err != nil {
		t.Fatal(err)
	}

	var invalid *syncerr.InvalidError
	if err := f.store.SetERPID(t.Context(), strconv.FormatInt(placed.ID, 10), ""); !errors.As(
		err, &invalid) || invalid.Field != "erp_id" {
		t.Errorf("SetERPID(empty id) error = %v, want an InvalidError on erp_id", err)
	}
	if err := f.store.SetERPID(t.Context(), "424242", "SO-1"); !errors.Is(err,
		syncerr.ErrNotFound) {
		t.Errorf("SetERPID(unknown order) error = %v, want ErrNotFound", err)
	}
}
