package woocommerce

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/internal/httpretry"
	"github.com/erpsync/erpsync/internal/oauth1"
)

// signer puts a WooCommerce API key on one attempt of a request: HTTP basic
// authentication over https, and OAuth 1.0a one-legged query signing over
// http, as WooCommerce accepts them.
type signer struct {
	key    string
	secret string

	// now and nonce are time.Now and a random nonce, replaced in tests.
	now   func() time.Time
	nonce func() string
}

func newSigner(key, secret string) *signer {
	return &signer{key: key, secret: secret, now: time.Now, nonce: randomNonce}
}

// sign authorizes req, which the caller owns.
func (s *signer) sign(req *http.Request) {
	if req.URL.Scheme == "https" {
		req.SetBasicAuth(s.key, s.secret)
		return
	}

	params := map[string]string{
		"oauth_consumer_key":     s.key,
		"oauth_nonce":            s.nonce(),
		"oauth_signature_method": "HMAC-SHA256",
		"oauth_timestamp":        strconv.FormatInt(s.now().Unix(), 10),
	}
	// WooCommerce keys the HMAC with the consumer secret and an empty token
	// secret, and signs the query parameters with the oauth ones; the JSON
	// body is not signed.
	base := oauth1.BaseString(req.Method, req.URL, params)
	params["oauth_signature"] = oauth1.Sign(sha256.New, base, s.secret, "")
	req.URL.RawQuery = withParams(req.URL.RawQuery, params)
}

// withParams appends params to the raw query, in name order.
func withParams(raw string, params map[string]string) string {
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)

	parts := make([]string, 0, len(names)+1)
	if raw != "" {
		parts = append(parts, raw)
	}
	for _, k := range names {
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(params[k]))
	}
	return strings.Join(parts, "&")
}

// randomNonce returns 32 random hexadecimal digits.
func randomNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// signingTransport signs every attempt of a request. It sits below any
// retrying transport: WooCommerce refuses an OAuth nonce it has seen, so a
// retry must be signed again.
type signingTransport struct {
	base   http.RoundTripper
	signer *signer
}

// withCredentials returns a copy of hc whose requests are signed by s, under
// hc's retrying transport when it has one.
func withCredentials(hc *http.Client, s *signer) *http.Client {
	return httpretry.Beneath(hc, func(base http.RoundTripper) http.RoundTripper {
		return &signingTransport{base: base, signer: s}
	})
}

// RoundTrip signs a copy of req and sends it.
func (t *signingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	signed := req.Clone(req.Context())
	t.signer.sign(signed)
	return t.base.RoundTrip(signed)
}
