package codec

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

const (
	uiOrigin  = "http://localhost:8233"
	testToken = "codec-test-token"
)

// newTestServer serves a codec server under /codec/, as the starter does.
func newTestServer(t *testing.T, c *Codec) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	opts := ServerOptions{Token: testToken, Origins: []string{uiOrigin}}
	mux.Handle("/codec/", NewServer(c, opts))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// call sends a request to the server and returns the response, body read.
func call(t *testing.T, method, url string, body string, header map[string]string) (
	*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// payloadsJSON renders payloads as the codec protocol's request body.
func payloadsJSON(t *testing.T, ps ...*commonpb.Payload) string {
	t.Helper()
	b, err := protojson.Marshal(&commonpb.Payloads{Payloads: ps})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestServerPreflight(t *testing.T) {
	srv := newTestServer(t, newCodec(t, testKey(t, "k1")))

	resp, _ := call(t, http.MethodOptions, srv.URL+"/codec/decode", "", map[string]string{
		"Origin":                         uiOrigin,
		"Access-Control-Request-Method":  "POST",
		"Access-Control-Request-Headers": "authorization,content-type,x-namespace",
	})
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("preflight status %d, want 204", resp.StatusCode)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != uiOrigin {
		t.Errorf("Allow-Origin %q, want %q", got, uiOrigin)
	}
	allowed := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))
	for _, h := range []string{"authorization", "content-type", "x-namespace"} {
		if !strings.Contains(allowed, h) {
			t.Errorf("Allow-Headers %q lacks %s", allowed, h)
		}
	}
	if got := resp.Header.Get("Access-Control-Allow-Methods"); !strings.Contains(got, "POST") {
		t.Errorf("Allow-Methods %q lacks POST", got)
	}
}

func TestServerRefusesOtherOrigins(t *testing.T) {
	c := newCodec(t, testKey(t, "k1"))
	srv := newTestServer(t, c)

	resp, _ := call(t, http.MethodOptions, srv.URL+"/codec/decode", "", map[string]string{
		"Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
	})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("preflight from another origin: status %d, want 403", resp.StatusCode)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("preflight from another origin allowed %q", got)
	}

	resp, _ = call(t, http.MethodPost, srv.URL+"/codec/decode", payloadsJSON(t), map[string]string{
		"Origin": "http://evil.example", "Authorization": "Bearer " + testToken,
	})
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("POST from another origin allowed %q", got)
	}
}

func TestServerRequiresToken(t *testing.T) {
	srv := newTestServer(t, newCodec(t, testKey(t, "k1")))
	tests := []struct {
		name, auth string
	}{
		{"missing", ""},
		{"wrong", "Bearer not-the-token"},
		{"other scheme", "Basic " + testToken},
		{"token alone", testToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{"Content-Type": "application/json", "Origin": uiOrigin}
			if tt.auth != "" {
				h["Authorization"] = tt.auth
			}
			resp, _ := call(t, http.MethodPost, srv.URL+"/codec/decode", payloadsJSON(t), h)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", resp.StatusCode)
			}
		})
	}
}

func TestServerDecodesAndEncodes(t *testing.T) {
	c := newCodec(t, testKey(t, "k1"))
	srv := newTestServer(t, c)
	plain := jsonPayload(t, map[string]string{"email": "ana@example.com"})
	header := map[string]string{
		"Authorization": "Bearer " + testToken, "Content-Type": "application/json",
		"X-Namespace": "default", "Origin": uiOrigin,
	}

	resp, body := call(t, http.MethodPost, srv.URL+"/codec/encode", payloadsJSON(t, plain), header)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("encode status %d: %s", resp.StatusCode, body)
	}
	if strings.Contains(body, "ana@example.com") {
		t.Fatal("encode answered the e-mail in clear")
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != uiOrigin {
		t.Errorf("Allow-Origin %q, want %q", got, uiOrigin)
	}

	resp, body = call(t, http.MethodPost, srv.URL+"/codec/decode", body, header)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("decode status %d: %s", resp.StatusCode, body)
	}
	var out commonpb.Payloads
	if err := protojson.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("decode answer %q: %v", body, err)
	}
	if len(out.Payloads) != 1 || string(out.Payloads[0].Data) != string(plain.Data) {
		t.Errorf("decode answered %v, want %v", out.Payloads, plain)
	}
}

func TestServerRefusesBadRequests(t *testing.T) {
	srv := newTestServer(t, newCodec(t, testKey(t, "k1")))
	auth := map[string]string{"Authorization": "Bearer " + testToken}
	foreign := encodeOne(t, newCodec(t, testKey(t, "elsewhere")), jsonPayload(t, 1))
	tests := []struct {
		name, method, path, body string
		want                     int
		says                     string
	}{
		{"not json", http.MethodPost, "/codec/decode", "{", http.StatusBadRequest, "parse"},
		{"unknown key", http.MethodPost, "/codec/decode", payloadsJSON(t, foreign),
			http.StatusBadRequest, `"elsewhere"`},
		{"unknown path", http.MethodPost, "/codec/other", payloadsJSON(t), http.StatusNotFound,
			"not found"},
		{"get", http.MethodGet, "/codec/decode", "", http.StatusMethodNotAllowed, "method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := call(t, tt.method, srv.URL+tt.path, tt.body, auth)
			if resp.StatusCode != tt.want || !strings.Contains(body, tt.says) {
				t.Errorf("status %d (%s), want %d saying %s", resp.StatusCode, body, tt.want,
					tt.says)
			}
		})
	}
}

func TestServerWithoutTokenServesAnyone(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/codec/", NewServer(newCodec(t, testKey(t, "k1")), ServerOptions{}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	resp, body := call(t, http.MethodPost, srv.URL+"/codec/encode", payloadsJSON(t), nil)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("encode without a token configured: %d %s, want 200", resp.StatusCode, body)
	}
}
