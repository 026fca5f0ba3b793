package businesscentral

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

// maxRefreshMargin is how long before its expiry a token is replaced.
const maxRefreshMargin = 5 * time.Minute

// tokenSource fetches bearer tokens with the client credentials grant and
// keeps one until shortly before it expires.
type tokenSource struct {
	hc       *http.Client
	url      string
	clientID string
	secret   string
	scope    string
	now      func() time.Time

	mu      sync.Mutex
	token   string
	renewAt time.Time
}

// tokenResponse is the token endpoint's answer, success or error.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`

	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// get returns a valid token, fetching a new one when there is none, it is
// due for renewal, or it is the token stale that the API just refused.
// Callers take turns, so that concurrent calls fetch one token.
func (ts *tokenSource) get(ctx context.Context, stale string) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()

	if ts.token != "" && ts.token != stale && ts.now().Before(ts.renewAt) {
		return ts.token, nil
	}
	tr, err := ts.fetch(ctx)
	if err != nil {
		return "", err
	}

	lifetime := time.Duration(tr.ExpiresIn) * time.Second
	ts.token = tr.AccessToken
	ts.renewAt = ts.now().Add(lifetime - min(maxRefreshMargin, lifetime/2))
	return ts.token, nil
}

// fetch asks the token endpoint for a new token.
func (ts *tokenSource) fetch(ctx context.Context) (tokenResponse, error) {
	form := url.Values{
		"grant_type": {"client_credentials"}, "client_id": {ts.clientID},
		"client_secret": {ts.secret}, "scope": {ts.scope},
	}
	// Asking for a token twice is harmless, so the retrying transport may
	// resend the request after any failure.
	req, err := http.NewRequestWithContext(httpretry.Idempotent(ctx), http.MethodPost, ts.url,
		strings.NewReader(form.Encode()))
	if err != nil {
		return tokenResponse{}, fmt.Errorf("fetch token: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")

	resp, err := ts.hc.Do(req)
	if err != nil {
		return tokenResponse{}, fmt.Errorf("fetch token: %w: %w", syncerr.ErrUnavailable,
			err)
	}
	defer resp.Body.Close()
	return readToken(resp)
}

// readToken decodes the token endpoint's answer and maps its errors:
// refused client credentials are an AuthError, throttling and server
// errors are transient.
func readToken(resp *http.Response) (tokenResponse, error) {
	var tr tokenResponse
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return tr, fmt.Errorf("fetch token: %w: %w", syncerr.ErrUnavailable, err)
	}
	decodeErr := json.Unmarshal(body, &tr)

	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return tr, fmt.Errorf("fetch token: %w", &syncerr.RateLimitedError{
			RetryAfter: httpretry.RetryAfter(resp.Header.Get("Retry-After"), time.Now())})
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout:
		return tr, fmt.Errorf("fetch token: %w: http status %d", syncerr.ErrUnavailable,
			resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return tr, fmt.Errorf("fetch token: %w", &syncerr.AuthError{System: system,
			Reason: fmt.Sprintf("token endpoint answered %d %s: %s", resp.StatusCode,
				tr.Error, firstLine(tr.Description))})
	case decodeErr != nil || tr.AccessToken == "" || !strings.EqualFold(tr.TokenType, "bearer"):
		return tr, fmt.Errorf("fetch token: %w: the answer holds no bearer token",
			syncerr.ErrUnavailable)
	}
	return tr, nil
}

// firstLine returns the start of an Entra error description, which carries
// the AADSTS code and reason; the trace ids after it say nothing useful.
func firstLine(s string) string {
	if i := strings.Index(s, " Trace ID:"); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}

// setBearer sets the bearer token of req.
func setBearer(req *http.Request, token string) {
	req.Header.Set("Authorization", "Bearer "+token)
}
