package stockstate

import (
	"sort"

	"github.com/erpsync/erpsync/adapters/erp"
)

// A Target is the level erpsync wants a store to show for one SKU at one
// location, and the level it last pushed there (nil when it pushed none).
type Target struct {
	SKU       string `json:"sku"`
	Location  string `json:"location"`
	Available int64  `json:"available"`
	Pushed    *int64 `json:"pushed,omitempty"`
}

// Changed reports whether the store must be told of t.
func (t Target) Changed() bool { return t.Pushed == nil || *t.Pushed != t.Available }

// SKUStock is what erpsync knows of one SKU: the ERP's level at each of its
// locations, the safety stock erpsync holds back at each, and the units of
// store orders not yet booked in the ERP.
type SKUStock struct {
	SKU      string
	Levels   []erp.StockLevel
	Pushed   map[string]int64
	Safety   int64
	InFlight int64
}

// Allot works out the targets of every location of s. A location may sell
// its on-hand stock less what the ERP reserved and less the greater of the
// ERP's safety stock and erpsync's, never below zero. The units of orders
// in flight are then taken from the locations with the most to sell first
// (ties by name), since the store will most likely ship from there, until
// they are all taken or nothing is left to sell.
func Allot(s SKUStock) []Target {
	out := make([]Target, len(s.Levels))
	for i, l := range s.Levels {
		safety := max(l.SafetyStock, s.Safety)
		out[i] = Target{SKU: s.SKU, Location: l.Location,
			Available: max(0, l.OnHand-l.Reserved-safety)}
		if p, ok := s.Pushed[l.Location]; ok {
			out[i].Pushed = &p
		}
	}

	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ta, tb := out[order[a]], out[order[b]]
		if ta.Available != tb.Available {
			return ta.Available > tb.Available
		}
		return ta.Location < tb.Location
	})

	left := max(0, s.InFlight)
	for _, i := range order {
		take := min(left, out[i].Available)
		out[i].Available -= take
		left -= take
	}
	return out
}
