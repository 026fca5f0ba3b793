package businesscentral

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// ChangedProducts lists the items modified at or after q.Since, oldest
// first, with their unitPrice in the company's local currency. Blocked
// items are listed as inactive. An item whose price has more decimals than
// the currency's minor unit is skipped with a warning, since it cannot be
// written as minor units without rounding.
func (c *Client) ChangedProducts(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.Product], err error) {
	defer syncerr.Wrap(&err, "list changed business central items")
	currency, err := c.localCurrency(ctx)
	if err != nil {
		return page, err
	}
	col, err := changedPage[item](ctx, c, "items", q, url.Values{
		"$select": {"id,number,displayName,blocked,unitPrice,lastModifiedDateTime"},
	})
	if err != nil {
		return page, err
	}

	for _, it := range col.Value {
		price, err := money.ParseMinor(it.UnitPrice.String(), currency)
		if err != nil {
			// TODO: round prices with more decimals than the currency (Business
			// Central keeps up to five) half away from zero instead of skipping.
			c.log.Warn("business central item price does not fit minor units, skipped",
				zap.String(fieldItemID, it.ID))
			continue
		}
		page.Items = append(page.Items, erp.Product{
			ID: it.ID, SKU: it.Number, Name: it.DisplayName, PriceMinor: price,
			Currency: currency, Active: !it.Blocked, Modified: parseTime(it.LastModifiedDateTime),
		})
	}
	page.Next = col.NextLink
	return page, nil
}

// localCurrency returns the company's local currency, from
// companyInformation, read once per client.
func (c *Client) localCurrency(ctx context.Context) (string, error) {
	c.mu.Lock()
	currency := c.currency
	c.mu.Unlock()
	if currency != "" {
		return currency, nil
	}

	var col collection[struct {
		CurrencyCode string `json:"currencyCode"`
	}]
	err := c.do(ctx, request{method: http.MethodGet, url: c.company + "/companyInformation"},
		&col)
	if err != nil {
		return "", fmt.Errorf("read company currency: %w", err)
	}
	if len(col.Value) == 0 || !money.ValidCurrency(col.Value[0].CurrencyCode) {
		return "", fmt.Errorf("read company currency: no ISO 4217 code: %w",
			syncerr.ErrUnavailable)
	}

	c.mu.Lock()
	c.currency = col.Value[0].CurrencyCode
	c.mu.Unlock()
	return col.Value[0].CurrencyCode, nil
}

// ChangedStock lists the stock of inventory items by item number, in keyset
// pages (the cursor is the last item number of the previous page).
//
// Business Central's API v2.0 has no stock per location: items give the
// inventory summed over all locations, so each level has the empty
// location, meaning all of them. Nor does it stamp inventory changes: an
// item's lastModifiedDateTime moves when the item card changes, not when
// stock is posted, so q.Since cannot narrow the listing and every item is
// listed each time; callers skip the levels that did not change.
//
// TODO: per-location stock needs a custom API page over the item ledger
// entries (or the analytics itemLedgerEntries with locationCode and
// remainingQuantity); v2.0's itemLedgerEntries carry no location.
// TODO: Reserved and SafetyStock are always 0: v2.0 exposes neither the
// item's "Reserved Qty. on Inventory" nor its "Safety Stock Quantity"; both
// need a custom API page.
func (c *Client) ChangedStock(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.StockLevel], err error) {
	defer syncerr.Wrap(&err, "list business central inventory")
	filter := "type eq 'Inventory'"
	if q.Cursor != "" {
		filter += " and number gt " + quote(q.Cursor)
	}

	var col collection[item]
	err = c.do(ctx, request{method: http.MethodGet, url: c.entityURL("items", url.Values{
		"$filter":  {filter},
		"$orderby": {"number asc"},
		"$top":     {strconv.Itoa(q.PageSize())},
		"$select":  {"id,number,inventory,lastModifiedDateTime"},
	})}, &col)
	if err != nil {
		return page, err
	}

	for _, it := range col.Value {
		page.Items = append(page.Items, erp.StockLevel{
			SKU: it.Number, OnHand: wholeUnits(it.Inventory),
			Modified: parseTime(it.LastModifiedDateTime),
		})
	}
	if len(col.Value) == q.PageSize() {
		page.Next = col.Value[len(col.Value)-1].Number
	}
	return page, nil
}
