package woosandbox

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/json"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/oauth1"
)

const (
	testKey    = "ck_0123456789abcdef0123456789abcdef01234567"
	testSecret = "cs_76543210fedcba9876543210fedcba9876543210"
)

// fixture is a sandbox over a seeded model, served over HTTP and TLS.
type fixture struct {
	model  *storesandbox.Model
	faults *erpsandbox.Faults
	sb     *Sandbox
	srv    *httptest.Server
	tls    *httptest.Server
	order  storesandbox.Order
}

func newFixture(t *testing.T, perm string) *fixture {
	t.Helper()
	f := &fixture{model: storesandbox.NewModel(nil)}
	for _, p := range []storesandbox.Product{
		{SKU: "MUG", Name: "Mug", PriceMinor: 1250, Currency: "EUR"},
		{SKU: "TEE", Name: "Tee", PriceMinor: 2400, SalePriceMinor: 1900, Currency: "EUR"},
	} {
		if _, err := f.model.CreateProduct(p); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	f.order, err = f.model.CreateOrder(storesandbox.Order{Currency: "EUR",
		Customer: storesandbox.Customer{Email: "ana@example.test"},
		Lines:    []storesandbox.Line{{SKU: "MUG", Quantity: 1, UnitPriceMinor: 1250}}})
	if err != nil {
		t.Fatal(err)
	}
	if f.faults, err = erpsandbox.NewFaults(erpsandbox.Config{}); err != nil {
		t.Fatal(err)
	}
	f.sb = New(f.model, f.faults, Config{ConsumerKey: testKey, ConsumerSecret: testSecret,
		Permissions: perm, Location: "WH-EAST", Currency: "EUR"})
	f.srv = httptest.NewServer(f.sb)
	f.tls = httptest.NewTLSServer(f.sb)
	t.Cleanup(f.srv.Close)
	t.Cleanup(f.tls.Close)
	return f
}

// signing is how a test signs a request with OAuth 1.0a.
type signing struct {
	key, secret, method string
	newHash             func() hash.Hash
	timestamp           int64
	nonce               string
}

func goodSigning() signing {
	return signing{key: testKey, secret: testSecret, method: "HMAC-SHA256",
		newHash: sha256.New, timestamp: time.Now().Unix(),
		nonce: strconv.FormatInt(time.Now().UnixNano(), 36)}
}

// sign returns rawURL with the OAuth parameters of a request with method.
func (s signing) sign(t *testing.T, method, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{"oauth_consumer_key": s.key, "oauth_nonce": s.nonce,
		"oauth_signature_method": s.method,
		"oauth_timestamp":        strconv.FormatInt(s.timestamp, 10)}
	params["oauth_signature"] = oauth1.Sign(s.newHash, oauth1.BaseString(method, u, params),
		s.secret, "")
	q := u.Query()
	for k, v := range params {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// answer is a decoded answer.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	list   []map[string]any
}

// do sends a request and decodes its answer.
func do(t *testing.T, c *http.Client, method, url, body string,
	prepare func(*http.Request)) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if prepare != nil {
		prepare(req)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)

	a := answer{status: resp.StatusCode, header: resp.Header}
	if json.Unmarshal(raw, &a.body) != nil {
		if err := json.Unmarshal(raw, &a.list); err != nil {
			t.Fatalf("%s %s: answer %q is not JSON", method, url, raw)
		}
	}
	return a
}

// wantError checks an error answer's status, code and message.
func (a answer) wantError(t *testing.T, status int, code, message string) {
	t.Helper()
	data, _ := a.body["data"].(map[string]any)
	if a.status != status || a.body["code"] != code || a.body["message"] != message ||
		data["status"] != float64(status) {
		t.Errorf("answer %d %v, want %d %s %q", a.status, a.body, status, code, message)
	}
}

func TestAuthenticationIsRefusedAsWooCommerceRefusesIt(t *testing.T) {
	f := newFixture(t, "")
	orders := f.srv.URL + "/wp-json/wc/v3/orders"
	order := orders + "/" + strconv.FormatInt(f.order.ID, 10)
	plain := f.srv.Client()
	const authErr = "woocommerce_rest_authentication_error"

	tests := []struct {
		name, method, url string
		prepare           func(*http.Request)
		status            int
		code, message     string
	}{
		{"no credentials", "GET", orders, nil, 401, "woocommerce_rest_cannot_view",
			"Sorry, you cannot list resources."},
		{"no credentials to edit", "PUT", order, nil, 401, "woocommerce_rest_cannot_edit",
			"Sorry, you are not allowed to edit this resource."},
		{"no credentials, missing order", "GET", orders + "/999", nil, 404,
			"woocommerce_rest_shop_order_invalid_id", "Invalid ID."},
		{"some oauth parameters", "GET", orders + "?oauth_consumer_key=" + testKey, nil, 401,
			"woocommerce_rest_authentication_missing_parameter", "Missing OAuth parameters " +
				"oauth_timestamp, oauth_nonce, oauth_signature, oauth_signature_method"},
		{"unknown key", "GET", with(goodSigning(), func(s *signing) { s.key = "ck_x" }).
			sign(t, "GET", orders), nil, 401, authErr, "Consumer key is invalid."},
		{"plaintext method", "GET", with(goodSigning(), func(s *signing) {
			s.method = "PLAINTEXT"
		}).sign(t, "GET", orders), nil, 401, authErr,
			"Invalid signature - signature method is invalid."},
		{"wrong secret", "GET", with(goodSigning(), func(s *signing) { s.secret = "cs_x" }).
			sign(t, "GET", orders), nil, 401, authErr,
			"Invalid signature - provided signature does not match."},
		{"signed for another method", "PUT", goodSigning().sign(t, "GET", order), nil, 401,
			authErr, "Invalid signature - provided signature does not match."},
		{"old timestamp", "GET", with(goodSigning(), func(s *signing) {
			s.timestamp -= 16 * 60
		}).sign(t, "GET", orders), nil, 401, authErr, "Invalid timestamp."},
		{"unknown route", "GET", f.srv.URL + "/wp-json/wc/v3/nothing", nil, 404,
			"rest_no_route", "No route was found matching the URL and request method."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			do(t, plain, tt.method, tt.url, "", tt.prepare).wantError(t, tt.status, tt.code,
				tt.message)
		})
	}

	t.Run("nonce used twice", func(t *testing.T) {
		u := goodSigning().sign(t, "GET", orders)
		if a := do(t, plain, "GET", u, "", nil); a.status != 200 {
			t.Fatalf("first use answered %d %v", a.status, a.body)
		}
		do(t, plain, "GET", u, "", nil).wantError(t, 401, authErr,
			"Invalid nonce - nonce has already been used.")
	})
}

// with returns s changed by change.
func with(s signing, change func(*signing)) signing {
	change(&s)
	return s
}

func TestAcceptedCredentials(t *testing.T) {
	f := newFixture(t, "")
	path := "/wp-json/wc/v3/orders"
	tlsClient := f.tls.Client()
	tests := []struct {
		name    string
		c       *http.Client
		url     string
		prepare func(*http.Request)
	}{
		{"oauth hmac-sha256", f.srv.Client(), goodSigning().sign(t, "GET", f.srv.URL+path), nil},
		{"oauth hmac-sha1", f.srv.Client(), with(goodSigning(), func(s *signing) {
			s.method, s.newHash = "HMAC-SHA1", sha1.New
		}).sign(t, "GET", f.srv.URL+path+"?per_page=5"), nil},
		{"oauth in the authorization header", f.srv.Client(), f.srv.URL + path,
			func(r *http.Request) {
				signed, _ := url.Parse(goodSigning().sign(t, "GET", f.srv.URL+path))
				var parts []string
				for k, v := range signed.Query() {
					parts = append(parts, k+`="`+oauth1.Encode(v[0])+`"`)
				}
				r.Header.Set("Authorization", "OAuth "+strings.Join(parts, ", "))
			}},
		{"basic over tls", tlsClient, f.tls.URL + path,
			func(r *http.Request) { r.SetBasicAuth(testKey, testSecret) }},
		{"query keys over tls", tlsClient, f.tls.URL + path + "?consumer_key=" + testKey +
			"&consumer_secret=" + testSecret, nil},
		{"oauth over tls", tlsClient, goodSigning().sign(t, "GET", f.tls.URL+path), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a := do(t, tt.c, "GET", tt.url, "", tt.prepare); a.status != 200 ||
				len(a.list) != 1 {
				t.Errorf("answer %d %v %v, want the one order", a.status, a.body, a.list)
			}
		})
	}

	t.Run("basic with a wrong secret", func(t *testing.T) {
		do(t, tlsClient, "GET", f.tls.URL+path, "", func(r *http.Request) {
			r.SetBasicAuth(testKey, "cs_wrong")
		}).wantError(t, 401, "woocommerce_rest_authentication_error",
			"Consumer secret is invalid.")
	})
	t.Run("basic with an unknown key", func(t *testing.T) {
		do(t, tlsClient, "GET", f.tls.URL+path, "", func(r *http.Request) {
			r.SetBasicAuth("ck_other", testSecret)
		}).wantError(t, 401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
	})
	t.Run("basic over plain http is not authentication", func(t *testing.T) {
		do(t, f.srv.Client(), "GET", f.srv.URL+path, "", func(r *http.Request) {
			r.SetBasicAuth(testKey, testSecret)
		}).wantError(t, 401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
	})
}

func TestReadOnlyKeyCannotWrite(t *testing.T) {
	f := newFixture(t, PermRead)
	u := f.srv.URL + "/wp-json/wc/v3/orders/" + strconv.FormatInt(f.order.ID, 10)
	do(t, f.srv.Client(), "PUT", goodSigning().sign(t, "PUT", u),
		`{"meta_data":[{"key":"a","value":"b"}]}`, nil).wantError(t, 401,
		"woocommerce_rest_authentication_error",
		"The API key provided does not have write permissions.")
}
