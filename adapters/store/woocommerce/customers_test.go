package woocommerce

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
)

func TestCustomerRoundTripWithTerms(t *testing.T) {
	e := newEnv(t)
	a, err := e.model.CreateAccount(storesandbox.Account{Customer: storesandbox.Customer{
		Email: "Bea@Example.test", FirstName: "Bea", LastName: "Silva", City: "Lisboa"}})
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(a.ID, 10)

	found, ok, err := e.store.FindCustomerByEmail(t.Context(), "bea@example.TEST")
	if err != nil || !ok || found.ID != id || found.City != "Lisboa" ||
		!found.Modified.Equal(a.Modified) {
		t.Fatalf("FindCustomerByEmail() = %+v, %v, %v; want customer %s", found, ok, err, id)
	}

	e.clock.Set(e.clock.Now().Add(time.Hour))
	limit := int64(250000)
	want := store.CustomerRecord{Customer: store.Customer{ID: id, Email: "bea@example.test",
		FirstName: "Beatriz", LastName: "Silva", Phone: "+351 2", Line1: "Av. 5",
		City: "Porto", PostalCode: "4000-002", Region: "13", Country: "PT"},
		Terms: store.Terms{CreditLimitMinor: &limit, PaymentTerms: "NET30",
			PriceGroup: "WHOLESALE"}}
	updated, err := e.store.UpdateCustomer(t.Context(), id, want)
	if err != nil {
		t.Fatalf("UpdateCustomer() error = %v", err)
	}
	want.Modified = e.clock.Now().UTC().Truncate(time.Second)
	loaded, err := e.store.LoadCustomer(t.Context(), id)
	if err != nil || !sameCustomer(updated, want) || !sameCustomer(loaded, want) {
		t.Errorf("UpdateCustomer() = %+v\nLoadCustomer() = %+v, %v\nwant %+v", updated, loaded,
			err, want)
	}
	stored, _ := e.model.Account(a.ID)
	if stored.Metafields[MetaKeyCreditLimit] != "250000" ||
		stored.Metafields[MetaKeyPaymentTerms] != "NET30" {
		t.Errorf("metafields %v, want the terms under erpsync_ keys", stored.Metafields)
	}

	want.Terms = store.Terms{PaymentTerms: "NET60"}
	if _, err := e.store.UpdateCustomer(t.Context(), id, want); err != nil {
		t.Fatal(err)
	}
	loaded, err = e.store.LoadCustomer(t.Context(), id)
	if err != nil || loaded.Terms.CreditLimitMinor != nil || loaded.Terms.PriceGroup != "" ||
		loaded.Terms.PaymentTerms != "NET60" {
		t.Errorf("terms after clearing the limit %+v, %v; want NET60 only", loaded.Terms, err)
	}
}

func TestCustomerLookupsOfNobody(t *testing.T) {
	e := newEnv(t)
	_, err := e.store.LoadCustomer(t.Context(), "9999")
	if !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("LoadCustomer(9999) error = %v, want not found", err)
	}
	if _, ok, err := e.store.FindCustomerByEmail(t.Context(), "nobody@example.test"); ok ||
		err != nil {
		t.Errorf("FindCustomerByEmail(nobody) = %v, %v; want none", ok, err)
	}
	var invalid *syncerr.InvalidError
	if _, err := e.store.LoadCustomer(t.Context(), "x1"); !errors.As(err, &invalid) {
		t.Errorf("LoadCustomer(x1) error = %v, want invalid", err)
	}
	if n := e.count(http.MethodGet, "/wp-json/wc/v3/customers/x1"); n != 0 {
		t.Errorf("asked the store %d times about a malformed id", n)
	}
}

func TestUpdateCustomerRefusesAnAddressInUse(t *testing.T) {
	e := newEnv(t)
	for _, email := range []string{"one@example.test", "two@example.test"} {
		if _, err := e.model.CreateAccount(storesandbox.Account{
			Customer: storesandbox.Customer{Email: email}}); err != nil {
			t.Fatal(err)
		}
	}
	two, _ := e.model.AccountByEmail("two@example.test")

	_, err := e.store.UpdateCustomer(t.Context(), strconv.FormatInt(two.ID, 10),
		store.CustomerRecord{Customer: store.Customer{Email: "ONE@example.test"}})
	var invalid *syncerr.InvalidError
	if !errors.As(err, &invalid) {
		t.Errorf("UpdateCustomer() error = %v, want invalid", err)
	}
}

// sameCustomer compares customer records, their times as instants.
func sameCustomer(a, b store.CustomerRecord) bool {
	sameLimit := a.Terms.CreditLimitMinor == nil && b.Terms.CreditLimitMinor == nil ||
		a.Terms.CreditLimitMinor != nil && b.Terms.CreditLimitMinor != nil &&
			*a.Terms.CreditLimitMinor == *b.Terms.CreditLimitMinor
	return a.Customer == b.Customer && sameLimit &&
		a.Terms.PaymentTerms == b.Terms.PaymentTerms &&
		a.Terms.PriceGroup == b.Terms.PriceGroup && a.Modified.Equal(b.Modified)
}
