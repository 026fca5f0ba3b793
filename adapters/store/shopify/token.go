package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/erpsync/erpsync/internal/httpretry"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// tokenMargin is how long before its expiry a token is renewed.
const tokenMargin = 5 * time.Minute

// tokenSource gives the access token of the calls: the fixed one an app
// made in the shop's admin has, or one that the client credentials grant
// of a Dev Dashboard app issued, renewed before it expires.
type tokenSource struct {
	hc       *http.Client
	url      string
	fixed    string
	clientID string
	secret   string
	now      func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// get returns a token. stale, when not empty, is a token the shop refused:
// a new one is asked for unless it was already replaced.
func (t *tokenSource) get(ctx context.Context, stale string) (string, error) {
	if t.fixed != "" {
		return t.fixed, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" && t.token != stale && t.now().Before(t.expires.Add(-tokenMargin)) {
		return t.token, nil
	}

	token, lifetime, err := t.grant(ctx)
	if err != nil {
		return "", err
	}
	t.token, t.expires = token, t.now().Add(lifetime)
	return token, nil
}

// renewable reports whether a refused token can be replaced.
func (t *tokenSource) renewable() bool { return t.fixed == "" }

// grant asks the shop for a token with the app's client id and secret.
func (t *tokenSource) grant(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {t.clientID},
		"client_secret": {t.secret}}
	req, err := http.NewRequestWithContext(httpretry.Idempotent(ctx), http.MethodPost, t.url,
		strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, fmt.Errorf("ask for an access token: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")

	resp, err := t.hc.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("ask for an access token: %w: %w", syncerr.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	return readGrant(resp, raw)
}

// readGrant reads the token endpoint's answer. A refusal of the client's
// credentials is an [*syncerr.AuthError].
func readGrant(resp *http.Response, raw []byte) (string, time.Duration, error) {
	var body struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	decodeErr := json.Unmarshal(raw, &body)
	switch {
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized:
		return "", 0, &syncerr.AuthError{System: system, Reason: strings.TrimSpace(
			body.Error + ": " + body.Description)}
	case resp.StatusCode != http.StatusOK:
		return "", 0, fmt.Errorf("ask for an access token: %w", httpError(resp, raw))
	case decodeErr != nil || body.AccessToken == "" || body.ExpiresIn <= 0:
		return "", 0, fmt.Errorf("ask for an access token: malformed answer: %w",
			syncerr.ErrUnavailable)
	}
	return body.AccessToken, time.Duration(body.ExpiresIn) * time.Second, nil
}
