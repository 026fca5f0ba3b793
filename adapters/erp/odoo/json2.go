package odoo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/syncerr"
)

// userAgent names erpsync to Odoo, as the JSON-2 documentation recommends.
const userAgent = "erpsync odoo adapter"

// json2 is the executor over Odoo 19's JSON-2 API: one POST per method at
// <base><model>/<method>, the API key as a bearer token, every argument
// named in a JSON object, and the bare result or an error object as the
// answer, with HTTP statuses that mean what they say. Each call is its own
// database transaction on the server.
type json2 struct {
	base string
	db   string
	key  string
	http *http.Client
	log  *zap.Logger
	now  func() time.Time
}

func newJSON2(base, db, key string, hc *http.Client, log *zap.Logger) *json2 {
	return &json2{base: base, db: db, key: key, http: hc, log: log, now: time.Now}
}

// execute runs c and decodes its result into out.
func (t *json2) execute(ctx context.Context, c call, out any) error {
	start := time.Now()
	err := t.post(retryable(ctx, c), c, out)
	t.log.Debug("odoo call", zap.String(fieldModel, c.model), zap.String(fieldMethod, c.method),
		zap.Duration("duration", time.Since(start)), zap.Bool("ok", err == nil))
	return translate(c.String(), err)
}

// body returns the named arguments of c as the JSON object JSON-2 takes.
func body(c call) map[string]any {
	b := make(map[string]any, len(c.args)+len(c.kwargs)+1)
	for _, a := range c.args {
		b[a.name] = a.value
	}
	maps.Copy(b, c.kwargs)
	if c.ids != nil {
		b["ids"] = c.ids
	}
	return b
}

// post sends c and reads the answer. It returns *httpError for statuses
// other than 200 and *transportError when no answer came.
func (t *json2) post(ctx context.Context, c call, out any) error {
	payload, err := json.Marshal(body(c))
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	endpoint := t.base + url.PathEscape(c.model) + "/" + url.PathEscape(c.method)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint,
		bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "bearer "+t.key)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if t.db != "" {
		req.Header.Set("X-Odoo-Database", t.db)
	}

	resp, err := t.http.Do(req)
	if err != nil {
		return &transportError{err: err}
	}
	defer resp.Body.Close()
	return t.readAnswer(resp, out)
}

// errorBody is the JSON object of a JSON-2 error answer.
type errorBody struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

func (t *json2) readAnswer(resp *http.Response, out any) error {
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return &transportError{err: fmt.Errorf("read answer: %w", err)}
	}
	if resp.StatusCode != http.StatusOK {
		var eb errorBody
		_ = json.Unmarshal(data, &eb) // proxies answer HTML; the status still counts
		return &httpError{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"),
			now: t.now(), name: eb.Name, message: eb.Message}
	}

	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decode result: %w: %w", syncerr.ErrUnavailable, err)
	}
	return nil
}
