package bigcommerce

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/bigcommerce/bcstoresandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
)

func TestNewRefusesAnIncompleteConfig(t *testing.T) {
	good := Config{StoreHash: "abc123", AccessToken: "t", WebhookSecret: "s"}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"bad url", func(c *Config) { c.URL = "api.bigcommerce.com" }, "url"},
		{"no store hash", func(c *Config) { c.StoreHash = "" }, "store hash"},
		{"store hash with a slash", func(c *Config) { c.StoreHash = "abc/1" }, "store hash"},
		{"no token", func(c *Config) { c.AccessToken = "" }, "access token"},
		{"no webhook secret", func(c *Config) { c.WebhookSecret = "" }, "webhook secret"},
		{"negative max age", func(c *Config) { c.MaxAge = -time.Second }, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.edit(&cfg)
			_, err := New(cfg, nil, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New() error = %v, want one naming %s", err, tt.want)
			}
		})
	}
	s, err := New(good, nil, nil)
	if err != nil || s.api != DefaultURL+"/stores/abc123" || s.cfg.MaxAge != DefaultMaxAge {
		t.Errorf("New(good) = %+v, %v; want BigCommerce's host and the default max age", s, err)
	}
}

func TestRefusedCredentialsAreAnAuthError(t *testing.T) {
	f := newFixture(t, nil)
	placed, err := f.model.CreateOrder(order())
	if err != nil {
		t.Fatal(err)
	}
	s := f.newStore(t, Config{AccessToken: "wrong-token"})

	var auth *syncerr.AuthError
	_, err = s.LoadOrder(t.Context(), strconv.FormatInt(placed.ID, 10))
	if !errors.As(err, &auth) || !strings.Contains(err.Error(), "not authorized") {
		t.Errorf("LoadOrder(wrong token) error = %v, want an AuthError with V2's message", err)
	}
	err = s.SetStock(t.Context(), store.StockUpdate{Levels: []store.StockLevel{
		{SKU: "MUG", Location: "WH-EAST", Available: 1}}})
	if !errors.As(err, &auth) || !strings.Contains(err.Error(), "not a valid combination") {
		t.Errorf("SetStock(wrong token) error = %v, want an AuthError with V3's title", err)
	}
}

// statuses counts the answers of the fixture's sandbox by status.
func statuses(counts *[600]atomic.Int64) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
			h.ServeHTTP(sw, r)
			counts[sw.code].Add(1)
		})
	}
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

func TestTheAdapterSlowsDownWhenTheQuotaIsSpent(t *testing.T) {
	var counts [600]atomic.Int64
	f := newFixture(t, statuses(&counts), bcstoresandbox.WithQuota(2, 300*time.Millisecond),
		bcstoresandbox.WithClock(time.Now))

	began := time.Now()
	for range 6 {
		if _, err := f.store.ChangedOrders(t.Context(), store.Changes{}); err != nil {
			t.Fatalf("ChangedOrders() error = %v", err)
		}
	}
	if took := time.Since(began); took < 500*time.Millisecond || counts[429].Load() != 0 {
		t.Errorf("6 requests on a quota of 2 per 300ms took %s with %d answers 429, want "+
			"two waits for the window and none", took, counts[429].Load())
	}
}

func TestA429IsWaitedOutOrReportedWithItsWait(t *testing.T) {
	tests := []struct {
		name    string
		shot    erpsandbox.Shot
		maxWait time.Duration
		want    time.Duration // the RetryAfter reported; 0 when the call succeeds
	}{
		{"waited out", erpsandbox.Shot{Op: "orders/list", Kind: erpsandbox.KindRateLimit,
			RetryAfterSeconds: 1}, 0, 0},
		{"longer than the call waits", erpsandbox.Shot{Op: "orders/list",
			Kind: erpsandbox.KindRateLimit, RetryAfterSeconds: 3}, time.Second, 3 * time.Second},
		{"persisting", erpsandbox.Shot{Op: "orders/list", Kind: erpsandbox.KindRateLimit,
			Count: throttledAttempts, RetryAfterSeconds: 1}, 0, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var counts [600]atomic.Int64
			f := newFixture(t, statuses(&counts))
			if err := f.faults.Enqueue(tt.shot); err != nil {
				t.Fatal(err)
			}
			s := f.newStore(t, Config{MaxWait: tt.maxWait})

			_, err := s.ChangedOrders(t.Context(), store.Changes{})
			var limited *syncerr.RateLimitedError
			switch {
			case tt.want == 0 && err != nil:
				t.Errorf("ChangedOrders() error = %v after %d answers 429, want it waited out",
					err, counts[429].Load())
			case tt.want != 0 && (!errors.As(err, &limited) || limited.RetryAfter != tt.want):
				t.Errorf("ChangedOrders() error = %v, want a RateLimitedError after %s", err,
					tt.want)
			}
		})
	}
}

func TestThrottleWaitTakesTheLongerHint(t *testing.T) {
	tests := []struct {
		reset, retry string
		want         time.Duration
	}{
		{"1500", "", 1500 * time.Millisecond},
		{"1500", "3", 3 * time.Second},
		{"", "2", 2 * time.Second},
		{"", "", defaultThrottleWait},
		{"soon", "-1", defaultThrottleWait},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.reset != "" {
			h.Set(headerReset, tt.reset)
		}
		if tt.retry != "" {
			h.Set(headerRetryAfter, tt.retry)
		}
		if got := throttleWait(h); got != tt.want {
			t.Errorf("throttleWait(reset %q, retry %q) = %s, want %s", tt.reset, tt.retry,
				got, tt.want)
		}
	}
}

func TestServerFailuresAreUnavailable(t *testing.T) {
	for _, kind := range []erpsandbox.Kind{erpsandbox.KindServerError,
		erpsandbox.KindDropResponse} {
		t.Run(string(kind), func(t *testing.T) {
			f := newFixture(t, nil)
			shot := erpsandbox.Shot{Op: "orders/list", Kind: kind}
			if err := f.faults.Enqueue(shot); err != nil {
				t.Fatal(err)
			}
			_, err := f.store.ChangedOrders(t.Context(), store.Changes{})
			if !errors.Is(err, syncerr.ErrUnavailable) {
				t.Errorf("ChangedOrders() under %s error = %v, want ErrUnavailable", kind, err)
			}
		})
	}
}

func TestErrorAnswersAreTranslated(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		check  func(error) bool
		field  string
		text   string
	}{
		{"v2 validation", 400, `[{"status":400,"message":"The field 'sort' is invalid."}]`,
			isInvalid, "", "The field 'sort' is invalid."},
		{"v3 validation", 422, `{"status":422,"title":"JSON data is missing or invalid",` +
			`"type":"x","errors":{"value":"error.path.missing"}}`, isInvalid, "value",
			"error.path.missing"},
		{"batch", 422, `{"batch_errors":[{"status":422,"title":"Variant 0 is invalid",` +
			`"errors":{"price":"negative"}}]}`, isInvalid, "price", "Variant 0 is invalid"},
		{"metafield batch", 422, `{"data":[],"errors":[{"status":409,"title":"Metafield ` +
			`exists","type":"x"}],"meta":{"total":1,"success":0,"failed":1}}`, isInvalid, "",
			"Metafield exists"},
		{"forbidden", 403, `{"status":403,"title":"You do not have permission"}`,
			isAuth, "", "permission"},
		{"not found", 404, `[{"status":404,"message":"The requested resource was not found."}]`,
			func(err error) bool { return errors.Is(err, syncerr.ErrNotFound) }, "", "not found"},
		{"timeout", 408, ``, isUnavailable, "", "408"},
		{"bad gateway", 502, `<html>bad gateway</html>`, isUnavailable, "", "502"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := translate(parseAPIError(tt.status, []byte(tt.body)))
			var invalid *syncerr.InvalidError
			if !tt.check(err) || !strings.Contains(err.Error(), tt.text) ||
				(errors.As(err, &invalid) && invalid.Field != tt.field) {
				t.Errorf("translate(%d %s) = %v, want field %q and %q", tt.status, tt.body,
					err, tt.field, tt.text)
			}
		})
	}
}

func isInvalid(err error) bool {
	var invalid *syncerr.InvalidError
	return errors.As(err, &invalid)
}

func isAuth(err error) bool {
	var auth *syncerr.AuthError
	return errors.As(err, &auth)
}

func isUnavailable(err error) bool { return errors.Is(err, syncerr.ErrUnavailable) }
