package netsuite

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/httpretry"
	"github.com/erpsync/erpsync/internal/oauth1"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// restPath is where the REST web services live under the host base.
const restPath = "/services/rest"

// maxAnswer bounds the answers the client reads.
const maxAnswer = 32 << 20

// request is one REST call: a path under /services/rest, query
// parameters, an optional JSON body and headers.
type request struct {
	method string
	path   string
	query  url.Values
	body   any
	header http.Header

	// idempotent marks a POST that may be sent twice, such as a query.
	idempotent bool
}

// response is what the server answered: status, headers and body.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends r and returns its answer when the status is 2xx, or an error
// in the syncerr vocabulary. A refused bearer token is renewed once.
func (c *Client) do(ctx context.Context, r request) (response, error) {
	resp, err := c.send(ctx, r)
	var ae *syncerr.AuthError
	if errors.As(err, &ae) && resp.status == http.StatusUnauthorized {
		if _, bearer := c.auth.(*oauth2); bearer {
			resp, err = c.send(ctx, r)
		}
	}
	return resp, err
}

// send sends r once through the HTTP client.
func (c *Client) send(ctx context.Context, r request) (response, error) {
	req, err := c.newRequest(ctx, r)
	if err != nil {
		return response{}, err
	}

	resp, err := c.hc.Do(req)
	if err != nil {
		var af *authFailure
		if errors.As(err, &af) {
			return response{}, af.err
		}
		return response{}, fmt.Errorf("%w: %w", syncerr.ErrUnavailable, err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return response{}, fmt.Errorf("read answer: %w: %w", syncerr.ErrUnavailable, err)
	}
	out := response{status: resp.StatusCode, header: resp.Header, body: body}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err := fromStatus(resp, body)
		c.log.Debug("netsuite refused a request", zap.String(fieldMethod, r.method),
			zap.Int(fieldStatus, resp.StatusCode), zap.String(fieldCode, codeOf(err)))
		return out, err
	}
	return out, nil
}

// newRequest builds the HTTP request of r.
func (c *Client) newRequest(ctx context.Context, r request) (*http.Request, error) {
	u := c.base + restPath + r.path
	if len(r.query) > 0 {
		u += "?" + encodeQuery(r.query)
	}
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("encode request body: %w", err)
		}
		body = bytes.NewReader(b)
	}
	if r.idempotent {
		ctx = httpretry.Idempotent(ctx)
	}

	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	req.Header.Set("Accept", "application/json")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// encodeQuery encodes query parameters as RFC 3986 says, with %20 for a
// space, so that the signature base string and the wire agree.
func encodeQuery(q url.Values) string {
	var parts []string
	for k, vs := range q {
		for _, v := range vs {
			parts = append(parts, oauth1.Encode(k)+"="+oauth1.Encode(v))
		}
	}
	return strings.Join(parts, "&")
}

// locationID reads the internal id at the end of a Location header, as
// NetSuite answers a create or an upsert.
func locationID(h http.Header) (string, error) {
	loc := strings.TrimRight(h.Get("Location"), "/")
	id := loc[strings.LastIndex(loc, "/")+1:]
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return "", fmt.Errorf("answer has no record id in its Location header: %w",
			syncerr.ErrUnavailable)
	}
	return id, nil
}
