package netsuite

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
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
	b.WriteString(`OAuth realm="` + percentEncode(realm) + `"`)
	for _, k := range names {
		b.WriteString(", " + k + `="` + percentEncode(params[k]) + `"`)
	}
	return b.String()
}

// signTBA returns the OAuth 1.0a HMAC-SHA256 signature of a request to u
// with method and the oauth_* parameters params (without oauth_signature
// and realm), as NetSuite computes it: the base string joins the method,
// the URL without query and the sorted, percent-encoded oauth and query
// parameters; the key joins the consumer secret and the token secret.
func signTBA(method string, u *url.URL, params map[string]string,
	consumerSecret, tokenSecret string) string {
	key := percentEncode(consumerSecret) + "&" + percentEncode(tokenSecret)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(signatureBase(method, u, params)))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// signatureBase builds the OAuth 1.0a signature base string.
func signatureBase(method string, u *url.URL, params map[string]string) string {
	type pair struct{ k, v string }
	var pairs []pair
	for k, v := range params {
		if k != "oauth_signature" && k != "realm" {
			pairs = append(pairs, pair{percentEncode(k), percentEncode(v)})
		}
	}
	for k, vs := range u.Query() {
		for _, v := range vs {
			pairs = append(pairs, pair{percentEncode(k), percentEncode(v)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})

	joined := make([]string, len(pairs))
	for i, p := range pairs {
		joined[i] = p.k + "=" + p.v
	}
	return strings.ToUpper(method) + "&" + percentEncode(baseURI(u)) + "&" +
		percentEncode(strings.Join(joined, "&"))
}

// baseURI is the scheme, the lower-case host without a default port, and
// the path of u.
func baseURI(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Host)
	if scheme == "http" {
		host = strings.TrimSuffix(host, ":80")
	} else if scheme == "https" {
		host = strings.TrimSuffix(host, ":443")
	}
	return scheme + "://" + host + u.EscapedPath()
}

// percentEncode encodes s as RFC 3986 says: everything but unreserved
// characters, with a space as %20.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(c)>>4, 16)) +
			strings.ToUpper(strconv.FormatUint(uint64(c)&15, 16)))
	}
	return b.String()
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
