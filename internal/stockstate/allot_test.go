package stockstate

import (
	"fmt"
	"testing"

	"github.com/erpsync/erpsync/adapters/erp"
)

func level(loc string, onHand, reserved, safety int64) erp.StockLevel {
	return erp.StockLevel{SKU: "MUG", Location: loc, OnHand: onHand, Reserved: reserved,
		SafetyStock: safety}
}

func TestAllot(t *testing.T) {
	tests := []struct {
		name     string
		levels   []erp.StockLevel
		safety   int64
		inFlight int64
		want     map[string]int64
	}{
		{"on hand less reserved less safety",
			[]erp.StockLevel{level("EAST", 10, 3, 2)}, 0, 0, map[string]int64{"EAST": 5}},
		{"never below zero",
			[]erp.StockLevel{level("EAST", 2, 3, 0), level("WEST", 1, 0, 4)}, 0, 0,
			map[string]int64{"EAST": 0, "WEST": 0}},
		{"the greater safety stock wins",
			[]erp.StockLevel{level("EAST", 10, 0, 2), level("WEST", 10, 0, 6)}, 4, 0,
			map[string]int64{"EAST": 6, "WEST": 4}},
		{"in flight from the fullest location first",
			[]erp.StockLevel{level("EAST", 3, 0, 0), level("WEST", 8, 0, 0)}, 0, 6,
			map[string]int64{"EAST": 3, "WEST": 2}},
		{"in flight spills over to the next location",
			[]erp.StockLevel{level("EAST", 3, 0, 0), level("WEST", 4, 0, 0)}, 0, 6,
			map[string]int64{"EAST": 1, "WEST": 0}},
		{"in flight beyond all stock leaves zero everywhere",
			[]erp.StockLevel{level("EAST", 3, 0, 0), level("WEST", 4, 0, 0)}, 0, 50,
			map[string]int64{"EAST": 0, "WEST": 0}},
		{"ties go by location name",
			[]erp.StockLevel{level("WEST", 5, 0, 0), level("EAST", 5, 0, 0)}, 0, 2,
			map[string]int64{"EAST": 3, "WEST": 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]int64{}
			for _, tg := range Allot(SKUStock{SKU: "MUG", Levels: tt.levels, Safety: tt.safety,
				InFlight: tt.inFlight}) {
				got[tg.Location] = tg.Available
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Allot() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTargetChanged(t *testing.T) {
	five, six := int64(5), int64(6)
	tests := []struct {
		target Target
		want   bool
	}{
		{Target{Available: 5}, true},
		{Target{Available: 5, Pushed: &five}, false},
		{Target{Available: 5, Pushed: &six}, true},
	}
	for _, tt := range tests {
		if got := tt.target.Changed(); got != tt.want {
			t.Errorf("%+v.Changed() = %v, want %v", tt.target, got, tt.want)
		}
	}
}

func TestAllotSellsERPLocationsWhereTheMapSays(t *testing.T) {
	levels := []erp.StockLevel{level("EAST", 10, 0, 0), level("WEST", 4, 1, 0),
		level("RETURNS", 7, 0, 0), level("", 2, 0, 0)}
	tests := []struct {
		name string
		m    LocationMap
		want map[string]int64
	}{
		{"the same names", nil, map[string]int64{"EAST": 10, "WEST": 3, "RETURNS": 7, "": 2}},
		{"two feed one, one left out", LocationMap{"EAST": "WEB", "WEST": "WEB", "": "SHOP"},
			map[string]int64{"WEB": 13, "SHOP": 2}},
	}
	for _, tt := range tests {
		got := map[string]int64{}
		for _, tg := range Allot(SKUStock{SKU: "MUG", Levels: levels, Locations: tt.m}) {
			got[tg.Location] = tg.Available
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: Allot() = %v, want %v", tt.name, got, tt.want)
		}
	}
}
