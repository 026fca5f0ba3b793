package sap

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
)

// maxAnswer bounds the answers the client reads.
const maxAnswer = 64 << 20

// odata sends OData V2 requests to the services under one root. It keeps
// the session cookies in a jar of its own and the CSRF token of that
// session, fetched on the first modifying request and again once when SAP
// answers that it is missing or stale.
type odata struct {
	root     string
	user     string
	password string
	http     *http.Client
	log      *zap.Logger
	now      func() time.Time

	// tokenLock lets one caller fetch the token at a time while the others
	// wait, each for as long as its own context allows.
	tokenLock chan struct{}
	mu        sync.Mutex
	token     string
}

func newOData(root, user, password string, hc *http.Client, log *zap.Logger) *odata {
	client := *hc
	if client.Jar == nil {
		// cookiejar.New fails only with options that set a bad public
		// suffix list, and there are none here.
		client.Jar, _ = cookiejar.New(nil)
	}
	return &odata{root: root, user: user, password: password, http: &client, log: log,
		now: time.Now, tokenLock: make(chan struct{}, 1)}
}

// call is one OData request: a resource path below the service root, the
// query options in order, and for writes a JSON body and an If-Match.
type call struct {
	method  string
	service string
	path    string
	query   []param
	body    any
	ifMatch string
}

type param struct{ key, value string }

// String names the call for errors and logs, without its query, which can
// hold customer data.
func (c call) String() string { return c.method + " " + c.service + "/" + c.path }

// do sends c and decodes the "d" of its answer into out, when out is not
// nil. Errors are translated into the syncerr vocabulary.
func (o *odata) do(ctx context.Context, c call, out any) error {
	if c.method == http.MethodGet || c.method == http.MethodHead {
		return translate(c.String(), o.send(ctx, c, "", out))
	}

	token, err := o.csrfToken(ctx, c.service)
	if err != nil {
		return translate("fetch csrf token", err)
	}
	err = o.send(ctx, c, token, out)
	if isCSRFRequired(err) {
		o.log.Info("sap csrf token refused, fetching a new one", zap.String(fieldService,
			c.service))
		o.dropToken(token)
		if token, err = o.csrfToken(ctx, c.service); err != nil {
			return translate("fetch csrf token", err)
		}
		err = o.send(ctx, c, token, out)
	}
	return translate(c.String(), err)
}

// csrfToken returns the session's token, fetching it with a GET of the
// service root when there is none.
func (o *odata) csrfToken(ctx context.Context, service string) (string, error) {
	select {
	case o.tokenLock <- struct{}{}:
		defer func() { <-o.tokenLock }()
	case <-ctx.Done():
		return "", &transportError{err: ctx.Err()}
	}
	o.mu.Lock()
	token := o.token
	o.mu.Unlock()
	if token != "" {
		return token, nil
	}

	req, err := o.newRequest(ctx, call{method: http.MethodGet, service: service}, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("X-CSRF-Token", "Fetch")
	resp, err := o.http.Do(req)
	if err != nil {
		return "", &transportError{err: err}
	}
	defer resp.Body.Close()
	if err := o.check(resp); err != nil {
		return "", err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer)) // keeps the connection

	token = resp.Header.Get("X-CSRF-Token")
	if token == "" || strings.EqualFold(token, "Required") {
		return "", &transportError{err: fmt.Errorf("%s gave no csrf token", service)}
	}
	o.mu.Lock()
	o.token = token
	o.mu.Unlock()
	return token, nil
}

// dropToken forgets token unless another caller replaced it already.
func (o *odata) dropToken(token string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.token == token {
		o.token = ""
	}
}

// send sends one request with token, when not empty, and decodes the
// answer. It returns *httpError for error statuses and *transportError
// when no answer came.
func (o *odata) send(ctx context.Context, c call, token string, out any) error {
	var body []byte
	if c.body != nil {
		var err error
		if body, err = json.Marshal(c.body); err != nil {
			return fmt.Errorf("encode %s body: %w", c, err)
		}
	}
	req, err := o.newRequest(ctx, c, body)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("X-CSRF-Token", token)
	}

	start := time.Now()
	resp, err := o.http.Do(req)
	if err != nil {
		return &transportError{err: err}
	}
	defer resp.Body.Close()
	o.log.Debug("sap call", zap.String(fieldService, c.service), zap.String(fieldPath,
		c.method+" "+pathOnly(c.path)), zap.Int(fieldStatus, resp.StatusCode),
		zap.Duration("duration", time.Since(start)))

	if err := o.check(resp); err != nil {
		return err
	}
	return decodeAnswer(resp, out)
}

// pathOnly drops key predicates, which can hold an e-mail address.
func pathOnly(p string) string {
	if i := strings.Index(p, "("); i >= 0 {
		rest := p[i:]
		if j := strings.Index(rest, ")"); j >= 0 {
			return p[:i] + "(…)" + pathOnly(rest[j+1:])
		}
	}
	return p
}

func (o *odata) newRequest(ctx context.Context, c call, body []byte) (*http.Request, error) {
	target := o.root + c.service + "/" + c.path
	if len(c.query) > 0 {
		target += "?" + encodeQuery(c.query)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, target, rd)
	if err != nil {
		return nil, fmt.Errorf("build %s request: %w", c, err)
	}

	req.SetBasicAuth(o.user, o.password)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.ifMatch != "" {
		req.Header.Set("If-Match", c.ifMatch)
	}
	return req, nil
}

// encodeQuery writes the query options in order, escaping values as
// OData expects (spaces as %20, never +) and keeping "$" in names.
func encodeQuery(params []param) string {
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = p.key + "=" + strings.ReplaceAll(url.QueryEscape(p.value), "+", "%20")
	}
	return strings.Join(parts, "&")
}

// check returns an *httpError for a status other than 2xx.
func (o *odata) check(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20)) // the status is what matters
	he := &httpError{
		status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), now: o.now(),
		csrfRequired: strings.EqualFold(resp.Header.Get("X-CSRF-Token"), "Required"),
	}
	var env errorEnvelope
	if json.Unmarshal(data, &env) == nil {
		he.code, he.message = env.Error.Code, env.Error.Message.Value
		for _, d := range env.Error.InnerError.ErrorDetails {
			if d.Target != "" && he.target == "" {
				he.target = d.Target
			}
		}
	}
	return he
}

// errorEnvelope is SAP Gateway's JSON error body.
type errorEnvelope struct {
	Error struct {
		Code    string `json:"code"`
		Message struct {
			Value string `json:"value"`
		} `json:"message"`
		InnerError struct {
			ErrorDetails []struct {
				Code    string `json:"code"`
				Message string `json:"message"`
				Target  string `json:"target"`
			} `json:"errordetails"`
		} `json:"innererror"`
	} `json:"error"`
}

// decodeAnswer decodes the "d" member of an answer into out.
func decodeAnswer(resp *http.Response, out any) error {
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return &transportError{err: fmt.Errorf("read answer: %w", err)}
	}

	var env struct {
		D json.RawMessage `json:"d"`
	}
	if err := json.Unmarshal(data, &env); err != nil || len(env.D) == 0 {
		return &transportError{err: fmt.Errorf("answer is not an OData V2 JSON envelope")}
	}
	if err := json.Unmarshal(env.D, out); err != nil {
		return &transportError{err: fmt.Errorf("decode answer: %w", err)}
	}
	return nil
}

// collection is the "d" of an answer to a read of entities.
type collection[T any] struct {
	Results []T    `json:"results"`
	Count   string `json:"__count"`
	Next    string `json:"__next"`
}

// more reports whether a listing goes on after this page of at most size
// entities: the page is full, or SAP cut it short with a __next link.
func (c collection[T]) more(size int) bool {
	return len(c.Results) > 0 && (len(c.Results) >= size || c.Next != "")
}

// results is an expanded navigation property to many entities.
type results[T any] struct {
	Results []T `json:"results"`
}

// metadata is the __metadata of an entity.
type metadata struct {
	URI  string `json:"uri"`
	ETag string `json:"etag"`
}

// ifMatch returns the entity's ETag, or "*" when it has none.
func (m metadata) ifMatch() string {
	if m.ETag == "" {
		return "*"
	}
	return m.ETag
}
