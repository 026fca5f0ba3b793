package odoo

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
)

// microRecord is a record as PostgreSQL holds it under Odoo: write_date
// with microseconds, which Odoo reads in whole seconds.
type microRecord struct {
	id      int64
	written time.Time
}

// microOdoo answers search_read over records as Odoo would: domains and
// order compare the stored microseconds, results show whole seconds.
type microOdoo struct {
	records []microRecord
	calls   int
}

func (o *microOdoo) execute(_ context.Context, c call, out any) error {
	o.calls++
	terms, _ := c.args[0].value.([]any)
	var found []microRecord
	for _, r := range o.records {
		if o.matches(r, terms) {
			found = append(found, r)
		}
	}
	sort.Slice(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if c.kwargs["order"] == changeOrder && !a.written.Equal(b.written) {
			return a.written.Before(b.written)
		}
		return a.id < b.id
	})
	if limit := c.kwargs["limit"].(int); len(found) > limit {
		found = found[:limit]
	}

	rows := make([]map[string]any, len(found))
	for i, r := range found {
		rows[i] = map[string]any{"id": r.id, "name": "n", "email": false,
			"write_date": r.written.Format(dateTimeLayout)}
	}
	data, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, out)
}

// matches evaluates the leaves of a domain, all of which must hold.
func (o *microOdoo) matches(r microRecord, terms []any) bool {
	for _, t := range terms {
		leaf := t.([]any)
		var cmp int
		switch leaf[0] {
		case "write_date":
			v, _ := time.Parse(dateTimeLayout, leaf[2].(string))
			cmp = r.written.Compare(v)
		case "id":
			cmp = compareInt(r.id, leaf[2].(int64))
		default:
			panic(fmt.Sprintf("unexpected leaf %v", leaf))
		}
		ok := map[string]bool{">=": cmp >= 0, "<": cmp < 0, ">": cmp > 0}[leaf[1].(string)]
		if !ok {
			return false
		}
	}
	return true
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestPagingSurvivesMicroseconds(t *testing.T) {
	s := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	us := func(sec, micro int) time.Time {
		return s.Add(time.Duration(sec)*time.Second + time.Duration(micro)*time.Microsecond)
	}
	// In stored order 5, 3, 9, 1 in the first second; ids do not follow it.
	records := []microRecord{{5, us(0, 100)}, {3, us(0, 200)}, {9, us(0, 300)},
		{1, us(0, 400)}, {2, us(1, 500)}, {8, us(2, 0)}, {4, us(2, 900)}}

	for _, limit := range []int{1, 2, 3, 4, 7, 10} {
		t.Run(fmt.Sprint("limit ", limit), func(t *testing.T) {
			odoo := &microOdoo{records: records}
			c := &Client{exec: odoo, log: zap.NewNop()}
			seen := map[string]int{}
			q := erp.Changes{Limit: limit}
			for range 20 {
				page, err := c.ChangedCustomers(t.Context(), q)
				if err != nil {
					t.Fatalf("ChangedCustomers(%+v) error = %v", q, err)
				}
				if len(page.Items) > limit {
					t.Errorf("page of %d items, limit %d", len(page.Items), limit)
				}
				for _, r := range page.Items {
					seen[r.ID]++
				}
				if page.Next == "" {
					break
				}
				q.Cursor = page.Next
			}
			for _, r := range records {
				if n := seen[formatID(r.id)]; n != 1 {
					t.Errorf("record %d listed %d times, want once", r.id, n)
				}
			}
		})
	}
}

func TestPagingHonoursSince(t *testing.T) {
	s := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	odoo := &microOdoo{records: []microRecord{{1, s.Add(500 * time.Millisecond)},
		{2, s.Add(1500 * time.Millisecond)}}}
	c := &Client{exec: odoo, log: zap.NewNop()}

	page, err := c.ChangedCustomers(t.Context(),
		erp.Changes{Since: s.Add(1200 * time.Millisecond)})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != "2" || page.Next != "" {
		t.Errorf("ChangedCustomers(since 08:00:01.2) = %+v, %v, want record 2 alone", page, err)
	}
}
