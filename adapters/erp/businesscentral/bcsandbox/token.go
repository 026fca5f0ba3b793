package bcsandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// entraError is an error of the token endpoint, in Entra's shape.
type entraError struct {
	status int
	code   string // the OAuth error, such as "invalid_client"
	aadsts int
	text   string
}

// tokenError returns why Entra would refuse a client credentials request,
// checking in Entra's order, or nil when it grants a token.
func (s *sandbox) tokenError(tenant string, r *http.Request) *entraError {
	f := r.PostForm
	switch {
	case !strings.EqualFold(tenant, s.creds.Tenant):
		return &entraError{http.StatusBadRequest, "invalid_request", 90002,
			fmt.Sprintf("Tenant '%s' not found.", tenant)}
	case f.Get("grant_type") == "":
		return &entraError{http.StatusBadRequest, "invalid_request", 900144,
			"The request body must contain the following parameter: 'grant_type'."}
	case f.Get("grant_type") != "client_credentials":
		return &entraError{http.StatusBadRequest, "unsupported_grant_type", 70003,
			"The app requested an unsupported grant type '" + f.Get("grant_type") + "'."}
	case f.Get("client_id") != s.creds.ClientID:
		return &entraError{http.StatusBadRequest, "unauthorized_client", 700016,
			fmt.Sprintf("Application with identifier '%s' was not found in the directory.",
				f.Get("client_id"))}
	case f.Get("client_secret") == "":
		return &entraError{http.StatusUnauthorized, "invalid_client", 7000218,
			"The request body must contain the following parameter: 'client_assertion' " +
				"or 'client_secret'."}
	case subtle.ConstantTimeCompare([]byte(f.Get("client_secret")),
		[]byte(s.creds.ClientSecret)) != 1:
		return &entraError{http.StatusUnauthorized, "invalid_client", 7000215,
			"Invalid client secret provided. Ensure the secret being sent in the request " +
				"is the client secret value, not the client secret ID."}
	case f.Get("scope") == "":
		return &entraError{http.StatusBadRequest, "invalid_request", 90014,
			"The required field 'scope' is missing from the credential."}
	case !hasScope(f.Get("scope")):
		return &entraError{http.StatusBadRequest, "invalid_scope", 1002012,
			"The provided value for scope " + f.Get("scope") + " is not valid. Client " +
				"credential flows must have a scope value with /.default suffixed to the " +
				"resource identifier (application ID URI)."}
	}
	return nil
}

// hasScope reports whether the space-separated scopes ask for Business
// Central; MSAL adds the OpenID scopes to every request.
func hasScope(scopes string) bool {
	found := false
	for _, sc := range strings.Fields(scopes) {
		switch sc {
		case Scope:
			found = true
		case "openid", "profile", "offline_access":
		default:
			return false
		}
	}
	return found
}

// serveToken answers a client credentials grant with a bearer token, or
// with Entra's error for a wrong tenant, client, secret or scope.
func (s *sandbox) serveToken(w http.ResponseWriter, r *http.Request, tenant string) {
	if r.Method != http.MethodPost {
		http.Error(w, "The request method is not supported.", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	parseErr := r.ParseForm()

	s.model.CountRequest()
	s.faults.Serve(w, r, "token", func(w http.ResponseWriter) {
		if parseErr != nil {
			writeEntraError(w, &entraError{http.StatusBadRequest, "invalid_request", 900144,
				"The request body must contain the following parameter: 'grant_type'."})
			return
		}
		if e := s.tokenError(tenant, r); e != nil {
			writeEntraError(w, e)
			return
		}

		token := s.issue()
		seconds := int(s.tokenLifetime.Seconds())
		w.Header().Set("Cache-Control", "no-store, no-cache")
		writePlainJSON(w, http.StatusOK, map[string]any{
			"token_type": "Bearer", "expires_in": seconds, "ext_expires_in": seconds,
			"access_token": token,
		})
	})
}

// writeEntraError answers with the error body Entra's token endpoint sends.
func writeEntraError(w http.ResponseWriter, e *entraError) {
	now := time.Now().UTC().Format("2006-01-02 15:04:05Z")
	trace, corr := newGUID(), newGUID()
	writePlainJSON(w, e.status, map[string]any{
		"error": e.code,
		"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s "+
			"Timestamp: %s", e.aadsts, e.text, trace, corr, now),
		"error_codes":    []int{e.aadsts},
		"timestamp":      now,
		"trace_id":       trace,
		"correlation_id": corr,
	})
}

// serveOpenIDConfig answers the OpenID metadata of the tenant, which MSAL
// reads to find the token endpoint.
func (s *sandbox) serveOpenIDConfig(w http.ResponseWriter, r *http.Request, tenant string) {
	s.model.CountRequest()
	s.faults.Serve(w, r, "openid-configuration", func(w http.ResponseWriter) {
		if !strings.EqualFold(tenant, s.creds.Tenant) {
			writeEntraError(w, &entraError{http.StatusBadRequest, "invalid_tenant", 90002,
				fmt.Sprintf("Tenant '%s' not found.", tenant)})
			return
		}
		base := origin(r) + "/" + s.creds.Tenant
		writePlainJSON(w, http.StatusOK, map[string]any{
			"issuer":                                base + "/v2.0",
			"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
			"token_endpoint":                        base + "/oauth2/v2.0/token",
			"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
			"jwks_uri":                              base + "/discovery/v2.0/keys",
			"response_types_supported":              []string{"code", "id_token", "token"},
			"grant_types_supported":                 []string{"client_credentials"},
			"token_endpoint_auth_methods_supported": []string{"client_secret_post"},
			"tenant_region_scope":                   "EU",
		})
	})
}

// issue makes a new bearer token and remembers when it expires.
func (s *sandbox) issue() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	token := base64.RawURLEncoding.EncodeToString(b)

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for t, exp := range s.tokens {
		if !now.Before(exp) {
			delete(s.tokens, t)
		}
	}
	s.tokens[token] = now.Add(s.tokenLifetime)
	return token
}

// authorize checks the bearer token of an API request, answering 401 as
// Business Central does when it is missing, unknown or expired.
func (s *sandbox) authorize(w http.ResponseWriter, r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if ok {
		s.mu.Lock()
		exp, known := s.tokens[strings.TrimSpace(token)]
		s.mu.Unlock()
		if known && s.now().Before(exp) {
			return true
		}
	}

	desc := "The access token is missing or invalid."
	if ok {
		desc = "The access token is invalid or has expired."
	}
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(
		`Bearer authorization_uri="%s/%s/oauth2/authorize", error="invalid_token", `+
			`error_description="%s"`, origin(r), s.creds.Tenant, desc))
	writeError(w, http.StatusUnauthorized, "Authentication_InvalidCredentials",
		"The server has rejected the client credentials.")
	return false
}

// origin returns the scheme and host the request was sent to.
func origin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// writePlainJSON answers v with status as application/json.
func writePlainJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client may be gone; nothing to do then
}

// newGUID returns a random GUID, for correlation ids.
func newGUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
