package erpsandbox

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// keysOf returns the keys of x in the order it holds them.
func keysOf(x *changeIndex) []indexKey {
	var keys []indexKey
	x.ascend(indexKey{sec: -1 << 62}, true, func(k indexKey) bool {
		keys = append(keys, k)
		return true
	})
	return keys
}

func TestChangeIndexKeepsKeyOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var x changeIndex
	held := map[indexKey]bool{}
	for step := range 40000 {
		k := indexKey{sec: rng.Int64N(50), id: rng.Int64N(3000)}
		if step > 20000 && step%3 != 0 { // shrink again, through merges
			for h := range held {
				k = h
				break
			}
		}
		if held[k] {
			if !x.remove(k) {
				t.Fatalf("step %d: remove(%v) = false for a held key", step, k)
			}
			delete(held, k)
		} else {
			x.insert(k)
			held[k] = true
		}
	}

	want := make([]indexKey, 0, len(held))
	for k := range held {
		want = append(want, k)
	}
	slices.SortFunc(want, indexKey.compare)
	if got := keysOf(&x); !slices.Equal(got, want) {
		t.Fatalf("keys out of order or lost: %d held, want %d", len(got), len(want))
	}
	if x.remove(indexKey{sec: 99}) {
		t.Error("remove() of a missing key = true, want false")
	}
	for _, chunk := range x.chunks {
		if len(chunk) == 0 || len(chunk) > chunkCap {
			t.Fatalf("chunk of %d keys, want 1 to %d", len(chunk), chunkCap)
		}
	}
}

func TestChangeIndexAscendsFromAKey(t *testing.T) {
	var x changeIndex
	for id := range int64(2000) {
		x.insert(indexKey{sec: id / 10, id: id})
	}
	tests := []struct {
		from      indexKey
		inclusive bool
		want      int64
	}{
		{indexKey{sec: 5, id: 50}, true, 50},
		{indexKey{sec: 5, id: 50}, false, 51},
		{indexKey{sec: 5, id: -1}, false, 50},
		{indexKey{sec: 199, id: 1999}, false, -1},
	}
	for _, tt := range tests {
		got := int64(-1)
		x.ascend(tt.from, tt.inclusive, func(k indexKey) bool {
			got = k.id
			return false
		})
		if got != tt.want {
			t.Errorf("ascend(%v, %v) starts at id %d, want %d", tt.from, tt.inclusive, got,
				tt.want)
		}
	}
}

// referenceChanged lists stock levels as ChangedStock must: every level
// sorted by key, then filtered and cut.
func referenceChanged(m *Model, since time.Time, after Key, limit int) []StockLevel {
	all := m.StockLevels()
	slices.SortFunc(all, func(a, b StockLevel) int {
		ka, kb := Key{a.Modified, a.ID}, Key{b.Modified, b.ID}
		switch {
		case ka.Before(kb):
			return -1
		case kb.Before(ka):
			return 1
		}
		return 0
	})
	var found []StockLevel
	for _, s := range all {
		if !s.Modified.Before(since) && after.Before(Key{s.Modified, s.ID}) {
			found = append(found, s)
		}
	}
	if limit > 0 && len(found) > limit {
		found = found[:limit]
	}
	return found
}

func TestChangedStockFollowsEveryWrite(t *testing.T) {
	m, clock := newTestModel()
	rng := rand.New(rand.NewPCG(3, 4))
	skus := []string{"A", "B", "C", "D", "E", "F", "G", "H"}
	locs := []string{"WH", "SHOP"}
	for step := range 600 {
		clock.advance(time.Duration(rng.IntN(5)-2) * time.Second) // the clock may go back
		sku, loc := skus[rng.IntN(len(skus))], locs[rng.IntN(len(locs))]
		var err error
		switch step % 4 {
		case 0, 1:
			_, err = m.SetStock(sku, loc, int64(step), 0)
		case 2:
			_, err = m.SetSafetyStock(sku, loc, 1)
		case 3:
			_, err = m.UpdateStock([]string{sku},
				func(s *StockLevel) error { s.OnHand++; return nil })
		}
		if err != nil && step%4 < 2 {
			t.Fatal(err)
		}
	}

	start := clock.now().Add(-20 * time.Second)
	for _, since := range []time.Time{{}, start, clock.now()} {
		for _, limit := range []int{0, 1, 3} {
			var after Key
			for range 50 {
				got := m.ChangedStock(since, after, limit)
				want := referenceChanged(m, since, after, limit)
				if !slices.Equal(got, want) {
					t.Fatalf("ChangedStock(%v, %v, %d) = %v, want %v", since, after, limit,
						got, want)
				}
				if len(got) == 0 || limit == 0 {
					break
				}
				after = Key{got[len(got)-1].Modified, got[len(got)-1].ID}
			}
		}
	}
}
