package sap

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// SAP stamps a record's last change only from its first change on: a
// record never changed since its creation has an empty change date. A
// change listing therefore reads two streams, each in keyset order: the
// records changed since the watermark, and the records created since and
// never changed. mergeStreams interleaves them by time and key, and keeps
// the position of each in its cursor.

// stream reads up to top records of one stream after pos; pos.ID is empty
// at the stream's start, which is pos.Modified inclusive.
type stream[T any] func(pos cursor, top int) (collection[T], error)

// streamCursor is where a merged listing stands in each of its streams.
type streamCursor struct {
	Pos  [2]cursor `json:"p"`
	Done [2]bool   `json:"d"`
}

func (c streamCursor) encode() string {
	b, _ := json.Marshal(c) // times, strings and booleans always marshal
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeStreamCursor(s string) (streamCursor, error) {
	var c streamCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil {
		return streamCursor{}, syncerr.Invalid("cursor", "%q was not made by this adapter", s)
	}
	return c, nil
}

// mergeStreams returns one page of at most q.PageSize() records of two
// streams, oldest first by stamp, and the cursor of the next page.
func mergeStreams[T any](q erp.Changes, streams [2]stream[T], stamp func(T) cursor) (
	[]T, string, error) {
	cur := streamCursor{Pos: [2]cursor{{Modified: q.Since}, {Modified: q.Since}}}
	if q.Cursor != "" {
		var err error
		if cur, err = decodeStreamCursor(q.Cursor); err != nil {
			return nil, "", err
		}
	}

	size := q.PageSize()
	var rows [2][]T
	var more [2]bool
	for i, read := range streams {
		if cur.Done[i] {
			continue
		}
		page, err := read(cur.Pos[i], size)
		if err != nil {
			return nil, "", err
		}
		rows[i], more[i] = page.Results, page.more(size)
	}

	items, taken := interleave(rows, more, size, stamp)
	for i := range streams {
		if taken[i] > 0 {
			cur.Pos[i] = stamp(rows[i][taken[i]-1])
		}
		cur.Done[i] = cur.Done[i] || (!more[i] && taken[i] == len(rows[i]))
	}
	if cur.Done[0] && cur.Done[1] {
		return items, "", nil
	}
	return items, cur.encode(), nil
}

// interleave takes up to size records from the two sorted lists, oldest
// first, and says how many it took from each. It stops when a list whose
// stream has more is used up, since the stream's next record, not read
// yet, may be older than what the other list still holds.
func interleave[T any](rows [2][]T, more [2]bool, size int, stamp func(T) cursor) ([]T,
	[2]int) {
	var items []T
	var taken [2]int
	for len(items) < size {
		pick := -1
		for i := range rows {
			if taken[i] == len(rows[i]) {
				if more[i] {
					return items, taken
				}
				continue
			}
			if pick < 0 || before(stamp(rows[i][taken[i]]), stamp(rows[pick][taken[pick]])) {
				pick = i
			}
		}
		if pick < 0 {
			break
		}
		items = append(items, rows[pick][taken[pick]])
		taken[pick]++
	}
	return items, taken
}

// before orders cursors by time, then by key.
func before(a, b cursor) bool {
	if !a.Modified.Equal(b.Modified) {
		return a.Modified.Before(b.Modified)
	}
	return compareKeys(a.ID, b.ID) < 0
}

// compareKeys orders document numbers as SAP does: numbers by value, so
// that "9" comes before "10", anything else by bytes.
func compareKeys(a, b string) int {
	if isNumber(a) && isNumber(b) && len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func isNumber(s string) bool {
	if s == "" || s[0] == '0' {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// dayTimeAfter is the $filter of one stream over a date field, a time
// field and a key, after pos (from pos.Modified inclusive when pos.ID is
// empty).
func dayTimeAfter(dayField, timeField, key string, pos cursor) string {
	day, tod := dateTimeLiteral(pos.Modified), timeLiteral(pos.Modified)
	op := "ge"
	if pos.ID != "" {
		op = "gt"
	}
	filter := fmt.Sprintf("%s gt %s or (%s eq %s and %s %s %s)", dayField, day, dayField, day,
		timeField, op, tod)
	if pos.ID != "" {
		filter += fmt.Sprintf(" or (%s eq %s and %s eq %s and %s gt %s)", dayField, day,
			timeField, tod, key, quote(pos.ID))
	}
	return "(" + filter + ")"
}

// dayAfter is the $filter of one stream over a date field with no time
// and a key, after pos (from the day of pos.Modified when pos.ID is empty).
func dayAfter(dayField, key string, pos cursor) string {
	day := dateTimeLiteral(pos.Modified)
	if pos.ID == "" {
		return dayField + " ge " + day
	}
	return fmt.Sprintf("(%s gt %s or (%s eq %s and %s gt %s))", dayField, day, dayField, day,
		key, quote(pos.ID))
}
