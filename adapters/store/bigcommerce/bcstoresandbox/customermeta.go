package bcstoresandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// listCustomerMetafields answers GET /v3/customers/{id}/metafields,
// filtered by namespace and key.
func (s *Sandbox) listCustomerMetafields(w http.ResponseWriter, r *http.Request, _ []byte) {
	id, ok := pathID(w, r, 3, "id")
	if !ok {
		return
	}
	a, ok := s.model.Account(id)
	if !ok {
		writeError(w, 3, http.StatusNotFound, "The customer was not found.", nil)
		return
	}
	q := r.URL.Query()
	p, ok := readPaging(w, q, 3, 50, 250)
	if !ok {
		return
	}

	var found []metafield
	for _, m := range s.metafieldsOf(&s.custMeta, a.ID, a.Metafields) {
		if (q.Get("namespace") == "" || q.Get("namespace") == m.Namespace) &&
			(q.Get("key") == "" || q.Get("key") == m.Key) {
			found = append(found, m)
		}
	}
	page, meta := cut(found, p)
	writeData(w, page, meta)
}

// batchMetafield is one item of a batch create or update of customer
// metafields: the resource_id names the customer of a new one, the id the
// metafield to update.
type batchMetafield struct {
	metafieldInput
	ID         *json.Number `json:"id"`
	ResourceID *json.Number `json:"resource_id"`
}

// batchResult collects the answer of a batch write of metafields.
type batchResult struct {
	data   []any
	errors []problem
}

// fail records a refused item.
func (b *batchResult) fail(status int, title string, fields map[string]string) {
	b.errors = append(b.errors, problem{Status: status, Title: title, Type: problemType,
		Errors: fields})
}

// write answers the batch: 200 when every item passed, 422 with the items
// that passed and the errors of the others otherwise.
func (b *batchResult) write(w http.ResponseWriter) {
	status := http.StatusOK
	if len(b.errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	total := len(b.data) + len(b.errors)
	if b.data == nil {
		b.data = []any{}
	}
	errs := b.errors
	if errs == nil {
		errs = []problem{}
	}
	writeJSON(w, status, map[string]any{"data": b.data, "errors": errs,
		"meta": map[string]any{"total": total, "success": len(b.data),
			"failed": len(b.errors)}})
}

// createCustomerMetafields answers POST /v3/customers/metafields: each item
// is created on the customer its resource_id names, unless it lacks a
// field or the customer has a metafield of its namespace and key.
func (s *Sandbox) createCustomerMetafields(w http.ResponseWriter, _ *http.Request,
	body []byte) {
	var in []batchMetafield
	if !decodeBody(w, 3, body, &in) {
		return
	}

	var out batchResult
	for _, it := range in {
		var owner int64
		if it.ResourceID != nil {
			owner, _ = it.ResourceID.Int64()
		}
		a, found := s.model.Account(owner)
		bad := it.check(true)
		switch {
		case !found:
			out.fail(http.StatusUnprocessableEntity, "Customer not found",
				map[string]string{"resource_id": "no customer has this id"})
		case len(bad) > 0:
			out.fail(http.StatusUnprocessableEntity, "JSON data is missing or invalid", bad)
		default:
			key := *it.Namespace + "." + *it.Key
			if _, exists := a.Metafields[key]; exists {
				out.fail(http.StatusConflict, "Metafield with the given namespace and key "+
					"already exists for this customer.", nil)
				continue
			}
			s.writeCustomerMetafield(&out, owner, key, it.metafieldInput)
		}
	}
	out.write(w)
}

// updateCustomerMetafields answers PUT /v3/customers/metafields: each item
// names a metafield by id; its namespace and key cannot change.
func (s *Sandbox) updateCustomerMetafields(w http.ResponseWriter, _ *http.Request,
	body []byte) {
	var in []batchMetafield
	if !decodeBody(w, 3, body, &in) {
		return
	}

	var out batchResult
	for _, it := range in {
		owner, key, ok := s.customerMetafield(it.ID)
		ns, k, _ := strings.Cut(key, ".")
		bad := it.check(false)
		switch {
		case !ok:
			out.fail(http.StatusNotFound, "A metafield was not found with this id.", nil)
		case len(bad) > 0:
			out.fail(http.StatusUnprocessableEntity, "JSON data is missing or invalid", bad)
		case it.Namespace != nil && *it.Namespace != ns, it.Key != nil && *it.Key != k:
			out.fail(http.StatusUnprocessableEntity, "JSON data is missing or invalid",
				map[string]string{"key": "the namespace and key of a metafield cannot change"})
		default:
			if it.Value == nil {
				a, _ := s.model.Account(owner)
				v := a.Metafields[key]
				it.Value = &v
			}
			s.writeCustomerMetafield(&out, owner, key, it.metafieldInput)
		}
	}
	out.write(w)
}

// deleteCustomerMetafields answers DELETE /v3/customers/metafields, whose
// body lists the ids of the metafields to delete.
func (s *Sandbox) deleteCustomerMetafields(w http.ResponseWriter, _ *http.Request,
	body []byte) {
	var ids []json.Number
	if !decodeBody(w, 3, body, &ids) {
		return
	}

	var out batchResult
	for _, n := range ids {
		owner, key, ok := s.customerMetafield(&n)
		if !ok {
			out.fail(http.StatusNotFound, fmt.Sprintf("Metafield %s was not found.", n), nil)
			continue
		}
		_, err := s.model.UpdateAccount(owner, func(a *storesandbox.Account) error {
			delete(a.Metafields, key)
			return nil
		})
		if err != nil {
			out.fail(http.StatusUnprocessableEntity, err.Error(), nil)
			continue
		}
		s.custMeta.forget(owner, key)
		id, _ := n.Int64()
		out.data = append(out.data, id)
	}
	out.write(w)
}

// customerMetafield finds the customer and model key of the metafield that
// n names, if the customer still has it.
func (s *Sandbox) customerMetafield(n *json.Number) (int64, string, bool) {
	if n == nil {
		return 0, "", false
	}
	id, err := n.Int64()
	if err != nil {
		return 0, "", false
	}
	owner, key, ok := s.custMeta.lookup(id)
	if !ok {
		return 0, "", false
	}
	a, found := s.model.Account(owner)
	_, has := a.Metafields[key]
	return owner, key, found && has
}

// writeCustomerMetafield stores in as the metafield key of customer owner,
// and adds it, or why it failed, to out.
func (s *Sandbox) writeCustomerMetafield(out *batchResult, owner int64, key string,
	in metafieldInput) {
	before, _ := s.model.Account(owner)
	a, err := s.model.UpdateAccount(owner, func(a *storesandbox.Account) error {
		if a.Metafields == nil {
			a.Metafields = map[string]string{}
		}
		a.Metafields[key] = *in.Value
		return nil
	})
	if errors.Is(err, storesandbox.ErrNotFound) {
		out.fail(http.StatusNotFound, "The customer was not found.", nil)
		return
	}
	if err != nil {
		out.fail(http.StatusUnprocessableEntity, err.Error(), nil)
		return
	}

	m := s.custMeta.apply(owner, key, in, before.Metafields[key] != *in.Value, s.now())

	m.Value, m.OwnerClientID = a.Metafields[key], s.creds.ClientID
	out.data = append(out.data, m)
}

// createCustomerMetafield answers POST /v3/customers/{id}/metafields: one
// metafield, as an item of the batch create on that customer.
func (s *Sandbox) createCustomerMetafield(w http.ResponseWriter, r *http.Request,
	body []byte) {
	owner, ok := pathID(w, r, 3, "id")
	if ok {
		s.oneCustomerMetafield(w, r, body, s.createCustomerMetafields,
			map[string]any{"resource_id": owner})
	}
}

// updateCustomerMetafield answers PUT /v3/customers/{id}/metafields/{mid}:
// one metafield of that customer, as an item of the batch update.
func (s *Sandbox) updateCustomerMetafield(w http.ResponseWriter, r *http.Request,
	body []byte) {
	owner, ok := pathID(w, r, 3, "id")
	if !ok {
		return
	}
	mid, ok := pathID(w, r, 3, "mid")
	if !ok {
		return
	}
	if o, _, found := s.custMeta.lookup(mid); !found || o != owner {
		writeError(w, 3, http.StatusNotFound, "A metafield was not found with this id.", nil)
		return
	}
	s.oneCustomerMetafield(w, r, body, s.updateCustomerMetafields, map[string]any{"id": mid})
}

// oneCustomerMetafield answers a write of one customer metafield by passing
// it, with the fields of set, to batch, and answering the item it wrote, or
// its error, alone.
func (s *Sandbox) oneCustomerMetafield(w http.ResponseWriter, r *http.Request, body []byte,
	batch handler, set map[string]any) {
	var item map[string]any
	if !decodeBody(w, 3, body, &item) {
		return
	}
	maps.Copy(item, set)
	one, _ := json.Marshal([]any{item}) // decoded JSON always encodes

	rec := &recorder{header: http.Header{}}
	batch(rec, r, one)
	var out struct {
		Data   []json.RawMessage `json:"data"`
		Errors []problem         `json:"errors"`
	}
	if err := json.Unmarshal(rec.body, &out); err != nil || len(out.Data) != 1 {
		e := problem{Status: http.StatusUnprocessableEntity,
			Title: "The metafield was not written."}
		if len(out.Errors) > 0 {
			e = out.Errors[0]
		}
		writeError(w, 3, e.Status, e.Title, e.Errors)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out.Data[0], "meta": map[string]any{}})
}

// recorder keeps the answer of a handler that another one wraps.
type recorder struct {
	header http.Header
	status int
	body   []byte
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) Write(b []byte) (int, error) {
	r.body = append(r.body, b...)
	return len(b), nil
}

func (r *recorder) WriteHeader(status int) { r.status = status }
