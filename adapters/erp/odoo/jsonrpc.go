package odoo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/httpretry"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// maxAnswer bounds the JSON-RPC answers the client reads.
const maxAnswer = 64 << 20

// jsonRPC is the executor over Odoo's classic JSON-RPC endpoint. It gets the
// user id with common.authenticate on first use, keeps it, and sends it
// with the password or API key on every object.execute_kw call.
type jsonRPC struct {
	endpoint string
	db       string
	login    string
	secret   string
	http     *http.Client
	log      *zap.Logger
	now      func() time.Time

	nextID atomic.Int64
	uid    atomic.Int64
	// authLock lets one caller authenticate at a time while the others
	// wait, each for as long as its own context allows.
	authLock chan struct{}
}

func newJSONRPC(endpoint, db, login, secret string, hc *http.Client,
	log *zap.Logger) *jsonRPC {
	return &jsonRPC{
		endpoint: endpoint, db: db, login: login, secret: secret,
		http: hc, log: log, now: time.Now,
		authLock: make(chan struct{}, 1),
	}
}

// execute runs c with the cached user id. When the server refuses the
// credentials of a cached id, it authenticates again once and retries:
// Odoo checks credentials before running the method, so nothing ran.
func (t *jsonRPC) execute(ctx context.Context, c call, out any) error {
	uid, cached, err := t.session(ctx)
	if err != nil {
		return err
	}

	err = t.executeAs(ctx, uid, c, out)
	if cached && isAccessDenied(err) {
		t.log.Info("odoo credentials refused for cached session, authenticating again")
		t.uid.CompareAndSwap(uid, 0)
		if uid, _, err = t.session(ctx); err != nil {
			return err
		}
		err = t.executeAs(ctx, uid, c, out)
	}
	return translate(c.String(), err)
}

func (t *jsonRPC) executeAs(ctx context.Context, uid int64, c call, out any) error {
	args := make([]any, 0, len(c.args)+1)
	if c.ids != nil {
		args = append(args, c.ids)
	}
	for _, a := range c.args {
		args = append(args, a.value)
	}
	kwargs := c.kwargs
	if kwargs == nil {
		kwargs = map[string]any{}
	}

	start := time.Now()
	err := t.post(retryable(ctx, c), "object", "execute_kw",
		[]any{t.db, uid, t.secret, c.model, c.method, args, kwargs}, out)
	t.log.Debug("odoo call", zap.String(fieldModel, c.model), zap.String(fieldMethod, c.method),
		zap.Duration("duration", time.Since(start)), zap.Bool("ok", err == nil))
	return err
}

// session returns the user id, authenticating when none is cached, and
// whether it came from the cache.
func (t *jsonRPC) session(ctx context.Context) (int64, bool, error) {
	if uid := t.uid.Load(); uid != 0 {
		return uid, true, nil
	}

	select {
	case t.authLock <- struct{}{}:
		defer func() { <-t.authLock }()
	case <-ctx.Done():
		return 0, false, fmt.Errorf("wait for odoo authentication: %w: %w",
			syncerr.ErrUnavailable, ctx.Err())
	}
	if uid := t.uid.Load(); uid != 0 {
		return uid, true, nil // another caller authenticated meanwhile
	}

	uid, err := t.authenticate(ctx)
	if err != nil {
		return 0, false, err
	}
	t.uid.Store(uid)
	return uid, false, nil
}

// authenticate calls common.authenticate, which answers a user id or false.
func (t *jsonRPC) authenticate(ctx context.Context) (int64, error) {
	var result json.RawMessage
	err := t.post(httpretry.Idempotent(ctx), "common", "authenticate",
		[]any{t.db, t.login, t.secret, map[string]any{}}, &result)
	if err != nil {
		return 0, translate("common/authenticate", err)
	}

	var uid int64
	if err := json.Unmarshal(result, &uid); err != nil || uid <= 0 {
		return 0, &syncerr.AuthError{System: "odoo",
			Reason: fmt.Sprintf("login or password refused for database %q", t.db)}
	}
	t.log.Info("odoo authenticated", zap.Int64("uid", uid))
	return uid, nil
}

// request is a JSON-RPC request as Odoo expects it.
type request struct {
	JSONRPC string        `json:"jsonrpc"`
	Method  string        `json:"method"`
	ID      int64         `json:"id"`
	Params  requestParams `json:"params"`
}

type requestParams struct {
	Service string `json:"service"`
	Method  string `json:"method"`
	Args    []any  `json:"args"`
}

// answer is a JSON-RPC answer: a result or an error envelope.
type answer struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *envelope       `json:"error"`
}

type envelope struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    struct {
		Name    string `json:"name"`
		Message string `json:"message"`
	} `json:"data"`
}

// post sends one JSON-RPC call and decodes its result into out. It returns
// *serverError for error envelopes, *httpError for HTTP errors and the
// transport's error otherwise; translate turns them into syncerr errors.
func (t *jsonRPC) post(ctx context.Context, service, method string, args []any, out any) error {
	id := t.nextID.Add(1)
	body, err := json.Marshal(request{JSONRPC: "2.0", Method: "call", ID: id,
		Params: requestParams{Service: service, Method: method, Args: args}})
	if err != nil {
		return fmt.Errorf("encode %s.%s request: %w", service, method, err)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build %s.%s request: %w", service, method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")

	resp, err := t.http.Do(req)
	if err != nil {
		return &transportError{err: err}
	}
	defer resp.Body.Close()

	return t.readAnswer(resp, out)
}

// readAnswer checks the HTTP status, then the envelope, then decodes the
// result into out.
func (t *jsonRPC) readAnswer(resp *http.Response, out any) error {
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return &transportError{err: fmt.Errorf("read answer: %w", err)}
	}
	if resp.StatusCode != http.StatusOK {
		return &httpError{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"),
			now: t.now()}
	}

	var a answer
	if err := json.Unmarshal(data, &a); err != nil {
		return &transportError{err: fmt.Errorf("answer is not JSON-RPC: %w", err)}
	}
	if a.Error != nil {
		return &serverError{name: a.Error.Data.Name, message: a.Error.Data.Message,
			code: a.Error.Code}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(a.Result, out); err != nil {
		return fmt.Errorf("decode result: %w: %w", syncerr.ErrUnavailable, err)
	}
	return nil
}

func isAccessDenied(err error) bool {
	var se *serverError
	return errors.As(err, &se) && se.name == nameAccessDenied
}
