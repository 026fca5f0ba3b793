package httpretry

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// script answers each request with the next status of codes, 0 meaning
// "drop the connection", and 200 once the script is used up. It counts the
// requests and checks that every one carries the whole body.
type script struct {
	codes []int
	calls atomic.Int32
	body  string
	t     *testing.T
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(s.calls.Add(1)) - 1
	if b, _ := io.ReadAll(r.Body); string(b) != s.body {
		s.t.Errorf("request %d carried body %q, want %q", n, b, s.body)
	}
	code := http.StatusOK
	if n < len(s.codes) {
		code = s.codes[n]
	}
	if code == 0 {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
		return
	}
	if code == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "0")
	}
	w.WriteHeader(code)
}

func send(t *testing.T, s *script, ctx context.Context, method string) (int, error) {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: &Transport{BaseDelay: time.Millisecond}}

	req, err := http.NewRequestWithContext(ctx, method, srv.URL, strings.NewReader(s.body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func TestIdempotentRequestsAreRetriedThroughTransientFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		method string
		ctx    context.Context
	}{
		{"GET", http.MethodGet, context.Background()},
		{"PUT", http.MethodPut, context.Background()},
		{"POST marked idempotent", http.MethodPost, Idempotent(context.Background())},
	} {
		s := &script{codes: []int{500, 0, 429}, body: `{"q":1}`, t: t}
		code, err := send(t, s, tc.ctx, tc.method)
		if err != nil || code != http.StatusOK || s.calls.Load() != 4 {
			t.Errorf("%s: %d, %v after %d requests; want 200 after 4", tc.name, code, err,
				s.calls.Load())
		}
	}
}

func TestPostIsRetriedOnlyWhenTheServerDidNotProcessIt(t *testing.T) {
	s := &script{codes: []int{429, 503}, body: "create", t: t}
	if code, err := send(t, s, context.Background(), http.MethodPost); err != nil ||
		code != http.StatusOK || s.calls.Load() != 3 {
		t.Errorf("after 429 and 503: %d, %v after %d requests; want 200 after 3", code, err,
			s.calls.Load())
	}

	s = &script{codes: []int{500}, body: "create", t: t}
	if code, _ := send(t, s, context.Background(), http.MethodPost); code != 500 ||
		s.calls.Load() != 1 {
		t.Errorf("after a 500: %d after %d requests; want the 500 after 1", code, s.calls.Load())
	}

	s = &script{codes: []int{0}, body: "create", t: t}
	if _, err := send(t, s, context.Background(), http.MethodPost); err == nil ||
		s.calls.Load() != 1 {
		t.Errorf("after a dropped connection: %v after %d requests; want the error after 1",
			err, s.calls.Load())
	}
}

func TestGivesUpAfterTheAttempts(t *testing.T) {
	s := &script{codes: []int{502, 502, 502, 502, 502}, t: t}
	code, err := send(t, s, context.Background(), http.MethodGet)
	if err != nil || code != 502 || s.calls.Load() != DefaultAttempts {
		t.Errorf("%d, %v after %d requests; want the 502 after %d", code, err, s.calls.Load(),
			DefaultAttempts)
	}
}

func TestLongRetryAfterIsLeftToTheCaller(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()

	client := &http.Client{Transport: &Transport{}}
	began := time.Now()
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || time.Since(began) > time.Second {
		t.Errorf("got %d after %s; want the 429 at once", resp.StatusCode, time.Since(began))
	}
}

func TestWaitEndsWithTheContext(t *testing.T) {
	s := &script{codes: []int{502, 502, 502}, t: t}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := send(t, s, ctx, http.MethodGet); err == nil {
		t.Error("a cancelled request was answered")
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"0", 0},
		{"120", 2 * time.Minute},
		{" 5 ", 5 * time.Second},
		{"", time.Second},
		{"soon", time.Second},
		{"-3", time.Second},
		{"99999999999", 86400 * time.Second},
		{"Wed, 01 May 2024 08:00:30 GMT", 30 * time.Second},
		{"Wed, 01 May 2024 07:00:00 GMT", 0},
	}
	for _, tt := range tests {
		if got := RetryAfter(tt.in, now); got != tt.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// countingTransport counts the requests that pass through it.
type countingTransport struct {
	base  http.RoundTripper
	count atomic.Int32
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.count.Add(1)
	return c.base.RoundTrip(req)
}

func TestBeneathSeesEveryAttempt(t *testing.T) {
	s := &script{codes: []int{503, 503}, t: t}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)

	var under *countingTransport
	wrap := func(base http.RoundTripper) http.RoundTripper {
		under = &countingTransport{base: base}
		return under
	}
	for _, hc := range []*http.Client{
		{Transport: &Transport{BaseDelay: time.Millisecond}},
		{},
	} {
		s.calls.Store(0)
		resp, err := Beneath(hc, wrap).Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()

		_, retries := hc.Transport.(*Transport)
		want := map[bool]int32{true: 3, false: 1}[retries]
		if got := under.count.Load(); got != want || s.calls.Load() != want {
			t.Errorf("retrying %v: %d requests through the wrapper, %d served; want %d",
				retries, got, s.calls.Load(), want)
		}
	}
}
