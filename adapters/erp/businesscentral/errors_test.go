package businesscentral

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/internal/syncerr"
)

func TestTranslate(t *testing.T) {
	tests := []struct {
		name string
		in   apiError
		want func(error) bool
	}{
		{"429", apiError{status: 429, retryAfter: "3"}, func(err error) bool {
			var rl *syncerr.RateLimitedError
			return errors.As(err, &rl) && rl.RetryAfter == 3*time.Second
		}},
		{"503", apiError{status: 503}, isUnavailable},
		{"504 with code", apiError{status: 504, code: "Internal_ServerError"}, isUnavailable},
		{"408", apiError{status: 408}, isUnavailable},
		{"401", apiError{status: 401, code: "Authentication_InvalidCredentials"}, isAuth},
		{"403", apiError{status: 403, code: "Authorization_InsufficientPermissions"}, isAuth},
		{"412", apiError{status: 412, code: codeEntityChanged}, isChanged},
		{"409 entity changed", apiError{status: 409, code: codeEntityChanged}, isChanged},
		{"400 keeps the message", apiError{status: 400, code: "Application_DialogException",
			message: "Blocked must be equal to 'No'"}, func(err error) bool {
			var inv *syncerr.InvalidError
			return errors.As(err, &inv) && strings.Contains(inv.Reason, "Blocked must be")
		}},
		{"404 is invalid unless expected", apiError{status: 404,
			code: "Internal_RecordNotFound"}, func(err error) bool {
			var nf *notFoundError
			return errors.As(err, &nf) && syncerr.IsPermanent(err)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if got := translate(&in); !tt.want(got) {
				t.Errorf("translate(%+v) = %v (%T)", tt.in, got, got)
			}
		})
	}
}

func isUnavailable(err error) bool {
	return errors.Is(err, syncerr.ErrUnavailable) && !syncerr.IsPermanent(err)
}

func isAuth(err error) bool {
	var auth *syncerr.AuthError
	return errors.As(err, &auth) && auth.System == system
}

func isChanged(err error) bool { return errors.Is(err, errEntityChanged) }

func TestTransportErrorsLeaveTheQueryOut(t *testing.T) {
	r := request{method: "GET", url: "https://bc.test/customers?$filter=email eq 'a@b.test'"}
	err := withoutQuery(r, &url.Error{Op: "Get", URL: r.url, Err: errors.New("refused")})
	if strings.Contains(err.Error(), "a@b.test") || !strings.Contains(err.Error(), "refused") {
		t.Errorf("withoutQuery() = %q, want the cause without the query", err)
	}
}

func TestQuoteDoublesQuotes(t *testing.T) {
	if got := quote("o'brien''s"); got != "'o''brien''''s'" {
		t.Errorf("quote() = %s", got)
	}
}
