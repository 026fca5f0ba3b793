package netsuite

import (
	"context"
	"fmt"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// sellableTypes are the item types listed as products.
const sellableTypes = "itemtype IN ('InvtPart', 'NonInvtPart', 'Assembly', 'Kit')"

// ChangedProducts lists the sellable items modified at or after q.Since,
// with their base price in the account's base currency. Inactive items are
// listed too.
func (c *Client) ChangedProducts(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.Product], err error) {
	defer syncerr.Wrap(&err, "list changed netsuite items")

	currency, err := c.baseCurrency(ctx)
	if err != nil {
		return page, err
	}
	rows, next, err := c.changedRows(ctx, listing{table: "item", keys: []string{"id"},
		columns: []string{"itemid", "displayname", "baseprice", "isinactive"},
		where:   sellableTypes}, q)
	if err != nil {
		return page, err
	}

	for _, r := range rows {
		p, err := c.productOf(r, currency)
		if err != nil {
			return erp.Page[erp.Product]{}, err
		}
		page.Items = append(page.Items, p)
	}
	page.Next = next
	return page, nil
}

// productOf maps an item row. A price with more decimals than the currency
// has is refused rather than rounded.
func (c *Client) productOf(r row, currency string) (erp.Product, error) {
	modified, err := c.parseModified(r)
	if err != nil {
		return erp.Product{}, err
	}
	p := erp.Product{ID: r.str("id"), SKU: r.str("itemid"), Name: r.str("displayname"),
		Currency: currency, Active: r.str("isinactive") != "T", Modified: modified}
	if p.Name == "" {
		p.Name = p.SKU
	}
	if s := r.str("baseprice"); s != "" {
		if p.PriceMinor, err = money.ParseMinor(s, currency); err != nil {
			return erp.Product{}, syncerr.Invalid(fmt.Sprintf("item[%s].baseprice", p.ID),
				"%v", err)
		}
	}
	return p, nil
}

// ChangedStock lists the inventory of items per location modified at or
// after q.Since, from inventoryitemlocations: quantityonhand, quantitycommitted
// (committed to approved sales orders, so reserved) and safetystocklevel,
// the buffer held back from sale. The preferred stock level is a
// replenishment target, not a reserve, and is not read.
//
// TODO: that inventoryitemlocations carries lastmodifieddate is not
// confirmed against a live account; where it does not, changes must be
// found through the item's lastmodifieddate or inventory transactions.
func (c *Client) ChangedStock(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.StockLevel], err error) {
	defer syncerr.Wrap(&err, "list changed netsuite inventory")

	rows, next, err := c.changedRows(ctx, listing{table: "inventoryitemlocations",
		keys:    []string{"item", "location"},
		columns: []string{"quantityonhand", "quantitycommitted", "safetystocklevel"}}, q)
	if err != nil {
		return page, err
	}
	var items, locations []string
	for _, r := range rows {
		items, locations = append(items, r.str("item")), append(locations, r.str("location"))
	}
	skus, err := c.rowsByID(ctx, "item", []string{"itemid"}, items)
	if err != nil {
		return page, err
	}
	names, err := c.rowsByID(ctx, "location", []string{"name"}, locations)
	if err != nil {
		return page, err
	}

	for _, r := range rows {
		sku, ok := skus[r.str("item")]
		if !ok {
			continue // the item was deleted since the query
		}
		level, err := c.stockOf(r, sku.str("itemid"), names[r.str("location")].str("name"))
		if err != nil {
			return erp.Page[erp.StockLevel]{}, err
		}
		page.Items = append(page.Items, level)
	}
	page.Next = next
	return page, nil
}

// stockOf maps an inventoryitemlocations row. A location without a name
// is named by its internal id.
func (c *Client) stockOf(r row, sku, location string) (erp.StockLevel, error) {
	if location == "" {
		location = r.str("location")
	}
	s := erp.StockLevel{SKU: sku, Location: location}
	var err error
	if s.Modified, err = c.parseModified(r); err != nil {
		return erp.StockLevel{}, err
	}
	if s.OnHand, err = r.int("quantityonhand"); err != nil {
		return erp.StockLevel{}, err
	}
	if s.Reserved, err = r.int("quantitycommitted"); err != nil {
		return erp.StockLevel{}, err
	}
	if s.SafetyStock, err = r.int("safetystocklevel"); err != nil {
		return erp.StockLevel{}, err
	}
	return s, nil
}
