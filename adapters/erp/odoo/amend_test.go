package odoo

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// seedServices adds the service items that charges and refunds are booked
// on.
func (c *contract) seedServices(t *testing.T) {
	t.Helper()
	var items []erpsandbox.Product
	for _, sku := range []string{"SHIPPING", "DISCOUNT", "TAX", "REFUND"} {
		items = append(items, erpsandbox.Product{SKU: sku, Name: sku, Currency: "USD"})
	}
	if _, err := c.model.SeedProducts(items); err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
}

// book creates testOrder(ref) and returns its model id.
func (c *contract) book(t *testing.T, ref string) (erp.SalesOrderRef, int64) {
	t.Helper()
	so, err := c.client.CreateSalesOrder(t.Context(), testOrder(ref))
	if err != nil {
		t.Fatalf("CreateSalesOrder(%s) error = %v", ref, err)
	}
	id, err := parseID("id", so.ID)
	if err != nil {
		t.Fatalf("CreateSalesOrder(%s) id: %v", ref, err)
	}
	return so, id
}

func TestContractCustomerTerms(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		ctx := t.Context()
		limit := int64(500000)
		created, err := c.client.CreateCustomer(ctx, erp.Customer{ExternalID: "demo:c-9",
			Email: "ada@example.com", Name: "Ada", Terms: erp.Terms{CreditLimitMinor: &limit,
				PaymentTerms: "NET30", PriceGroup: "WHOLESALE"}})
		if err != nil {
			t.Fatalf("CreateCustomer() error = %v", err)
		}
		want := erp.Terms{CreditLimitMinor: &limit, PaymentTerms: "NET30",
			PriceGroup: "WHOLESALE"}
		if !sameTerms(created.Terms, want) {
			t.Errorf("CreateCustomer() terms = %s, want %s", termsText(created.Terms),
				termsText(want))
		}
		pid, _ := parseID("id", created.ID)
		stored, _ := c.model.Customer(pid)
		if stored.CreditLimitMinor == nil || *stored.CreditLimitMinor != limit ||
			stored.PaymentTerms != "NET30" || stored.PriceGroup != "WHOLESALE" {
			t.Errorf("model customer = %+v, want limit 500000, NET30, WHOLESALE", stored)
		}

		c.clock.Advance(time.Minute)
		updated, err := c.client.UpdateCustomer(ctx, created.ID, erp.Customer{
			Email: "ada@lovelace.example", Name: "Ada Lovelace", Phone: "+44 1",
			Address: erp.Address{Line1: "12 St James's Square", Line2: "Flat 2",
				City: "London", PostalCode: "SW1Y"},
			Terms: erp.Terms{PaymentTerms: "NET60"}})
		if err != nil {
			t.Fatalf("UpdateCustomer() error = %v", err)
		}
		want.PaymentTerms = "NET60"
		if !sameTerms(updated.Terms, want) || updated.Email != "ada@lovelace.example" ||
			updated.Name != "Ada Lovelace" || updated.Phone != "+44 1" ||
			updated.Address.Line1 != "12 St James's Square" || updated.Address.Line2 != "Flat 2" ||
			updated.Address.City != "London" || updated.Address.PostalCode != "SW1Y" {
			t.Errorf("UpdateCustomer() = %+v terms %s, want contact changed, NET60, rest kept",
				updated, termsText(updated.Terms))
		}

		found, ok, err := c.client.FindCustomer(ctx, erp.CustomerQuery{ExternalID: "demo:c-9"})
		if err != nil || !ok || !sameTerms(found.Terms, want) {
			t.Errorf("FindCustomer() = %s, %v, %v, want %s", termsText(found.Terms), ok, err,
				termsText(want))
		}
		page, err := c.client.ChangedCustomers(ctx, erp.Changes{})
		if err != nil || len(page.Items) != 1 || !sameTerms(page.Items[0].Terms, want) {
			t.Errorf("ChangedCustomers() = %+v, %v, want the customer with %s", page, err,
				termsText(want))
		}
	})
}

func TestContractTermsRefusals(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		ctx := t.Context()
		plain, err := c.client.CreateCustomer(ctx, erp.Customer{Email: "b@example.com"})
		if err != nil {
			t.Fatalf("CreateCustomer() error = %v", err)
		}
		if plain.Terms.CreditLimitMinor != nil || plain.Terms.PaymentTerms != "" ||
			plain.Terms.PriceGroup != "" {
			t.Errorf("CreateCustomer(no terms) terms = %s, want none", termsText(plain.Terms))
		}

		negative := int64(-1)
		tests := []struct {
			name  string
			terms erp.Terms
			field string
		}{
			{"unknown payment terms", erp.Terms{PaymentTerms: "NET999"}, "terms.payment_terms"},
			{"unknown price group", erp.Terms{PriceGroup: "VIP"}, "terms.price_group"},
			{"negative limit", erp.Terms{CreditLimitMinor: &negative},
				"terms.credit_limit_minor"},
		}
		for _, tt := range tests {
			_, err := c.client.UpdateCustomer(ctx, plain.ID, erp.Customer{Terms: tt.terms})
			var invalid *syncerr.InvalidError
			if !errors.As(err, &invalid) || invalid.Field != tt.field {
				t.Errorf("UpdateCustomer(%s) error = %v, want InvalidError on %s", tt.name, err,
					tt.field)
			}
		}
	})
}

func sameTerms(a, b erp.Terms) bool {
	if (a.CreditLimitMinor == nil) != (b.CreditLimitMinor == nil) {
		return false
	}
	if a.CreditLimitMinor != nil && *a.CreditLimitMinor != *b.CreditLimitMinor {
		return false
	}
	return a.PaymentTerms == b.PaymentTerms && a.PriceGroup == b.PriceGroup
}

func termsText(t erp.Terms) string {
	limit := "none"
	if t.CreditLimitMinor != nil {
		limit = formatID(*t.CreditLimitMinor)
	}
	return "{limit " + limit + ", " + t.PaymentTerms + ", " + t.PriceGroup + "}"
}

func TestContractServiceLines(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		c.seedServices(t)
		order := testOrder("demo:4001")
		order.Lines = append(order.Lines,
			erp.Line{SKU: "SHIPPING", Quantity: 1, UnitPriceMinor: 495, Kind: erp.LineShipping,
				Description: "Standard shipping"},
			erp.Line{SKU: "DISCOUNT", Quantity: 1, UnitPriceMinor: -500, Kind: erp.LineDiscount,
				Description: "SPRING10"},
			erp.Line{SKU: "TAX", Quantity: 1, UnitPriceMinor: 322, Kind: erp.LineTax})
		order.ShippingMinor = 495
		order.TotalMinor = 4028 + 495 - 500 + 322

		so, err := c.client.CreateSalesOrder(t.Context(), order)
		if err != nil {
			t.Fatalf("CreateSalesOrder() error = %v", err)
		}
		id, _ := parseID("id", so.ID)
		stored, _ := c.model.SalesOrder(id)
		if stored.TotalMinor != order.TotalMinor || len(stored.Lines) != 5 ||
			stored.Lines[3].UnitPriceMinor != -500 {
			t.Errorf("model order = %+v, want 5 lines, a discount of -500, total %d", stored,
				order.TotalMinor)
		}

		page, err := c.client.ChangedSalesOrders(t.Context(), erp.Changes{})
		if err != nil || len(page.Items) != 1 || page.Items[0].TotalMinor != order.TotalMinor {
			t.Errorf("ChangedSalesOrders() = %+v, %v, want total %d", page, err,
				order.TotalMinor)
		}
	})
}

func TestContractCancelSalesOrder(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		ctx := t.Context()
		so, id := c.book(t, "demo:5001")
		if err := c.client.CancelSalesOrder(ctx, so.ID, "customer asked"); err != nil {
			t.Fatalf("CancelSalesOrder() error = %v", err)
		}
		first, _ := c.model.SalesOrder(id)
		if first.State != erpsandbox.OrderCancelled {
			t.Fatalf("order state = %s, want cancelled", first.State)
		}

		c.clock.Advance(time.Minute)
		if err := c.client.CancelSalesOrder(ctx, so.ID, "customer asked"); err != nil {
			t.Errorf("CancelSalesOrder(again) error = %v, want nil", err)
		}
		again, _ := c.model.SalesOrder(id)
		if !again.Modified.Equal(first.Modified) {
			t.Errorf("second cancel wrote the order at %v, want it untouched", again.Modified)
		}

		if err := c.client.CancelSalesOrder(ctx, "99999", ""); !errors.Is(err,
			syncerr.ErrNotFound) {
			t.Errorf("CancelSalesOrder(unknown) error = %v, want ErrNotFound", err)
		}
		var invalid *syncerr.InvalidError
		if err := c.client.CancelSalesOrder(ctx, "S1", ""); !errors.As(err, &invalid) {
			t.Errorf("CancelSalesOrder(bad id) error = %v, want InvalidError", err)
		}
	})
}

func TestContractCancelShippedOrder(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		so, id := c.book(t, "demo:5002")
		if _, err := c.model.ShipSalesOrder(erpsandbox.Shipment{OrderID: id}); err != nil {
			t.Fatalf("ShipSalesOrder() error = %v", err)
		}

		err := c.client.CancelSalesOrder(t.Context(), so.ID, "too late")
		if !errors.Is(err, erp.ErrShipped) {
			t.Errorf("CancelSalesOrder(shipped) error = %v, want ErrShipped", err)
		}
		if o, _ := c.model.SalesOrder(id); o.State != erpsandbox.OrderConfirmed {
			t.Errorf("shipped order state = %s, want confirmed", o.State)
		}
	})
}

func TestCancelShippedMeanwhile(t *testing.T) {
	var e *env
	var orderID atomic.Int64
	shipFirst := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if bytes.Contains(body, []byte(`"action_cancel"`)) {
				if _, err := e.model.ShipSalesOrder(erpsandbox.Shipment{
					OrderID: orderID.Load()}); err != nil {
					t.Errorf("ShipSalesOrder() error = %v", err)
				}
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			h.ServeHTTP(w, r)
		})
	}
	e = newEnv(t, shipFirst)
	so, err := e.client.CreateSalesOrder(t.Context(), testOrder("demo:5003"))
	if err != nil {
		t.Fatalf("CreateSalesOrder() error = %v", err)
	}
	id, _ := parseID("id", so.ID)
	orderID.Store(id)

	err = e.client.CancelSalesOrder(t.Context(), so.ID, "")
	var invalid *syncerr.InvalidError
	if !errors.Is(err, erp.ErrShipped) || !errors.As(err, &invalid) {
		t.Errorf("CancelSalesOrder(shipped meanwhile) error = %v, want ErrShipped and the "+
			"UserError", err)
	}
	if o, _ := e.model.SalesOrder(id); o.State != erpsandbox.OrderConfirmed {
		t.Errorf("order state = %s, want confirmed", o.State)
	}
}

// refundMemo is a refund of one widget and 5.00 of shipping of the order
// so.
func refundMemo(so erp.SalesOrderRef, ref string) erp.CreditMemo {
	return erp.CreditMemo{ExternalRef: ref, SalesOrderID: so.ID, Currency: "USD",
		Reason: "damaged", RefundedAt: time.Date(2024, 5, 3, 10, 0, 0, 0, time.UTC),
		Lines: []erp.Line{
			{SKU: "W-1", Quantity: 1, UnitPriceMinor: 1999},
			{SKU: "REFUND", Quantity: 1, UnitPriceMinor: 500, Kind: erp.LineRefund,
				Description: "Returned shipping"},
		},
		TotalMinor: 2499}
}

func TestContractCreditMemoIdempotent(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		c.seedServices(t)
		so, id := c.book(t, "demo:6001")
		memo := refundMemo(so, "demo:6001:refund:1")

		first, err := c.client.CreateCreditMemo(t.Context(), memo)
		if err != nil {
			t.Fatalf("CreateCreditMemo() error = %v", err)
		}
		second, err := c.client.CreateCreditMemo(t.Context(), memo)
		if err != nil || second != first || first.Number != "RINV/00001" {
			t.Errorf("CreateCreditMemo(again) = %+v, %v, want %+v RINV/00001", second, err,
				first)
		}

		memos := c.model.CreditMemos()
		if len(memos) != 1 || memos[0].OrderID != id || memos[0].TotalMinor != 2499 ||
			memos[0].ExternalRef != memo.ExternalRef || memos[0].Reason != "damaged" ||
			len(memos[0].Lines) != 2 {
			t.Errorf("model memos = %+v, want one of 24.99 against order %d", memos, id)
		}
	})
}

func TestContractCreditMemoLostAnswers(t *testing.T) {
	for _, op := range []string{"account.move/create", "account.move/action_post"} {
		t.Run(op, func(t *testing.T) {
			eachTransport(t, func(t *testing.T, c *contract) {
				c.seedServices(t)
				so, _ := c.book(t, "demo:6002")
				memo := refundMemo(so, "demo:6002:refund:1")
				if err := c.faults.Enqueue(erpsandbox.Shot{Op: op,
					Kind: erpsandbox.KindDropResponse}); err != nil {
					t.Fatalf("Enqueue() error = %v", err)
				}

				// The adapter looks again after a lost answer, so the
				// first call completes the credit note already.
				first, err := c.client.CreateCreditMemo(t.Context(), memo)
				if err != nil || first.Number != "RINV/00001" {
					t.Fatalf("CreateCreditMemo(lost answer) = %+v, %v, want RINV/00001",
						first, err)
				}
				second, err := c.client.CreateCreditMemo(t.Context(), memo)
				if err != nil || second != first {
					t.Errorf("CreateCreditMemo(again) = %+v, %v, want %+v", second, err, first)
				}
				if n := c.faults.Injected()[erpsandbox.KindDropResponse]; n != 1 {
					t.Errorf("dropped %d answers, want 1", n)
				}
				if memos := c.model.CreditMemos(); len(memos) != 1 {
					t.Errorf("model holds %d credit memos, want 1", len(memos))
				}
			})
		})
	}
}

func TestContractCreditMemoRefusals(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		c.seedServices(t)
		so, _ := c.book(t, "demo:6003")

		mismatch := refundMemo(so, "demo:6003:refund:1")
		mismatch.TotalMinor = 1
		euro := refundMemo(so, "demo:6003:refund:2")
		euro.Currency = "EUR"
		unknownSKU := refundMemo(so, "demo:6003:refund:3")
		unknownSKU.Lines[0].SKU = "NOPE"
		tests := []struct {
			name  string
			memo  erp.CreditMemo
			field string
		}{
			{"total mismatch", mismatch, "total_minor"},
			{"other currency", euro, "currency"},
			{"unknown sku", unknownSKU, "lines[0].sku"},
		}
		for _, tt := range tests {
			_, err := c.client.CreateCreditMemo(t.Context(), tt.memo)
			var invalid *syncerr.InvalidError
			if !errors.As(err, &invalid) || invalid.Field != tt.field {
				t.Errorf("CreateCreditMemo(%s) error = %v, want InvalidError on %s", tt.name,
					err, tt.field)
			}
		}

		unknown := refundMemo(erp.SalesOrderRef{ID: "99999"}, "demo:404:refund:1")
		if _, err := c.client.CreateCreditMemo(t.Context(), unknown); !errors.Is(err,
			syncerr.ErrNotFound) {
			t.Errorf("CreateCreditMemo(unknown order) error = %v, want ErrNotFound", err)
		}
		if n := len(c.model.CreditMemos()); n != 0 {
			t.Errorf("model holds %d credit memos after refusals, want 0", n)
		}
	})
}

func TestContractChangedSalesOrders(t *testing.T) {
	eachTransport(t, func(t *testing.T, c *contract) {
		ctx := t.Context()
		since := c.clock.Now()
		var want []string
		for i, ref := range []string{"demo:7001", "demo:7002", "demo:7003", "demo:7004",
			"demo:7005"} {
			so, _ := c.book(t, ref)
			want = append(want, so.ID)
			if i%2 == 1 { // pairs of orders share a second
				c.clock.Advance(time.Second)
			}
		}
		c.clock.Advance(time.Second)
		if err := c.client.CancelSalesOrder(ctx, want[0], ""); err != nil {
			t.Fatalf("CancelSalesOrder() error = %v", err)
		}
		want = append(want[1:], want[0]) // written last

		q := erp.Changes{Since: since, Limit: 2}
		var got []erp.SalesOrderSummary
		for range 10 {
			page, err := c.client.ChangedSalesOrders(ctx, q)
			if err != nil {
				t.Fatalf("ChangedSalesOrders(%+v) error = %v", q, err)
			}
			got = append(got, page.Items...)
			if page.Next == "" {
				break
			}
			q.Cursor = page.Next
		}

		if len(got) != len(want) {
			t.Fatalf("listed %d orders, want %d: %+v", len(got), len(want), got)
		}
		for i, s := range got {
			if s.ID != want[i] || s.Currency != "USD" || s.TotalMinor != 4028 ||
				s.ExternalRef == "" || s.Cancelled != (i == len(got)-1) ||
				!s.OrderedAt.Equal(testOrder("").OrderedAt) {
				t.Errorf("order %d = %+v, want id %s of 40.28 USD, cancelled only last", i, s,
					want[i])
			}
		}
	})
}
