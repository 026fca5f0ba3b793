package woocommerce

import (
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// listAll pages ChangedOrders from since with limit, calling between after
// each page, and returns the ids in the order listed.
func listAll(t *testing.T, e *env, since time.Time, limit int,
	between func(page int)) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for page := 0; ; page++ {
		got, err := e.store.ChangedOrders(t.Context(), store.Changes{Since: since,
			Cursor: cursor, Limit: limit})
		if err != nil {
			t.Fatalf("ChangedOrders(page %d) error = %v", page, err)
		}
		if len(got.Items) > limit {
			t.Fatalf("page %d holds %d orders, more than %d", page, len(got.Items), limit)
		}
		for _, c := range got.Items {
			ids = append(ids, c.ID)
		}
		if got.Next == "" {
			return ids
		}
		if page > 50 {
			t.Fatalf("still paging after %d pages: %v", page, ids)
		}
		cursor = got.Next
		if between != nil {
			between(page)
		}
	}
}

func TestChangedOrdersPagesOrdersOfOneSecondAndLater(t *testing.T) {
	tests := []struct {
		name          string
		orders, limit int
	}{
		{"small pages", 7, 2},
		{"more than a woocommerce page in one second", 230, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			old := placeOrder(t, e.model, false) // before since
			e.clock.Advance(time.Minute)
			since := e.clock.Now()

			var want []string
			for i := range tt.orders {
				if i == tt.orders-2 {
					e.clock.Advance(time.Second)
				}
				o := placeOrder(t, e.model, false)
				want = append(want, strconv.FormatInt(o.ID, 10))
			}

			got := listAll(t, e, since, tt.limit, nil)
			if !slices.Equal(got, want) {
				t.Errorf("listed %v, want %v (and not %d, changed before since)", got, want,
					old.ID)
			}
		})
	}
}

func TestChangedOrdersListsOrdersChangedDuringTheListing(t *testing.T) {
	e := newEnv(t)
	since := e.clock.Now()
	var ids []int64
	for range 6 {
		e.clock.Advance(time.Second)
		ids = append(ids, placeOrder(t, e.model, false).ID)
	}

	// After the first page, an order already listed and one not yet listed
	// change: both move to the end, and nothing else is skipped.
	got := listAll(t, e, since, 2, func(page int) {
		if page != 0 {
			return
		}
		e.clock.Advance(time.Minute)
		for _, id := range []int64{ids[0], ids[3]} {
			if _, err := e.model.TouchOrder(id); err != nil {
				t.Fatal(err)
			}
		}
	})

	want := []string{}
	for _, i := range []int{0, 1, 2, 4, 5, 0, 3} {
		want = append(want, strconv.FormatInt(ids[i], 10))
	}
	if !slices.Equal(got, want) {
		t.Errorf("listed %v, want %v", got, want)
	}
}

func TestChangedOrdersRefusesForeignCursor(t *testing.T) {
	e := newEnv(t)
	for _, c := range []string{"abc", "1.2", "1.2.0", "x.2.1"} {
		_, err := e.store.ChangedOrders(t.Context(), store.Changes{Cursor: c})
		var invalid *syncerr.InvalidError
		if !errors.As(err, &invalid) || invalid.Field != "cursor" {
			t.Errorf("ChangedOrders(cursor %q) error = %v, want an invalid cursor", c, err)
		}
	}
}
