package netsuitesandbox

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// tokenPath is the OAuth 2.0 token endpoint.
const tokenPath = "/services/rest/auth/oauth2/v1/token"

// tokenLifetime is how long an access token is valid, as NetSuite's are.
const tokenLifetime = time.Hour

// maxAssertionLifetime is the longest exp - iat NetSuite accepts.
const maxAssertionLifetime = time.Hour

// serveToken answers a client credentials grant whose client assertion is
// a JWT signed with the configured certificate's key. A bad assertion gets
// 401 invalid_client, as RFC 7523 asks.
//
// TODO: Oracle does not document the status and error code NetSuite's
// token endpoint gives each refusal; they follow RFC 6749 and RFC 7523 here.
func (s *sandbox) serveToken(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	switch {
	case r.Method != http.MethodPost:
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request")
		return
	case err != nil:
		writeOAuthError(w, http.StatusBadRequest, "invalid_request")
		return
	case form.Get("grant_type") != "client_credentials":
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	case form.Get("client_assertion_type") !=
		"urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	if err := s.checkAssertion(form.Get("client_assertion"), baseURL(r)+tokenPath); err != nil {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}

	token := s.issueToken()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{ // the client may be gone
		"access_token": token, "token_type": "Bearer",
		"expires_in": "3600",
	})
}

func writeOAuthError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code})
}

// jwtHeader and jwtClaims are the parts of a client assertion checked.
type jwtHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

type jwtClaims struct {
	Iss   string          `json:"iss"`
	Aud   json.RawMessage `json:"aud"`
	Scope json.RawMessage `json:"scope"`
	Iat   int64           `json:"iat"`
	Exp   int64           `json:"exp"`
}

// checkAssertion verifies a client assertion: PS256 signed with the
// certificate's key, kid the certificate id, iss the client id, aud the
// token endpoint, a scope with rest_webservices, and a lifetime of at most
// an hour that has not ended.
func (s *sandbox) checkAssertion(jwt, audience string) error {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 || s.creds.PublicKey == nil || s.creds.ClientID == "" {
		return errors.New("not a signed JWT")
	}
	var h jwtHeader
	var c jwtClaims
	if err := decodePart(parts[0], &h); err != nil {
		return err
	}
	if err := decodePart(parts[1], &c); err != nil {
		return err
	}
	if err := s.checkClaims(h, c, audience); err != nil {
		return err
	}
	return verifyPSS(s.creds.PublicKey, h.Alg, parts[0]+"."+parts[1], parts[2])
}

func (s *sandbox) checkClaims(h jwtHeader, c jwtClaims, audience string) error {
	now := s.now().Unix()
	switch {
	case h.Kid == "" || h.Kid != s.creds.CertificateID:
		return errors.New("unknown certificate")
	case c.Iss != s.creds.ClientID:
		return errors.New("unknown client")
	case !contains(c.Aud, audience):
		return errors.New("wrong audience")
	case !contains(c.Scope, "rest_webservices"):
		return errors.New("no rest_webservices scope")
	case c.Exp <= now || c.Iat > now+60 || c.Exp-c.Iat > int64(maxAssertionLifetime/time.Second):
		return errors.New("expired or too long-lived")
	}
	return nil
}

// contains reports whether a string or a list of strings holds want; a
// string may list several values separated by commas or spaces.
func contains(raw json.RawMessage, want string) bool {
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		var one string
		if json.Unmarshal(raw, &one) != nil {
			return false
		}
		list = strings.FieldsFunc(one, func(r rune) bool { return r == ',' || r == ' ' })
	}
	for _, v := range list {
		if v == want {
			return true
		}
	}
	return false
}

func decodePart(part string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// verifyPSS checks an RSASSA-PSS signature of PS256, PS384 or PS512.
func verifyPSS(key *rsa.PublicKey, alg, input, sig string) error {
	hash, ok := map[string]crypto.Hash{"PS256": crypto.SHA256, "PS384": crypto.SHA384,
		"PS512": crypto.SHA512}[alg]
	if !ok {
		return errors.New("unsupported algorithm")
	}
	raw, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return err
	}
	h := hash.New()
	h.Write([]byte(input))
	return rsa.VerifyPSS(key, hash, h.Sum(nil), raw, &rsa.PSSOptions{
		SaltLength: rsa.PSSSaltLengthAuto})
}

// issueToken makes and records a new access token.
func (s *sandbox) issueToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	token := hex.EncodeToString(b)

	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	now := s.now()
	for t, exp := range s.auth.tokens {
		if now.After(exp) {
			delete(s.auth.tokens, t)
		}
	}
	s.auth.tokens[token] = now.Add(tokenLifetime)
	return token
}

// validToken reports whether token was issued and has not expired.
func (s *sandbox) validToken(token string) bool {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	exp, ok := s.auth.tokens[token]
	return ok && s.now().Before(exp)
}

// ExpireTokens ends every access token issued so far, as if an hour had
// passed, so that tests can see a client buy a new one.
func (srv *Server) ExpireTokens() {
	s := srv.s
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	for t := range s.auth.tokens {
		s.auth.tokens[t] = time.Time{}
	}
}
