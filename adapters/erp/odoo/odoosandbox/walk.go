package odoosandbox

import (
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// Batches of a walk in change order: the first fits the page the search
// wants, later ones grow up to maxBatch.
const (
	minBatch = 64
	maxBatch = 8192
)

// lister lists records of the model in change order, as
// [erpsandbox.Model.ChangedStock] does.
type lister[T any] func(since time.Time, after erpsandbox.Key, limit int) []T

// changeWalk returns a source of the records that list lists with a write
// date in q's span on the date field, in change order: sorted when the
// query asks for that order, or for id order within a single second, in
// which change order is id order. It reports false when the query neither
// bounds the write date nor asks for that order, leaving the search to read
// every record. read converts a record, or reports false to leave it out.
//
// TODO: the walk reads the model in batches, each under the model's lock
// but not all under one, so a record written between two batches of one
// search may be missed (moved before the batch boundary) or met again
// (moved after it; it is then left out the second time), where reading
// every record at once would have seen one state of it. A page that fits
// the first batch, the usual case, reads one state.
func changeWalk[T any](q query, field string, list lister[T], key func(T) erpsandbox.Key,
	read func(T) (record, bool)) (source, bool) {
	sp, minID := q.writeSpan(field)
	byChange := q.ordered(field, "id")
	oneSecond := !sp.from.IsZero() && !sp.to.IsZero() && !sp.to.After(sp.from.Add(time.Second))
	if !byChange && sp.from.IsZero() && sp.to.IsZero() {
		return source{}, false
	}

	walk := func(yield func(record) bool) {
		after := erpsandbox.Key{Modified: sp.from, ID: max(minID-1, 0)}
		seen := map[int64]bool{}
		batch := min(max(q.want+1, minBatch), maxBatch)
		for {
			rows := list(sp.from, after, batch)
			for _, row := range rows {
				k := key(row)
				if !sp.to.IsZero() && !k.Modified.Before(sp.to) {
					return
				}
				if r, ok := read(row); ok && !seen[k.ID] && !yield(r) {
					return
				}
				seen[k.ID] = true
			}
			if len(rows) < batch {
				return
			}
			after = key(rows[len(rows)-1])
			batch = min(batch*2, maxBatch)
		}
	}
	return source{each: walk, sorted: byChange || (oneSecond && q.ordered("id"))}, true
}
