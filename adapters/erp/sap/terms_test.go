package sap

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

func TestCustomerTermsRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	start := f.clock.Now()
	limit := int64(500000)
	created, err := f.client.CreateCustomer(ctx, erp.Customer{ExternalID: "shop-9",
		Email: "ines@example.com", Name: "Ines Sousa", Phone: "+351 3",
		Address: erp.Address{Line1: "3 Quay", City: "Faro", CountryCode: "PT"},
		Terms:   erp.Terms{CreditLimitMinor: &limit, PaymentTerms: "NT30", PriceGroup: "02"}})
	if err != nil {
		t.Fatalf("CreateCustomer() error = %v", err)
	}
	want := erp.Terms{PaymentTerms: "NT30", PriceGroup: "02"}
	if created.Terms != want {
		t.Errorf("CreateCustomer() terms = %+v, want %+v without a credit limit",
			created.Terms, want)
	}
	stored := f.model.Customers()[0]
	if stored.PaymentTerms != "NT30" || stored.PriceGroup != "02" ||
		stored.CreditLimitMinor != nil {
		t.Errorf("stored customer terms = %q, %q, %v; want NT30, 02 and no credit limit",
			stored.PaymentTerms, stored.PriceGroup, stored.CreditLimitMinor)
	}

	found, ok, err := f.client.FindCustomer(ctx, erp.CustomerQuery{Email: "ines@example.com"})
	if err != nil || !ok || found.Terms != want {
		t.Fatalf("FindCustomer() = %+v, %v, %v; want terms %+v", found, ok, err, want)
	}

	f.clock.Advance(time.Minute)
	updated, err := f.client.UpdateCustomer(ctx, created.ID, erp.Customer{
		Email: "ines@work.example", Name: "Ines Maria Sousa", Phone: "+351 4",
		Address: erp.Address{Line1: "4 Quay", PostalCode: "8000-001"},
		Terms:   erp.Terms{PaymentTerms: "NT60", CreditLimitMinor: &limit}})
	if err != nil {
		t.Fatalf("UpdateCustomer() error = %v", err)
	}
	if updated.Terms != (erp.Terms{PaymentTerms: "NT60", PriceGroup: "02"}) ||
		updated.Email != "ines@work.example" || updated.Name != "Ines Maria Sousa" ||
		updated.Phone != "+351 4" || updated.Address.Line1 != "4 Quay" ||
		updated.Address.PostalCode != "8000-001" || updated.Address.City != "Faro" {
		t.Errorf("UpdateCustomer() = %+v, want new contact fields, NT60 and price group 02 kept",
			updated)
	}
	if got := f.patched(); len(got) == 0 ||
		!strings.Contains(got[len(got)-1], "A_CustomerSalesArea(Customer=") {
		t.Errorf("PATCHed %v, want the sales area last", got)
	}

	changed, _ := listAll(t, f.client.ChangedCustomers, erp.Changes{Since: start})
	if len(changed) != 1 || changed[0].Terms.PaymentTerms != "NT60" ||
		changed[0].Terms.CreditLimitMinor != nil {
		t.Errorf("ChangedCustomers() = %+v, want the customer with NT60", changed)
	}
}

func TestUpdateWithoutTermsLeavesThem(t *testing.T) {
	f := newFixture(t)
	created, err := f.client.CreateCustomer(t.Context(), erp.Customer{Email: "a@example.com",
		Name: "A B", Terms: erp.Terms{PaymentTerms: "NT30", PriceGroup: "02"}})
	if err != nil {
		t.Fatal(err)
	}

	updated, err := f.client.UpdateCustomer(t.Context(), created.ID, erp.Customer{Name: "A C"})
	if err != nil || updated.Terms != created.Terms {
		t.Fatalf("UpdateCustomer() = %+v, %v; want terms %+v kept", updated, err, created.Terms)
	}
	for _, p := range f.patched() {
		if strings.Contains(p, "A_CustomerSalesArea") {
			t.Errorf("PATCHed %s with no terms to write", p)
		}
	}
}

func TestTermsLongerThanSAPFieldsAreInvalid(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		terms erp.Terms
		field string
	}{
		{erp.Terms{PaymentTerms: "NET30"}, "customer.terms.payment_terms"},
		{erp.Terms{PriceGroup: "WHOLESALE"}, "customer.terms.price_group"},
	}
	for _, tt := range tests {
		_, err := f.client.CreateCustomer(t.Context(), erp.Customer{Email: "x@example.com",
			Name: "X Y", Terms: tt.terms})
		var invalid *syncerr.InvalidError
		if !errors.As(err, &invalid) || invalid.Field != tt.field {
			t.Errorf("CreateCustomer(%+v) error = %v, want InvalidError on %s", tt.terms, err,
				tt.field)
		}
	}
	if n := f.model.RequestsServed(); n != 0 {
		t.Errorf("sandbox served %d requests, want none", n)
	}
}

func TestTermsOutsideTheSalesAreaChangeNothing(t *testing.T) {
	f := newFixture(t)
	created, err := f.client.CreateCustomer(t.Context(), erp.Customer{Email: "a@example.com",
		Name: "A B"})
	if err != nil {
		t.Fatal(err)
	}
	other := New(Config{URL: f.url, User: testCreds.User, Password: testCreds.Password,
		SalesOrganization: "1710"})

	_, err = other.UpdateCustomer(t.Context(), created.ID, erp.Customer{Name: "A Changed",
		Terms: erp.Terms{PaymentTerms: "NT30"}})
	var invalid *syncerr.InvalidError
	if !errors.As(err, &invalid) || invalid.Field != "customer.terms" ||
		!strings.Contains(invalid.Reason, "1710/10/00") {
		t.Fatalf("UpdateCustomer() error = %v, want InvalidError naming sales area 1710/10/00",
			err)
	}
	if c := f.model.Customers()[0]; c.Name != "A B" || c.PaymentTerms != "" {
		t.Errorf("customer after the refused update = %+v, want it unchanged", c)
	}
}
