package woocommerce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// maxPerPage is the largest page WooCommerce serves.
const maxPerPage = 100

// cursor is where a listing of changed orders stands: the modification
// second and id of the last order returned, and the page of the listing
// from that second that holds what follows.
type cursor struct {
	at   time.Time
	id   int64
	page int
}

// after reports whether an order modified at m with id comes after c.
func (c cursor) after(m time.Time, id int64) bool {
	return m.After(c.at) || m.Equal(c.at) && id > c.id
}

// ChangedOrders lists the orders modified at or after q.Since (to the
// second), oldest first and then by id, with GET /orders filtered by
// modified_after (dates_are_gmt) and ordered by modified. WooCommerce pages
// by offset, which drifts when orders change during a listing, so each call
// lists again from the modification second of the last order returned and
// skips the orders of that second it returned already: an order that
// changes meanwhile moves to the end and is listed there. Only when more
// than a page of orders share one second does the cursor keep a page
// number; pages are always of WooCommerce's largest size, so that the
// numbers hold whatever q.Limit a caller asks for next.
func (s *Store) ChangedOrders(ctx context.Context, q store.Changes) (
	store.Page[store.OrderChange], error) {
	cur, err := parseCursor(q.Cursor, q.Since)
	if err != nil {
		return store.Page[store.OrderChange]{}, err
	}
	limit := q.Limit
	if limit <= 0 || limit > maxPerPage {
		limit = maxPerPage
	}

	for {
		rows, more, err := s.listChanged(ctx, cur)
		if err != nil {
			return store.Page[store.OrderChange]{}, fmt.Errorf(
				"list woocommerce orders changed since %s: %w", q.Since.Format(time.RFC3339), err)
		}

		var page store.Page[store.OrderChange]
		for _, r := range rows {
			if !cur.after(r.Modified, r.id) {
				continue
			}
			if len(page.Items) == limit {
				more = true
				break
			}
			page.Items = append(page.Items, r.OrderChange)
		}
		if len(page.Items) == 0 && more {
			cur.page++ // a full page of one second, all returned already
			continue
		}
		if more && len(page.Items) > 0 {
			page.Next = nextCursor(cur, page.Items[len(page.Items)-1]).String()
		}
		return page, nil
	}
}

// changedRow is one order of a listing.
type changedRow struct {
	store.OrderChange
	id int64
}

// listChanged reads one page of the orders modified at or after cur.at,
// and reports whether more pages follow.
func (s *Store) listChanged(ctx context.Context, cur cursor) ([]changedRow, bool, error) {
	c := call{method: http.MethodGet, path: "orders", query: url.Values{
		// modified_after is exclusive, and dates are whole seconds.
		"modified_after": {cur.at.Add(-time.Second).Format(gmtLayout)},
		"dates_are_gmt":  {"true"},
		"orderby":        {"modified"},
		"order":          {"asc"},
		"per_page":       {strconv.Itoa(maxPerPage)},
		"page":           {strconv.Itoa(cur.page)},
		"_fields": {"id,number,status,currency,total,date_created_gmt,date_modified_gmt," +
			"meta_data"},
	}}
	var list []order
	header, err := s.do(ctx, c, &list)
	if err != nil {
		return nil, false, err
	}
	more, err := morePages(header, cur.page)
	if err != nil {
		return nil, false, err
	}

	rows := make([]changedRow, 0, len(list))
	for _, o := range list {
		row, err := changed(o)
		if err != nil {
			return nil, false, fmt.Errorf("order %d: %w: %w", o.ID, syncerr.ErrUnavailable, err)
		}
		rows = append(rows, row)
	}
	return rows, more, nil
}

// changed maps an order of a listing.
func changed(o order) (changedRow, error) {
	m, err := parseGMT("date_modified_gmt", o.DateModifiedGMT)
	if err != nil || m.IsZero() {
		return changedRow{}, errors.New("no date_modified_gmt")
	}
	placed, err := parseGMT("date_created_gmt", o.DateCreatedGMT)
	if err != nil {
		return changedRow{}, err
	}
	a := amounts{currency: o.Currency}
	total := a.required("total", o.Total)
	if a.err != nil {
		return changedRow{}, a.err
	}

	return changedRow{id: o.ID, OrderChange: store.OrderChange{
		ID: strconv.FormatInt(o.ID, 10), Number: orderNumber(o), Modified: m,
		PlacedAt: placed, Currency: o.Currency, TotalMinor: total,
		Cancelled: o.Status == statusCancelled, ERPID: metaValue(o.MetaData, MetaKeyERPID),
	}}, nil
}

// nextLink finds the rel="next" entry of a Link header.
var nextLink = regexp.MustCompile(`<[^>]*>\s*;\s*rel="?next"?`)

// morePages reports whether pages follow page, by the Link header's next
// entry or, without one, by X-WP-TotalPages.
func morePages(h http.Header, page int) (bool, error) {
	for _, l := range h.Values("Link") {
		if nextLink.MatchString(l) {
			return true, nil
		}
	}
	v := h.Get("X-WP-TotalPages")
	if v == "" {
		return false, nil
	}
	total, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || total < 0 {
		return false, fmt.Errorf("X-WP-TotalPages %q is not a page count: %w", v,
			syncerr.ErrUnavailable)
	}
	return page < total, nil
}

// nextCursor returns the cursor after last, returned from a listing at
// cur: the first page from last's second, unless last is of cur's second,
// whose page it keeps.
func nextCursor(cur cursor, last store.OrderChange) cursor {
	id, _ := strconv.ParseInt(last.ID, 10, 64) // the id of a listed order
	if last.Modified.Equal(cur.at) {
		return cursor{at: cur.at, id: id, page: cur.page}
	}
	return cursor{at: last.Modified, id: id, page: 1}
}

// String encodes c as "<unix seconds>.<order id>.<page>".
func (c cursor) String() string {
	return fmt.Sprintf("%d.%d.%d", c.at.Unix(), c.id, c.page)
}

// parseCursor reads a cursor of ChangedOrders; "" starts at since.
func parseCursor(s string, since time.Time) (cursor, error) {
	if s == "" {
		return cursor{at: since.UTC().Truncate(time.Second), page: 1}, nil
	}

	parts := strings.Split(s, ".")
	if len(parts) == 3 {
		secs, err1 := strconv.ParseInt(parts[0], 10, 64)
		id, err2 := strconv.ParseInt(parts[1], 10, 64)
		page, err3 := strconv.Atoi(parts[2])
		if err1 == nil && err2 == nil && err3 == nil && id >= 0 && page > 0 {
			return cursor{at: time.Unix(secs, 0).UTC(), id: id, page: page}, nil
		}
	}
	return cursor{}, syncerr.Invalid("cursor", "%q is not a cursor of this listing", s)
}
