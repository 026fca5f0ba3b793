package bcstoresandbox

import (
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// permissionSets are the visibilities a metafield may have.
var permissionSets = []string{"app_only", "read", "write", "read_and_sf_access",
	"write_and_sf_access"}

// metafield is an order metafield as V3 answers it. Its value lives in the
// model, under "namespace.key"; the sandbox keeps what BigCommerce adds.
type metafield struct {
	ID            int64  `json:"id"`
	Key           string `json:"key"`
	Value         string `json:"value"`
	Namespace     string `json:"namespace"`
	PermissionSet string `json:"permission_set"`
	ResourceType  string `json:"resource_type"`
	ResourceID    int64  `json:"resource_id"`
	Description   string `json:"description"`
	DateCreated   string `json:"date_created"`
	DateModified  string `json:"date_modified"`
	OwnerClientID string `json:"owner_client_id"`
}

// metafieldInput is the body of a create or an update; fields left out of
// an update keep their value.
type metafieldInput struct {
	PermissionSet *string `json:"permission_set"`
	Namespace     *string `json:"namespace"`
	Key           *string `json:"key"`
	Value         *string `json:"value"`
	Description   *string `json:"description"`
}

// metafields keeps the ids and attributes BigCommerce gives the metafields
// of one kind of resource (orders, customers), by resource and model key.
type metafields struct {
	resource string

	mu     sync.Mutex
	lastID int64
	byKey  map[int64]map[string]*metafield
}

// record returns the metafield of resource order at model key, giving it an
// id the first time; the caller holds mf.mu.
func (mf *metafields) record(order int64, key string, now time.Time) *metafield {
	if mf.byKey == nil {
		mf.byKey = map[int64]map[string]*metafield{}
	}
	if mf.byKey[order] == nil {
		mf.byKey[order] = map[string]*metafield{}
	}
	rec, ok := mf.byKey[order][key]
	if !ok {
		mf.lastID++
		ns, k, _ := strings.Cut(key, ".")
		stamp := now.UTC().Format(time.RFC3339)
		rec = &metafield{ID: mf.lastID, Namespace: ns, Key: k, PermissionSet: "app_only",
			ResourceType: mf.resource, ResourceID: order, DateCreated: stamp,
			DateModified: stamp}
		mf.byKey[order][key] = rec
	}
	return rec
}

// apply records the attributes that in sets on the metafield of owner at
// key, moving its modification time when its value changed, and returns a
// copy of it.
func (mf *metafields) apply(owner int64, key string, in metafieldInput, changed bool,
	now time.Time) metafield {
	mf.mu.Lock()
	defer mf.mu.Unlock()

	rec := mf.record(owner, key, now)
	if in.PermissionSet != nil {
		rec.PermissionSet = *in.PermissionSet
	}
	if in.Description != nil {
		rec.Description = *in.Description
	}
	if changed {
		rec.DateModified = now.UTC().Format(time.RFC3339)
	}
	return *rec
}

// lookup returns the resource and model key of metafield id, among those
// recorded.
func (mf *metafields) lookup(id int64) (int64, string, bool) {
	mf.mu.Lock()
	defer mf.mu.Unlock()
	for owner, keys := range mf.byKey {
		for key, rec := range keys {
			if rec.ID == id {
				return owner, key, true
			}
		}
	}
	return 0, "", false
}

// forget drops the record of the resource's metafield at key, as when it is
// deleted; a new one at that key gets a new id.
func (mf *metafields) forget(owner int64, key string) {
	mf.mu.Lock()
	defer mf.mu.Unlock()
	delete(mf.byKey[owner], key)
}

// allMetafields returns the metafields of order o, with their values, by id.
func (s *Sandbox) allMetafields(o storesandbox.Order) []metafield {
	return s.metafieldsOf(&s.meta, o.ID, o.Metafields)
}

// metafieldsOf returns the metafields of a resource whose values by model
// key are values, by id.
func (s *Sandbox) metafieldsOf(mf *metafields, owner int64, values map[string]string) []metafield {
	mf.mu.Lock()
	defer mf.mu.Unlock()

	out := make([]metafield, 0, len(values))
	for key, value := range values {
		rec := *mf.record(owner, key, s.now())
		rec.Value, rec.OwnerClientID = value, s.creds.ClientID
		out = append(out, rec)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// listMetafields answers GET /v3/orders/{id}/metafields, filtered by
// namespace and key.
func (s *Sandbox) listMetafields(w http.ResponseWriter, r *http.Request, _ []byte) {
	o, ok := s.order(w, r, 3)
	if !ok {
		return
	}
	q := r.URL.Query()
	p, ok := readPaging(w, q, 3, 50, 250)
	if !ok {
		return
	}

	var found []metafield
	for _, m := range s.allMetafields(o) {
		if (q.Get("namespace") == "" || q.Get("namespace") == m.Namespace) &&
			(q.Get("key") == "" || q.Get("key") == m.Key) {
			found = append(found, m)
		}
	}
	page, meta := cut(found, p)
	writeData(w, page, meta)
}

// createMetafield answers POST /v3/orders/{id}/metafields: 409 when the
// order has a metafield with that namespace and key.
func (s *Sandbox) createMetafield(w http.ResponseWriter, r *http.Request, body []byte) {
	o, ok := s.order(w, r, 3)
	if !ok {
		return
	}
	in, ok := readMetafield(w, body, true)
	if !ok {
		return
	}
	key := *in.Namespace + "." + *in.Key
	if _, exists := o.Metafields[key]; exists {
		writeError(w, 3, http.StatusConflict, "Metafield with the given namespace and key "+
			"already exists for this order.", nil)
		return
	}

	s.writeMetafield(w, o.ID, key, in)
}

// updateMetafield answers PUT /v3/orders/{id}/metafields/{mid}.
func (s *Sandbox) updateMetafield(w http.ResponseWriter, r *http.Request, body []byte) {
	o, ok := s.order(w, r, 3)
	if !ok {
		return
	}
	mid, ok := pathID(w, r, 3, "mid")
	if !ok {
		return
	}
	in, ok := readMetafield(w, body, false)
	if !ok {
		return
	}

	i := slices.IndexFunc(s.allMetafields(o), func(m metafield) bool { return m.ID == mid })
	if i < 0 {
		writeError(w, 3, http.StatusNotFound, "A metafield was not found with this query.", nil)
		return
	}
	cur := s.allMetafields(o)[i]
	if (in.Namespace != nil && *in.Namespace != cur.Namespace) ||
		(in.Key != nil && *in.Key != cur.Key) {
		writeError(w, 3, http.StatusUnprocessableEntity, "JSON data is missing or invalid",
			map[string]string{"key": "the namespace and key of a metafield cannot change"})
		return
	}
	if in.Value == nil {
		in.Value = &cur.Value
	}
	s.writeMetafield(w, o.ID, cur.Namespace+"."+cur.Key, in)
}

// writeMetafield stores in as the metafield key of order, and answers it.
func (s *Sandbox) writeMetafield(w http.ResponseWriter, order int64, key string,
	in metafieldInput) {
	before, _ := s.model.Order(order)
	o, err := s.model.SetMetafield(order, key, *in.Value)
	if errors.Is(err, storesandbox.ErrNotFound) {
		writeError(w, 3, http.StatusNotFound, "The order was not found.", nil)
		return
	}
	if err != nil {
		writeError(w, 3, http.StatusUnprocessableEntity, err.Error(), nil)
		return
	}

	out := s.meta.apply(order, key, in, before.Metafields[key] != *in.Value, s.now())
	out.Value, out.OwnerClientID = o.Metafields[key], s.creds.ClientID
	writeData(w, out, nil)
}

// check returns the fields of in that BigCommerce refuses, by name; a
// create needs all of permission_set, namespace, key and value.
func (in metafieldInput) check(create bool) map[string]string {
	bad := map[string]string{}
	length := func(name string, v *string, lo, hi int) {
		switch {
		case v == nil && create && lo > 0:
			bad[name] = "error.path.missing"
		case v != nil && (utf8.RuneCountInString(*v) < lo ||
			utf8.RuneCountInString(*v) > hi):
			bad[name] = "must be between " + strconv.Itoa(lo) + " and " + strconv.Itoa(hi) +
				" characters"
		}
	}
	length("namespace", in.Namespace, 1, 64)
	length("key", in.Key, 1, 64)
	length("value", in.Value, 1, 65535)
	length("description", in.Description, 0, 255)

	switch {
	case in.PermissionSet == nil && create:
		bad["permission_set"] = "error.path.missing"
	case in.PermissionSet != nil && !slices.Contains(permissionSets, *in.PermissionSet):
		bad["permission_set"] = "must be one of " + strings.Join(permissionSets, ", ")
	}
	return bad
}

// readMetafield reads a create (or an update) of a metafield, or answers
// 400 or 422 and reports false.
func readMetafield(w http.ResponseWriter, body []byte, create bool) (metafieldInput, bool) {
	var in metafieldInput
	if !decodeBody(w, 3, body, &in) {
		return in, false
	}
	if fields := in.check(create); len(fields) > 0 {
		writeError(w, 3, http.StatusUnprocessableEntity, "JSON data is missing or invalid",
			fields)
		return in, false
	}
	return in, true
}
