package bcsandbox

import (
	"fmt"
	"strconv"
	"strings"
)

// guidOf returns the GUID that the sandbox shows for model id: the id in
// the last twelve hex digits of a fixed prefix, so that it maps back.
func guidOf(id int64) string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012x", id)
}

// idOf returns the model id of a GUID made by guidOf, accepting braces and
// any case, and whether it is one.
func idOf(guid string) (int64, bool) {
	g := strings.ToLower(strings.Trim(guid, "{}'"))
	rest, ok := strings.CutPrefix(g, "00000000-0000-4000-8000-")
	if !ok || len(rest) != 12 {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 16, 64)
	return id, err == nil && id > 0
}

// segment is one path segment of an OData resource path: an entity set or
// navigation property, with the key in parentheses when one is given.
type segment struct {
	name   string
	key    string
	hasKey bool
}

// parseSegment splits "salesOrders(5d115c9c-...)" into its name and key.
func parseSegment(s string) (segment, bool) {
	open := strings.IndexByte(s, '(')
	if open < 0 {
		return segment{name: s}, s != ""
	}
	if !strings.HasSuffix(s, ")") || open == 0 {
		return segment{}, false
	}
	return segment{name: s[:open], key: s[open+1 : len(s)-1], hasKey: true}, true
}
