package shopify_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store/shopify"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// TestAnswersAreTranslated feeds the adapter answers that Shopify, or a
// proxy before it, can give, and checks what LoadOrder makes of them.
func TestAnswersAreTranslated(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header map[string]string
		body   string
		check  func(error) bool
		want   string
	}{
		{"not json", 200, nil, "<html>gateway</html>", isUnavailable, "malformed answer"},
		{"no data", 200, nil, `{"data":null}`, isUnavailable, "no data"},
		{"malformed data", 200, nil, `{"data":{"order":{"number":"x"}}}`, isUnavailable,
			"malformed data"},
		{"malformed errors", 200, nil, `{"errors":7}`, isUnavailable, "malformed errors"},
		{"unknown field", 200, nil, `{"errors":[{"message":"Field 'x' doesn't exist on ` +
			`type 'Order'","path":["query","order","x"],"extensions":{"code":` +
			`"undefinedField"}}]}`, isInvalid, "doesn't exist"},
		{"access denied", 200, nil, `{"errors":[{"message":"Access denied for order field.",` +
			`"extensions":{"code":"ACCESS_DENIED"}}]}`, isAuth, "Access denied"},
		{"internal error", 200, nil, `{"errors":[{"message":"Internal error. Looks like ` +
			`something went wrong on our end.","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`,
			isUnavailable, "Internal error"},
		{"forbidden", 403, nil, `{"errors":"[API] This action requires merchant approval ` +
			`for read_orders scope."}`, isAuth, "merchant approval"},
		{"not found", 404, nil, `{"errors":"Not Found"}`, isNotFound, "not found"},
		{"rate limited", 429, map[string]string{"Retry-After": "7"}, `{"errors":"Throttled"}`,
			isRateLimited(7 * time.Second), "retry after 7s"},
		{"bad gateway", 502, nil, "bad gateway", isUnavailable, "502"},
		{"bad request", 400, nil, `{"errors":{"query":"Required parameter missing or invalid"}}`,
			isInvalid, "Required parameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
				_ *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			st, err := shopify.New(shopify.Config{URL: srv.URL, AccessToken: "t",
				WebhookSecret: "s"}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}

			_, err = st.LoadOrder(t.Context(), "1")
			if err == nil || !tt.check(err) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadOrder() error = %v, want one of its kind naming %q", err, tt.want)
			}
		})
	}
}

func isUnavailable(err error) bool { return errors.Is(err, syncerr.ErrUnavailable) }

func isNotFound(err error) bool { return errors.Is(err, syncerr.ErrNotFound) }

func isInvalid(err error) bool {
	var invalid *syncerr.InvalidError
	return errors.As(err, &invalid)
}

func isAuth(err error) bool {
	var auth *syncerr.AuthError
	return errors.As(err, &auth)
}

func isRateLimited(wait time.Duration) func(error) bool {
	return func(err error) bool {
		var limited *syncerr.RateLimitedError
		return errors.As(err, &limited) && limited.RetryAfter == wait
	}
}
