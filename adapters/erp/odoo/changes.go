package odoo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// changeOrder is the order of change listings across seconds.
const changeOrder = "write_date asc, id asc"

// key is the position of a record in a change listing, its write_date as
// Odoo reads it, in whole seconds.
type key struct {
	written time.Time
	id      int64
}

// cursor is where a change listing goes on: every record written before
// second was listed, and of those written in second, the ones with an id up
// to afterID.
//
// Odoo stores write_date with microseconds but reads and compares it in
// whole seconds, and orders by the stored value; so a listing cannot resume
// after a (write_date, id) read from a record. It resumes at a whole
// second instead, or within one second in id order.
type cursor struct {
	second  time.Time
	afterID int64
}

// String encodes c as a page cursor: "<second>|<afterID>".
func (c cursor) String() string {
	return c.second.UTC().Format(dateTimeLayout) + "|" + strconv.FormatInt(c.afterID, 10)
}

// parseCursor reads a cursor that cursor.String wrote; "" starts at the
// second of since.
func parseCursor(s string, since time.Time) (cursor, error) {
	if s == "" {
		return cursor{second: since.UTC().Truncate(time.Second)}, nil
	}
	stamp, id, ok := strings.Cut(s, "|")
	t, terr := time.ParseInLocation(dateTimeLayout, stamp, time.UTC)
	n, nerr := strconv.ParseInt(id, 10, 64)
	if !ok || terr != nil || nerr != nil || n < 0 {
		return cursor{}, syncerr.Invalid("cursor", "%q is not an odoo page cursor", s)
	}
	return cursor{second: t, afterID: n}, nil
}

// lister fetches at most limit records of one model that match terms and
// the model's own filters, in order.
type lister[T any] func(ctx context.Context, terms []any, order string, limit int) ([]T, error)

// searchChanged returns the lister of model's records, read with fields and
// narrowed by filters.
func searchChanged[T any](c *Client, model string, fields []string, filters ...any) lister[T] {
	return func(ctx context.Context, terms []any, order string, limit int) ([]T, error) {
		var rows []T
		err := c.searchRead(ctx, model, domain(append(terms, filters...)...),
			map[string]any{"fields": fields, "order": order, "limit": limit}, &rows)
		return rows, err
	}
}

// listChanges returns a page of the records written at or after q.Since,
// from q.Cursor on, oldest first and in id order within a second, and the
// cursor of the next page ("" after the last page). A record written again
// during a listing comes again later in it.
func listChanges[T any](ctx context.Context, q erp.Changes, keyOf func(T) key,
	fetch lister[T]) ([]T, string, error) {
	from, err := parseCursor(q.Cursor, q.Since)
	if err != nil {
		return nil, "", err
	}
	if from.afterID == 0 {
		return listFrom(ctx, from.second, q.PageSize(), keyOf, fetch)
	}
	return listSecond(ctx, from, q.PageSize(), keyOf, fetch)
}

// listFrom lists at most limit records written at or after second, in whole
// seconds: the records of the last second that may not fit wait for the
// next page, unless one second fills the page, which is then listed by id.
func listFrom[T any](ctx context.Context, second time.Time, limit int, keyOf func(T) key,
	fetch lister[T]) ([]T, string, error) {
	var terms []any
	if !second.IsZero() {
		terms = append(terms, []any{"write_date", ">=", second.Format(dateTimeLayout)})
	}
	rows, err := fetch(ctx, terms, changeOrder, limit+1)
	if err != nil || len(rows) <= limit {
		return rows, "", err
	}
	if limit == 0 { // a full page asks only whether more follow
		return rows[:0], cursor{second: second}.String(), nil
	}

	last := keyOf(rows[limit]).written
	if keyOf(rows[0]).written.Equal(last) {
		return listSecond(ctx, cursor{second: last}, limit, keyOf, fetch)
	}
	n := limit
	for keyOf(rows[n-1]).written.Equal(last) {
		n--
	}
	return rows[:n], cursor{second: last}.String(), nil
}

// listSecond lists, in id order, at most limit records written in
// from.second with an id above from.afterID, then fills the page from the
// seconds after (or, when it is full, only looks whether more follow).
func listSecond[T any](ctx context.Context, from cursor, limit int, keyOf func(T) key,
	fetch lister[T]) ([]T, string, error) {
	next := from.second.Add(time.Second)
	terms := []any{[]any{"write_date", ">=", from.second.Format(dateTimeLayout)},
		[]any{"write_date", "<", next.Format(dateTimeLayout)}, []any{"id", ">", from.afterID}}
	rows, err := fetch(ctx, terms, "id asc", limit+1)
	if err != nil {
		return nil, "", err
	}

	if len(rows) > limit {
		rows = rows[:limit]
		return rows, cursor{second: from.second, afterID: keyOf(rows[limit-1]).id}.String(), nil
	}
	rest, more, err := listFrom(ctx, next, limit-len(rows), keyOf, fetch)
	return append(rows, rest...), more, err
}

// stamp is a datetime field as Odoo reads it: "YYYY-MM-DD HH:MM:SS" in UTC,
// or false when empty.
type stamp time.Time

// UnmarshalJSON reads an Odoo datetime or false.
func (s *stamp) UnmarshalJSON(b []byte) error {
	var t text
	if err := t.UnmarshalJSON(b); err != nil {
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

// UnmarshalJSON reads [id, "name"] or false. The usual shape, a plain
// integer and a string without escapes, is read by hand: stock listings
// decode millions of references.
func (m *many2one) UnmarshalJSON(b []byte) error {
	if string(b) == "false" || string(b) == "null" {
		*m = many2one{}
		return nil
	}
	if id, name, ok := plainPair(b); ok {
		*m = many2one{id: id, name: name}
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

// plainPair reads [id, "name"] when id is a plain integer and name a string
// without escapes, and reports whether it could.
func plainPair(b []byte) (int64, string, bool) {
	inner, open := bytes.CutPrefix(bytes.TrimSpace(b), []byte("["))
	inner, closed := bytes.CutSuffix(inner, []byte("]"))
	if !open || !closed {
		return 0, "", false
	}
	idText, rest, ok := bytes.Cut(inner, []byte(","))
	if !ok {
		return 0, "", false
	}
	id, err := strconv.ParseInt(string(bytes.TrimSpace(idText)), 10, 64)
	if err != nil {
		return 0, "", false
	}
	name, ok := plainString(bytes.TrimSpace(rest))
	return id, name, ok
}

// plainString reads a JSON string without escapes, and reports whether b
// is one.
func plainString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	body := b[1 : len(b)-1]
	for _, c := range body {
		if c == '"' || c == '\\' || c < 0x20 {
			return "", false
		}
	}
	return string(body), utf8.Valid(body)
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
