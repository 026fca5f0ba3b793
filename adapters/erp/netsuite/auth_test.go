package netsuite

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/internal/oauth1"
	"github.com/erpsync/erpsync/internal/syncerr"
)

func TestAuthFailure(t *testing.T) {
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("GenerateKey() error = %v", err)
	}
	tests := []struct {
		name   string
		method string
		adjust func(*Config)
	}{
		{"tba wrong token secret", "tba", func(c *Config) { c.TokenSecret = "wrong" }},
		{"tba wrong consumer key", "tba", func(c *Config) { c.ConsumerKey = "wrong" }},
		{"tba wrong realm", "tba", func(c *Config) { c.Account = "7654321" }},
		{"oauth2 key of another certificate", "oauth2",
			func(c *Config) { c.PrivateKeyPEM = keyPEM(otherKey) }},
		{"oauth2 unknown certificate", "oauth2", func(c *Config) { c.CertificateID = "other" }},
		{"oauth2 unknown client", "oauth2", func(c *Config) { c.ClientID = "other" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.method, tt.adjust)
			_, _, err := e.client.FindSalesOrder(t.Context(), "demo:1")
			var auth *syncerr.AuthError
			if !errors.As(err, &auth) || !syncerr.IsPermanent(err) {
				t.Fatalf("FindSalesOrder() error = %v, want AuthError", err)
			}
		})
	}
}

func TestRefusedSignatureGetsNetSuiteError(t *testing.T) {
	e := newEnv(t, "tba", nil)
	req, _ := http.NewRequest(http.MethodGet, e.url+"/services/rest/record/v1/customer/1", nil)
	req.Header.Set("Authorization", `OAuth realm="1234567_SB1", oauth_consumer_key="ck-test", `+
		`oauth_token="tid-test", oauth_signature_method="HMAC-SHA256", oauth_timestamp="1", `+
		`oauth_nonce="n", oauth_version="1.0", oauth_signature="bm9wZQ%3D%3D"`)
	resp, err := plainClient.Do(req)
	if err != nil {
		t.Fatalf("Do() error = %v", err)
	}
	defer resp.Body.Close()

	var body errorBody
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusUnauthorized || len(body.Details) != 1 ||
		body.Details[0].Code != codeInvalidLogin || body.Status != 401 {
		t.Errorf("bad signature answered %d %+v, want 401 INVALID_LOGIN", resp.StatusCode, body)
	}
}

// TestTBANonceIsSingleUse sends one signed request twice: NetSuite, like
// the sandbox, refuses a nonce it has seen.
func TestTBANonceIsSingleUse(t *testing.T) {
	e := newEnv(t, "tba", nil)
	signer := &tba{realm: "1234567_SB1", consumerKey: "ck-test", consumerSecret: "cs-test",
		tokenID: "tid-test", tokenSecret: "ts-test", now: time.Now,
		nonce: func() string { return "fixed-nonce" }}

	send := func() int {
		u := e.url + "/services/rest/query/v1/suiteql?limit=5&offset=0"
		body := strings.NewReader(`{"q":"SELECT id FROM item"}`)
		req, _ := http.NewRequest(http.MethodPost, u, body)
		req.Header.Set("Prefer", "transient")
		if err := signer.authorize(t.Context(), req, nil); err != nil {
			t.Fatalf("authorize() error = %v", err)
		}
		resp, err := plainClient.Do(req)
		if err != nil {
			t.Fatalf("Do() error = %v", err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := send(); got != http.StatusOK {
		t.Fatalf("first request answered %d, want 200", got)
	}
	if got := send(); got != http.StatusUnauthorized {
		t.Errorf("replayed request answered %d, want 401", got)
	}
}

func TestExpiredTokenIsRenewed(t *testing.T) {
	e := newEnv(t, "oauth2", nil)
	if _, _, err := e.client.FindSalesOrder(t.Context(), "demo:1"); err != nil {
		t.Fatalf("FindSalesOrder() error = %v", err)
	}
	e.srv.ExpireTokens()
	if _, _, err := e.client.FindSalesOrder(t.Context(), "demo:1"); err != nil {
		t.Fatalf("FindSalesOrder() after the token expired: error = %v", err)
	}
}

func TestTokenEndpointRefusesBadAssertion(t *testing.T) {
	e := newEnv(t, "oauth2", nil)
	o := newOAuth2("client-test", "cert-test", testKey(), e.url+tokenPath)
	good, err := o.assertion()
	if err != nil {
		t.Fatalf("assertion() error = %v", err)
	}
	stale := newOAuth2("client-test", "cert-test", testKey(), e.url+tokenPath)
	stale.now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	expired, _ := stale.assertion()
	wrongAud := newOAuth2("client-test", "cert-test", testKey(), "https://elsewhere.example/t")
	misdirected, _ := wrongAud.assertion()

	tests := []struct {
		name      string
		assertion string
		want      int
	}{
		{"valid", good, http.StatusOK},
		{"tampered", good[:len(good)-4] + "AAAA", http.StatusUnauthorized},
		{"expired", expired, http.StatusUnauthorized},
		{"wrong audience", misdirected, http.StatusUnauthorized},
		{"not a jwt", "nope", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"grant_type": {"client_credentials"},
				"client_assertion_type": {jwtBearer},
				"client_assertion":      {tt.assertion}}
			resp, err := plainClient.PostForm(e.url+tokenPath, form)
			if err != nil {
				t.Fatalf("PostForm() error = %v", err)
			}
			defer resp.Body.Close()
			var a tokenAnswer
			_ = json.NewDecoder(resp.Body).Decode(&a)
			if resp.StatusCode != tt.want {
				t.Errorf("token request answered %d %+v, want %d", resp.StatusCode, a, tt.want)
			}
			if tt.want != http.StatusOK && a.Error != "invalid_client" {
				t.Errorf("refusal error = %q, want invalid_client", a.Error)
			}
		})
	}
}

func TestSignatureBaseString(t *testing.T) {
	u, _ := url.Parse("https://1234567-SB1.suitetalk.api.netsuite.com:443/services/rest/" +
		"query/v1/suiteql?limit=10&offset=0&q=a%20b")
	got := oauth1.BaseString("post", u, map[string]string{"oauth_nonce": "n", "realm": "X",
		"oauth_signature": "s"})
	want := "POST&https%3A%2F%2F1234567-sb1.suitetalk.api.netsuite.com%2Fservices%2Frest" +
		"%2Fquery%2Fv1%2Fsuiteql&limit%3D10%26oauth_nonce%3Dn%26offset%3D0%26q%3Da%2520b"
	if got != want {
		t.Errorf("BaseString() =\n%s\nwant\n%s", got, want)
	}
}

func TestConfigValidate(t *testing.T) {
	base := func() Config {
		c := Config{URL: "https://1234567.suitetalk.api.netsuite.com", Account: "1234567"}
		authMethods["tba"](&c)
		return c
	}
	tests := []struct {
		name   string
		change func(*Config)
		ok     bool
	}{
		{"tba", func(*Config) {}, true},
		{"oauth2", func(c *Config) {
			*c = Config{URL: c.URL, Account: c.Account}
			authMethods["oauth2"](c)
		}, true},
		{"no url", func(c *Config) { c.URL = "" }, false},
		{"url with path", func(c *Config) { c.URL += "/services/rest" }, false},
		{"bad account", func(c *Config) { c.Account = "12 34" }, false},
		{"no token secret", func(c *Config) { c.TokenSecret = "" }, false},
		{"oauth2 without key", func(c *Config) { c.ClientID, c.CertificateID = "a", "b" }, false},
		{"oauth2 bad key", func(c *Config) {
			c.ClientID, c.CertificateID, c.PrivateKeyPEM = "a", "b", "not pem"
		}, false},
		{"negative concurrency", func(c *Config) { c.MaxConcurrency = -1 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.change(&c)
			if err := c.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestInvalidConfigRefusesCalls(t *testing.T) {
	c := New(Config{URL: "http://127.0.0.1:1", Account: "1"})
	_, _, err := c.FindSalesOrder(t.Context(), "demo:1")
	if err == nil || !strings.Contains(err.Error(), "netsuite config") {
		t.Errorf("FindSalesOrder() with no credentials: error = %v, want the config error", err)
	}
}

func TestExternalIDRoundTrip(t *testing.T) {
	for _, ref := range []string{"demo:1001", "a_b", "plain-ID-9", "ü:/ x", ""} {
		eid := externalID(ref)
		for _, c := range eid {
			if c != '_' && c != '-' && !('0' <= c && c <= '9') && !('a' <= c && c <= 'z') &&
				!('A' <= c && c <= 'Z') {
				t.Errorf("externalID(%q) = %q holds %q", ref, eid, c)
			}
		}
		if back := referenceOf(eid); back != ref {
			t.Errorf("referenceOf(externalID(%q)) = %q", ref, back)
		}
	}
	if externalID("a:b") == externalID("a_b") {
		t.Error("two references share an external id")
	}
}
