package odoo

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// changeOrder is the order of every change listing: keyset paging on
// (write_date, id), which stays stable while records change during a scan.
const changeOrder = "write_date asc, id asc"

// key is the position of a record in a change listing.
type key struct {
	written time.Time
	id      int64
}

// String encodes k as a page cursor: "<write_date>|<id>".
func (k key) String() string {
	return k.written.UTC().Format(dateTimeLayout) + "|" + strconv.FormatInt(k.id, 10)
}

// parseCursor reads a cursor that key.String wrote; "" is the start.
func parseCursor(cursor string) (key, bool, error) {
	if cursor == "" {
		return key{}, false, nil
	}
	stamp, id, ok := strings.Cut(cursor, "|")
	t, terr := time.ParseInLocation(dateTimeLayout, stamp, time.UTC)
	n, nerr := strconv.ParseInt(id, 10, 64)
	if !ok || terr != nil || nerr != nil || n <= 0 {
		return key{}, false, syncerr.Invalid("cursor", "%q is not an odoo page cursor", cursor)
	}
	return key{written: t, id: n}, true, nil
}

// changedSince returns the domain terms of a change listing: records written
// at or after q.Since and, on a later page, after the cursor. Since is
// compared as Odoo stores it, in whole seconds of UTC, so the second of
// q.Since is included whole.
func changedSince(q erp.Changes) ([]any, error) {
	after, ok, err := parseCursor(q.Cursor)
	if err != nil {
		return nil, err
	}

	var terms []any
	if !q.Since.IsZero() {
		since := q.Since.UTC().Truncate(time.Second).Format(dateTimeLayout)
		terms = append(terms, []any{"write_date", ">=", since})
	}
	if ok {
		w := after.written.Format(dateTimeLayout)
		terms = append(terms, "|", []any{"write_date", ">", w},
			"&", []any{"write_date", "=", w}, []any{"id", ">", after.id})
	}
	return terms, nil
}

// changeKwargs asks search_read for fields in listing order, one record more
// than a page so that the last page is known without an empty one after it.
func changeKwargs(q erp.Changes, fields ...string) map[string]any {
	return map[string]any{"fields": fields, "order": changeOrder, "limit": q.PageSize() + 1}
}

// trimPage cuts rows to a page of q and returns the cursor of the next
// page, "" when rows held no more than a page.
func trimPage[T any](q erp.Changes, rows []T, keyOf func(T) key) ([]T, string) {
	if len(rows) <= q.PageSize() {
		return rows, ""
	}
	rows = rows[:q.PageSize()]
	return rows, keyOf(rows[len(rows)-1]).String()
}

// stamp is a datetime field as Odoo reads it: "YYYY-MM-DD HH:MM:SS" in UTC,
// or false when empty.
type stamp time.Time

// UnmarshalJSON reads an Odoo datetime or false.
func (s *stamp) UnmarshalJSON(b []byte) error {
	var t text
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	if t == "" {
		*s = stamp{}
		return nil
	}
	v, err := time.ParseInLocation(dateTimeLayout, string(t), time.UTC)
	if err != nil {
		return fmt.Errorf("odoo datetime %q: %w", t, err)
	}
	*s = stamp(v)
	return nil
}

// many2one is a reference as Odoo reads it: [id, "display name"], or false.
type many2one struct {
	id   int64
	name string
}

// UnmarshalJSON reads [id, "name"] or false.
func (m *many2one) UnmarshalJSON(b []byte) error {
	if string(b) == "false" || string(b) == "null" {
		*m = many2one{}
		return nil
	}
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("odoo reference %.40s is not [id, name]", b)
	}
	var name text
	if err := json.Unmarshal(pair[0], &m.id); err != nil {
		return fmt.Errorf("odoo reference id: %w", err)
	}
	if err := json.Unmarshal(pair[1], &name); err != nil {
		return fmt.Errorf("odoo reference name: %w", err)
	}
	m.name = string(name)
	return nil
}

// formatID formats a record id as erp types carry it.
func formatID(n int64) string { return strconv.FormatInt(n, 10) }

// parseID reads a record id that erp types carry, for field.
func parseID(field, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, syncerr.Invalid(field, "%q is not an odoo record id", s)
	}
	return n, nil
}

// timeOf returns the time of s.
func timeOf(s stamp) time.Time { return time.Time(s) }

// maxTime returns the later of a and b.
func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
