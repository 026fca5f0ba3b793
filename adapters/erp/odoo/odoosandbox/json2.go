package odoosandbox

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// Werkzeug's HTTP exceptions, which Odoo's JSON-2 dispatcher answers with
// their own status.
const (
	nameUnauthorized  = "werkzeug.exceptions.Unauthorized"
	nameBadRequest    = "werkzeug.exceptions.BadRequest"
	nameNotFound      = "werkzeug.exceptions.NotFound"
	nameUnprocessable = "werkzeug.exceptions.UnprocessableEntity"
)

// json2Error is an error answer of the JSON-2 API: an HTTP status and the
// exception, which the body describes.
type json2Error struct {
	status int
	err    *rpcError
}

func httpException(status int, name, format string, args ...any) *json2Error {
	return &json2Error{status: status, err: newError(name, format, args...)}
}

// serveJSON2 answers POST /json/2/<model>/<method> under the faults, as
// Odoo 19's JSON-2 API does: the bearer API key names the user, the body
// is a JSON object of named arguments plus "ids" and "context", and the
// answer is the bare result, or an error object with a status that fits.
func (s *sandbox) serveJSON2(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		writeJSON2(w, http.StatusBadRequest, httpException(http.StatusBadRequest, nameBadRequest,
			"Request body unreadable or too large").body())
		return
	}

	model, method := r.PathValue("model"), r.PathValue("method")
	s.model.CountRequest()
	s.faults.Serve(w, r, model+"/"+method, func(w http.ResponseWriter) {
		result, jerr := s.json2(r, model, method, body)
		if jerr != nil {
			writeJSON2(w, jerr.status, jerr.body())
			return
		}
		writeJSON2(w, http.StatusOK, result)
	})
}

// json2 checks the request and runs the method.
func (s *sandbox) json2(r *http.Request, model, method string, body []byte) (any,
	*json2Error) {
	if !s.validBearer(r.Header.Get("Authorization")) {
		return nil, httpException(http.StatusUnauthorized, nameUnauthorized, "Invalid apikey")
	}
	if db := r.Header.Get("X-Odoo-Database"); db != "" && db != s.creds.DB {
		return nil, httpException(http.StatusNotFound, nameNotFound,
			"The requested URL was not found on the server. Database %q not found.", db)
	}
	params, jerr := json2Params(r.Header.Get("Content-Type"), body)
	if jerr != nil {
		return nil, jerr
	}

	def, ok := s.models[model]
	if !ok {
		return nil, httpException(http.StatusNotFound, nameNotFound,
			"the model %q does not exist", model)
	}
	c, jerr := json2Call(def, method, params)
	if jerr != nil {
		return nil, jerr
	}
	result, err := s.execute(def, c)
	if err != nil {
		re := fromModel(err)
		return nil, &json2Error{status: statusOf(re.name), err: re}
	}
	if id, single := result.(int64); single && c.method == "create" {
		return []int64{id}, nil // the created recordset, as ids
	}
	return result, nil
}

// validBearer reports whether header is "bearer <API key>"; the scheme is
// case-insensitive. A password is no API key.
func (s *sandbox) validBearer(header string) bool {
	scheme, key, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || s.creds.APIKey == "" {
		return false
	}
	key = strings.TrimSpace(key)
	return subtle.ConstantTimeCompare([]byte(key), []byte(s.creds.APIKey)) == 1
}

// json2Params reads the body: empty, or a JSON object sent as
// application/json.
func json2Params(contentType string, body []byte) (map[string]any, *json2Error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, nil
	}
	if mt, _, err := mime.ParseMediaType(contentType); err != nil || mt != "application/json" {
		return nil, httpException(http.StatusBadRequest, nameBadRequest,
			"Bad Request: the body must be sent as application/json")
	}

	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, httpException(http.StatusBadRequest, nameBadRequest,
			"could not parse the body as json: %v", err)
	}
	params, ok := v.(map[string]any)
	if !ok {
		return nil, httpException(http.StatusBadRequest, nameBadRequest,
			"the body must be a JSON object of named arguments, got a %s", describe(v))
	}
	return params, nil
}

// json2Call turns the named arguments into a call of method on def, as
// Odoo's JSON-2 controller does: a private method is an AccessError (403),
// an unknown one a 404, ids given to a model method or an argument the
// method lacks a 422. Record methods take their records from "ids".
func json2Call(def *modelDef, method string, named map[string]any) (callArgs, *json2Error) {
	if strings.HasPrefix(method, "_") {
		return callArgs{}, &json2Error{status: http.StatusForbidden, err: newError(
			nameAccessError, "Private methods (such as '%s.%s') cannot be called remotely.",
			def.name, method)}
	}
	names, ok := parameterNames(def, method)
	if !ok {
		return callArgs{}, httpException(http.StatusNotFound, nameNotFound,
			"The method '%s.%s' does not exist", def.name, method)
	}

	c := callArgs{method: method, args: []any{}, kwargs: named}
	if ids, ok := named["ids"]; ok && !takesIDs(names) {
		if !isEmpty(ids) && !isEmptyList(ids) {
			return callArgs{}, httpException(http.StatusUnprocessableEntity, nameUnprocessable,
				"cannot call %s.%s with ids", def.name, method)
		}
		delete(named, "ids")
	}
	if _, err := c.bind(names); err != nil {
		return callArgs{}, httpException(http.StatusUnprocessableEntity, nameUnprocessable,
			"%s", fromModel(err).message)
	}
	return c, nil
}

func isEmptyList(v any) bool {
	list, ok := v.([]any)
	return ok && len(list) == 0
}

// parameterNames returns the parameter names of a public method of def,
// and whether the sandbox serves it.
func parameterNames(def *modelDef, method string) ([]string, bool) {
	if method == "action" {
		return nil, false
	}
	if _, ok := def.actions[method]; ok {
		return params["action"], true
	}
	names, ok := params[method]
	return names, ok
}

func takesIDs(names []string) bool {
	return len(names) > 0 && names[0] == "ids"
}

// statusOf is the status Odoo's JSON-2 dispatcher answers an exception
// with: the http_status of Odoo's own exceptions, 500 for the rest.
func statusOf(name string) int {
	switch name {
	case nameUserError, nameValidation:
		return http.StatusUnprocessableEntity
	case nameAccessError, nameAccessDenied:
		return http.StatusForbidden
	case nameMissingError:
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

// body renders the error object of a JSON-2 error answer. Werkzeug's
// exceptions carry the status as their second argument.
func (e *json2Error) body() envelopeData {
	d := e.err.toEnvelope().Data
	if strings.HasPrefix(e.err.name, "werkzeug.exceptions.") {
		d.Arguments = []any{e.err.message, e.status}
	}
	return d
}

func writeJSON2(w http.ResponseWriter, status int, v any) {
	var body []byte
	var err error
	if p, ok := v.(projection); ok {
		body, err = p.MarshalJSON() // as json.Marshal writes it, without a second pass
	} else {
		body, err = json.Marshal(v)
	}
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(fmt.Sprintf(`{"name":%q,"message":"cannot encode the result",`+
			`"arguments":[],"context":{},"debug":""}`, nameGenericServer))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client may be gone; nothing to do then
}

// serveVersion answers GET /web/version, which needs no authentication and
// replaces common.version for JSON-2 clients.
func serveVersion(w http.ResponseWriter, _ *http.Request) {
	writeJSON2(w, http.StatusOK, map[string]any{"version_info": versionInfo, "version": "19.0"})
}

// serveJSON2Elsewhere answers the other requests under /json/2/ with the
// 404 Odoo gives them.
func serveJSON2Elsewhere(w http.ResponseWriter, _ *http.Request) {
	e := httpException(http.StatusNotFound, nameNotFound,
		"Did you mean POST /json/2/<model>/<method>?")
	writeJSON2(w, e.status, e.body())
}
