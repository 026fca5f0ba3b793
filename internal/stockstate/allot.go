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

// A LocationMap says at which store location the stock of each ERP
// location is sold. Several ERP locations may feed one store location:
// their stock adds up. An ERP location that a map does not name is not
// sold in the store. The empty map sells the stock of every ERP location at
// the store location of the same name.
type LocationMap map[string]string

// Of returns the store location that sells the stock of the ERP location
// erpLocation, and false when none does.
func (m LocationMap) Of(erpLocation string) (string, bool) {
	if len(m) == 0 {
		return erpLocation, true
	}
	loc, ok := m[erpLocation]
	return loc, ok
}

// SKUStock is what erpsync knows of one SKU for one store: the ERP's level
// at each of its locations, the store locations they are sold at, the
// levels last pushed there, the safety stock erpsync holds back at each ERP
// location, and the units of the store's orders not yet booked in the ERP.
type SKUStock struct {
	SKU       string
	Levels    []erp.StockLevel
	Locations LocationMap
	Pushed    map[string]int64
	Safety    int64
	InFlight  int64
}

// Allot works out the targets of every store location of s. An ERP
// location may sell its on-hand stock less what the ERP reserved and less
// the greater of the ERP's safety stock and erpsync's, never below zero;
// a store location sells what its ERP locations may. The units of orders
// in flight are then taken from the store locations with the most to sell
// first (ties by name), since the store will most likely ship from there,
// until they are all taken or nothing is left to sell.
func Allot(s SKUStock) []Target {
	var out []Target
	at := map[string]int{}
	for _, l := range s.Levels {
		loc, ok := s.Locations.Of(l.Location)
		if !ok {
			continue
		}
		i, seen := at[loc]
		if !seen {
			i = len(out)
			at[loc] = i
			out = append(out, Target{SKU: s.SKU, Location: loc})
			if p, ok := s.Pushed[loc]; ok {
				out[i].Pushed = &p
			}
		}
		out[i].Available += max(0, l.OnHand-l.Reserved-max(l.SafetyStock, s.Safety))
	}

	takeInFlight(out, s.InFlight)
	return out
}

// takeInFlight takes units from the targets with the most to sell first
// (ties by location), never below zero.
func takeInFlight(targets []Target, units int64) {
	order := make([]int, len(targets))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ta, tb := targets[order[a]], targets[order[b]]
		if ta.Available != tb.Available {
			return ta.Available > tb.Available
		}
		return ta.Location < tb.Location
	})

	left := max(0, units)
	for _, i := range order {
		take := min(left, targets[i].Available)
		targets[i].Available -= take
		left -= take
	}
}
