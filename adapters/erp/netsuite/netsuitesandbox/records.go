package netsuitesandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// recordPath is where the record API lives.
const recordPath = "/services/rest/record/v1/"

// ref is a reference to another record in a REST body.
type ref struct {
	ID         string `json:"id,omitempty"`
	ExternalID string `json:"externalId,omitempty"`
	RefName    string `json:"refName,omitempty"`
}

// restError is a validation failure answered with 400.
type restError struct {
	code, path, detail string
}

// Error returns the detail NetSuite would answer.
func (e *restError) Error() string { return e.detail }

func invalidField(code, path, format string, args ...any) *restError {
	return &restError{code: code, path: path, detail: fmt.Sprintf(format, args...)}
}

// writeFailure answers err: a restError as 400 with its code, a record
// that does not exist as 404, a model refusal as 400 USER_ERROR.
func writeFailure(w http.ResponseWriter, err error) {
	var re *restError
	switch {
	case errors.As(err, &re):
		writeError(w, http.StatusBadRequest, re.code, re.path, re.detail)
	case errors.Is(err, erpsandbox.ErrNotFound):
		writeNotFound(w)
	default:
		writeError(w, http.StatusBadRequest, "USER_ERROR", "", err.Error())
	}
}

func writeNotFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "NONEXISTENT_ID", "",
		"The record instance does not exist. Provide a valid record instance ID.")
}

// writeCreated answers a create or an upsert: 204 with the record's URL.
func writeCreated(w http.ResponseWriter, r *http.Request, recordType string, id int64) {
	w.Header().Set("Location", baseURL(r)+recordPath+recordType+"/"+strconv.FormatInt(id, 10))
	w.WriteHeader(http.StatusNoContent)
}

// decodeBody reads a JSON record body into v.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return invalidField("INVALID_CONTENT", "",
			"The request could not be understood by the server due to malformed syntax: %v",
			err)
	}
	return nil
}

// serveGet reads one record.
func (s *sandbox) serveGet(w http.ResponseWriter, r *http.Request) {
	expand := r.URL.Query().Get("expandSubResources") == "true"
	key := r.PathValue("key")

	var record any
	var ok bool
	switch r.PathValue("type") {
	case "salesOrder":
		record, ok = s.salesOrderJSON(r, key, expand)
	case "customer":
		record, ok = s.customerJSON(r, key, expand)
	case "itemFulfillment":
		record, ok = s.fulfillmentJSON(r, key)
	case "creditMemo":
		record, ok = s.creditMemoJSON(r, key, expand)
	default:
		writeUnknownType(w, r)
		return
	}
	if !ok {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, record)
}

// serveUpsert creates or updates a record by external id, PUT
// .../<type>/eid:<external id>.
func (s *sandbox) serveUpsert(w http.ResponseWriter, r *http.Request) {
	eid, ok := strings.CutPrefix(r.PathValue("key"), "eid:")
	if !ok || !validExternalID(eid) {
		writeError(w, http.StatusBadRequest, "INVALID_ID", "",
			"Upsert needs an external id of letters, digits, _ and - as eid:<id>.")
		return
	}
	var id int64
	var err error
	switch r.PathValue("type") {
	case "salesOrder":
		id, err = s.upsertSalesOrder(r, eid)
	case "customer":
		id, err = s.upsertCustomer(r, eid)
	case "creditMemo":
		id, err = s.upsertCreditMemo(r, eid)
	default:
		writeUnknownType(w, r)
		return
	}
	if err != nil {
		writeFailure(w, err)
		return
	}
	writeCreated(w, r, r.PathValue("type"), id)
}

// serveCreate adds a record, POST .../<type>.
func (s *sandbox) serveCreate(w http.ResponseWriter, r *http.Request) {
	var id int64
	var err error
	switch r.PathValue("type") {
	case "salesOrder":
		id, err = s.createSalesOrder(r)
	case "customer":
		id, err = s.createCustomer(r)
	default:
		writeUnknownType(w, r)
		return
	}
	if err != nil {
		writeFailure(w, err)
		return
	}
	writeCreated(w, r, r.PathValue("type"), id)
}

// serveUpdate patches a record, PATCH .../<type>/<id>.
func (s *sandbox) serveUpdate(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("type") == "salesOrder" {
		s.serveOrderPatch(w, r)
		return
	}
	if r.PathValue("type") != "customer" {
		writeUnknownType(w, r)
		return
	}
	id, ok := s.customerKey(r.PathValue("key"))
	if !ok {
		writeNotFound(w)
		return
	}
	if err := s.updateCustomer(r, id); err != nil {
		writeFailure(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func writeUnknownType(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusBadRequest, "INVALID_RCRD_TYPE", "",
		fmt.Sprintf("Record type %q with operation %s is not supported by this sandbox.",
			r.PathValue("type"), r.Method))
}

// validExternalID reports whether s may be an external id in a URL.
func validExternalID(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c != '_' && c != '-' && (c < '0' || c > '9') && (c < 'a' || c > 'z') &&
			(c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

// internalID parses an internal id of a URL or a reference.
func internalID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// recordLinks are the HATEOAS links of a record.
func recordLinks(r *http.Request, recordType string, id int64) []link {
	return []link{{Rel: "self",
		Href: baseURL(r) + recordPath + recordType + "/" + strconv.FormatInt(id, 10)}}
}

// restTime writes a datetime as the record API does.
func restTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
