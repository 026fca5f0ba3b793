package odoosandbox

import (
	"encoding/json"
	"strconv"
)

// quantModel serves stock.quant, read-only, from the model's stock levels.
func quantModel() *modelDef {
	return &modelDef{
		name: "stock.quant",
		fields: map[string]fieldDef{
			"product_id":         {kind: kindMany2one, readonly: true},
			"location_id":        {kind: kindMany2one, readonly: true},
			"quantity":           {kind: kindNumber, readonly: true},
			"reserved_quantity":  {kind: kindNumber, readonly: true},
			"available_quantity": {kind: kindNumber, readonly: true},
			"write_date":         {kind: kindDatetime, readonly: true},
		},
		records: func(s *sandbox) []record {
			products := map[string]many2one{}
			for _, p := range s.model.Products() {
				products[p.SKU] = many2one{p.ID, productDisplayName(p)}
			}

			levels := s.model.StockLevels()
			out := make([]record, len(levels))
			for i, l := range levels {
				out[i] = record{
					"id":                 l.ID,
					"product_id":         products[l.SKU],
					"location_id":        many2one{l.LocationID, l.Location},
					"quantity":           units(l.OnHand),
					"reserved_quantity":  units(l.Reserved),
					"available_quantity": units(l.OnHand - l.Reserved),
					"write_date":         dateTime(l.Modified),
				}
			}
			return out
		},
	}
}

func units(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }
