package odoosandbox

import (
	"math/big"
	"time"
)

// A source is what an index of the model offers a search in place of every
// record: candidates that include every record the domain matches, in the
// search's order when sorted is set, so that the search can stop after the
// page it wants. The domain still decides which candidates match.
type source struct {
	each   func(yield func(record) bool)
	sorted bool
}

// query is what a model's narrow function reads of a search: the leaves
// every match must satisfy, the order asked for, and how many matches the
// search needs at most (offset plus limit; -1 for all).
type query struct {
	leaves []leafCond
	keys   []orderKey
	want   int
}

// newQuery collects the leaves that a match of cond must satisfy (those
// joined by "&" from the top, explicit or implicit) and trims keys after
// the first "id", which is unique and so decides every tie.
func newQuery(cond condition, keys []orderKey, want int) query {
	q := query{want: want}
	var collect func(c condition)
	collect = func(c condition) {
		switch c := c.(type) {
		case andCond:
			collect(c.left)
			collect(c.right)
		case leafCond:
			q.leaves = append(q.leaves, c)
		}
	}
	collect(cond)

	for _, k := range keys {
		q.keys = append(q.keys, k)
		if k.field == "id" {
			break
		}
	}
	return q
}

// ordered reports whether the query asks for ascending order of fields,
// ids last.
func (q query) ordered(fields ...string) bool {
	if len(q.keys) != len(fields) {
		return false
	}
	for i, k := range q.keys {
		if k.desc || k.field != fields[i] {
			return false
		}
	}
	return true
}

// ids returns the record ids that an "=" or "in" leaf on field allows, the
// fewest of any such leaf, and whether there is one. Only leaves whose
// values are all whole positive numbers are used: other values can match
// records in other ways (false matches empty references, a string matches
// a reference by name), which only the domain decides.
func (q query) ids(field string) ([]int64, bool) {
	return fewest(q, field, wholeIDs)
}

// texts returns the strings that an "=" or "in" leaf on field allows, the
// fewest of any such leaf, and whether there is one whose values are all
// strings.
func (q query) texts(field string) ([]string, bool) {
	return fewest(q, field, stringValues)
}

// fewest returns the values that read takes from the "=" or "in" leaf on
// field that has the fewest, and whether read took the values of any.
func fewest[T any](q query, field string, read func([]any) ([]T, bool)) ([]T, bool) {
	var best []T
	found := false
	for _, l := range q.leaves {
		if l.field != field || (l.op != "=" && l.op != "in") {
			continue
		}
		values, ok := read(valueList(l.value))
		if ok && (!found || len(values) < len(best)) {
			best, found = values, true
		}
	}
	return best, found
}

// wholeIDs reads values as record ids, without repeats, when each is a
// whole positive number.
func wholeIDs(values []any) ([]int64, bool) {
	ids := make([]int64, 0, len(values))
	seen := make(map[int64]bool, len(values))
	for _, v := range values {
		id, ok := wholeNumber(v)
		if !ok || id <= 0 {
			return nil, false
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, true
}

// wholeNumber returns the number in v when it is whole and fits an int64.
func wholeNumber(v any) (int64, bool) {
	if n, ok := intOf(v); ok {
		return n, true
	}
	r, ok := ratOf(v)
	if !ok || !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	return r.Num().Int64(), true
}

func stringValues(values []any) ([]string, bool) {
	texts := make([]string, 0, len(values))
	for _, v := range values {
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		texts = append(texts, s)
	}
	return texts, true
}

// span is a range of write dates, from (inclusive) and to (exclusive); a
// zero end leaves that side open.
type span struct {
	from, to time.Time
}

// writeSpan returns the range of write dates that the leaves on field allow
// and the lowest id that the leaves on "id" allow (0 for any).
//
// Datetimes compare as the strings Odoo writes, "YYYY-MM-DD HH:MM:SS",
// which order as the times do because Odoo's years have four digits
// (Python's datetime stops at 9999) and the model stamps whole seconds.
// Only values written that way bound the range; others are left to the
// domain.
func (q query) writeSpan(field string) (span, int64) {
	var sp span
	minID := int64(0)
	for _, l := range q.leaves {
		if l.field == "id" {
			minID = max(minID, idFloor(l))
			continue
		}
		t, ok := wireTime(l.value)
		if l.field != field || !ok {
			continue
		}
		if l.op == ">=" || l.op == ">" || l.op == "=" {
			if l.op == ">" {
				t = t.Add(time.Second)
			}
			if t.After(sp.from) {
				sp.from = t
			}
		}
		if l.op == "<" || l.op == "<=" || l.op == "=" {
			if l.op != "<" {
				t = t.Add(time.Second)
			}
			if sp.to.IsZero() || t.Before(sp.to) {
				sp.to = t
			}
		}
	}
	return sp, minID
}

// idFloor returns the lowest id an "id >" or "id >=" leaf allows, or 0.
func idFloor(l leafCond) int64 {
	r, ok := ratOf(l.value)
	if !ok || (l.op != ">" && l.op != ">=") {
		return 0
	}
	floor := new(big.Int).Quo(r.Num(), r.Denom()) // rounds toward zero
	if l.op == ">" || !r.IsInt() {
		floor.Add(floor, big.NewInt(1))
	}
	if r.Sign() < 0 || !floor.IsInt64() {
		return 0
	}
	return floor.Int64()
}

// wireTime reads a datetime written exactly as Odoo writes it.
func wireTime(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(dateTimeLayout, s)
	if err != nil || t.Format(dateTimeLayout) != s {
		return time.Time{}, false
	}
	return t, true
}

// collect returns the page of the candidates of src that keep reports true
// for, ordered by keys: a sorted source stops once the page is full.
func (src source) collect(keep func(record) bool, keys []orderKey, offset,
	limit int) []record {
	want := wanted(offset, limit)
	var found []record
	src.each(func(r record) bool {
		if keep(r) {
			found = append(found, r)
		}
		return !src.sorted || want < 0 || len(found) < want
	})
	if !src.sorted {
		sortRecords(found, keys)
	}
	return page(found, offset, limit)
}

// listOf returns a source of the records that find finds for keys and read
// converts, in no particular order.
func listOf[K, T any](keys []K, find func(K) (T, bool), read func(T) (record, bool)) source {
	return source{each: func(yield func(record) bool) {
		for _, k := range keys {
			v, ok := find(k)
			if !ok {
				continue
			}
			if r, ok := read(v); ok && !yield(r) {
				return
			}
		}
	}}
}
