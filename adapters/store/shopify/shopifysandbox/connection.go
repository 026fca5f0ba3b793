package shopifysandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// maxPage is the largest page a connection serves.
const maxPage = 250

// An entry is one node of a connection with the key it is sorted and
// paged by.
type entry struct {
	key  cursorKey
	node obj
}

// cursorKey is what a cursor holds, as Shopify's cursors do: the sort
// value and the id of the last node of a page.
type cursorKey struct {
	ID    int64  `json:"last_id"`
	Value string `json:"last_value"`
}

// less orders keys by value, then id.
func (k cursorKey) less(o cursorKey) bool {
	if k.Value != o.Value {
		return k.Value < o.Value
	}
	return k.ID < o.ID
}

// timeKey is a sort value of a time that sorts as text.
func timeKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// numberKey is a sort value of a number that sorts as text.
func numberKey(n int64) string { return fmt.Sprintf("%020d", n) }

func encodeCursor(k cursorKey) string {
	b, _ := json.Marshal(k) // a struct of an int and a string always encodes
	return base64.StdEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursorKey, error) {
	var k cursorKey
	raw, err := base64.StdEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(raw, &k)
	}
	if err != nil {
		return cursorKey{}, errorCode("BAD_REQUEST", "Invalid cursor for current pagination sort.")
	}
	return k, nil
}

// paginate answers a connection of type name+"Connection" over entries,
// with the arguments first, after and reverse.
func paginate(name string, entries []entry, args map[string]any) (obj, error) {
	first, ok := toInt(args["first"])
	if !ok {
		return obj{}, errorCode("BAD_REQUEST", "you must provide one of first or last")
	}
	if first < 0 || first > maxPage {
		return obj{}, errorCode("BAD_REQUEST", "The page size must be between 0 and %d, "+
			"not %d.", maxPage, first)
	}
	reverse, _ := args["reverse"].(bool)

	sort.Slice(entries, func(i, j int) bool {
		if reverse {
			return entries[j].key.less(entries[i].key)
		}
		return entries[i].key.less(entries[j].key)
	})
	after, _ := toString(args["after"])
	if after != "" {
		k, err := decodeCursor(after)
		if err != nil {
			return obj{}, err
		}
		entries = entriesAfter(entries, k, reverse)
	}

	page := entries[:min(int(first), len(entries))]
	return connection(name, page, len(entries) > len(page), after != ""), nil
}

// entriesAfter drops the entries up to and including k in the order of
// the listing.
func entriesAfter(entries []entry, k cursorKey, reverse bool) []entry {
	i := sort.Search(len(entries), func(i int) bool {
		if reverse {
			return entries[i].key.less(k)
		}
		return k.less(entries[i].key)
	})
	return entries[i:]
}

// connection builds the connection object of a page.
func connection(name string, page []entry, more, previous bool) obj {
	edges := make([]obj, len(page))
	nodes := make([]obj, len(page))
	for i, e := range page {
		nodes[i] = e.node
		edges[i] = obj{typename: name + "Edge", fields: map[string]any{
			"cursor": encodeCursor(e.key), "node": e.node,
		}}
	}

	info := map[string]any{"hasNextPage": more, "hasPreviousPage": previous,
		"startCursor": nil, "endCursor": nil}
	if len(page) > 0 {
		info["startCursor"] = encodeCursor(page[0].key)
		info["endCursor"] = encodeCursor(page[len(page)-1].key)
	}
	return obj{typename: name + "Connection", fields: map[string]any{
		"edges": edges, "nodes": nodes, "pageInfo": obj{typename: "PageInfo", fields: info},
	}}
}

// positional makes entries of nodes kept in their given order.
func positional(nodes []obj) []entry {
	out := make([]entry, len(nodes))
	for i, n := range nodes {
		out[i] = entry{key: cursorKey{ID: int64(i + 1), Value: numberKey(int64(i))}, node: n}
	}
	return out
}
