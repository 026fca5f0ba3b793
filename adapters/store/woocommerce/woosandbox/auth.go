package woosandbox

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"hash"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/internal/oauth1"
)

// oauthWindow is how far, in seconds, an OAuth timestamp may be from the
// server's clock, and how long a nonce is remembered.
const oauthWindow = 15 * 60

// oauthRequired are the OAuth parameters WooCommerce needs, in the order
// it names the missing ones.
var oauthRequired = []string{"oauth_consumer_key", "oauth_timestamp", "oauth_nonce",
	"oauth_signature", "oauth_signature_method"}

// authError is WooCommerce's refusal of credentials.
func authError(message string) *wpError {
	return errorf(http.StatusUnauthorized, "woocommerce_rest_authentication_error", "%s",
		message)
}

// authenticate checks the API key of q as WooCommerce does. It reports
// whether q is authenticated, or the error that refuses it; a request with
// no credentials at all is neither, and meets the route's own permission
// check. Over TLS, basic authentication (or the consumer_key and
// consumer_secret query parameters) is tried first; an unknown key there is
// not an error, a wrong secret is. OAuth 1.0a is tried next, whatever the
// scheme.
func (s *Sandbox) authenticate(q *request) (bool, *wpError) {
	var basicErr *wpError
	if q.r.TLS != nil {
		ok, err := s.basicAuth(q.r)
		if ok {
			return true, nil
		}
		basicErr = err
	}

	params, err := oauthParams(q)
	switch {
	case err != nil:
		return false, err
	case params == nil:
		return false, basicErr
	}
	if err := s.checkOAuth(q, params); err != nil {
		return false, err
	}
	return true, nil
}

// basicAuth checks the consumer key and secret given in the query, or else
// in an Authorization: Basic header.
func (s *Sandbox) basicAuth(r *http.Request) (bool, *wpError) {
	query := r.URL.Query()
	key, secret := query.Get("consumer_key"), query.Get("consumer_secret")
	if key == "" || secret == "" {
		key, secret, _ = r.BasicAuth()
	}
	if key == "" || secret == "" || !s.knownKey(key) {
		return false, nil
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ConsumerSecret)) != 1 {
		return false, authError("Consumer secret is invalid.")
	}
	return true, nil
}

// knownKey reports whether key is the sandbox's consumer key.
func (s *Sandbox) knownKey(key string) bool {
	return subtle.ConstantTimeCompare([]byte(key), []byte(s.cfg.ConsumerKey)) == 1
}

// oauthParams gathers the parameters of q as PHP and WooCommerce see them:
// the query, then a form body, then the oauth_* members of an
// Authorization: OAuth header, a later one replacing an earlier one of the
// same name. It returns nil when q carries no OAuth parameter at all, and
// an error naming those missing when it carries some.
func oauthParams(q *request) (map[string]string, *wpError) {
	params := map[string]string{}
	merge := func(v url.Values) {
		for k, vs := range v {
			params[k] = vs[len(vs)-1]
		}
	}
	merge(q.query())
	if ct, _, _ := mime.ParseMediaType(q.r.Header.Get("Content-Type")); ct ==
		"application/x-www-form-urlencoded" {
		form, _ := url.ParseQuery(string(q.body)) // a bad pair is dropped, as PHP does
		merge(form)
	}
	for k, v := range headerParams(q.r.Header.Get("Authorization")) {
		params[k] = v
	}

	var missing []string
	for _, name := range oauthRequired {
		if params[name] == "" {
			missing = append(missing, name)
		}
	}
	switch {
	case len(missing) == len(oauthRequired):
		return nil, nil
	case len(missing) == 1:
		return nil, errorf(http.StatusUnauthorized,
			"woocommerce_rest_authentication_missing_parameter",
			"Missing OAuth parameter %s", missing[0])
	case len(missing) > 1:
		return nil, errorf(http.StatusUnauthorized,
			"woocommerce_rest_authentication_missing_parameter",
			"Missing OAuth parameters %s", strings.Join(missing, ", "))
	}
	return params, nil
}

// oauthHeaderParam finds the members of an Authorization: OAuth header.
var oauthHeaderParam = regexp.MustCompile(`(oauth_[a-z_-]*)=(?:"([^"]*)"|([^,]*))`)

// headerParams returns the oauth_* members of an OAuth Authorization
// header, url-decoded.
func headerParams(h string) map[string]string {
	params := map[string]string{}
	if !strings.HasPrefix(strings.TrimSpace(h), "OAuth ") {
		return params
	}
	for _, m := range oauthHeaderParam.FindAllStringSubmatch(h, -1) {
		v := m[2]
		if v == "" {
			v = m[3]
		}
		if dec, err := url.QueryUnescape(v); err == nil {
			v = dec
		}
		params[m[1]] = v
	}
	return params
}

// checkOAuth checks an OAuth 1.0a one-legged request in WooCommerce's
// order: the consumer key, the signature method, the signature, the
// timestamp and the nonce.
func (s *Sandbox) checkOAuth(q *request, params map[string]string) *wpError {
	if !s.knownKey(params["oauth_consumer_key"]) {
		return authError("Consumer key is invalid.")
	}

	var newHash func() hash.Hash
	switch params["oauth_signature_method"] {
	case "HMAC-SHA1":
		newHash = sha1.New
	case "HMAC-SHA256":
		newHash = sha256.New
	default:
		return authError("Invalid signature - signature method is invalid.")
	}
	if !hmac.Equal([]byte(s.signature(q, params, newHash)),
		[]byte(givenSignature(params["oauth_signature"]))) {
		return authError("Invalid signature - provided signature does not match.")
	}
	return s.checkTimestampAndNonce(params["oauth_timestamp"], params["oauth_nonce"])
}

// signature computes the signature WooCommerce expects of q: over the
// upper-case method, the site's home URL with the request's path (in the
// request's scheme), and every parameter but oauth_signature, keyed with
// the consumer secret and "&". WooCommerce keys with the secret as it is,
// where internal/oauth1 percent-encodes it: the same for the hexadecimal
// secrets WooCommerce issues.
func (s *Sandbox) signature(q *request, params map[string]string,
	newHash func() hash.Hash) string {
	home, err := url.Parse(q.site)
	if err != nil {
		return ""
	}
	scheme := "http"
	if q.r.TLS != nil {
		scheme = "https"
	}
	base := &url.URL{Scheme: scheme, Host: home.Host, Path: q.r.URL.Path,
		RawPath: q.r.URL.RawPath}
	return oauth1.Sign(newHash, oauth1.BaseString(q.r.Method, base, params),
		s.cfg.ConsumerSecret, "")
}

// givenSignature undoes what a client's encoding can do to a signature, as
// WooCommerce does: a "+" that reached it as a space, and one more level of
// percent-encoding.
func givenSignature(sig string) string {
	sig = strings.ReplaceAll(sig, " ", "+")
	if dec, err := url.PathUnescape(sig); err == nil {
		return dec
	}
	return sig
}

// checkTimestampAndNonce refuses a timestamp more than 15 minutes from the
// clock and a nonce seen in the last 15 minutes, and records the nonce.
// WooCommerce keeps one nonce per timestamp; the sandbox keeps every one.
func (s *Sandbox) checkTimestampAndNonce(timestamp, nonce string) *wpError {
	now := s.cfg.Now().Unix()
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || ts < now-oauthWindow || ts > now+oauthWindow {
		return authError("Invalid timestamp.")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, used := s.nonces[nonce]; used {
		return authError("Invalid nonce - nonce has already been used.")
	}
	s.nonces[nonce] = ts
	for n, at := range s.nonces {
		if at < now-oauthWindow {
			delete(s.nonces, n)
		}
	}
	return nil
}

// checkPermissions refuses a method the API key may not use.
func (s *Sandbox) checkPermissions(method string) *wpError {
	p := s.cfg.Permissions
	switch method {
	case http.MethodGet, http.MethodHead:
		if p != PermRead && p != PermReadWrite {
			return authError("The API key provided does not have read permissions.")
		}
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		if p != PermWrite && p != PermReadWrite {
			return authError("The API key provided does not have write permissions.")
		}
	case http.MethodOptions:
	default:
		return authError("Unknown request method.")
	}
	return nil
}
