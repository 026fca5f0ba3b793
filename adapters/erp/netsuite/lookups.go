package netsuite

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// lookupCache remembers ids that do not change, such as currencies.
type lookupCache struct {
	mu  sync.Mutex
	ids map[string]string
}

func newLookupCache() *lookupCache { return &lookupCache{ids: map[string]string{}} }

func (l *lookupCache) get(key string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	id, ok := l.ids[key]
	return id, ok
}

func (l *lookupCache) put(key, id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ids[key] = id
}

// itemIDs resolves the SKUs of lines to item internal ids by itemid. An
// unknown SKU is an InvalidError on "lines[<i>].sku" naming it.
func (c *Client) itemIDs(ctx context.Context, lines []erp.Line) (map[string]string, error) {
	skus := map[string]bool{}
	for _, l := range lines {
		skus[l.SKU] = true
	}
	rows, err := c.queryAll(ctx, "SELECT id, itemid FROM item WHERE itemid IN "+
		quoteAll(sortedKeys(skus))+" ORDER BY id", len(skus)*4)
	if err != nil {
		return nil, fmt.Errorf("resolve skus: %w", err)
	}

	ids := map[string]string{}
	for _, r := range rows {
		if sku := r.str("itemid"); ids[sku] == "" {
			ids[sku] = r.str("id")
		}
	}
	for i, l := range lines {
		if ids[l.SKU] == "" {
			return nil, syncerr.Invalid(fmt.Sprintf("lines[%d].sku", i),
				"no netsuite item has the item name/number %q", l.SKU)
		}
	}
	return ids, nil
}

// currencyID resolves an ISO 4217 code to the internal id of the currency
// whose symbol it is.
func (c *Client) currencyID(ctx context.Context, code string) (string, error) {
	if id, ok := c.currencies.get(code); ok {
		return id, nil
	}
	page, err := c.query(ctx, "SELECT id, symbol FROM currency WHERE symbol = "+quote(code)+
		" ORDER BY id", 1, 0)
	if err != nil {
		return "", fmt.Errorf("resolve currency %s: %w", code, err)
	}
	if len(page.Items) == 0 {
		return "", syncerr.Invalid("currency", "netsuite has no currency %q", code)
	}
	id := page.Items[0].str("id")
	c.currencies.put(code, id)
	return id, nil
}

// baseCurrency returns the ISO code of the account's base currency, in
// which item base prices are given.
//
// TODO: in OneWorld accounts each subsidiary has its own base currency;
// prices should be read per subsidiary once the adapter knows which one a
// store sells from.
func (c *Client) baseCurrency(ctx context.Context) (string, error) {
	if code, ok := c.currencies.get(""); ok {
		return code, nil
	}
	page, err := c.query(ctx, "SELECT id, symbol FROM currency WHERE isbasecurrency = 'T'"+
		" ORDER BY id", 1, 0)
	if err != nil {
		return "", fmt.Errorf("read base currency: %w", err)
	}
	if len(page.Items) == 0 {
		return "", fmt.Errorf("netsuite names no base currency: %w", syncerr.ErrUnavailable)
	}
	code := page.Items[0].str("symbol")
	c.currencies.put("", code)
	return code, nil
}

// rowsByID runs "SELECT id, <cols> FROM <table> WHERE id IN (ids)" and
// maps each id to its row.
func (c *Client) rowsByID(ctx context.Context, table string, cols []string, ids []string) (
	map[string]row, error) {
	out := map[string]row{}
	if len(ids) == 0 {
		return out, nil
	}
	list, err := numbers(dedupe(ids))
	if err != nil {
		return nil, err
	}
	rows, err := c.queryAll(ctx, "SELECT id, "+strings.Join(cols, ", ")+" FROM "+table+
		" WHERE id IN "+list, len(ids))
	if err != nil {
		return nil, fmt.Errorf("read %d %s records: %w", len(ids), table, err)
	}
	for _, r := range rows {
		out[r.str("id")] = r
	}
	return out, nil
}

func dedupe(ids []string) []string {
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	return sortedKeys(seen)
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
