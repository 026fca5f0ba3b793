package netsuitesandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/erpsync/erpsync/internal/oauth1"
)

// clockSkew is how far a TBA timestamp may be from the sandbox's clock.
const clockSkew = 5 * time.Minute

// authState holds the nonces seen and the access tokens issued.
type authState struct {
	mu     sync.Mutex
	nonces map[string]time.Time
	tokens map[string]time.Time
}

// authenticated reports whether r carries a valid TBA signature or a
// valid bearer token.
func (s *sandbox) authenticated(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if token, ok := strings.CutPrefix(h, "Bearer "); ok {
		return s.validToken(strings.TrimSpace(token))
	}
	if params, ok := strings.CutPrefix(h, "OAuth "); ok {
		return s.validSignature(r, parseOAuthHeader(params))
	}
	return false
}

// parseOAuthHeader reads the k="v" pairs of an OAuth Authorization header,
// percent-decoding the values.
func parseOAuthHeader(h string) map[string]string {
	params := map[string]string{}
	for _, part := range strings.Split(h, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		if dec, err := url.PathUnescape(v); err == nil {
			v = dec
		}
		params[k] = v
	}
	return params
}

// validSignature checks a TBA request: the realm, the consumer and the
// token, the method, the timestamp, a nonce not seen before, and the
// HMAC-SHA256 signature over the request.
func (s *sandbox) validSignature(r *http.Request, p map[string]string) bool {
	c := s.creds
	switch {
	case c.ConsumerKey == "" || c.TokenID == "":
		return false
	case !strings.EqualFold(strings.ReplaceAll(p["realm"], "-", "_"),
		strings.ReplaceAll(c.Account, "-", "_")):
		return false
	case p["oauth_consumer_key"] != c.ConsumerKey || p["oauth_token"] != c.TokenID:
		return false
	case p["oauth_signature_method"] != "HMAC-SHA256":
		return false
	case p["oauth_version"] != "" && p["oauth_version"] != "1.0":
		return false
	case !s.freshTimestamp(p["oauth_timestamp"]):
		return false
	}

	want := signature(r, p, c.ConsumerSecret, c.TokenSecret)
	if !hmac.Equal([]byte(want), []byte(p["oauth_signature"])) {
		return false
	}
	return s.firstUse(p["oauth_nonce"], p["oauth_token"])
}

func (s *sandbox) freshTimestamp(ts string) bool {
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := s.now().Sub(time.Unix(secs, 0))
	return d < clockSkew && d > -clockSkew
}

// firstUse records a nonce of a token and reports whether it is new.
func (s *sandbox) firstUse(nonce, token string) bool {
	if nonce == "" || len(nonce) > 64 {
		return false
	}
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()

	now := s.now()
	for k, seen := range s.auth.nonces {
		if now.Sub(seen) > 2*clockSkew {
			delete(s.auth.nonces, k)
		}
	}
	key := token + "/" + nonce
	if _, seen := s.auth.nonces[key]; seen {
		return false
	}
	s.auth.nonces[key] = now
	return true
}

// signature computes the OAuth 1.0a HMAC-SHA256 signature of r as NetSuite
// does: over the method, the URL without its query, and the oauth and
// query parameters sorted by name and value.
func signature(r *http.Request, p map[string]string, consumerSecret, tokenSecret string) string {
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	if r.TLS != nil {
		u.Scheme = "https"
	}
	return oauth1.Sign(sha256.New, oauth1.BaseString(r.Method, &u, p), consumerSecret,
		tokenSecret)
}
