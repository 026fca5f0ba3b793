package netsuite

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// A cursor is where a listing of changes stands: the modification time
// and the key columns of the last row it returned.
type cursor struct {
	modified time.Time
	keys     []int64
}

// String writes the cursor as "<unix seconds>.<key>[.<key>...]".
func (c cursor) String() string {
	parts := []string{strconv.FormatInt(c.modified.Unix(), 10)}
	for _, k := range c.keys {
		parts = append(parts, strconv.FormatInt(k, 10))
	}
	return strings.Join(parts, ".")
}

// parseCursor reads a cursor with n key columns; "" is the start.
func parseCursor(s string, n int) (cursor, bool, error) {
	if s == "" {
		return cursor{}, false, nil
	}
	parts := strings.Split(s, ".")
	if len(parts) != n+1 {
		return cursor{}, false, syncerr.Invalid("cursor", "%q is not a netsuite cursor", s)
	}
	nums := make([]int64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return cursor{}, false, syncerr.Invalid("cursor", "%q is not a netsuite cursor", s)
		}
		nums[i] = v
	}
	return cursor{modified: time.Unix(nums[0], 0).UTC(), keys: nums[1:]}, true, nil
}

// changedWhere returns the SuiteQL condition of a page of changes: rows
// whose column modified is at or after q.Since (in whole seconds, rounded
// down) and, past the first page, after the cursor in (modified, keys...)
// order.
func (c *Client) changedWhere(modified string, keys []string, q erp.Changes) (string, error) {
	cond := modified + " >= " + c.timestamp(q.Since.Truncate(time.Second))

	cur, ok, err := parseCursor(q.Cursor, len(keys))
	if err != nil || !ok {
		return cond, err
	}
	ts := c.timestamp(cur.modified)
	return cond + " AND (" + modified + " > " + ts + " OR (" + modified + " = " + ts +
		" AND " + keysAfter(keys, cur.keys) + "))", nil
}

// keysAfter writes "k1 > v1 OR (k1 = v1 AND (k2 > v2 ...))".
func keysAfter(cols []string, vals []int64) string {
	v := strconv.FormatInt(vals[0], 10)
	if len(cols) == 1 {
		return cols[0] + " > " + v
	}
	return "(" + cols[0] + " > " + v + " OR (" + cols[0] + " = " + v + " AND " +
		keysAfter(cols[1:], vals[1:]) + "))"
}

// orderBy lists the columns of the change order.
func orderBy(modified string, keys []string) string {
	return " ORDER BY " + modified + " ASC, " + strings.Join(keys, " ASC, ") + " ASC"
}

// pageLimit is the number of rows of one page of changes.
func pageLimit(q erp.Changes) int {
	return min(q.PageSize(), maxSuiteQLLimit)
}

// A listing is a SuiteQL query of changes: the table, the key columns that
// order rows of one modification time, the other columns to read, and a
// condition of its own.
type listing struct {
	table   string
	keys    []string
	columns []string
	where   string
}

// changedRows reads one page of l: at most q's page size of rows, after
// q's cursor. next continues the listing, "" after the last page.
func (c *Client) changedRows(ctx context.Context, l listing, q erp.Changes) (
	rows []row, next string, err error) {
	const modified = "lastmodifieddate"
	cond, err := c.changedWhere(modified, l.keys, q)
	if err != nil {
		return nil, "", err
	}
	if l.where != "" {
		cond = l.where + " AND " + cond
	}
	cols := append(append(append([]string{}, l.keys...), l.columns...),
		modifiedColumn(modified))
	sql := "SELECT " + strings.Join(cols, ", ") + " FROM " + l.table + " WHERE " + cond +
		orderBy(modified, l.keys)

	page, err := c.query(ctx, sql, pageLimit(q), 0)
	if err != nil || !page.HasMore || len(page.Items) == 0 {
		return page.Items, "", err
	}
	next, err = c.cursorOf(page.Items[len(page.Items)-1], l.keys)
	return page.Items, next, err
}

// cursorOf is the cursor after r.
func (c *Client) cursorOf(r row, keys []string) (string, error) {
	cur := cursor{}
	var err error
	if cur.modified, err = c.parseModified(r); err != nil {
		return "", err
	}
	for _, k := range keys {
		v, err := r.int(k)
		if err != nil {
			return "", err
		}
		cur.keys = append(cur.keys, v)
	}
	return cur.String(), nil
}
