package netsuitesandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
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
	var pairs [][2]string
	for k, v := range p {
		if k != "realm" && k != "oauth_signature" {
			pairs = append(pairs, [2]string{encode(k), encode(v)})
		}
	}
	query, _ := url.ParseQuery(r.URL.RawQuery)
	for k, vs := range query {
		for _, v := range vs {
			pairs = append(pairs, [2]string{encode(k), encode(v)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] < pairs[j][0]
		}
		return pairs[i][1] < pairs[j][1]
	})
	joined := make([]string, len(pairs))
	for i, kv := range pairs {
		joined[i] = kv[0] + "=" + kv[1]
	}

	base := strings.ToUpper(r.Method) + "&" + encode(requestURI(r)) + "&" +
		encode(strings.Join(joined, "&"))
	mac := hmac.New(sha256.New, []byte(encode(consumerSecret)+"&"+encode(tokenSecret)))
	mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// requestURI is the URL that r was sent to, without query or default port.
func requestURI(r *http.Request) string {
	host := strings.ToLower(r.Host)
	scheme := "http"
	if r.TLS != nil {
		scheme, host = "https", strings.TrimSuffix(host, ":443")
	} else {
		host = strings.TrimSuffix(host, ":80")
	}
	return scheme + "://" + host + r.URL.EscapedPath()
}

// encode percent-encodes s as RFC 3986 requires for OAuth.
func encode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		unreserved := (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || strings.IndexByte("-._~", c) >= 0
		if unreserved {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
