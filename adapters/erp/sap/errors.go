package sap

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/internal/httpretry"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// httpError is an answer with a status other than 2xx, with SAP's error
// code and message when the body had them.
type httpError struct {
	status       int
	retryAfter   string
	now          time.Time
	csrfRequired bool
	code         string
	message      string
	target       string
}

// Error names the status and SAP's code.
func (e *httpError) Error() string {
	s := fmt.Sprintf("http status %d %s", e.status, http.StatusText(e.status))
	if e.code != "" {
		s += " (" + e.code + ")"
	}
	return s
}

// transportError is a failure to exchange a request and an answer: refused
// or dropped connection, timeout, unreadable answer.
type transportError struct {
	err error
}

// Error returns the transport's error.
func (e *transportError) Error() string { return e.err.Error() }

// Unwrap returns the transport's error.
func (e *transportError) Unwrap() error { return e.err }

func isCSRFRequired(err error) bool {
	var he *httpError
	return errors.As(err, &he) && he.status == http.StatusForbidden && he.csrfRequired
}

// translate turns an error of the transport into the syncerr vocabulary,
// naming the operation op.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}

	var (
		he *httpError
		te *transportError
	)
	switch {
	case errors.As(err, &he):
		return fmt.Errorf("%s: %w", op, fromStatus(he))
	case errors.As(err, &te):
		return fmt.Errorf("%s: %w: %w", op, syncerr.ErrUnavailable, te.err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// fromStatus maps an HTTP status: 429 to a rate limit; 5xx, 408 and the
// precondition failures of a concurrent change to unavailable; 401 and 403
// to refused credentials; 404 to not found; any other 4xx to an invalid
// request carrying SAP's code and message.
func fromStatus(he *httpError) error {
	switch {
	case he.status == http.StatusTooManyRequests:
		return &syncerr.RateLimitedError{RetryAfter: httpretry.RetryAfter(he.retryAfter, he.now)}
	case he.status >= 500 || he.status == http.StatusRequestTimeout ||
		he.status == http.StatusPreconditionFailed:
		return fmt.Errorf("%w: %s", syncerr.ErrUnavailable, he.Error())
	case he.status == http.StatusUnauthorized:
		return &syncerr.AuthError{System: "sap", Reason: "user or password refused (" +
			he.Error() + ")"}
	case he.status == http.StatusForbidden:
		return &syncerr.AuthError{System: "sap", Reason: sapReason(he)}
	case he.status == http.StatusNotFound:
		return fmt.Errorf("%w: %s", syncerr.ErrNotFound, sapReason(he))
	}
	return &syncerr.InvalidError{Field: fieldOf(he.target), Reason: sapReason(he)}
}

// sapReason is SAP's code and message, or the status when the body had
// none.
func sapReason(he *httpError) string {
	if he.message == "" {
		return "sap answered " + he.Error()
	}
	if he.code == "" {
		return "sap: " + he.message
	}
	return "sap " + he.code + ": " + he.message
}

// fieldOf names the order field that an error target of a deep insert
// points at, such as "to_Item(1)/Material" for "lines[1].sku".
func fieldOf(target string) string {
	prop := target[strings.LastIndex(target, "/")+1:]
	fields := map[string]string{
		"Material": "sku", "RequestedQuantity": "quantity",
		"SoldToParty": "customer", "PurchaseOrderByCustomer": "external_ref",
		"TransactionCurrency": "currency",
	}
	name, ok := fields[prop]
	if !ok {
		return ""
	}
	if item, ok := strings.CutPrefix(target, "to_Item("); ok {
		if n, _, ok := strings.Cut(item, ")"); ok {
			if _, err := strconv.Atoi(n); err == nil {
				return "lines[" + n + "]." + name
			}
		}
	}
	return name
}
