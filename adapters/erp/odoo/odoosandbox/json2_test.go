package odoosandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// json2 posts body to /json/2/<model>/<method> with the given bearer key
// and returns the status and the decoded body.
func (s *testServer) json2(model, method, key, body string) (int, json.RawMessage) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+"/json/2/"+model+"/"+method,
		strings.NewReader(body))
	if err != nil {
		s.t.Fatalf("NewRequest() error = %v", err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if key != "" {
		req.Header.Set("Authorization", "bearer "+key)
	}
	req.Header.Set("X-Odoo-Database", testCreds.DB)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("POST %s/%s error = %v", model, method, err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		s.t.Errorf("answer Content-Type = %q, want application/json", ct)
	}
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

// json2Failure is the error object of a JSON-2 answer.
type json2Failure struct {
	Name      string `json:"name"`
	Message   string `json:"message"`
	Arguments []any  `json:"arguments"`
	Debug     string `json:"debug"`
}

func decodeFailure(t *testing.T, data json.RawMessage) json2Failure {
	t.Helper()
	var f json2Failure
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("error body %s is not an error object: %v", data, err)
	}
	return f
}

func TestJSON2Errors(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		name, model, method, key, body string
		status                         int
		exception, contains            string
	}{
		{"bad key", "sale.order", "search_read", "nope", `{}`, 401,
			"werkzeug.exceptions.Unauthorized", "Invalid apikey"},
		{"password is no key", "sale.order", "search_read", testCreds.Password, `{}`, 401,
			"werkzeug.exceptions.Unauthorized", "Invalid apikey"},
		{"no key", "sale.order", "search_read", "", `{}`, 401,
			"werkzeug.exceptions.Unauthorized", "Invalid apikey"},
		{"unknown model", "no.model", "search_read", testCreds.APIKey, `{}`, 404,
			"werkzeug.exceptions.NotFound", "no.model"},
		{"unknown method", "sale.order", "fly", testCreds.APIKey, `{}`, 404,
			"werkzeug.exceptions.NotFound", "fly"},
		{"private method", "sale.order", "_compute", testCreds.APIKey, `{}`, 403,
			"odoo.exceptions.AccessError", "_compute"},
		{"ids on a model method", "sale.order", "search", testCreds.APIKey, `{"ids": [1]}`,
			422, "werkzeug.exceptions.UnprocessableEntity", "with ids"},
		{"unknown argument", "sale.order", "search_read", testCreds.APIKey,
			`{"badparameter": 1}`, 422, "werkzeug.exceptions.UnprocessableEntity", "badparameter"},
		{"not an object", "sale.order", "search_read", testCreds.APIKey, `[1]`, 400,
			"werkzeug.exceptions.BadRequest", "JSON object"},
		{"validation", "sale.order", "create", testCreds.APIKey,
			`{"vals_list": [{"client_order_ref": "x"}]}`, 422,
			"odoo.exceptions.ValidationError", "partner_id"},
		{"missing record", "sale.order", "read", testCreds.APIKey, `{"ids": [999]}`, 404,
			"odoo.exceptions.MissingError", "999"},
		{"bad ids", "sale.order", "action_cancel", testCreds.APIKey, `{"ids": "x"}`, 500,
			"builtins.TypeError", "record id"},
		{"bad domain", "sale.order", "search", testCreds.APIKey, `{"domain": [["nope","=",1]]}`,
			500, "builtins.ValueError", "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, data := s.json2(tt.model, tt.method, tt.key, tt.body)
			f := decodeFailure(t, data)
			if status != tt.status || f.Name != tt.exception ||
				!strings.Contains(f.Message, tt.contains) || len(f.Arguments) == 0 {
				t.Errorf("answer %d %s, want %d %s mentioning %q", status, data, tt.status,
					tt.exception, tt.contains)
			}
		})
	}
}

func TestJSON2NamedArguments(t *testing.T) {
	s := newTestServer(t)
	key := testCreds.APIKey

	status, data := s.json2("res.partner", "create", key,
		`{"vals_list": [{"name": "Ada", "email": "ada@example.com"}],`+
			` "context": {"lang": "en_US"}}`)
	var ids []int64
	if status != 200 || json.Unmarshal(data, &ids) != nil || len(ids) != 1 {
		t.Fatalf("create = %d %s, want 200 and a list of one id", status, data)
	}

	status, data = s.json2("res.partner", "search_read", key,
		`{"domain": [["email", "=ilike", "ADA@example.com"]], "fields": ["name"], "limit": 5}`)
	var rows []map[string]any
	if status != 200 || json.Unmarshal(data, &rows) != nil || len(rows) != 1 ||
		rows[0]["name"] != "Ada" {
		t.Fatalf("search_read = %d %s, want Ada", status, data)
	}

	status, data = s.json2("res.partner", "write", key,
		`{"ids": [`+string(mustJSON(t, ids[0]))+`], "vals": {"phone": "+1"}}`)
	if status != 200 || string(data) != "true" {
		t.Errorf("write = %d %s, want 200 true", status, data)
	}
	if c, _ := s.model.Customer(ids[0]); c.Phone != "+1" {
		t.Errorf("stored phone = %q, want +1", c.Phone)
	}
}

func TestJSON2RefusesOtherDatabase(t *testing.T) {
	s := newTestServer(t)
	req, _ := http.NewRequest(http.MethodPost, s.url+"/json/2/sale.order/search",
		strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testCreds.APIKey)
	req.Header.Set("X-Odoo-Database", "other")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST error = %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("status for another database = %d, want 404", resp.StatusCode)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("Marshal() error = %v", err)
	}
	return b
}

func TestWebVersion(t *testing.T) {
	s := newTestServer(t)
	resp, err := http.Get(s.url + "/web/version")
	if err != nil {
		t.Fatalf("GET /web/version error = %v", err)
	}
	defer resp.Body.Close()
	var v struct {
		Version     string `json:"version"`
		VersionInfo []any  `json:"version_info"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || v.Version != "19.0" ||
		len(v.VersionInfo) != 6 {
		t.Errorf("GET /web/version = %+v, %v, want version 19.0", v, err)
	}
}

func TestJSON2OtherPaths(t *testing.T) {
	s := newTestServer(t)
	for _, path := range []string{"/json/2/sale.order", "/json/2/sale.order/read/extra"} {
		resp, err := http.Get(s.url + path)
		if err != nil {
			t.Fatalf("GET %s error = %v", path, err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if f := decodeFailure(t, data); resp.StatusCode != http.StatusNotFound ||
			!strings.Contains(f.Message, "POST /json/2/<model>/<method>") {
			t.Errorf("GET %s = %d %s, want 404 naming the endpoint", path, resp.StatusCode, data)
		}
	}
}
