package woocommerce

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
)

func TestLoadOrderMapsLinesDiscountsShippingTaxAndCustomer(t *testing.T) {
	tests := []struct {
		name          string
		taxesIncluded bool
		wantShipping  int64
	}{
		{"tax added", false, 495},
		{"tax included", true, 495},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			placed := placeOrder(t, e.model, tt.taxesIncluded)
			id := strconv.FormatInt(placed.ID, 10)

			got, err := e.store.LoadOrder(t.Context(), id)
			if err != nil {
				t.Fatalf("LoadOrder(%s) error = %v", id, err)
			}

			want := store.Order{
				ID: id, Number: "1001", Currency: "EUR", PlacedAt: placed.Created,
				UpdatedAt: placed.Modified, TotalMinor: placed.TotalMinor,
				DiscountMinor: 350, ShippingMinor: tt.wantShipping, TaxMinor: 800,
				TaxesIncluded: tt.taxesIncluded, Status: store.OrderOpen,
				Customer: store.Customer{ID: strconv.FormatInt(placed.Customer.ID, 10),
					Email: "ana@example.test", FirstName: "Ana",
					LastName: "Lima", Phone: "+351 1", Line1: "Rua 1", Line2: "2 esq",
					City: "Porto", PostalCode: "4000-001", Region: "13", Country: "PT"},
			}
			if !sameOrder(got, want) {
				t.Errorf("LoadOrder(%s) =\n%+v\nwant\n%+v", id, got, want)
			}
			wantLines := []store.Line{{SKU: "MUG", Name: "Mug", Quantity: 2, UnitPriceMinor: 1250},
				{SKU: "CAP", Name: "Cap", Quantity: 1, UnitPriceMinor: 1900}}
			if !slices.Equal(got.Lines, wantLines) {
				t.Errorf("lines %+v, want %+v", got.Lines, wantLines)
			}
			if sum := addUp(got); sum != got.TotalMinor {
				t.Errorf("lines, discounts, shipping and tax add up to %d, total %d", sum,
					got.TotalMinor)
			}
		})
	}
}

// sameOrder compares the members of orders other than their lines.
func sameOrder(a, b store.Order) bool {
	a.Lines, b.Lines = nil, nil
	return a.ID == b.ID && a.Number == b.Number && a.Currency == b.Currency &&
		a.PlacedAt.Equal(b.PlacedAt) && a.UpdatedAt.Equal(b.UpdatedAt) &&
		a.Customer == b.Customer && a.ShippingMinor == b.ShippingMinor &&
		a.TotalMinor == b.TotalMinor && a.DiscountMinor == b.DiscountMinor &&
		a.TaxMinor == b.TaxMinor && a.TaxesIncluded == b.TaxesIncluded && a.ERPID == b.ERPID &&
		a.Status == b.Status
}

// addUp adds an order up as the mapper upstream checks it.
func addUp(o store.Order) int64 {
	sum := o.ShippingMinor - o.DiscountMinor
	if !o.TaxesIncluded {
		sum += o.TaxMinor
	}
	for _, l := range o.Lines {
		sum += l.Quantity * l.UnitPriceMinor
	}
	return sum
}

func TestLoadOrderRefusesUnknownAndMalformedIDs(t *testing.T) {
	e := newEnv(t)
	if _, err := e.store.LoadOrder(t.Context(), "999"); !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("LoadOrder(999) error = %v, want ErrNotFound", err)
	}
	var invalid *syncerr.InvalidError
	for _, id := range []string{"", "abc", "-3", "007"} {
		if _, err := e.store.LoadOrder(t.Context(), id); !errors.As(err, &invalid) ||
			invalid.Field != "order_id" {
			t.Errorf("LoadOrder(%q) error = %v, want an invalid order_id", id, err)
		}
	}
}

func TestSetERPIDIsIdempotentAndUpdatesOneEntry(t *testing.T) {
	e := newEnv(t)
	o := placeOrder(t, e.model, false)
	id := strconv.FormatInt(o.ID, 10)
	var updates int
	e.model.Watch(func(ev storesandbox.Event) {
		if ev.Topic == storesandbox.TopicOrderUpdated {
			updates++
		}
	})

	for range 2 {
		if err := e.store.SetERPID(t.Context(), id, "SO-1"); err != nil {
			t.Fatalf("SetERPID() error = %v", err)
		}
	}
	if err := e.store.SetERPID(t.Context(), id, "SO-2"); err != nil {
		t.Fatalf("SetERPID(SO-2) error = %v", err)
	}

	got, err := e.store.LoadOrder(t.Context(), id)
	if err != nil || got.ERPID != "SO-2" {
		t.Fatalf("LoadOrder() = %+v, %v; want the ERP id SO-2", got, err)
	}
	stored, _ := e.model.Order(o.ID)
	if len(stored.Metafields) != 1 || updates != 2 {
		t.Errorf("metafields %v after %d updates, want one entry written twice",
			stored.Metafields, updates)
	}
	if n := e.count(http.MethodPut, "/wp-json/wc/v3/orders/"+id); n != 2 {
		t.Errorf("%d PUTs of the order, want 2: an equal id is not written again", n)
	}
	if err := e.store.SetERPID(t.Context(), "999", "SO-3"); !errors.Is(err,
		syncerr.ErrNotFound) {
		t.Errorf("SetERPID(unknown order) error = %v, want ErrNotFound", err)
	}
}

func TestRefusedCredentialsAreAuthErrors(t *testing.T) {
	e := newEnv(t)
	o := placeOrder(t, e.model, false)
	id := strconv.FormatInt(o.ID, 10)

	tlsSrv := httptest.NewTLSServer(e.sandbox)
	t.Cleanup(tlsSrv.Close)
	tests := []struct {
		name, url, secret, wantReason string
		hc                            *http.Client
	}{
		{"oauth over http", e.srv.URL, "cs_wrong", "provided signature does not match", nil},
		{"basic over https", tlsSrv.URL, "cs_wrong", "Consumer secret is invalid",
			tlsSrv.Client()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good := newStore(t, tt.url, testSecret, tt.hc)
			if _, err := good.LoadOrder(t.Context(), id); err != nil {
				t.Fatalf("LoadOrder() with the right secret error = %v", err)
			}

			bad := newStore(t, tt.url, tt.secret, tt.hc)
			_, err := bad.LoadOrder(t.Context(), id)
			var auth *syncerr.AuthError
			if !errors.As(err, &auth) || !strings.Contains(auth.Reason, tt.wantReason) {
				t.Errorf("LoadOrder() with a wrong secret error = %v, want an AuthError "+
					"saying %q", err, tt.wantReason)
			}
			if strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error %q quotes the secret", err)
			}
		})
	}
}

func TestThrottlingAndOutages(t *testing.T) {
	e := newEnv(t)
	o := placeOrder(t, e.model, false)
	id := strconv.FormatInt(o.ID, 10)
	enqueue := func(shots ...erpsandbox.Shot) {
		t.Helper()
		if err := e.faults.Enqueue(shots...); err != nil {
			t.Fatal(err)
		}
	}

	enqueue(erpsandbox.Shot{Op: "orders/get", Kind: erpsandbox.KindRateLimit,
		RetryAfterSeconds: 1})
	if _, err := e.store.LoadOrder(t.Context(), id); err != nil {
		t.Errorf("LoadOrder() after a short 429 error = %v, want it paced and signed again", err)
	}

	enqueue(erpsandbox.Shot{Op: "orders/get", Kind: erpsandbox.KindRateLimit,
		RetryAfterSeconds: 30})
	_, err := e.store.LoadOrder(t.Context(), id)
	var limited *syncerr.RateLimitedError
	if !errors.As(err, &limited) || limited.RetryAfter != 30*time.Second {
		t.Errorf("LoadOrder() after a long 429 error = %v, want RateLimitedError of 30s", err)
	}

	enqueue(erpsandbox.Shot{Op: "orders/get", Kind: erpsandbox.KindServerError, Count: 10})
	if _, err := e.store.LoadOrder(t.Context(), id); !errors.Is(err, syncerr.ErrUnavailable) {
		t.Errorf("LoadOrder() during 503s error = %v, want ErrUnavailable", err)
	}
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	good := Config{URL: "https://shop.example", ConsumerKey: "ck", ConsumerSecret: "cs",
		WebhookSecret: "wh"}
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"no url", func(c *Config) { c.URL = "" }, "url"},
		{"api url", func(c *Config) { c.URL += "/wp-json/wc/v3" }, "site URL"},
		{"no key", func(c *Config) { c.ConsumerKey = "" }, "consumer key"},
		{"no secret", func(c *Config) { c.ConsumerSecret = "" }, "consumer secret"},
		{"negative max age", func(c *Config) { c.MaxAge = -time.Second }, "max age"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			_, err := New(cfg, nil, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New() error = %v, want one naming %q", err, tt.want)
			}
		})
	}
	if _, err := New(good, nil, nil); err != nil {
		t.Errorf("New(%+v) error = %v", good, err)
	}
}
