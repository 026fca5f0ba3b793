package odoo

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// quantRow is a stock.quant as the stock listing reads it.
type quantRow struct {
	ID        int64       `json:"id"`
	Product   many2one    `json:"product_id"`
	Location  many2one    `json:"location_id"`
	Quantity  json.Number `json:"quantity"`
	Reserved  json.Number `json:"reserved_quantity"`
	WriteDate stamp       `json:"write_date"`
}

func (q quantRow) key() key { return key{written: timeOf(q.WriteDate), id: q.ID} }

// place is one product at one location.
type place struct{ product, location int64 }

func (q quantRow) place() place { return place{q.Product.id, q.Location.id} }

// orderpointRow is a stock.warehouse.orderpoint (a reordering rule).
type orderpointRow struct {
	Product  many2one    `json:"product_id"`
	Location many2one    `json:"location_id"`
	MinQty   json.Number `json:"product_min_qty"`
}

// ChangedStock lists the stock of the products whose stock.quant records
// at internal locations were written since q.Since. The page's quants
// name the changed products and locations; their levels are then summed
// from every quant there (lots and packages make several per place), and
// the safety stock is the minimum quantity (product_min_qty) of the
// reordering rule of that product and location, zero without one. On hand
// rounds down and reserved up to whole units. One level may come again on
// the next page when several of its quants changed.
//
// TODO: a change of a reordering rule alone writes no quant, so a new
// safety stock shows only with the next stock movement there; listing
// stock.warehouse.orderpoint changes too would need a second cursor.
// TODO: a reordering rule on a parent location (WH/Stock) does not apply
// to quants of its sublocations here; rules match on the exact location.
func (c *Client) ChangedStock(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.StockLevel], err error) {
	defer syncerr.Wrap(&err, "list changed stock stock.quant")
	if _, err := parseCursor(q.Cursor, q.Since); err != nil {
		return page, err
	}

	page.Items = []erp.StockLevel{}
	locations, err := c.internalLocations(ctx)
	if err != nil || len(locations) == 0 {
		return page, err
	}

	internal := []any{"location_id", "in", slices.Sorted(maps.Keys(locations))}
	changed, next, err := listChanges(ctx, q, quantRow.key, searchChanged[quantRow](c,
		"stock.quant", []string{"product_id", "location_id", "write_date"}, internal))
	if err != nil {
		return page, err
	}
	page.Next = next
	page.Items, err = c.stockLevels(ctx, changed, locations)
	return page, err
}

// stockLevels sums the stock of each place the changed quants are at, in
// the order the places first appear.
func (c *Client) stockLevels(ctx context.Context, changed []quantRow,
	locations map[int64]string) ([]erp.StockLevel, error) {
	if len(changed) == 0 {
		return []erp.StockLevel{}, nil
	}

	var order []place
	levels := map[place]*erp.StockLevel{}
	products, locs := map[int64]bool{}, map[int64]bool{}
	for _, r := range changed {
		p := r.place()
		if l, ok := levels[p]; ok {
			l.Modified = maxTime(l.Modified, timeOf(r.WriteDate))
			continue
		}
		order = append(order, p)
		levels[p] = &erp.StockLevel{Location: locations[p.location], Modified: timeOf(r.WriteDate)}
		products[p.product], locs[p.location] = true, true
	}

	// The three reads are independent: each sets its own fields of the
	// levels, or fills skus.
	var skus map[int64]string
	var g errgroup.Group
	g.Go(func() error { return c.sumQuants(ctx, levels, products, locs) })
	g.Go(func() error { return c.safetyStock(ctx, levels, products, locs) })
	g.Go(func() (err error) {
		skus, err = c.skus(ctx, products)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}

	out := make([]erp.StockLevel, len(order))
	for i, p := range order {
		levels[p].SKU = skus[p.product]
		out[i] = *levels[p]
	}
	return out, nil
}

// placeDomain selects the records of the given products at the given
// locations.
func placeDomain(products, locations map[int64]bool) []arg {
	return domain([]any{"product_id", "in", slices.Sorted(maps.Keys(products))},
		[]any{"location_id", "in", slices.Sorted(maps.Keys(locations))})
}

// sumQuants adds up on hand and reserved of every quant of the places of
// levels.
func (c *Client) sumQuants(ctx context.Context, levels map[place]*erp.StockLevel,
	products, locations map[int64]bool) error {
	var quants []quantRow
	err := c.searchRead(ctx, "stock.quant", placeDomain(products, locations),
		map[string]any{"fields": []string{"product_id", "location_id", "quantity",
			"reserved_quantity"}, "order": "id asc"}, &quants)
	if err != nil {
		return fmt.Errorf("sum quants: %w", err)
	}

	for _, r := range quants {
		l, ok := levels[r.place()]
		if !ok {
			continue
		}
		onHand, err := units(r.Quantity, false)
		if err != nil {
			return fmt.Errorf("stock.quant %d quantity: %w", r.ID, err)
		}
		reserved, err := units(r.Reserved, true)
		if err != nil {
			return fmt.Errorf("stock.quant %d reserved_quantity: %w", r.ID, err)
		}
		l.OnHand += onHand
		l.Reserved += reserved
	}
	return nil
}

// safetyStock sets the safety stock of levels from the reordering rules of
// their places; the highest minimum wins where several apply.
func (c *Client) safetyStock(ctx context.Context, levels map[place]*erp.StockLevel,
	products, locations map[int64]bool) error {
	var rules []orderpointRow
	err := c.searchRead(ctx, "stock.warehouse.orderpoint", placeDomain(products, locations),
		map[string]any{"fields": []string{"product_id", "location_id", "product_min_qty"}},
		&rules)
	if err != nil {
		return fmt.Errorf("read reordering rules: %w", err)
	}

	for _, r := range rules {
		l, ok := levels[place{r.Product.id, r.Location.id}]
		if !ok {
			continue
		}
		minQty, err := units(r.MinQty, true)
		if err != nil {
			return fmt.Errorf("reordering rule product_min_qty: %w", err)
		}
		l.SafetyStock = max(l.SafetyStock, minQty)
	}
	return nil
}

// locationRow is a stock.location.
type locationRow struct {
	ID           int64 `json:"id"`
	CompleteName text  `json:"complete_name"`
}

// internalLocations returns the internal stock locations (where on-hand
// stock is) by id, named by their full path such as "WH/Stock".
func (c *Client) internalLocations(ctx context.Context) (map[int64]string, error) {
	var rows []locationRow
	err := c.searchRead(ctx, "stock.location", domain([]any{"usage", "=", "internal"}),
		map[string]any{"fields": []string{"id", "complete_name"}, "order": "id asc"}, &rows)
	if err != nil {
		return nil, fmt.Errorf("read internal locations: %w", err)
	}

	names := make(map[int64]string, len(rows))
	for _, r := range rows {
		names[r.ID] = string(r.CompleteName)
	}
	return names, nil
}

// skus returns the SKU (default_code) of each product, archived ones too.
func (c *Client) skus(ctx context.Context, products map[int64]bool) (map[int64]string, error) {
	var rows []productRow
	err := c.searchRead(ctx, "product.product",
		domain([]any{"id", "in", slices.Sorted(maps.Keys(products))}, allActive),
		map[string]any{"fields": []string{"id", "default_code"}}, &rows)
	if err != nil {
		return nil, fmt.Errorf("read skus: %w", err)
	}

	skus := make(map[int64]string, len(rows))
	for _, r := range rows {
		skus[r.ID] = string(r.DefaultCode)
	}
	return skus, nil
}

// units reads a quantity as whole units, rounding a fraction down, or up
// when up is set.
func units(n json.Number, up bool) (int64, error) {
	if n == "" {
		return 0, nil
	}
	r, ok := new(big.Rat).SetString(n.String())
	if !ok {
		return 0, fmt.Errorf("quantity %q is not a number", n)
	}

	q, m := new(big.Int).DivMod(r.Num(), r.Denom(), new(big.Int)) // floor division
	if up && m.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() {
		return 0, fmt.Errorf("quantity %q is out of range", n)
	}
	return q.Int64(), nil
}

// CountStock returns how many stock.quant records internal locations hold:
// the number of levels a full listing of stock reads, or more where lots
// and packages put several quants at one place.
func (c *Client) CountStock(ctx context.Context) (n int, err error) {
	defer syncerr.Wrap(&err, "count stock stock.quant")
	locations, err := c.internalLocations(ctx)
	if err != nil || len(locations) == 0 {
		return 0, err
	}

	internal := []any{"location_id", "in", slices.Sorted(maps.Keys(locations))}
	err = c.exec.execute(ctx, call{model: "stock.quant", method: "search_count",
		args: domain(internal)}, &n)
	return n, err
}
