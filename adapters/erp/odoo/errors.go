package odoo

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/erpsync/erpsync/internal/httpretry"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// Exception class paths of Odoo that the adapter tells apart.
const (
	nameAccessDenied  = "odoo.exceptions.AccessDenied"
	nameAccessError   = "odoo.exceptions.AccessError"
	nameMissingError  = "odoo.exceptions.MissingError"
	nameUserError     = "odoo.exceptions.UserError"
	nameValidation    = "odoo.exceptions.ValidationError"
	nameSerialization = "psycopg2.errors.SerializationFailure"
)

// serverError is an error envelope answered by Odoo.
type serverError struct {
	name    string
	message string
	code    int
}

// Error returns the class path and the message.
func (e *serverError) Error() string { return e.name + ": " + e.message }

// httpError is an HTTP status other than 200. JSON-2 answers carry the
// exception's class path and message too.
type httpError struct {
	status     int
	retryAfter string
	now        time.Time
	name       string
	message    string
}

// Error names the status.
func (e *httpError) Error() string {
	return fmt.Sprintf("http status %d %s", e.status, http.StatusText(e.status))
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

// translate turns an error of the JSON-RPC transport into the syncerr
// vocabulary, naming the operation op. Errors already translated pass
// through with op added.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}

	var (
		se *serverError
		he *httpError
		te *transportError
	)
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("%s: %w", op, fromEnvelope(se))
	case errors.As(err, &he):
		return fmt.Errorf("%s: %w", op, fromStatus(he))
	case errors.As(err, &te):
		return fmt.Errorf("%s: %w: %w", op, syncerr.ErrUnavailable, te.err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// fromEnvelope maps an Odoo exception by its class path. Messages of
// unknown exceptions are left out: they can quote the values of a record.
//
// TODO: builtins.ValueError and TypeError (a request Odoo can never accept,
// such as a field this Odoo version lacks) count as unavailable like every
// unknown exception, so they are retried until the caller gives up; they
// should become permanent once the adapter pins the Odoo versions it supports.
func fromEnvelope(se *serverError) error {
	short := se.name[strings.LastIndex(se.name, ".")+1:]
	switch se.name {
	case nameAccessDenied:
		return &syncerr.AuthError{System: "odoo", Reason: se.message}
	case nameValidation, nameUserError, nameMissingError, nameAccessError:
		return &syncerr.InvalidError{Reason: short + ": " + se.message}
	case nameSerialization:
		return fmt.Errorf("%w: odoo raised %s", syncerr.ErrUnavailable, se.name)
	}
	return fmt.Errorf("%w: odoo raised %s (code %d)", syncerr.ErrUnavailable, se.name, se.code)
}

// fromStatus maps an HTTP status: 429 to a rate limit, 5xx and 408 to
// unavailable, a known Odoo exception as fromEnvelope does, 401 and 403 to
// refused credentials, any other to an invalid request.
func fromStatus(he *httpError) error {
	switch {
	case he.status == http.StatusTooManyRequests:
		return &syncerr.RateLimitedError{RetryAfter: httpretry.RetryAfter(he.retryAfter, he.now)}
	case he.status >= 500 || he.status == http.StatusRequestTimeout:
		return fmt.Errorf("%w: %s", syncerr.ErrUnavailable, he.Error())
	case knownExceptions[he.name]:
		return fromEnvelope(&serverError{name: he.name, message: he.message, code: he.status})
	case he.status == http.StatusUnauthorized || he.status == http.StatusForbidden:
		return &syncerr.AuthError{System: "odoo", Reason: he.Error() + requestFault(he)}
	}
	return &syncerr.InvalidError{Reason: "odoo answered " + he.Error() + requestFault(he)}
}

// knownExceptions are the Odoo exceptions fromEnvelope tells apart.
var knownExceptions = map[string]bool{
	nameAccessDenied: true, nameAccessError: true, nameMissingError: true,
	nameUserError: true, nameValidation: true,
}

// requestFault returns ": <message>" for the HTTP exceptions Odoo raises
// about the request itself (an unknown model or method, a parameter the
// method lacks, a bad API key), whose messages quote no record; and ""
// for anything else.
func requestFault(he *httpError) string {
	if !strings.HasPrefix(he.name, "werkzeug.exceptions.") || he.message == "" {
		return ""
	}
	return ": " + he.message
}
