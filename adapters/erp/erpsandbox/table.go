package erpsandbox

import (
	"math"
	"sort"
	"time"
)

// A table holds the records of one kind by id, in ascending id order, and in
// the key order that change listings use, so that none of its operations
// looks at every record. Records stay at their address for the life of the
// model; the model changes them only through set. The caller holds the
// model's lock.
type table[T any] struct {
	key     func(*T) Key
	byID    map[int64]*T
	inOrder []*T
	changes changeIndex
}

func newTable[T any](key func(*T) Key) *table[T] {
	return &table[T]{key: key, byID: map[int64]*T{}}
}

// add stores r, a new record. Ids come from the model's rising sequence, so
// r nearly always goes last in id order.
func (t *table[T]) add(r *T) {
	k := t.key(r)
	t.byID[k.ID] = r
	t.changes.insert(indexKeyOf(k))

	n := len(t.inOrder)
	if n == 0 || t.key(t.inOrder[n-1]).ID < k.ID {
		t.inOrder = append(t.inOrder, r)
		return
	}
	i := sort.Search(n, func(i int) bool { return t.key(t.inOrder[i]).ID > k.ID })
	t.inOrder = append(t.inOrder[:i], append([]*T{r}, t.inOrder[i:]...)...)
}

// get returns the record with id.
func (t *table[T]) get(id int64) (*T, bool) {
	r, ok := t.byID[id]
	return r, ok
}

// set replaces the record at r with v, which keeps r's id, and moves it in
// the change order when its key changed.
func (t *table[T]) set(r *T, v T) {
	old := indexKeyOf(t.key(r))
	*r = v
	if k := indexKeyOf(t.key(r)); k != old {
		t.changes.remove(old)
		t.changes.insert(k)
	}
}

// all returns the records in ascending id order. The slice is the table's:
// the caller must not change it.
func (t *table[T]) all() []*T {
	return t.inOrder
}

// changed returns copies of the records modified at or after since whose key
// comes after after, in key order, at most limit of them (all when limit is
// not positive), leaving out those keep reports false for when keep is not
// nil.
func (t *table[T]) changed(since time.Time, after Key, limit int, keep func(*T) bool) []T {
	var found []T
	if limit > 0 {
		found = make([]T, 0, min(limit, len(t.byID)))
	}
	t.changes.ascend(changeStart(since, after), false, func(k indexKey) bool {
		if r := t.byID[k.id]; keep == nil || keep(r) {
			found = append(found, *r)
		}
		return limit <= 0 || len(found) < limit
	})
	if len(found) == 0 {
		return nil // as a listing that found nothing has always answered
	}
	return found
}

// changeStart returns the key after which a listing of the records modified
// at or after since whose key comes after after starts.
func changeStart(since time.Time, after Key) indexKey {
	from := indexKeyOf(Key{Modified: since, ID: math.MinInt64})
	if a := indexKeyOf(after); a.compare(from) > 0 {
		return a
	}
	return from
}
