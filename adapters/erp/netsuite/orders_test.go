package netsuite

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/erp/netsuite/netsuitesandbox"
	"github.com/erpsync/erpsync/internal/httpretry"
	"github.com/erpsync/erpsync/internal/syncerr"
)

func TestCreateAndFindSalesOrder(t *testing.T) {
	for method := range authMethods {
		t.Run(method, func(t *testing.T) {
			e := newEnv(t, method, nil)
			ctx := t.Context()

			if _, found, err := e.client.FindSalesOrder(ctx, "demo:1001"); err != nil || found {
				t.Fatalf("FindSalesOrder() before create = found %v, %v; want none", found, err)
			}
			ref, err := e.client.CreateSalesOrder(ctx, testOrder("demo:1001"))
			if err != nil {
				t.Fatalf("CreateSalesOrder() error = %v", err)
			}
			if ref.ID == "" || !strings.HasPrefix(ref.Number, "S") {
				t.Errorf("CreateSalesOrder() = %+v, want an id and a number", ref)
			}

			got, found, err := e.client.FindSalesOrder(ctx, "demo:1001")
			if err != nil || !found || got != ref {
				t.Errorf("FindSalesOrder() = %+v, %v, %v; want %+v", got, found, err, ref)
			}
			orders := e.ordersWithRef("demo:1001")
			if len(orders) != 1 || orders[0].State != erpsandbox.OrderConfirmed ||
				orders[0].TotalMinor != 4028 || len(orders[0].Lines) != 2 {
				t.Errorf("sandbox orders = %+v, want one confirmed, total 4028, 2 lines", orders)
			}
		})
	}
}

func TestCreateSalesOrderTwiceMakesOneOrder(t *testing.T) {
	e := newEnv(t, "oauth2", nil)
	first, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:1002"))
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}
	second, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:1002"))
	if err != nil {
		t.Fatalf("CreateSalesOrder() again error = %v", err)
	}

	if first != second || len(e.ordersWithRef("demo:1002")) != 1 {
		t.Errorf("two creates gave %+v and %+v, %d orders; want one order",
			first, second, len(e.ordersWithRef("demo:1002")))
	}
	if n := len(e.model.Customers()); n != 1 {
		t.Errorf("customers = %d, want 1", n)
	}
}

func TestUnknownSKUIsInvalid(t *testing.T) {
	e := newEnv(t, "tba", nil)
	o := testOrder("demo:1003")
	o.Lines[1].SKU = "NO-SUCH-SKU"

	_, err := e.client.CreateSalesOrder(t.Context(), o)
	var invalid *syncerr.InvalidError
	if !errors.As(err, &invalid) || invalid.Field != "lines[1].sku" ||
		!strings.Contains(invalid.Reason, "NO-SUCH-SKU") {
		t.Fatalf("CreateSalesOrder() error = %v, want InvalidError on lines[1].sku", err)
	}
	if n := len(e.model.SalesOrders()); n != 0 {
		t.Errorf("sales orders = %d, want none", n)
	}
}

func TestInvalidOrders(t *testing.T) {
	tests := []struct {
		name   string
		change func(o *erp.SalesOrder)
		field  string
	}{
		{"no reference", func(o *erp.SalesOrder) { o.ExternalRef = "" }, "external_ref"},
		{"bad currency", func(o *erp.SalesOrder) { o.Currency = "usd" }, "currency"},
		{"no email", func(o *erp.SalesOrder) { o.Customer.Email = "" }, "customer.email"},
		{"no lines", func(o *erp.SalesOrder) { o.Lines = nil }, "lines"},
		{"zero quantity", func(o *erp.SalesOrder) { o.Lines[0].Quantity = 0 },
			"lines[0].quantity"},
	}
	e := newEnv(t, "tba", nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOrder("demo:1004")
			tt.change(&o)
			_, err := e.client.CreateSalesOrder(t.Context(), o)
			var invalid *syncerr.InvalidError
			if !errors.As(err, &invalid) || invalid.Field != tt.field {
				t.Errorf("CreateSalesOrder() error = %v, want InvalidError on %s", err, tt.field)
			}
		})
	}
}

func TestNetSuiteValidationIsInvalid(t *testing.T) {
	e := newEnv(t, "tba", nil)
	_, err := e.client.do(t.Context(), request{method: http.MethodPut,
		path: "/record/v1/salesOrder/eid:bad-1",
		body: map[string]any{"entity": ref{ID: "999"}}})

	var invalid *syncerr.InvalidError
	if !errors.As(err, &invalid) || invalid.Field != "entity" ||
		!strings.Contains(invalid.Reason, "INVALID_KEY_OR_REF Invalid entity reference key 999") {
		t.Fatalf("upsert with a bad customer: error = %v, want NetSuite's message", err)
	}

	cust, err := e.model.CreateCustomer(erpsandbox.Customer{Name: "Ana"})
	if err != nil {
		t.Fatalf("CreateCustomer() error = %v", err)
	}
	_, err = e.client.do(t.Context(), request{method: http.MethodPut,
		path: "/record/v1/salesOrder/eid:bad-2",
		body: map[string]any{"entity": ref{ID: strconv.FormatInt(cust.ID, 10)},
			"item": map[string]any{"items": []any{
				map[string]any{"item": ref{ID: "999"}, "quantity": 1}}}}})
	if !errors.As(err, &invalid) || invalid.Field != "lines[0].sku" ||
		!strings.Contains(invalid.Reason, "Invalid item reference key 999") {
		t.Fatalf("upsert with a bad item: error = %v, want InvalidError on lines[0].sku", err)
	}
}

func TestRateLimitedCarriesRetryAfter(t *testing.T) {
	e := newEnv(t, "oauth2", func(c *Config) { c.HTTPClient = plainClient })
	e.shoot(t, erpsandbox.Shot{Op: "salesOrder/get", Kind: erpsandbox.KindRateLimit,
		RetryAfterSeconds: 7})

	_, _, err := e.client.FindSalesOrder(t.Context(), "demo:2001")
	var limited *syncerr.RateLimitedError
	if !errors.As(err, &limited) || limited.RetryAfter != 7*time.Second {
		t.Fatalf("FindSalesOrder() error = %v, want RateLimitedError after 7s", err)
	}
}

func TestServerErrorIsUnavailable(t *testing.T) {
	e := newEnv(t, "tba", func(c *Config) { c.HTTPClient = plainClient })
	e.shoot(t, erpsandbox.Shot{Op: "suiteql", Kind: erpsandbox.KindServerError, Status: 502})

	_, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:2002"))
	if !errors.Is(err, syncerr.ErrUnavailable) || syncerr.IsPermanent(err) {
		t.Fatalf("CreateSalesOrder() error = %v, want ErrUnavailable", err)
	}
}

func TestLostAnswerThenFind(t *testing.T) {
	e := newEnv(t, "oauth2", func(c *Config) { c.HTTPClient = plainClient })
	e.shoot(t, erpsandbox.Shot{Op: "salesOrder/upsert", Kind: erpsandbox.KindDropResponse})

	_, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:2003"))
	if !errors.Is(err, syncerr.ErrUnavailable) {
		t.Fatalf("CreateSalesOrder() with the answer lost: error = %v, want ErrUnavailable", err)
	}
	ref, found, err := e.client.FindSalesOrder(t.Context(), "demo:2003")
	if err != nil || !found || ref.ID == "" {
		t.Fatalf("FindSalesOrder() after the lost answer = %+v, %v, %v; want found", ref, found,
			err)
	}
	if n := len(e.ordersWithRef("demo:2003")); n != 1 {
		t.Errorf("orders = %d, want 1", n)
	}
}

func TestLostAnswerRetriedByTransport(t *testing.T) {
	retrying := &http.Client{Timeout: 10 * time.Second,
		Transport: &httpretry.Transport{BaseDelay: time.Millisecond}}
	for method := range authMethods {
		t.Run(method, func(t *testing.T) {
			e := newEnv(t, method, func(c *Config) { c.HTTPClient = retrying })
			e.shoot(t, erpsandbox.Shot{Op: "salesOrder/upsert", Kind: erpsandbox.KindDropResponse})

			_, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:2004"))
			if err != nil {
				t.Fatalf("CreateSalesOrder() error = %v; the upsert should be resent", err)
			}
			if n := len(e.ordersWithRef("demo:2004")); n != 1 {
				t.Errorf("orders = %d, want 1", n)
			}
		})
	}
}

func TestConcurrencyLimit(t *testing.T) {
	slow := erpsandbox.Config{Latency: erpsandbox.LatencyFault{FixedMS: 100}}
	run := func(e *env) []error {
		if err := e.faults.SetConfig(slow); err != nil {
			t.Fatalf("SetConfig() error = %v", err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() { _, _, errs[i] = e.client.FindSalesOrder(t.Context(), "demo:x") })
		}
		wg.Wait()
		return errs
	}

	over := newEnv(t, "tba", func(c *Config) { c.MaxConcurrency = 8; c.HTTPClient = plainClient },
		netsuitesandbox.WithConcurrencyLimit(2))
	limited := 0
	for _, err := range run(over) {
		var rl *syncerr.RateLimitedError
		if errors.As(err, &rl) {
			limited++
		}
	}
	if limited == 0 {
		t.Errorf("8 requests at once over a limit of 2 were all served; want 429s")
	}

	// The client frees a place only when an answer is complete, which the
	// sandbox sends after it has freed its own: the limits may be equal.
	under := newEnv(t, "tba", func(c *Config) { c.MaxConcurrency = 2; c.HTTPClient = plainClient },
		netsuitesandbox.WithConcurrencyLimit(2))
	for i, err := range run(under) {
		if err != nil {
			t.Errorf("request %d under the client's limit: error = %v", i, err)
		}
	}
}

func TestFindSalesOrderHonoursCancellation(t *testing.T) {
	e := newEnv(t, "tba", nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := e.client.FindSalesOrder(ctx, "demo:1"); err == nil {
		t.Fatal("FindSalesOrder() with a cancelled context succeeded")
	}
}

// TestConcurrentCreatesMakeOneOrder sends one order eight times at once:
// the upserts by external id of the order and of its customer make one of
// each.
func TestConcurrentCreatesMakeOneOrder(t *testing.T) {
	e := newEnv(t, "oauth2", nil)
	o := testOrder("demo:4001")
	o.Customer.ExternalID = "shop:cust-4001"

	var wg sync.WaitGroup
	refs := make([]erp.SalesOrderRef, 8)
	errs := make([]error, 8)
	for i := range refs {
		wg.Go(func() { refs[i], errs[i] = e.client.CreateSalesOrder(t.Context(), o) })
	}
	wg.Wait()

	for i := range refs {
		if errs[i] != nil || refs[i] != refs[0] {
			t.Errorf("create %d = %+v, %v; want %+v", i, refs[i], errs[i], refs[0])
		}
	}
	if n := len(e.ordersWithRef("demo:4001")); n != 1 {
		t.Errorf("orders = %d, want 1", n)
	}
	if n := len(e.model.Customers()); n != 1 {
		t.Errorf("customers = %d, want 1", n)
	}
}
