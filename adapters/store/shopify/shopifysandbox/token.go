package shopifysandbox

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"time"
)

// DefaultTokenLifetime is how long a token of the client credentials grant
// lasts, as Shopify issues them to Dev Dashboard apps: a day.
const DefaultTokenLifetime = 86399 * time.Second

// scopes are the access scopes of the tokens the sandbox issues.
const scopes = "read_orders,write_orders,read_products,write_products,read_inventory," +
	"write_inventory,read_locations"

// WithTokenLifetime sets how long the tokens of the client credentials
// grant last; DefaultTokenLifetime by default.
func WithTokenLifetime(d time.Duration) Option {
	return func(s *Sandbox) { s.tokenLifetime = d }
}

// serveToken answers POST /admin/oauth/access_token: the client credentials
// grant of an app installed on its own shop, with a JSON or form body.
func (s *Sandbox) serveToken(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	form, err := tokenForm(r, body)
	s.faults.ServeLimited(w, r, "token", writeRESTLimited, func(w http.ResponseWriter) {
		switch {
		case err != nil || form.Get("grant_type") != "client_credentials":
			writeJSON(w, http.StatusBadRequest, oauthError("unsupported_grant_type",
				"The grant type must be client_credentials."))
		case s.creds.ClientID == "" || form.Get("client_id") != s.creds.ClientID ||
			form.Get("client_secret") != s.creds.ClientSecret:
			writeJSON(w, http.StatusBadRequest, oauthError("invalid_client",
				"Client authentication failed: the client id or secret is wrong."))
		default:
			writeJSON(w, http.StatusOK, map[string]any{"access_token": s.issueToken(),
				"scope": scopes, "expires_in": int(s.tokenLifetime.Seconds())})
		}
	})
}

// tokenForm reads the grant's parameters from a JSON or a form body.
func tokenForm(r *http.Request, body []byte) (url.Values, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/json" {
		return url.ParseQuery(string(body))
	}
	var fields map[string]string
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, err
	}
	form := url.Values{}
	for k, v := range fields {
		form.Set(k, v)
	}
	return form, nil
}

func oauthError(code, description string) map[string]string {
	return map[string]string{"error": code, "error_description": description}
}

// issueToken makes a token that lasts the token lifetime.
func (s *Sandbox) issueToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail
	token := "shpat_" + hex.EncodeToString(b[:])

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for t, expires := range s.tokens {
		if now.After(expires) {
			delete(s.tokens, t)
		}
	}
	s.tokens[token] = now.Add(s.tokenLifetime)
	return token
}

// validToken reports whether token is the app's fixed token or an issued
// one that has not expired.
func (s *Sandbox) validToken(token string) bool {
	if token == "" {
		return false
	}
	if token == s.creds.AccessToken {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	expires, ok := s.tokens[token]
	return ok && s.now().Before(expires)
}
