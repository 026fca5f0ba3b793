package bcsandbox

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// listQuery is the system query options of a request for an entity set.
type listQuery struct {
	filter    predicate
	orderBy   string
	desc      bool
	top, skip int
	after     *pageKey
	selected  []string
	expand    []string
	count     bool
	pageSize  int
}

// pageKey is where a page ended, carried by $skiptoken: the sort value and
// the id of its last entity.
type pageKey struct {
	Value string `json:"v"`
	ID    int64  `json:"id"`
}

// parseListQuery reads the system query options of r for set es.
func (s *sandbox) parseListQuery(r *http.Request, es *entitySet) (listQuery, *apiError) {
	q := r.URL.Query()
	lq := listQuery{pageSize: s.pageSize(r)}
	for name := range q {
		switch name {
		case "$filter", "$orderby", "$top", "$skip", "$skiptoken", "$select", "$expand",
			"$count", "$schemaversion", "tenant", "company":
		default:
			if strings.HasPrefix(name, "$") {
				return lq, errorf(http.StatusBadRequest, "BadRequest",
					"The query parameter '%s' is not supported.", name)
			}
		}
	}

	var err error
	if f := q.Get("$filter"); f != "" {
		if lq.filter, err = parseFilter(f, es.typeName, es.known()); err != nil {
			return lq, errorf(http.StatusBadRequest, "BadRequest_InvalidFilter", "%s", err.Error())
		}
	}
	if e := lq.parseOrderBy(q.Get("$orderby"), es); e != nil {
		return lq, e
	}
	if e := lq.parsePaging(q); e != nil {
		return lq, e
	}
	if e := lq.parseSelect(q.Get("$select"), q.Get("$expand"), es); e != nil {
		return lq, e
	}
	lq.count = q.Get("$count") == "true"
	return lq, nil
}

func (lq *listQuery) parseOrderBy(v string, es *entitySet) *apiError {
	if v == "" {
		return nil
	}
	field, dir, _ := strings.Cut(strings.TrimSpace(v), " ")
	if strings.Contains(field, ",") || !es.known()[field] ||
		(dir != "" && dir != "asc" && dir != "desc") {
		return errorf(http.StatusBadRequest, "BadRequest",
			"The $orderby '%s' is not supported: give one property of '%s', asc or desc.",
			v, es.typeName)
	}
	lq.orderBy, lq.desc = field, dir == "desc"
	return nil
}

func (lq *listQuery) parsePaging(q url.Values) *apiError {
	for name, dst := range map[string]*int{"$top": &lq.top, "$skip": &lq.skip} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return errorf(http.StatusBadRequest, "BadRequest",
					"Invalid value '%s' for %s query option found.", v, name)
			}
			*dst = n
		}
	}
	if tok := q.Get("$skiptoken"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		var k pageKey
		if err != nil || json.Unmarshal(raw, &k) != nil {
			return errorf(http.StatusBadRequest, "BadRequest_InvalidToken",
				"The skip token is not valid.")
		}
		lq.after = &k
	}
	return nil
}

func (lq *listQuery) parseSelect(sel, expand string, es *entitySet) *apiError {
	known := es.known()
	for _, f := range splitList(sel) {
		if !known[f] {
			return errorf(http.StatusBadRequest, "BadRequest",
				"Could not find a property named '%s' on type 'Microsoft.NAV.%s'.", f, es.typeName)
		}
		lq.selected = append(lq.selected, f)
	}
	for _, n := range splitList(expand) {
		if es.navs[n] == nil {
			return errorf(http.StatusBadRequest, "BadRequest",
				"Could not find a property named '%s' on type 'Microsoft.NAV.%s'.", n, es.typeName)
		}
		lq.expand = append(lq.expand, n)
	}
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// pageSize returns the page size the client prefers with
// "Prefer: odata.maxpagesize=N", capped by the server's.
func (s *sandbox) pageSize(r *http.Request) int {
	for _, pref := range strings.Split(r.Header.Get("Prefer"), ",") {
		v, ok := strings.CutPrefix(strings.TrimSpace(pref), "odata.maxpagesize=")
		if n, err := strconv.Atoi(v); ok && err == nil && n > 0 {
			return min(n, s.maxPageSize)
		}
	}
	return s.maxPageSize
}

// sortValue returns a text that orders values of field as the field does.
func sortValue(v any) string {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.000000000Z")
	case string:
		return strings.ToLower(x)
	case dateOnly:
		return string(x)
	case int:
		return fmt.Sprintf("%020d", x)
	case decimal:
		f, _ := strconv.ParseFloat(string(x), 64)
		return fmt.Sprintf("%030.6f", f)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// apply filters, sorts and pages entities. It returns the page, the key to
// continue after when there are more, and the count before paging.
func (lq *listQuery) apply(entities []entity) ([]entity, *pageKey, int) {
	var found []entity
	for _, e := range entities {
		if lq.filter == nil || lq.filter(e.fields) {
			found = append(found, e)
		}
	}
	key := func(e entity) pageKey {
		if lq.orderBy == "" {
			return pageKey{ID: e.id}
		}
		return pageKey{Value: sortValue(e.fields[lq.orderBy]), ID: e.id}
	}
	less := func(a, b pageKey) int {
		if c := strings.Compare(a.Value, b.Value); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	}
	slices.SortStableFunc(found, func(a, b entity) int {
		if lq.desc {
			return less(key(b), key(a))
		}
		return less(key(a), key(b))
	})
	total := len(found)

	found = found[min(lq.skip, len(found)):]
	if lq.top > 0 && len(found) > lq.top {
		found = found[:lq.top]
	}
	if lq.after != nil {
		i := slices.IndexFunc(found, func(e entity) bool {
			c := less(key(e), *lq.after)
			return (!lq.desc && c > 0) || (lq.desc && c < 0)
		})
		if i < 0 {
			i = len(found)
		}
		found = found[i:]
	}
	if len(found) > lq.pageSize {
		last := key(found[lq.pageSize-1])
		return found[:lq.pageSize], &last, total
	}
	return found, nil, total
}

// nextLink is the URL of the page after key: the request's own URL with a
// $skiptoken.
func nextLink(r *http.Request, key pageKey) string {
	raw, _ := json.Marshal(key)
	q := r.URL.Query()
	q.Set("$skiptoken", base64.RawURLEncoding.EncodeToString(raw))
	return origin(r) + r.URL.Path + "?" + q.Encode()
}

// render turns an entity into its JSON object: an ETag, the selected
// properties (all when none are), and the expanded navigation properties.
func render(e entity, selected, expand []string) map[string]any {
	out := map[string]any{"@odata.etag": etagOf(e)}
	for name, v := range e.fields {
		if len(selected) == 0 || slices.Contains(selected, name) || name == "id" {
			out[name] = jsonValue(v)
		}
	}
	for _, n := range expand {
		items := make([]map[string]any, 0, len(e.nav[n]))
		for _, child := range e.nav[n] {
			items = append(items, render(child, nil, nil))
		}
		out[n] = items
	}
	return out
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case dateOnly:
		return string(x)
	}
	return v
}

// etagOf is a weak ETag that changes whenever a property of e does.
func etagOf(e entity) string {
	raw, _ := json.Marshal(renderFields(e))
	sum := sha256.Sum256(raw)
	inner := base64.StdEncoding.EncodeToString([]byte("20;" + hex.EncodeToString(sum[:10]) + ";"))
	return `W/"` + inner + `"`
}

func renderFields(e entity) map[string]any {
	out := make(map[string]any, len(e.fields))
	for k, v := range e.fields {
		out[k] = jsonValue(v)
	}
	return out
}
