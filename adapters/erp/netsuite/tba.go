package netsuite

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/internal/oauth1"
)

// An authenticator puts credentials on one attempt of a request.
type authenticator interface {
	// authorize sets the Authorization header of req, which the caller
	// owns. send sends a request of the authenticator's own, such as a
	// token request, without authorizing it.
	authorize(ctx context.Context, req *http.Request, send sender) error

	// refused tells the authenticator that the server refused req's
	// credentials, so that a cached token is not used again.
	refused(req *http.Request)
}

// sender sends a request without retries or authentication.
type sender func(*http.Request) (*http.Response, error)

// refusal refuses every request with the error of an invalid Config.
type refusal struct{ err error }

func (r refusal) authorize(context.Context, *http.Request, sender) error { return r.err }

func (refusal) refused(*http.Request) {}

// tba signs requests with token-based authentication: OAuth 1.0a with
// HMAC-SHA256, a fresh nonce and timestamp on every attempt.
type tba struct {
	realm          string
	consumerKey    string
	consumerSecret string
	tokenID        string
	tokenSecret    string

	// now and nonce are time.Now and a random nonce, replaced in tests.
	now   func() time.Time
	nonce func() string
}

// authorize signs req.
func (t *tba) authorize(_ context.Context, req *http.Request, _ sender) error {
	now, nonce := time.Now, randomNonce
	if t.now != nil {
		now, nonce = t.now, t.nonce
	}

	params := map[string]string{
		"oauth_consumer_key":     t.consumerKey,
		"oauth_token":            t.tokenID,
		"oauth_signature_method": "HMAC-SHA256",
		"oauth_timestamp":        strconv.FormatInt(now().Unix(), 10),
		"oauth_nonce":            nonce(),
		"oauth_version":          "1.0",
	}
	params["oauth_signature"] = signTBA(req.Method, req.URL, params,
		t.consumerSecret, t.tokenSecret)

	req.Header.Set("Authorization", tbaHeader(t.realm, params))
	return nil
}

func (*tba) refused(*http.Request) {}

// tbaHeader writes the OAuth Authorization header, realm first.
func tbaHeader(realm string, params map[string]string) string {
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)

	var b strings.Builder
	b.WriteString(`OAuth realm="` + oauth1.Encode(realm) + `"`)
	for _, k := range names {
		b.WriteString(", " + k + `="` + oauth1.Encode(params[k]) + `"`)
	}
	return b.String()
}

// signTBA returns the OAuth 1.0a HMAC-SHA256 signature of a request to u
// with method and the oauth_* parameters params, as NetSuite computes it.
func signTBA(method string, u *url.URL, params map[string]string,
	consumerSecret, tokenSecret string) string {
	return oauth1.Sign(sha256.New, oauth1.BaseString(method, u, params), consumerSecret,
		tokenSecret)
}

// randomNonce returns 32 random alphanumeric characters.
func randomNonce() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
