package netsuite

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/erpsync/erpsync/internal/syncerr"
)

// tokenPath is where NetSuite issues OAuth 2.0 access tokens.
const tokenPath = "/services/rest/auth/oauth2/v1/token"

// jwtBearer is the client assertion type of a signed JWT.
const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionLifetime is how long a client assertion is valid; NetSuite
// refuses more than an hour.
const assertionLifetime = 5 * time.Minute

// tokenMargin is how long before its expiry a token is renewed.
const tokenMargin = time.Minute

// oauth2 authorizes requests with a bearer token bought with a client
// assertion: a JWT signed (PS256) with the certificate's private key.
type oauth2 struct {
	clientID      string
	certificateID string
	key           *rsa.PrivateKey
	tokenURL      string
	now           func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

func newOAuth2(clientID, certificateID string, key *rsa.PrivateKey, tokenURL string) *oauth2 {
	return &oauth2{clientID: clientID, certificateID: certificateID, key: key,
		tokenURL: tokenURL, now: time.Now}
}

// authorize sets a bearer token on req, buying one first when none is
// held or it is about to expire. Concurrent callers wait for one purchase.
func (o *oauth2) authorize(ctx context.Context, req *http.Request, send sender) error {
	o.mu.Lock()
	defer o.mu.Unlock()

	if o.token == "" || o.now().Add(tokenMargin).After(o.expires) {
		if err := o.fetch(ctx, send); err != nil {
			return err
		}
	}
	req.Header.Set("Authorization", "Bearer "+o.token)
	return nil
}

// refused forgets the token that req carried.
func (o *oauth2) refused(req *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if req.Header.Get("Authorization") == "Bearer "+o.token {
		o.token = ""
	}
}

// tokenAnswer is the token endpoint's answer. NetSuite writes expires_in
// as a string; a number is accepted too.
type tokenAnswer struct {
	AccessToken string          `json:"access_token"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
	TokenType   string          `json:"token_type"`
	Error       string          `json:"error"`
}

// fetch buys a token. The caller holds o.mu.
func (o *oauth2) fetch(ctx context.Context, send sender) error {
	assertion, err := o.assertion()
	if err != nil {
		return fmt.Errorf("sign client assertion: %w", err)
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {jwtBearer},
		"client_assertion":      {assertion},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.tokenURL,
		strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("build token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")

	resp, err := send(req)
	if err != nil {
		return fmt.Errorf("request token: %w: %w", syncerr.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	return o.accept(resp)
}

// accept reads the token endpoint's answer. The caller holds o.mu.
func (o *oauth2) accept(resp *http.Response) error {
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("read token answer: %w: %w", syncerr.ErrUnavailable, err)
	}
	if resp.StatusCode != http.StatusOK {
		return tokenError(resp, body)
	}

	var a tokenAnswer
	if err := json.Unmarshal(body, &a); err != nil || a.AccessToken == "" {
		return fmt.Errorf("token answer without a token: %w", syncerr.ErrUnavailable)
	}
	o.token = a.AccessToken
	o.expires = o.now().Add(expiresIn(a.ExpiresIn))
	return nil
}

// tokenError maps a refused token request: throttling and 5xx are
// transient, anything else means the credentials are wrong.
func tokenError(resp *http.Response, body []byte) error {
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return fromStatus(resp, nil)
	}
	var a tokenAnswer
	_ = json.Unmarshal(body, &a) // an unreadable body still refuses the credentials
	reason := "token endpoint answered " + resp.Status
	if a.Error != "" {
		reason += ": " + a.Error
	}
	return &syncerr.AuthError{System: "netsuite", Reason: reason}
}

// expiresIn reads expires_in, a string or a number of seconds; 15 minutes
// when it is missing or malformed.
func expiresIn(raw json.RawMessage) time.Duration {
	s := strings.Trim(string(raw), `"`)
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return 15 * time.Minute
}

// assertion returns a fresh client assertion.
func (o *oauth2) assertion() (string, error) {
	now := o.now().Unix()
	return signJWT(o.key, map[string]any{
		"typ": "JWT", "alg": "PS256", "kid": o.certificateID,
	}, map[string]any{
		"iss":   o.clientID,
		"scope": []string{"rest_webservices"},
		"aud":   o.tokenURL,
		"iat":   now,
		"exp":   now + int64(assertionLifetime/time.Second),
	})
}

// signJWT returns the compact JWS of header and claims, signed with
// RSASSA-PSS and SHA-256.
func signJWT(key *rsa.PrivateKey, header, claims map[string]any) (string, error) {
	h, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	c, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}

	enc := base64.RawURLEncoding
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPSS(rand.Reader, key, crypto.SHA256, digest[:],
		&rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	if err != nil {
		return "", err
	}
	return input + "." + enc.EncodeToString(sig), nil
}

// parsePrivateKey reads an RSA private key in PEM, PKCS#8 or PKCS#1.
func parsePrivateKey(pemText string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(pemText)))
	if block == nil {
		return nil, errors.New("not PEM-encoded")
	}
	if key, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return key, nil
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errors.New("neither a PKCS#8 nor a PKCS#1 private key")
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an RSA key")
	}
	return key, nil
}
