package woosandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// params validates the query parameters of a collection as WordPress does
// with a route's argument schema, collecting every invalid one.
type params struct {
	values  url.Values
	invalid map[string]string // parameter name → reason
	details map[string]any
}

func newParams(v url.Values) *params {
	return &params{values: v, invalid: map[string]string{}, details: map[string]any{}}
}

// fail records that parameter name is invalid.
func (p *params) fail(name, code, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.invalid[name] = msg
	p.details[name] = map[string]any{"code": code, "message": msg, "data": nil}
}

// integer reads an integer parameter between lo and hi, or def when absent.
func (p *params) integer(name string, def, lo, hi int) int {
	v := p.values.Get(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil:
		p.fail(name, "rest_invalid_type", "%s is not of type integer.", name)
	case n < lo || n > hi:
		p.fail(name, "rest_out_of_bounds", "%s must be between %d (inclusive) and %d "+
			"(inclusive)", name, lo, hi)
	}
	return n
}

// enum reads a parameter that must be one of allowed, or def when absent.
func (p *params) enum(name, def string, allowed ...string) string {
	v := p.values.Get(name)
	if v == "" {
		return def
	}
	if !slices.Contains(allowed, v) {
		p.fail(name, "rest_not_in_enum", "%s is not one of %s.", name, listing(allowed))
	}
	return v
}

// boolean reads a boolean parameter, false when absent.
func (p *params) boolean(name string) bool {
	switch strings.ToLower(p.values.Get(name)) {
	case "", "false", "0":
		return false
	case "true", "1":
		return true
	}
	p.fail(name, "rest_invalid_type", "%s is not of type boolean.", name)
	return false
}

// restDate is the date-time format that WordPress's rest_parse_date takes.
var restDate = regexp.MustCompile(
	`^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:\d{2})?)?$`)

// date reads a date-time parameter, and reports whether it was given. A
// date without an offset is in the site's time zone, which is UTC here, so
// it compares with the *_gmt dates either way.
func (p *params) date(name string) (time.Time, bool) {
	v := p.values.Get(name)
	if v == "" {
		return time.Time{}, false
	}
	if !restDate.MatchString(v) {
		p.fail(name, "rest_invalid_date", "Invalid date.")
		return time.Time{}, false
	}
	v = strings.Replace(strings.ToUpper(v), " ", "T", 1)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			return t.UTC(), true
		}
	}
	p.fail(name, "rest_invalid_date", "Invalid date.")
	return time.Time{}, false
}

// err returns WordPress's answer to the invalid parameters, or nil.
func (p *params) err() *wpError {
	if len(p.invalid) == 0 {
		return nil
	}
	names := make([]string, 0, len(p.invalid))
	for k := range p.invalid {
		names = append(names, k)
	}
	sort.Strings(names)
	e := errorf(http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): %s",
		strings.Join(names, ", "))
	e.data = map[string]any{"params": p.invalid, "details": p.details}
	return e
}

// listing joins words as WordPress's wp_sprintf %l does: "a, b, and c".
func listing(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	case 2:
		return words[0] + " and " + words[1]
	}
	return strings.Join(words[:len(words)-1], ", ") + ", and " + words[len(words)-1]
}

// paging is the page of a collection asked for.
type paging struct {
	page, perPage, offset int
}

// readPaging reads page, per_page (at most 100, 10 by default) and offset.
func readPaging(p *params) paging {
	return paging{
		page:    p.integer("page", 1, 1, 1<<30),
		perPage: p.integer("per_page", 10, 1, 100),
		offset:  p.integer("offset", 0, 0, 1<<30),
	}
}

// window returns the bounds of the page within n items.
func (pg paging) window(n int) (int, int) {
	start := (pg.page-1)*pg.perPage + pg.offset
	start = min(start, n)
	return start, min(start+pg.perPage, n)
}

// writeCollection answers one page of a collection of total items with
// WordPress's paging headers: X-WP-Total, X-WP-TotalPages and Link entries
// to the previous and next pages, which repeat the request's query.
func writeCollection(w http.ResponseWriter, q *request, items []any, total int, pg paging) {
	pages := (total + pg.perPage - 1) / pg.perPage
	h := w.Header()
	h.Set("X-WP-Total", strconv.Itoa(total))
	h.Set("X-WP-TotalPages", strconv.Itoa(pages))
	if pg.page > 1 {
		h.Add("Link", `<`+pageLink(q, min(pg.page-1, max(pages, 1)))+`>; rel="prev"`)
	}
	if pages > pg.page {
		h.Add("Link", `<`+pageLink(q, pg.page+1)+`>; rel="next"`)
	}
	writeJSON(w, http.StatusOK, fieldsOf(q, items))
}

// pageLink returns the URL of page of the collection q lists. WooCommerce
// repeats every query parameter; the sandbox leaves out credentials and
// signatures, which would only be refused again.
func pageLink(q *request, page int) string {
	v := url.Values{}
	for k, vs := range q.query() {
		if !strings.HasPrefix(k, "oauth_") && !strings.HasPrefix(k, "consumer_") {
			v[k] = vs
		}
	}
	v.Set("page", strconv.Itoa(page))
	return q.site + q.r.URL.Path + "?" + v.Encode()
}

// fieldsOf keeps the members that the _fields parameter names (and id) in
// each object of v, as WordPress does; v unchanged without _fields.
func fieldsOf(q *request, v any) any {
	names := strings.Split(q.query().Get("_fields"), ",")
	keep := map[string]bool{"id": true}
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			keep[n] = true
		}
	}
	if len(keep) == 1 {
		return v
	}

	raw, err := json.Marshal(v)
	if err != nil {
		return v
	}
	filter := func(obj map[string]json.RawMessage) {
		for k := range obj {
			if !keep[k] {
				delete(obj, k)
			}
		}
	}
	var list []map[string]json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		for _, obj := range list {
			filter(obj)
		}
		return list
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		filter(obj)
		return obj
	}
	return v
}

// sortedKeys returns the keys of m in ascending order.
func sortedKeys[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
