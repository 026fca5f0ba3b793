package netsuite

import (
	"io"
	"net/http"
	"sync"

	"github.com/erpsync/erpsync/internal/httpretry"
)

// authTransport authorizes every attempt of a request and keeps at most
// cap(slots) of them in flight. It sits below any retrying transport: a
// TBA signature carries a nonce that NetSuite accepts once, so a retry
// must be signed again, and a retry waiting for its backoff must not hold
// a place that another request could use.
type authTransport struct {
	base  http.RoundTripper
	auth  authenticator
	slots chan struct{}
}

// withAuth returns a copy of hc whose requests go through an authTransport
// placed under hc's retrying transport, when it has one.
func withAuth(hc *http.Client, auth authenticator, maxConcurrency int) *http.Client {
	if maxConcurrency <= 0 {
		maxConcurrency = DefaultMaxConcurrency
	}
	return httpretry.Beneath(hc, func(base http.RoundTripper) http.RoundTripper {
		return &authTransport{base: base, auth: auth,
			slots: make(chan struct{}, maxConcurrency)}
	})
}

// RoundTrip waits for a place, authorizes a copy of req and sends it. The
// place is held until the answer's body has been read to its end or
// closed, since NetSuite counts a request until its answer is complete.
func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	select {
	case t.slots <- struct{}{}:
	case <-req.Context().Done():
		closeBody(req)
		return nil, req.Context().Err()
	}
	release := sync.OnceFunc(func() { <-t.slots })

	signed := req.Clone(req.Context())
	if err := t.auth.authorize(req.Context(), signed, t.base.RoundTrip); err != nil {
		release()
		closeBody(req)
		return nil, &authFailure{err: err}
	}
	resp, err := t.base.RoundTrip(signed)
	if err != nil {
		release()
		return nil, err
	}
	if resp.StatusCode == http.StatusUnauthorized {
		t.auth.refused(signed)
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

// releasingBody gives back a place of the authTransport when the body
// ends or is closed.
type releasingBody struct {
	io.ReadCloser
	release func()
}

// Read reads from the body, giving the place back at its end or on error.
func (b *releasingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.release()
	}
	return n, err
}

// Close closes the body and gives the place back.
func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}

// closeBody closes the body of a request that is not sent, as a
// RoundTripper must.
func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// authFailure carries an error of the authenticator through the HTTP
// client, which wraps it in a *url.Error.
type authFailure struct{ err error }

// Error returns the authenticator's error.
func (a *authFailure) Error() string { return a.err.Error() }

// Unwrap returns the authenticator's error.
func (a *authFailure) Unwrap() error { return a.err }
