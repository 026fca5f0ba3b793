package shopify

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// changesPage is the largest page of changed orders: each order costs four
// points (itself, its total's two money objects and its metafield), and a
// query may cost at most 1000.
const changesPage = 200

const changedOrdersQuery = `query ChangedOrders($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {
    nodes {
      legacyResourceId number updatedAt createdAt currencyCode cancelledAt
      totalPriceSet { shopMoney { amount currencyCode } }
      erpID: metafield(namespace: "erp", key: "sales_order_id") { value }
    }
    pageInfo { hasNextPage endCursor }
  }
}`

// ChangedOrders lists the orders updated at or after q.Since, oldest
// first, with Shopify's search (updated_at:>=, to the second: Since is
// truncated down) and cursor paging; Shopify breaks ties of one second by
// id. The cursor holds Since and Shopify's cursor, so that a listing goes
// on with the search it started with.
func (s *Store) ChangedOrders(ctx context.Context, q store.Changes) (
	store.Page[store.OrderChange], error) {
	since, after, err := parseCursor(q)
	if err != nil {
		return store.Page[store.OrderChange]{}, err
	}
	limit := q.Limit
	if limit <= 0 || limit > changesPage {
		limit = changesPage
	}

	var data struct {
		Orders struct {
			Nodes    []changedOrder `json:"nodes"`
			PageInfo pageInfo       `json:"pageInfo"`
		} `json:"orders"`
	}
	vars := map[string]any{"first": limit, "query": "updated_at:>='" +
		since.Format(time.RFC3339) + "'"}
	if after != "" {
		vars["after"] = after
	}
	if err := s.query(ctx, "changed orders", changedOrdersQuery, vars, &data); err != nil {
		return store.Page[store.OrderChange]{}, fmt.Errorf("list orders changed since %s: %w",
			since.Format(time.RFC3339), err)
	}

	var page store.Page[store.OrderChange]
	for _, n := range data.Orders.Nodes {
		c, err := n.change()
		if err != nil {
			return store.Page[store.OrderChange]{}, fmt.Errorf("list orders changed since "+
				"%s: order %s: %w", since.Format(time.RFC3339), n.LegacyResourceID, err)
		}
		page.Items = append(page.Items, c)
	}
	if pi := data.Orders.PageInfo; pi.HasNextPage && pi.EndCursor != "" {
		page.Next = strconv.FormatInt(since.Unix(), 10) + ":" + pi.EndCursor
	}
	return page, nil
}

// changedOrder is an order as changedOrdersQuery reads it.
type changedOrder struct {
	LegacyResourceID string     `json:"legacyResourceId"`
	Number           int64      `json:"number"`
	UpdatedAt        time.Time  `json:"updatedAt"`
	CreatedAt        time.Time  `json:"createdAt"`
	CurrencyCode     string     `json:"currencyCode"`
	CancelledAt      *time.Time `json:"cancelledAt"`
	TotalPriceSet    *moneyBag  `json:"totalPriceSet"`
	ERPID            *struct {
		Value string `json:"value"`
	} `json:"erpID"`
}

// change is the listing's entry of n.
func (n changedOrder) change() (store.OrderChange, error) {
	total, err := amount("total_price", n.TotalPriceSet, n.CurrencyCode)
	if err != nil {
		return store.OrderChange{}, err
	}
	c := store.OrderChange{ID: n.LegacyResourceID, Number: strconv.FormatInt(n.Number, 10),
		Modified: n.UpdatedAt.UTC(), PlacedAt: n.CreatedAt.UTC(), Currency: n.CurrencyCode,
		TotalMinor: total, Cancelled: n.CancelledAt != nil}
	if n.ERPID != nil {
		c.ERPID = n.ERPID.Value
	}
	return c, nil
}

// parseCursor returns the search time and Shopify's cursor of a listing:
// q.Since for a new one, what the cursor "<unix seconds>:<cursor>" holds
// for one that goes on.
func parseCursor(q store.Changes) (time.Time, string, error) {
	if q.Cursor == "" {
		return q.Since.UTC().Truncate(time.Second), "", nil
	}
	secs, after, ok := strings.Cut(q.Cursor, ":")
	n, err := strconv.ParseInt(secs, 10, 64)
	if !ok || err != nil || after == "" {
		return time.Time{}, "", syncerr.Invalid("cursor", "%q is not a cursor of this listing",
			q.Cursor)
	}
	return time.Unix(n, 0).UTC(), after, nil
}
