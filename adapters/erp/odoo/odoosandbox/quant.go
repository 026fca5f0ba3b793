package odoosandbox

import (
	"encoding/json"
	"strconv"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
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
			products := s.productsBySKU()
			levels := s.model.StockLevels()
			out := make([]record, len(levels))
			for i, l := range levels {
				out[i] = quantRecord(l, products[l.SKU])
			}
			return out
		},
		narrow: func(s *sandbox, q query) (source, bool) {
			return s.narrowStock(q, func(l erpsandbox.StockLevel, product many2one) (record,
				bool) {
				return quantRecord(l, product), true
			})
		},
	}
}

// quantRecord reads the stock level l as a quant of product.
func quantRecord(l erpsandbox.StockLevel, product many2one) record {
	return record{
		"id":                 l.ID,
		"product_id":         product,
		"location_id":        many2one{l.LocationID, l.Location},
		"quantity":           units(l.OnHand),
		"reserved_quantity":  units(l.Reserved),
		"available_quantity": units(l.OnHand - l.Reserved),
		"write_date":         dateTime(l.Modified),
	}
}

// narrowStock offers a search of records made from stock levels the levels
// that its domain names by id or by product, or those of its span of write
// dates in change order. convert makes the record of a level and its
// product, or reports false to leave the level out.
func (s *sandbox) narrowStock(q query,
	convert func(erpsandbox.StockLevel, many2one) (record, bool)) (source, bool) {
	refs := map[string]many2one{} // the levels of a product come together
	read := func(l erpsandbox.StockLevel) (record, bool) {
		ref, ok := refs[l.SKU]
		if !ok {
			ref = s.productRef(l.SKU)
			refs[l.SKU] = ref
		}
		return convert(l, ref)
	}

	if ids, ok := q.ids("id"); ok {
		return listOf(ids, s.model.StockLevel, read), true
	}
	if ids, ok := q.ids("product_id"); ok {
		return source{each: func(yield func(record) bool) {
			for _, id := range ids {
				p, ok := s.model.Product(id)
				if !ok || p.SKU == "" {
					continue
				}
				for _, l := range s.model.StockOf(p.SKU) {
					if r, ok := read(l); ok && !yield(r) {
						return
					}
				}
			}
		}}, true
	}
	return changeWalk(q, "write_date", s.model.ChangedStock, levelKey, read)
}

func levelKey(l erpsandbox.StockLevel) erpsandbox.Key {
	return erpsandbox.Key{Modified: l.Modified, ID: l.ID}
}

// productRef returns a reference to the product with sku, or an empty one.
func (s *sandbox) productRef(sku string) many2one {
	p, ok := s.model.ProductBySKU(sku)
	if !ok {
		return many2one{}
	}
	return many2one{p.ID, productDisplayName(p)}
}

func units(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }
