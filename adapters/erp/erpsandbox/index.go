package erpsandbox

import (
	"cmp"
	"slices"
	"sort"
)

// chunkCap is how many keys one chunk of a changeIndex holds at most: large
// enough that the list of chunks stays short for millions of keys, small
// enough that an insert or a removal moves few of them.
const chunkCap = 512

// indexKey is a [Key] as a changeIndex holds it: the modification time as
// seconds and nanoseconds, so that the index holds no pointers for the
// garbage collector to follow. pos, where the record is kept, plays no part
// in the order.
type indexKey struct {
	sec  int64
	nsec int32
	pos  int32
	id   int64
}

func indexKeyOf(k Key) indexKey {
	return indexKey{sec: k.Modified.Unix(), nsec: int32(k.Modified.Nanosecond()), id: k.ID}
}

// compare orders keys as [Key.Before] does.
func (k indexKey) compare(o indexKey) int {
	if c := cmp.Compare(k.sec, o.sec); c != 0 {
		return c
	}
	if c := cmp.Compare(k.nsec, o.nsec); c != 0 {
		return c
	}
	return cmp.Compare(k.id, o.id)
}

// A changeIndex holds the keys of one kind of record in key order, in
// sorted chunks of at most chunkCap keys: a write moves the keys of one
// chunk rather than all of them, and a listing finds where to start with two
// binary searches. Keys are unique, as record ids are.
type changeIndex struct {
	chunks [][]indexKey
}

// seek returns the position of the first key after k, or not before k when
// inclusive: the chunk, and the index within it. A position past every key
// has the chunk len(x.chunks).
func (x *changeIndex) seek(k indexKey, inclusive bool) (int, int) {
	past := func(o indexKey) bool {
		c := o.compare(k)
		return c > 0 || (inclusive && c == 0)
	}
	c := sort.Search(len(x.chunks), func(i int) bool {
		chunk := x.chunks[i]
		return past(chunk[len(chunk)-1])
	})
	if c == len(x.chunks) {
		return c, 0
	}
	chunk := x.chunks[c]
	return c, sort.Search(len(chunk), func(i int) bool { return past(chunk[i]) })
}

// insert adds k. Keys above all others, as new records and fresh changes
// have, fill the last chunk and then start a new one, so that a growing
// index keeps its chunks full.
func (x *changeIndex) insert(k indexKey) {
	c, i := x.seek(k, true)
	if c == len(x.chunks) {
		if c > 0 && len(x.chunks[c-1]) < chunkCap {
			x.chunks[c-1] = append(x.chunks[c-1], k)
			return
		}
		x.chunks = append(x.chunks, append(make([]indexKey, 0, chunkCap), k))
		return
	}

	if len(x.chunks[c]) == chunkCap {
		half := chunkCap / 2
		right := append(make([]indexKey, 0, chunkCap), x.chunks[c][half:]...)
		x.chunks[c] = x.chunks[c][:half]
		x.chunks = slices.Insert(x.chunks, c+1, right)
		if i > half {
			c, i = c+1, i-half
		}
	}
	x.chunks[c] = slices.Insert(x.chunks[c], i, k)
}

// remove deletes k, reporting whether it was there. A chunk left empty goes,
// and one left small takes in its successor when both fit in half a chunk,
// so that removals do not leave a long list of nearly empty chunks.
func (x *changeIndex) remove(k indexKey) bool {
	c, i := x.seek(k, true)
	if c == len(x.chunks) || x.chunks[c][i].compare(k) != 0 {
		return false
	}

	x.chunks[c] = slices.Delete(x.chunks[c], i, i+1)
	if len(x.chunks[c]) == 0 {
		x.chunks = slices.Delete(x.chunks, c, c+1)
		return true
	}
	if c+1 < len(x.chunks) && len(x.chunks[c])+len(x.chunks[c+1]) <= chunkCap/2 {
		x.chunks[c] = append(x.chunks[c], x.chunks[c+1]...)
		x.chunks = slices.Delete(x.chunks, c+1, c+2)
	}
	return true
}

// ascend calls yield with every key after k in key order, or from k on when
// inclusive, until yield returns false.
func (x *changeIndex) ascend(k indexKey, inclusive bool, yield func(indexKey) bool) {
	c, i := x.seek(k, inclusive)
	for ; c < len(x.chunks); c, i = c+1, 0 {
		for _, key := range x.chunks[c][i:] {
			if !yield(key) {
				return
			}
		}
	}
}
