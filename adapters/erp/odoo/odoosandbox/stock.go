package odoosandbox

import (
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// locationModel serves stock.location, read-only: every location that
// holds stock in the model, as an internal location named by its path.
func locationModel() *modelDef {
	return &modelDef{
		name: "stock.location",
		fields: map[string]fieldDef{
			"name":          {kind: kindChar, readonly: true},
			"complete_name": {kind: kindChar, readonly: true},
			"display_name":  {kind: kindChar, readonly: true},
			"usage":         {kind: kindSelection, readonly: true},
			"active":        {kind: kindBoolean, readonly: true},
		},
		records: func(s *sandbox) []record {
			locations := s.model.Locations()
			out := make([]record, len(locations))
			for i, l := range locations {
				out[i] = record{
					"id": l.ID, "name": l.Name, "complete_name": l.Name,
					"display_name": l.Name, "usage": "internal", "active": true,
				}
			}
			return out
		},
	}
}

// orderpointModel serves stock.warehouse.orderpoint, read-only: one
// reordering rule per stock level with a safety stock, whose minimum
// quantity is that safety stock. Rules share the ids of their levels.
func orderpointModel() *modelDef {
	return &modelDef{
		name: "stock.warehouse.orderpoint",
		fields: map[string]fieldDef{
			"name":            {kind: kindChar, readonly: true},
			"product_id":      {kind: kindMany2one, readonly: true},
			"location_id":     {kind: kindMany2one, readonly: true},
			"product_min_qty": {kind: kindNumber, readonly: true},
			"product_max_qty": {kind: kindNumber, readonly: true},
			"trigger":         {kind: kindSelection, readonly: true},
			"active":          {kind: kindBoolean, readonly: true},
			"write_date":      {kind: kindDatetime, readonly: true},
		},
		records: func(s *sandbox) []record {
			products := s.productsBySKU()
			var out []record
			for _, l := range s.model.StockLevels() {
				if r, ok := orderpointRecord(l, products[l.SKU]); ok {
					out = append(out, r)
				}
			}
			return out
		},
		narrow: func(s *sandbox, q query) (source, bool) {
			return s.narrowStock(q, orderpointRecord)
		},
	}
}

// orderpointRecord reads the stock level l as the reordering rule of
// product, and reports false when l has no safety stock and so no rule.
func orderpointRecord(l erpsandbox.StockLevel, product many2one) (record, bool) {
	if l.SafetyStock <= 0 {
		return nil, false
	}
	return record{
		"id": l.ID, "name": "OP/" + l.Location + "/" + l.SKU,
		"product_id":      product,
		"location_id":     many2one{l.LocationID, l.Location},
		"product_min_qty": units(l.SafetyStock),
		"product_max_qty": units(l.SafetyStock),
		"trigger":         "manual", "active": true,
		"write_date": dateTime(l.Modified),
	}, true
}

// productsBySKU returns a reference to every product, by SKU.
func (s *sandbox) productsBySKU() map[string]many2one {
	products := map[string]many2one{}
	for _, p := range s.model.Products() {
		products[p.SKU] = many2one{p.ID, productDisplayName(p)}
	}
	return products
}

// pickingModel serves stock.picking, read-only, from the model's shipments:
// each is a done delivery (picking type code outgoing) of its sales order,
// with stock_delivery's carrier and tracking fields.
func pickingModel() *modelDef {
	return &modelDef{
		name: "stock.picking",
		fields: map[string]fieldDef{
			"name":                 {kind: kindChar, readonly: true},
			"display_name":         {kind: kindChar, readonly: true},
			"origin":               {kind: kindChar, readonly: true},
			"picking_type_code":    {kind: kindSelection, readonly: true},
			"state":                {kind: kindSelection, readonly: true},
			"sale_id":              {kind: kindMany2one, readonly: true},
			"partner_id":           {kind: kindMany2one, readonly: true},
			"carrier_id":           {kind: kindMany2one, readonly: true},
			"carrier_tracking_ref": {kind: kindChar, readonly: true},
			"carrier_tracking_url": {kind: kindChar, readonly: true},
			"date_done":            {kind: kindDatetime, readonly: true},
			"move_ids":             {kind: kindOne2many, readonly: true},
			"create_date":          {kind: kindDatetime, readonly: true},
			"write_date":           {kind: kindDatetime, readonly: true},
		},
		records: func(s *sandbox) []record { return s.pickingRecords() },
	}
}

func (s *sandbox) pickingRecords() []record {
	orders := s.orderIndex()
	names := s.customerNames()
	carriers := carrierRefs{}
	moves := s.moveIDs()

	shipments := s.model.Shipments()
	out := make([]record, len(shipments))
	for i, sh := range shipments {
		o := orders[sh.OrderID]
		out[i] = record{
			"id": sh.ID, "name": sh.Number, "display_name": sh.Number,
			"origin": text(o.Number), "picking_type_code": "outgoing", "state": "done",
			"sale_id":              many2one{o.ID, o.Number},
			"partner_id":           many2one{o.CustomerID, names[o.CustomerID]},
			"carrier_id":           carriers.ref(sh.Carrier),
			"carrier_tracking_ref": text(sh.TrackingNumber),
			"carrier_tracking_url": text(sh.TrackingURL),
			"date_done":            dateTime(sh.ShippedAt),
			"move_ids":             moves[sh.ID],
			"create_date":          dateTime(sh.Created),
			"write_date":           dateTime(sh.Modified),
		}
	}
	return out
}

// carrierRefs gives delivery.carrier references to carrier names, numbered
// in the order the shipments first name them.
type carrierRefs map[string]int64

func (c carrierRefs) ref(name string) many2one {
	if name == "" {
		return many2one{}
	}
	if _, ok := c[name]; !ok {
		c[name] = int64(len(c) + 1)
	}
	return many2one{c[name], name}
}

// moveModel serves stock.move, read-only: one done move per shipment line.
// Moves are numbered from 1 through the shipments in id order, which stays
// stable since shipments never change.
func moveModel() *modelDef {
	return &modelDef{
		name: "stock.move",
		fields: map[string]fieldDef{
			"picking_id":      {kind: kindMany2one, readonly: true},
			"product_id":      {kind: kindMany2one, readonly: true},
			"product_uom_qty": {kind: kindNumber, readonly: true},
			"quantity":        {kind: kindNumber, readonly: true},
			"state":           {kind: kindSelection, readonly: true},
			"reference":       {kind: kindChar, readonly: true},
		},
		records: func(s *sandbox) []record {
			products := s.productIndex()
			var out []record
			for _, sh := range s.model.Shipments() {
				for _, l := range sh.Lines {
					p := products[l.ProductID]
					out = append(out, record{
						"id":              int64(len(out) + 1),
						"picking_id":      many2one{sh.ID, sh.Number},
						"product_id":      many2one{p.ID, productDisplayName(p)},
						"product_uom_qty": units(l.Quantity),
						"quantity":        units(l.Quantity),
						"state":           "done", "reference": sh.Number,
					})
				}
			}
			return out
		},
	}
}

// moveIDs returns the ids of the moves of each shipment, numbered as
// moveModel numbers them.
func (s *sandbox) moveIDs() map[int64][]int64 {
	ids := map[int64][]int64{}
	next := int64(1)
	for _, sh := range s.model.Shipments() {
		ids[sh.ID] = []int64{}
		for range sh.Lines {
			ids[sh.ID] = append(ids[sh.ID], next)
			next++
		}
	}
	return ids
}

// orderIndex returns every sales order by id.
func (s *sandbox) orderIndex() map[int64]erpsandbox.SalesOrder {
	index := map[int64]erpsandbox.SalesOrder{}
	for _, o := range s.model.SalesOrders() {
		index[o.ID] = o
	}
	return index
}
