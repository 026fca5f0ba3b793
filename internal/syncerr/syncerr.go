// Package syncerr is the small error vocabulary that adapters translate vendor
// errors into, so that activities can decide what is worth retrying and what
// needs a human, without matching on strings.
package syncerr

import (
	"errors"
	"fmt"
	"time"
)

// ErrNotFound reports that a record does not exist on the system asked.
var ErrNotFound = errors.New("not found")

// ErrUnavailable reports a failure that may pass on its own: a timeout, a 5xx,
// a dropped connection. Callers retry it with backoff.
var ErrUnavailable = errors.New("unavailable")

// InvalidError reports a record that the other system rejected, or that cannot
// be mapped, and that retrying unchanged will not fix. Field names the part of
// the record at fault so an operator knows what to correct.
type InvalidError struct {
	Field  string
	Reason string
}

// Invalid returns an [InvalidError] for field with a formatted reason.
func Invalid(field, format string, args ...any) *InvalidError {
	return &InvalidError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Error returns the field and the reason.
func (e *InvalidError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// RateLimitedError reports that the other system refused a request because of
// its rate limit, and how long it asked us to wait before the next one.
type RateLimitedError struct {
	RetryAfter time.Duration
}

// Error names the wait that the other system asked for.
func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("rate limited, retry after %s", e.RetryAfter)
}

// AuthError reports credentials that the other system refused. It is
// permanent until someone fixes the configuration.
type AuthError struct {
	System string
	Reason string
}

// Error names the system that refused the credentials.
func (e *AuthError) Error() string {
	return fmt.Sprintf("%s refused the credentials: %s", e.System, e.Reason)
}

// IsPermanent reports whether err is one that retrying unchanged cannot fix.
func IsPermanent(err error) bool {
	var invalid *InvalidError
	var auth *AuthError
	return errors.As(err, &invalid) || errors.As(err, &auth)
}

// Wrap prefixes a non-nil *err with the operation that it failed in, for a
// deferred call in a function with a named error result:
//
//	defer syncerr.Wrap(&err, "find sales order for %q", ref)
func Wrap(err *error, format string, args ...any) {
	if *err != nil {
		*err = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *err)
	}
}
