package sapsandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// defaultPageLimit is the most entities one answer holds by default; a
// longer result ends with a __next link, as SAP Gateway's server-side
// paging does.
const defaultPageLimit = 1000

// entity is one record of an entity set: its properties, and the entities
// its navigation properties lead to.
type entity struct {
	props map[string]any
	navs  map[string][]entity
	etag  string
}

// entitySet serves one entity set over the model. create and update are
// nil for read-only sets.
type entitySet struct {
	service string
	typ     *entityType
	list    func() []entity
	create  func(body map[string]any) (entity, error)
	update  func(e entity, body map[string]any) error
}

// dispatch answers an authenticated request.
func (s *Server) dispatch(w http.ResponseWriter, req request, body []byte) {
	if _, ok := s.types[req.service]; !ok {
		writeError(w, notFound("Service %s not found", req.service))
		return
	}
	switch req.kind {
	case resServiceDoc:
		s.serveServiceDoc(w, req)
		return
	case resMetadata:
		s.serveMetadata(w, req)
		return
	}

	if req.kind == resUnknown {
		writeError(w, badRequest("Invalid key predicate in segment '%s'", req.set))
		return
	}
	set, ok := s.sets[req.set]
	if !ok || set.service != req.service {
		writeError(w, notFound("Resource not found for segment '%s'", req.set))
		return
	}
	s.dispatchSet(w, req, set, body)
}

func (s *Server) dispatchSet(w http.ResponseWriter, req request, set *entitySet, body []byte) {
	switch {
	case req.method == http.MethodGet && req.kind == resCollection:
		s.serveCollection(w, req, set, set.list())
	case req.method == http.MethodGet && req.kind == resEntity:
		s.serveEntity(w, req, set)
	case req.method == http.MethodGet && req.kind == resNavigation:
		s.serveNavigation(w, req, set)
	case req.method == http.MethodPost && req.kind == resCollection && set.create != nil:
		s.serveCreate(w, req, set, body)
	case isUpdate(req.method) && req.kind == resEntity && set.update != nil:
		s.serveUpdate(w, req, set, body)
	default:
		writeError(w, &odataError{status: http.StatusMethodNotAllowed,
			code: "/IWBEP/CM_MGW_RT/021", message: fmt.Sprintf(
				"The request method %s is not allowed for %s", req.method, req.set)})
	}
}

func isUpdate(method string) bool {
	return method == http.MethodPatch || method == "MERGE" || method == http.MethodPut
}

// serveCollection answers a read of entities with the query options.
func (s *Server) serveCollection(w http.ResponseWriter, req request, set *entitySet,
	all []entity) {
	q, err := s.parseQuery(req, set.typ)
	if err != nil {
		writeError(w, badRequest("%s", err.Error()))
		return
	}

	var found []entity
	for _, e := range all {
		if q.filter(e.props) {
			found = append(found, e)
		}
	}
	sortEntities(found, q.orderBy, set.typ.keys)
	count := len(found)

	page, next := pageOf(found, q, req, s.pageLimit)
	results := make([]any, len(page))
	for i, e := range page {
		results[i] = s.render(req, set, e, q.expand, q.sel)
	}
	d := map[string]any{"results": results}
	if q.inlineCount {
		d["__count"] = strconv.Itoa(count)
	}
	if next != "" {
		d["__next"] = next
	}
	writeJSON(w, http.StatusOK, map[string]any{"d": d})
}

// pageOf applies $skip and $top, and the server's own page limit maxPage.
func pageOf(found []entity, q query, req request, maxPage int) ([]entity, string) {
	if q.skip >= len(found) {
		return nil, ""
	}
	found = found[q.skip:]
	limit := maxPage
	if q.top >= 0 && q.top < limit {
		limit = q.top
	}
	if len(found) <= limit {
		return found, ""
	}

	next := ""
	if q.top < 0 || q.top > maxPage {
		v := url.Values{}
		for k, vs := range req.query {
			v[k] = vs
		}
		v.Set("$skip", strconv.Itoa(q.skip+maxPage))
		if q.top > maxPage {
			v.Set("$top", strconv.Itoa(q.top-maxPage))
		}
		next = req.base + req.service + "/" + req.set + "?" + v.Encode()
	}
	return found[:limit], next
}

// sortEntities orders by $orderby, then by key.
func sortEntities(es []entity, orderBy []orderTerm, keys []string) {
	terms := append([]orderTerm(nil), orderBy...)
	for _, k := range keys {
		terms = append(terms, orderTerm{field: k})
	}
	sort.SliceStable(es, func(i, j int) bool {
		for _, t := range terms {
			c, _ := compare(es[i].props[t.field], es[j].props[t.field])
			if c != 0 {
				return (c < 0) != t.desc
			}
		}
		return false
	})
}

func (s *Server) serveEntity(w http.ResponseWriter, req request, set *entitySet) {
	e, err := s.find(set, req.keys)
	if err != nil {
		writeError(w, err)
		return
	}
	q, err := s.parseQuery(req, set.typ)
	if err != nil {
		writeError(w, badRequest("%s", err.Error()))
		return
	}
	if e.etag != "" {
		w.Header().Set("ETag", e.etag)
	}
	writeJSON(w, http.StatusOK, map[string]any{"d": s.render(req, set, e, q.expand, q.sel)})
}

func (s *Server) serveNavigation(w http.ResponseWriter, req request, set *entitySet) {
	nav, ok := set.typ.navigation(req.nav)
	if !ok {
		writeError(w, notFound("Resource not found for segment '%s'", req.nav))
		return
	}
	e, err := s.find(set, req.keys)
	if err != nil {
		writeError(w, err)
		return
	}
	target := s.sets[nav.target]
	if nav.many {
		s.serveCollection(w, req, target, e.navs[nav.name])
		return
	}
	if len(e.navs[nav.name]) == 0 {
		writeError(w, notFound("Resource not found for segment '%s'", req.nav))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"d": s.render(req, target,
		e.navs[nav.name][0], expandTree{}, nil)})
}

// find returns the entity of set with keys. A single unnamed key value
// stands for the type's only key.
func (s *Server) find(set *entitySet, keys map[string]string) (entity, error) {
	if v, ok := keys[""]; ok && len(set.typ.keys) == 1 {
		keys = map[string]string{set.typ.keys[0]: v}
	}
	for _, e := range set.list() {
		if matchKeys(e, keys, set.typ.keys) {
			return e, nil
		}
	}
	return entity{}, notFound("Resource not found for segment '%s'", set.typ.name)
}

func matchKeys(e entity, keys map[string]string, names []string) bool {
	if len(keys) != len(names) {
		return false
	}
	for _, k := range names {
		if v, ok := keys[k]; !ok || fmt.Sprint(e.props[k]) != v {
			return false
		}
	}
	return true
}

// serveCreate creates an entity, with the entities of its navigation
// properties for a deep insert, and answers 201 with it.
func (s *Server) serveCreate(w http.ResponseWriter, req request, set *entitySet, body []byte) {
	obj, err := decodeBody(body, set.typ, s.sets)
	if err != nil {
		writeError(w, err)
		return
	}
	e, err := set.create(obj)
	if err != nil {
		writeError(w, err)
		return
	}

	exp := expandTree{}
	for name := range e.navs {
		exp[name] = expandTree{}
		if nav, ok := set.typ.navigation(name); ok {
			for _, sub := range s.sets[nav.target].typ.navs {
				exp[name][sub.name] = expandTree{}
			}
		}
	}
	rendered := s.render(req, set, e, exp, nil)
	w.Header().Set("Location", rendered["__metadata"].(map[string]any)["uri"].(string))
	if e.etag != "" {
		w.Header().Set("ETag", e.etag)
	}
	writeJSON(w, http.StatusCreated, map[string]any{"d": rendered})
}

// serveUpdate changes an entity after checking its ETag, and answers 204.
func (s *Server) serveUpdate(w http.ResponseWriter, req request, set *entitySet, body []byte) {
	e, err := s.find(set, req.keys)
	if err != nil {
		writeError(w, err)
		return
	}
	switch {
	case req.ifMatch == "":
		writeError(w, &odataError{status: http.StatusPreconditionRequired,
			code: "/IWBEP/CM_MGW_RT/135", message: "Precondition required: send If-Match"})
		return
	case req.ifMatch != "*" && req.ifMatch != e.etag:
		writeError(w, &odataError{status: http.StatusPreconditionFailed,
			code: "/IWBEP/CM_MGW_RT/022", message: "Precondition failed: the entity has changed"})
		return
	}

	obj, err := decodeBody(body, set.typ, s.sets)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := set.update(e, obj); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// decodeBody reads a JSON entity, refusing properties the type lacks and
// strings over their length. Navigation properties of a deep insert hold
// {"results": [...]} or a plain array.
func decodeBody(body []byte, t *entityType, sets map[string]*entitySet) (map[string]any,
	error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, badRequest("The request body is not a JSON object")
	}
	if err := checkEntity(obj, t, sets); err != nil {
		return nil, err
	}
	return obj, nil
}

// checkEntity validates obj against t, flattening deep-insert collections
// into []any of map[string]any.
func checkEntity(obj map[string]any, t *entityType, sets map[string]*entitySet) error {
	for name, v := range obj {
		if name == "__metadata" {
			continue
		}
		if nav, ok := t.navigation(name); ok {
			items, err := navItems(v, name)
			if err != nil {
				return err
			}
			for _, item := range items {
				if err := checkEntity(item, sets[nav.target].typ, sets); err != nil {
					return err
				}
			}
			list := make([]any, len(items))
			for i := range items {
				list[i] = items[i]
			}
			obj[name] = list
			continue
		}
		if err := checkProperty(t, name, v); err != nil {
			return err
		}
	}
	return nil
}

func checkProperty(t *entityType, name string, v any) error {
	p, ok := t.property(name)
	if !ok {
		return badRequest("Property '%s' is invalid for type %s", name, t.name)
	}
	if s, isString := v.(string); isString && p.maxLength > 0 && len([]rune(s)) > p.maxLength {
		return badRequest("Value of property '%s' is longer than %d characters",
			name, p.maxLength)
	}
	return nil
}

func navItems(v any, name string) ([]map[string]any, error) {
	if m, ok := v.(map[string]any); ok {
		if r, ok := m["results"]; ok {
			v = r
		} else {
			v = []any{m}
		}
	}
	list, ok := v.([]any)
	if !ok {
		return nil, badRequest("Navigation property '%s' must hold a list of entities", name)
	}
	items := make([]map[string]any, 0, len(list))
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, badRequest("Navigation property '%s' must hold entities", name)
		}
		items = append(items, m)
	}
	return items, nil
}

// render writes an entity in the V2 JSON format: __metadata, the selected
// properties, expanded navigation properties as {"results": [...]} and the
// others as __deferred links.
func (s *Server) render(req request, set *entitySet, e entity, exp expandTree,
	sel map[string]bool) map[string]any {
	uri := req.base + set.service + "/" + set.typ.set + keyPredicate(e, set.typ)
	meta := map[string]any{"id": uri, "uri": uri,
		"type": set.service + "." + set.typ.name}
	if e.etag != "" {
		meta["etag"] = e.etag
	}
	out := map[string]any{"__metadata": meta}
	for _, p := range set.typ.props {
		if sel == nil || sel[p.name] {
			out[p.name] = e.props[p.name]
		}
	}

	for _, nav := range set.typ.navs {
		if sel != nil && !sel[nav.name] {
			continue
		}
		sub, expanded := exp[nav.name]
		if !expanded {
			out[nav.name] = map[string]any{"__deferred": map[string]any{
				"uri": uri + "/" + nav.name}}
			continue
		}
		target := s.sets[nav.target]
		results := []any{}
		for _, child := range e.navs[nav.name] {
			results = append(results, s.render(req, target, child, sub, nil))
		}
		switch {
		case nav.many:
			out[nav.name] = map[string]any{"results": results}
		case len(results) > 0:
			out[nav.name] = results[0]
		default:
			out[nav.name] = nil
		}
	}
	return out
}

// keyPredicate writes ('v') for one key and (k='v',...) for several.
func keyPredicate(e entity, t *entityType) string {
	quote := func(v any) string {
		return "'" + strings.ReplaceAll(fmt.Sprint(v), "'", "''") + "'"
	}
	if len(t.keys) == 1 {
		return "(" + quote(e.props[t.keys[0]]) + ")"
	}
	parts := make([]string, len(t.keys))
	for i, k := range t.keys {
		parts[i] = k + "=" + quote(e.props[k])
	}
	return "(" + strings.Join(parts, ",") + ")"
}

func (s *Server) serveServiceDoc(w http.ResponseWriter, req request) {
	var names []string
	for _, t := range s.types[req.service] {
		names = append(names, t.set)
	}
	writeJSON(w, http.StatusOK, map[string]any{"d": map[string]any{"EntitySets": names}})
}

// odataError is an error answer in SAP Gateway's JSON format.
type odataError struct {
	status  int
	code    string
	message string
	target  string
}

// Error returns the message.
func (e *odataError) Error() string { return e.code + ": " + e.message }

func badRequest(format string, args ...any) *odataError {
	return &odataError{status: http.StatusBadRequest, code: "/IWBEP/CM_MGW_RT/020",
		message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *odataError {
	return &odataError{status: http.StatusNotFound, code: "/IWBEP/CM_MGW_RT/020",
		message: fmt.Sprintf(format, args...)}
}

// writeError answers err: an *odataError as it is, anything else as a 500.
func writeError(w http.ResponseWriter, err error) {
	var oe *odataError
	if !errors.As(err, &oe) {
		oe = &odataError{status: http.StatusInternalServerError, code: "/IWBEP/CX_MGW_TECH",
			message: "Internal server error"}
	}
	detail := map[string]any{"code": oe.code, "message": oe.message, "propertyref": "",
		"severity": "error", "target": oe.target, "transition": false}
	body := map[string]any{"error": map[string]any{
		"code":    oe.code,
		"message": map[string]any{"lang": "en", "value": oe.message},
		"innererror": map[string]any{
			"application": map[string]any{"component_id": "", "service_namespace": "/SAP/",
				"service_version": "0001"},
			"transactionid": randomString()[:32],
			"errordetails":  []any{detail},
		},
	}}
	writeJSON(w, oe.status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("DataServiceVersion", "2.0")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client may be gone; nothing to do then
}
