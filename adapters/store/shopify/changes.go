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

// maxPage is the largest page of a connection.
const maxPage = 250

const changedOrdersQuery = `query ChangedOrders($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {
    nodes { legacyResourceId number updatedAt }
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
	if limit <= 0 || limit > maxPage {
		limit = maxPage
	}

	var data struct {
		Orders struct {
			Nodes []struct {
				LegacyResourceID string    `json:"legacyResourceId"`
				Number           int64     `json:"number"`
				UpdatedAt        time.Time `json:"updatedAt"`
			} `json:"nodes"`
			PageInfo pageInfo `json:"pageInfo"`
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
		page.Items = append(page.Items, store.OrderChange{ID: n.LegacyResourceID,
			Number: strconv.FormatInt(n.Number, 10), Modified: n.UpdatedAt.UTC()})
	}
	if pi := data.Orders.PageInfo; pi.HasNextPage && pi.EndCursor != "" {
		page.Next = strconv.FormatInt(since.Unix(), 10) + ":" + pi.EndCursor
	}
	return page, nil
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
