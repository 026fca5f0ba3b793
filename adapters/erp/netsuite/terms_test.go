package netsuite

import (
	"errors"
	"testing"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

func limit(minor int64) *int64 { return &minor }

func TestCustomerTermsRoundTrip(t *testing.T) {
	e := newEnv(t, "tba", nil)
	ctx := t.Context()
	terms := erp.Terms{CreditLimitMinor: limit(500000), PaymentTerms: "NET30",
		PriceGroup: "WHOLESALE"}

	created, err := e.client.CreateCustomer(ctx, erp.Customer{ExternalID: "shop:c-1",
		Email: "bea@example.com", Name: "Bea Costa", Terms: terms})
	if err != nil {
		t.Fatalf("CreateCustomer() error = %v", err)
	}
	stored, _ := e.model.Customer(mustID(t, created.ID))
	if stored.CreditLimitMinor == nil || *stored.CreditLimitMinor != 500000 ||
		stored.PaymentTerms != "NET30" || stored.PriceGroup != "WHOLESALE" {
		t.Errorf("sandbox customer = %+v, want credit limit 500000, NET30, WHOLESALE", stored)
	}

	found, ok, err := e.client.FindCustomer(ctx, erp.CustomerQuery{ExternalID: "shop:c-1"})
	if err != nil || !ok {
		t.Fatalf("FindCustomer() = %v, %v", ok, err)
	}
	if !sameTerms(found.Terms, terms) {
		t.Errorf("FindCustomer() terms = %+v, want %+v", found.Terms, terms)
	}
	listed, _ := allPages(t, t0, 10, func(q erp.Changes) (erp.Page[erp.CustomerRecord], error) {
		return e.client.ChangedCustomers(ctx, q)
	})
	if len(listed) != 1 || !sameTerms(listed[0].Terms, terms) {
		t.Errorf("ChangedCustomers() = %+v, want one customer with %+v", listed, terms)
	}
}

func TestUpdateCustomerLeavesUnsetTerms(t *testing.T) {
	e := newEnv(t, "oauth2", nil)
	ctx := t.Context()
	created, err := e.client.CreateCustomer(ctx, erp.Customer{Email: "cai@example.com",
		Name: "Cai Ng", Terms: erp.Terms{CreditLimitMinor: limit(120050), PaymentTerms: "NET30",
			PriceGroup: "RETAIL"}})
	if err != nil {
		t.Fatalf("CreateCustomer() error = %v", err)
	}

	updated, err := e.client.UpdateCustomer(ctx, created.ID, erp.Customer{
		Email: "cai.ng@example.com", Name: "Cai Ng Ltd", Phone: "+44 20 7946 0000",
		Address: erp.Address{Line1: "2 High St", City: "Leeds", PostalCode: "LS1 1AA",
			CountryCode: "GB"},
		Terms: erp.Terms{PaymentTerms: "NET60"}})
	if err != nil {
		t.Fatalf("UpdateCustomer() error = %v", err)
	}
	want := erp.Terms{CreditLimitMinor: limit(120050), PaymentTerms: "NET60",
		PriceGroup: "RETAIL"}
	if !sameTerms(updated.Terms, want) {
		t.Errorf("terms after update = %+v, want %+v", updated.Terms, want)
	}
	if updated.Email != "cai.ng@example.com" || updated.Name != "Cai Ng Ltd" ||
		updated.Phone != "+44 20 7946 0000" || updated.Address.City != "Leeds" ||
		updated.Address.CountryCode != "GB" {
		t.Errorf("contact after update = %+v", updated.Customer)
	}

	cleared, err := e.client.UpdateCustomer(ctx, created.ID,
		erp.Customer{Terms: erp.Terms{CreditLimitMinor: limit(0)}})
	got := cleared.Terms
	if err != nil || got.CreditLimitMinor == nil || *got.CreditLimitMinor != 0 ||
		got.PaymentTerms != "NET60" || cleared.Email != "cai.ng@example.com" {
		t.Errorf("UpdateCustomer() credit limit 0 = %+v, %v", cleared, err)
	}
}

func TestUnknownTermsAreInvalid(t *testing.T) {
	e := newEnv(t, "tba", nil)
	tests := []struct {
		terms erp.Terms
		field string
	}{
		{erp.Terms{PaymentTerms: "NET90"}, "terms.payment_terms"},
		{erp.Terms{PriceGroup: "VIP"}, "terms.price_group"},
		{erp.Terms{CreditLimitMinor: limit(-1)}, "terms.credit_limit_minor"},
	}
	for _, tt := range tests {
		_, err := e.client.CreateCustomer(t.Context(), erp.Customer{Email: "x@example.com",
			Name: "X", Terms: tt.terms})
		var invalid *syncerr.InvalidError
		if !errors.As(err, &invalid) || invalid.Field != tt.field {
			t.Errorf("CreateCustomer(%+v) error = %v, want InvalidError on %s", tt.terms, err,
				tt.field)
		}
	}
	if n := len(e.model.Customers()); n != 0 {
		t.Errorf("customers = %d, want none", n)
	}
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
