package activities

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/erpsync/erpsync/internal/syncerr"
)

// Application error types that activities return for failures retrying cannot
// fix. Workflows branch on them with [temporal.ApplicationError.Type]; they
// are recorded in histories, so they never change.
const (
	// ErrTypeInvalid marks a record that cannot be synced as it is: an
	// unknown SKU, a missing e-mail, an ERP validation error.
	ErrTypeInvalid = "InvalidRecord"

	// ErrTypeNotFound marks a record that the source system does not have.
	ErrTypeNotFound = "NotFound"

	// ErrTypeAuth marks credentials that the other system refused.
	ErrTypeAuth = "Unauthorized"
)

// Problem is the detail attached to a non-retryable activity error: the
// field at fault, when known, and a reason a person can act on.
type Problem struct {
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`

	// Version is the store's version of the record at fault, when known,
	// against which an operator may write a patch.
	Version string `json:"version,omitempty"`
}

// String gives the reason prefixed with the field at fault, when known, as
// operators see it: `lines[0].sku: sku "X" is not a product in odoo`.
func (p Problem) String() string {
	if p.Field == "" {
		return p.Reason
	}
	return p.Field + ": " + p.Reason
}

// classifyAt classifies err as classify does, and gives the Problem of an
// invalid record the store's version of it.
func classifyAt(op string, err error, version string) error {
	var invalid *syncerr.InvalidError
	if !errors.As(err, &invalid) {
		return classify(op, err)
	}
	p := Problem{Field: invalid.Field, Reason: invalid.Reason, Version: version}
	return temporal.NewNonRetryableApplicationError(op+": "+err.Error(), ErrTypeInvalid, err, p)
}

// classify turns an adapter error into what Temporal should do with it:
// permanent problems become non-retryable application errors carrying a
// [Problem], rate limits become retryable errors that wait as long as the
// other system asked, and everything else is retried with backoff.
func classify(op string, err error) error {
	var invalid *syncerr.InvalidError
	var auth *syncerr.AuthError
	var limited *syncerr.RateLimitedError

	switch {
	case errors.As(err, &invalid):
		p := Problem{Field: invalid.Field, Reason: invalid.Reason}
		return temporal.NewNonRetryableApplicationError(op+": "+err.Error(), ErrTypeInvalid, err, p)
	case errors.As(err, &auth):
		p := Problem{Reason: auth.Error()}
		return temporal.NewNonRetryableApplicationError(op+": "+err.Error(), ErrTypeAuth, err, p)
	case errors.Is(err, syncerr.ErrNotFound):
		p := Problem{Reason: err.Error()}
		return temporal.NewNonRetryableApplicationError(op+": "+err.Error(), ErrTypeNotFound, err, p)
	case errors.As(err, &limited):
		return temporal.NewApplicationErrorWithOptions(op+": "+err.Error(), "RateLimited",
			temporal.ApplicationErrorOptions{Cause: err, NextRetryDelay: limited.RetryAfter})
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
}
