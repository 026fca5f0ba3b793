package netsuitesandbox

import (
	"encoding/json"
	"net/http"
)

// errorTypes are the type links NetSuite gives its error bodies, by status.
var errorTypes = map[int]string{
	http.StatusBadRequest:      "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
	http.StatusUnauthorized:    "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2",
	http.StatusForbidden:       "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.4",
	http.StatusNotFound:        "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5",
	http.StatusTooManyRequests: "https://www.rfc-editor.org/rfc/rfc6585.html#section-4",
}

// errorBody is NetSuite's REST error answer.
type errorBody struct {
	Type    string        `json:"type"`
	Title   string        `json:"title"`
	Status  int           `json:"status"`
	Details []errorDetail `json:"o:errorDetails"`
}

type errorDetail struct {
	Detail string `json:"detail"`
	Code   string `json:"o:errorCode"`
	Path   string `json:"o:errorPath,omitempty"`
}

// writeError answers status with one error detail; path is the JSON path
// of the field at fault, or "".
func writeError(w http.ResponseWriter, status int, code, path, detail string) {
	writeJSON(w, status, errorBody{
		Type: errorTypes[status], Title: http.StatusText(status), Status: status,
		Details: []errorDetail{{Detail: detail, Code: code, Path: path}},
	})
}

// writeInvalidLogin answers a refused signature or token as NetSuite does,
// without saying which part was wrong.
func writeInvalidLogin(w http.ResponseWriter) {
	writeError(w, http.StatusUnauthorized, "INVALID_LOGIN", "",
		"Invalid login attempt. For more details, see the Login Audit Trail in the "+
			"NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.")
}

// writeConcurrencyLimit answers a request over the account's concurrency
// limit. NetSuite sends no Retry-After.
//
// TODO: Oracle documents status 429 for REST requests over the limit but
// not the error code of the body; CONCURRENCY_LIMIT_EXCEEDED is assumed.
func writeConcurrencyLimit(w http.ResponseWriter) {
	writeError(w, http.StatusTooManyRequests, "CONCURRENCY_LIMIT_EXCEEDED", "",
		"Concurrent request limit exceeded. Request blocked.")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/vnd.oracle.resource+json; type=error")
	if status < 300 {
		w.Header().Set("Content-Type", "application/vnd.oracle.resource+json")
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client may be gone; nothing to do then
}
