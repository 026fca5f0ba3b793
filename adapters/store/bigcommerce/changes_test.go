package bigcommerce

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// place creates n orders in the fixture's model, the clock moving by step
// after each, and returns their ids.
func place(t *testing.T, f *fixture, n int, step time.Duration) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		o, err := f.model.CreateOrder(order())
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = strconv.FormatInt(o.ID, 10)
		f.clock.Advance(step)
	}
	return ids
}

// list pages through ChangedOrders since since, limit at a time, calling
// between after each page, and returns the ids in order.
func list(t *testing.T, f *fixture, since time.Time, limit int, between func(page int)) []string {
	t.Helper()
	var ids []string
	q := store.Changes{Since: since, Limit: limit}
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatal("ChangedOrders never ended")
		}
		got, err := f.store.ChangedOrders(t.Context(), q)
		if err != nil {
			t.Fatalf("ChangedOrders(page %d) error = %v", page, err)
		}
		if len(got.Items) > limit {
			t.Fatalf("page %d holds %d orders, more than %d", page, len(got.Items), limit)
		}
		for _, it := range got.Items {
			if it.Number != it.ID || it.Modified.IsZero() {
				t.Errorf("change %+v, want its number and modification time", it)
			}
			ids = append(ids, it.ID)
		}
		if between != nil {
			between(page)
		}
		if got.Next == "" {
			return ids
		}
		q.Cursor = got.Next
	}
}

func TestChangedOrdersPagesThroughTiesInOrder(t *testing.T) {
	f := newFixture(t, nil)
	old := place(t, f, 2, time.Minute)
	since := f.clock.Now()
	// Three orders share a second, then two more share the next one.
	want := append(place(t, f, 3, 0), place(t, f, 1, time.Second)...)
	want = append(want, place(t, f, 2, 0)...)

	for _, limit := range []int{1, 2, 4, 250} {
		got := list(t, f, since, limit, nil)
		if !equal(got, want) {
			t.Errorf("limit %d: listed %v, want %v (not the older %v)", limit, got, want, old)
		}
	}
}

func TestChangedOrdersSkipsNothingThatMovesDuringTheListing(t *testing.T) {
	f := newFixture(t, nil)
	since := f.clock.Now()
	ids := place(t, f, 6, 0)

	// After the first page, an order already listed and one not yet listed
	// change, and move to the end.
	touched := map[string]bool{}
	got := list(t, f, since, 2, func(page int) {
		if page != 0 {
			return
		}
		f.clock.Advance(time.Second)
		for _, id := range []string{ids[0], ids[4]} {
			n, _ := strconv.ParseInt(id, 10, 64)
			if _, err := f.model.TouchOrder(n); err != nil {
				t.Fatal(err)
			}
			touched[id] = true
		}
	})

	count := map[string]int{}
	for _, id := range got {
		count[id]++
	}
	for _, id := range ids {
		if count[id] == 0 || (!touched[id] && count[id] != 1) {
			t.Errorf("order %s listed %d times in %v", id, count[id], got)
		}
	}
}

func TestChangedOrdersListsMoreTiesThanAPageHolds(t *testing.T) {
	f := newFixture(t, nil)
	since := f.clock.Now()
	want := place(t, f, maxPage+7, 0)
	later := place(t, f, 1, time.Second)
	f.clock.Advance(time.Second)
	want = append(want, later...)
	want = append(want, place(t, f, 1, 0)...)

	got := list(t, f, since, maxPage, nil)
	seen := map[string]bool{}
	for _, id := range got {
		seen[id] = true
	}
	if len(seen) != len(want) || got[len(got)-1] != want[len(want)-1] {
		t.Errorf("listed %d distinct orders ending with %s, want %d ending with %s",
			len(seen), got[len(got)-1], len(want), want[len(want)-1])
	}
}

func TestChangedOrdersRefusesAForeignCursor(t *testing.T) {
	f := newFixture(t, nil)
	var invalid *syncerr.InvalidError
	_, err := f.store.ChangedOrders(t.Context(), store.Changes{Cursor: "not-a-cursor"})
	if !errors.As(err, &invalid) || invalid.Field != "cursor" {
		t.Errorf("ChangedOrders(bad cursor) error = %v, want an InvalidError on cursor", err)
	}

	page, err := f.store.ChangedOrders(t.Context(), store.Changes{Since: f.clock.Now()})
	if err != nil || len(page.Items) != 0 || page.Next != "" {
		t.Errorf("ChangedOrders(nothing changed) = %+v, %v; want an empty last page", page, err)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
