package netsuite

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/erpsync/erpsync/internal/httpretry"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// errorBody is NetSuite's REST error answer, after RFC 7807.
type errorBody struct {
	Type    string        `json:"type"`
	Title   string        `json:"title"`
	Status  int           `json:"status"`
	Details []errorDetail `json:"o:errorDetails"`
}

// errorDetail is one entry of o:errorDetails.
type errorDetail struct {
	Detail     string `json:"detail"`
	Code       string `json:"o:errorCode"`
	Path       string `json:"o:errorPath"`
	QueryParam string `json:"o:errorQueryParam"`
}

// Error codes of NetSuite that the adapter tells apart.
const (
	codeInvalidLogin     = "INVALID_LOGIN"
	codeNonexistentID    = "NONEXISTENT_ID"
	codeRequestLimit     = "SSS_REQUEST_LIMIT_EXCEEDED"
	codeConcurrencyLimit = "CONCURRENCY_LIMIT_EXCEEDED"
)

// apiError is an error answer of NetSuite, kept so that callers can tell a
// missing record from other failures.
type apiError struct {
	status int
	body   errorBody
	err    error
}

// Error returns the translated error.
func (e *apiError) Error() string { return e.err.Error() }

// Unwrap returns the translated error.
func (e *apiError) Unwrap() error { return e.err }

// code returns the error code of the first detail.
func (e *apiError) code() string {
	if len(e.body.Details) == 0 {
		return ""
	}
	return e.body.Details[0].Code
}

// codeOf returns NetSuite's error code of err, or "".
func codeOf(err error) string {
	var e *apiError
	if errors.As(err, &e) {
		return e.code()
	}
	return ""
}

// fromStatus translates an error answer into the syncerr vocabulary: 429
// and the concurrency limit to a rate limit, 5xx and 408 to unavailable,
// 401 and 403 to refused credentials, any other to an invalid request
// carrying NetSuite's message.
func fromStatus(resp *http.Response, body []byte) error {
	var eb errorBody
	_ = json.Unmarshal(body, &eb) // faults and proxies answer plain text
	e := &apiError{status: resp.StatusCode, body: eb}

	switch code := e.code(); {
	case resp.StatusCode == http.StatusTooManyRequests || code == codeRequestLimit ||
		code == codeConcurrencyLimit:
		e.err = &syncerr.RateLimitedError{
			RetryAfter: httpretry.RetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout:
		e.err = fmt.Errorf("%w: http status %d", syncerr.ErrUnavailable, resp.StatusCode)
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		e.err = &syncerr.AuthError{System: "netsuite", Reason: e.message()}
	default:
		e.err = e.invalid()
	}
	return e
}

// message joins the codes and details of the answer.
func (e *apiError) message() string {
	var parts []string
	for _, d := range e.body.Details {
		parts = append(parts, strings.TrimSpace(d.Code+" "+d.Detail))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("http status %d %s", e.status, http.StatusText(e.status))
	}
	return strings.Join(parts, "; ")
}

// invalid returns an InvalidError naming the field NetSuite blamed, with
// sales order line paths in erpsync's terms.
func (e *apiError) invalid() error {
	field := ""
	if len(e.body.Details) > 0 {
		field = orderField(e.body.Details[0].Path)
		if field == "" {
			field = e.body.Details[0].QueryParam
		}
	}
	return &syncerr.InvalidError{Field: field, Reason: "netsuite: " + e.message()}
}

// linePath matches an error path inside the item sublist.
var linePath = regexp.MustCompile(`^item\.items\[(\d+)\]\.item$`)

// orderField maps an o:errorPath of a sales order to the field of
// erp.SalesOrder it comes from.
func orderField(path string) string {
	if m := linePath.FindStringSubmatch(path); m != nil {
		return "lines[" + m[1] + "].sku"
	}
	return path
}

// notFound reports whether err is NetSuite's answer for a record that
// does not exist.
func notFound(err error) bool {
	var e *apiError
	if !errors.As(err, &e) {
		return false
	}
	return e.status == http.StatusNotFound || e.code() == codeNonexistentID
}
