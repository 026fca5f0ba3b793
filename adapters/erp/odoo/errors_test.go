package odoo

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/internal/syncerr"
)

func TestTranslateEnvelope(t *testing.T) {
	tests := []struct {
		name string
		want string // "auth", "invalid" or "unavailable"
	}{
		{"odoo.exceptions.AccessDenied", "auth"},
		{"odoo.exceptions.ValidationError", "invalid"},
		{"odoo.exceptions.UserError", "invalid"},
		{"odoo.exceptions.MissingError", "invalid"},
		{"odoo.exceptions.AccessError", "invalid"},
		{"psycopg2.errors.SerializationFailure", "unavailable"},
		{"builtins.KeyError", "unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := translate("sale.order/create",
				&serverError{name: tt.name, message: "boom", code: 200})
			var (
				auth    *syncerr.AuthError
				invalid *syncerr.InvalidError
				got     string
			)
			switch {
			case errors.As(err, &auth):
				got = "auth"
			case errors.As(err, &invalid):
				got = "invalid"
				if invalid.Reason == "" {
					t.Errorf("InvalidError without Odoo's message: %v", err)
				}
			case errors.Is(err, syncerr.ErrUnavailable):
				got = "unavailable"
			}
			if got != tt.want {
				t.Errorf("translate(%s) = %v (%s), want %s", tt.name, err, got, tt.want)
			}
		})
	}
}

func TestTranslateStatus(t *testing.T) {
	now := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		status     int
		retryAfter string
		wantWait   time.Duration // for 429
		want       string
	}{
		{http.StatusTooManyRequests, "3", 3 * time.Second, "rate"},
		{http.StatusTooManyRequests, "", time.Second, "rate"},
		{http.StatusTooManyRequests, now.Add(90 * time.Second).Format(http.TimeFormat),
			90 * time.Second, "rate"},
		{http.StatusServiceUnavailable, "", 0, "unavailable"},
		{http.StatusBadGateway, "", 0, "unavailable"},
		{http.StatusRequestTimeout, "", 0, "unavailable"},
		{http.StatusUnauthorized, "", 0, "auth"},
		{http.StatusNotFound, "", 0, "invalid"},
	}
	for _, tt := range tests {
		err := translate("common/authenticate",
			&httpError{status: tt.status, retryAfter: tt.retryAfter, now: now})
		var (
			limited *syncerr.RateLimitedError
			auth    *syncerr.AuthError
			invalid *syncerr.InvalidError
			got     string
		)
		switch {
		case errors.As(err, &limited):
			got = "rate"
			if limited.RetryAfter != tt.wantWait {
				t.Errorf("status %d Retry-After %q: wait %v, want %v", tt.status,
					tt.retryAfter, limited.RetryAfter, tt.wantWait)
			}
		case errors.As(err, &auth):
			got = "auth"
		case errors.As(err, &invalid):
			got = "invalid"
		case errors.Is(err, syncerr.ErrUnavailable):
			got = "unavailable"
		}
		if got != tt.want {
			t.Errorf("translate(status %d) = %v (%s), want %s", tt.status, err, got, tt.want)
		}
	}
}

func TestEscapeLike(t *testing.T) {
	if got := escapeLike(`a_b%c\d@x.com`); got != `a\_b\%c\\d@x.com` {
		t.Errorf(`escapeLike(a_b%%c\d@x.com) = %s, want a\_b\%%c\\d@x.com`, got)
	}
}

func TestTranslateJSON2Errors(t *testing.T) {
	tests := []struct {
		name          string
		status        int
		exception     string
		message       string
		want, reveals string
	}{
		{"bad api key", 401, "werkzeug.exceptions.Unauthorized", "Invalid apikey", "auth",
			"Invalid apikey"},
		{"access denied", 403, "odoo.exceptions.AccessDenied", "Access Denied", "auth",
			"Access Denied"},
		{"acl", 403, "odoo.exceptions.AccessError", "not allowed", "invalid", "not allowed"},
		{"validation", 422, "odoo.exceptions.ValidationError", "partner_id is required",
			"invalid", "partner_id is required"},
		{"user error", 422, "odoo.exceptions.UserError", "cannot confirm", "invalid",
			"cannot confirm"},
		{"missing", 404, "odoo.exceptions.MissingError", "Record does not exist", "invalid",
			"Record does not exist"},
		{"unknown argument", 422, "werkzeug.exceptions.UnprocessableEntity",
			"unexpected keyword argument 'x'", "invalid", "unexpected keyword argument"},
		{"unknown model", 404, "werkzeug.exceptions.NotFound", "no such model", "invalid",
			"no such model"},
		{"server bug", 500, "builtins.ValueError", "Invalid field 'x'", "unavailable", ""},
		{"proxy page", 502, "", "", "unavailable", ""},
		{"other exception", 409, "builtins.KeyError", "secret customer", "invalid", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := translate("res.partner/create", &httpError{status: tt.status,
				name: tt.exception, message: tt.message})
			var (
				auth    *syncerr.AuthError
				invalid *syncerr.InvalidError
				got     string
			)
			switch {
			case errors.As(err, &auth):
				got = "auth"
			case errors.As(err, &invalid):
				got = "invalid"
			case errors.Is(err, syncerr.ErrUnavailable):
				got = "unavailable"
			}
			if got != tt.want || !strings.Contains(err.Error(), tt.reveals) {
				t.Errorf("translate(%d %s) = %v (%s), want %s mentioning %q", tt.status,
					tt.exception, err, got, tt.want, tt.reveals)
			}
			if tt.reveals == "" && tt.message != "" && strings.Contains(err.Error(), tt.message) {
				t.Errorf("translate(%d %s) = %v reveals the message of an unknown exception",
					tt.status, tt.exception, err)
			}
		})
	}
}
