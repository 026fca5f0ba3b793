package erpsandbox

import (
	"sort"
	"time"
)

// levelChunk is how many stock levels one chunk of a stockStore holds: the
// store grows a chunk at a time rather than copying all its levels.
const levelChunk = 1 << 16

// none marks the end of a chain of levels.
const none = -1

// A level is a stock level as a stockStore keeps it, its SKU and location
// as numbers in the store's tables. It holds no pointers, so that millions
// of levels cost the garbage collector nothing to scan.
type level struct {
	id       int64
	sec      int64
	onHand   int64
	reserved int64
	safety   int64
	nsec     int32
	sku      int32
	location int32
	// next is the position of the next level of the same SKU, or none.
	next int32
}

// A stockStore holds the stock levels of a model: by position (the order of
// their ids, which only grow), by SKU and location, and in change order. The
// caller holds the model's lock.
type stockStore struct {
	chunks  [][]level
	changes changeIndex

	skus      []string
	skuNumber map[string]int32
	// firstOf is the position of the first level of each SKU, by number.
	firstOf []int32

	locations      []Location
	locationNumber map[string]int32
}

func newStockStore() *stockStore {
	return &stockStore{skuNumber: map[string]int32{}, locationNumber: map[string]int32{}}
}

// len returns how many levels st holds.
func (st *stockStore) len() int {
	if len(st.chunks) == 0 {
		return 0
	}
	return (len(st.chunks)-1)*levelChunk + len(st.chunks[len(st.chunks)-1])
}

// at returns the level at pos.
func (st *stockStore) at(pos int32) *level {
	return &st.chunks[pos/levelChunk][pos%levelChunk]
}

// read returns the level at pos as the model's callers see it.
func (st *stockStore) read(pos int32) StockLevel {
	l := st.at(pos)
	loc := st.locations[l.location]
	return StockLevel{
		ID: l.id, SKU: st.skus[l.sku], LocationID: loc.ID, Location: loc.Name,
		OnHand: l.onHand, Reserved: l.reserved, SafetyStock: l.safety,
		Modified: time.Unix(l.sec, int64(l.nsec)).UTC(),
	}
}

// find returns the position of the level of sku at location.
func (st *stockStore) find(sku, location string) (int32, bool) {
	n, ok := st.skuNumber[sku]
	if !ok {
		return 0, false
	}
	for pos := st.firstOf[n]; pos != none; pos = st.at(pos).next {
		if st.locations[st.at(pos).location].Name == location {
			return pos, true
		}
	}
	return 0, false
}

// ofSKU returns the positions of the levels of sku in id order.
func (st *stockStore) ofSKU(sku string) []int32 {
	n, ok := st.skuNumber[sku]
	if !ok {
		return nil
	}
	var found []int32
	for pos := st.firstOf[n]; pos != none; pos = st.at(pos).next {
		found = append(found, pos)
	}
	return found
}

// byID returns the position of the level with id.
func (st *stockStore) byID(id int64) (int32, bool) {
	n := st.len()
	i := sort.Search(n, func(i int) bool { return st.at(int32(i)).id >= id })
	if i == n || st.at(int32(i)).id != id {
		return 0, false
	}
	return int32(i), true
}

// add stores s, a new level whose id is above every id stored, at location
// loc, and returns its position.
func (st *stockStore) add(s StockLevel, loc Location) int32 {
	pos := int32(st.len())
	if pos%levelChunk == 0 {
		st.chunks = append(st.chunks, make([]level, 0, levelChunk))
	}
	l := level{id: s.ID, onHand: s.OnHand, reserved: s.Reserved, safety: s.SafetyStock,
		sku: st.sku(s.SKU), location: st.location(loc), next: none}
	l.sec, l.nsec = s.Modified.Unix(), int32(s.Modified.Nanosecond())
	last := &st.chunks[len(st.chunks)-1]
	*last = append(*last, l)

	st.chain(l.sku, pos)
	st.changes.insert(st.key(pos))
	return pos
}

// chain links the level at pos, the newest of SKU number n, after the
// others.
func (st *stockStore) chain(n int32, pos int32) {
	if st.firstOf[n] == none {
		st.firstOf[n] = pos
		return
	}
	p := st.firstOf[n]
	for st.at(p).next != none {
		p = st.at(p).next
	}
	st.at(p).next = pos
}

// sku returns the number of sku, giving it one the first time.
func (st *stockStore) sku(sku string) int32 {
	if n, ok := st.skuNumber[sku]; ok {
		return n
	}
	n := int32(len(st.skus))
	st.skus = append(st.skus, sku)
	st.firstOf = append(st.firstOf, none)
	st.skuNumber[sku] = n
	return n
}

// location returns the number of loc, giving it one the first time.
func (st *stockStore) location(loc Location) int32 {
	if n, ok := st.locationNumber[loc.Name]; ok {
		return n
	}
	n := int32(len(st.locations))
	st.locations = append(st.locations, loc)
	st.locationNumber[loc.Name] = n
	return n
}

// set stores the quantities and modification time of s in the level at pos
// and moves it in the change order.
func (st *stockStore) set(pos int32, s StockLevel) {
	old := st.key(pos)
	l := st.at(pos)
	l.onHand, l.reserved, l.safety = s.OnHand, s.Reserved, s.SafetyStock
	l.sec, l.nsec = s.Modified.Unix(), int32(s.Modified.Nanosecond())
	if k := st.key(pos); k.compare(old) != 0 {
		st.changes.remove(old)
		st.changes.insert(k)
	}
}

// key returns the change index key of the level at pos.
func (st *stockStore) key(pos int32) indexKey {
	l := st.at(pos)
	return indexKey{sec: l.sec, nsec: l.nsec, pos: pos, id: l.id}
}

// changed lists levels as [table.changed] lists records.
func (st *stockStore) changed(since time.Time, after Key, limit int) []StockLevel {
	var found []StockLevel
	if limit > 0 {
		found = make([]StockLevel, 0, min(limit, st.len()))
	}
	st.changes.ascend(changeStart(since, after), false, func(k indexKey) bool {
		found = append(found, st.read(k.pos))
		return limit <= 0 || len(found) < limit
	})
	if len(found) == 0 {
		return nil // as a listing that found nothing has always answered
	}
	return found
}
