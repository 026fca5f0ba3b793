package bigcommerce

import (
	"errors"
	"maps"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
)

func TestCustomerRoundTripWithTerms(t *testing.T) {
	f := newFixture(t, nil)
	acct, err := f.model.CreateAccount(storesandbox.Account{Customer: storesandbox.Customer{
		Email: "Bea@Example.test", FirstName: "Bea", LastName: "Costa"}})
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(acct.ID, 10)

	found, ok, err := f.store.FindCustomerByEmail(t.Context(), "bea@example.TEST")
	if err != nil || !ok || found.ID != id || !found.Modified.Equal(acct.Modified) {
		t.Fatalf("FindCustomerByEmail() = %+v, %v, %v; want customer %s", found, ok, err, id)
	}

	f.clock.Advance(time.Minute)
	limit := int64(500000)
	want := store.CustomerRecord{Customer: store.Customer{Email: "bea@example.test",
		FirstName: "Beatriz", LastName: "Costa", Phone: "+351 22 000 0000",
		Line1: "2 Quay Road", City: "Porto", PostalCode: "4000-001", Region: "Porto",
		Country: "PT"},
		Terms: store.Terms{CreditLimitMinor: &limit, PaymentTerms: "NET30",
			PriceGroup: "WHOLESALE"}}
	got, err := f.store.UpdateCustomer(t.Context(), id, want)
	if err != nil {
		t.Fatalf("UpdateCustomer() error = %v", err)
	}
	want.ID = id
	sameRecord(t, got, want)
	if !got.Modified.After(acct.Modified) {
		t.Errorf("Modified = %s, want after %s", got.Modified, acct.Modified)
	}
	stored, _ := f.model.Account(acct.ID)
	wantMeta := map[string]string{"erpsync.credit_limit": "500000",
		"erpsync.payment_terms": "NET30", "erpsync.price_group": "WHOLESALE"}
	if !maps.Equal(stored.Metafields, wantMeta) {
		t.Errorf("metafields = %v, want %v", stored.Metafields, wantMeta)
	}

	loaded, err := f.store.LoadCustomer(t.Context(), id)
	if err != nil {
		t.Fatalf("LoadCustomer() error = %v", err)
	}
	sameRecord(t, loaded, want)
}

// sameRecord compares a customer record with want, but for Modified.
func sameRecord(t *testing.T, got, want store.CustomerRecord) {
	t.Helper()
	if got.Customer != want.Customer || got.Terms.PaymentTerms != want.Terms.PaymentTerms ||
		got.Terms.PriceGroup != want.Terms.PriceGroup ||
		(got.Terms.CreditLimitMinor == nil) != (want.Terms.CreditLimitMinor == nil) ||
		(got.Terms.CreditLimitMinor != nil &&
			*got.Terms.CreditLimitMinor != *want.Terms.CreditLimitMinor) {
		t.Errorf("record = %+v %+v, want %+v %+v", got.Customer, got.Terms, want.Customer,
			want.Terms)
	}
}

func TestUpdateCustomerAgainWritesNothingAndClearsTerms(t *testing.T) {
	f := newFixture(t, nil)
	acct, err := f.model.CreateAccount(storesandbox.Account{Customer: storesandbox.Customer{
		Email: "cai@example.test", FirstName: "Cai", Line1: "3 Mill Lane", City: "Leeds",
		Country: "GB"}})
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(acct.ID, 10)
	limit := int64(0)
	rec := store.CustomerRecord{Customer: store.Customer{Email: "cai@example.test",
		FirstName: "Cai", Line1: "3 Mill Lane", City: "Leeds", Country: "GB"},
		Terms: store.Terms{CreditLimitMinor: &limit, PaymentTerms: "NET10"}}
	if _, err := f.store.UpdateCustomer(t.Context(), id, rec); err != nil {
		t.Fatalf("UpdateCustomer() error = %v", err)
	}

	writes := func() int {
		n := 0
		for call, count := range f.allRequests() {
			if call[:len(http.MethodGet)] != http.MethodGet {
				n += count
			}
		}
		return n
	}
	before := writes()
	if _, err := f.store.UpdateCustomer(t.Context(), id, rec); err != nil {
		t.Fatalf("UpdateCustomer() again error = %v", err)
	}
	if n := writes() - before; n != 0 {
		t.Errorf("%d writes for an unchanged record, want none", n)
	}

	rec.Terms = store.Terms{}
	got, err := f.store.UpdateCustomer(t.Context(), id, rec)
	if err != nil {
		t.Fatalf("UpdateCustomer() without terms error = %v", err)
	}
	stored, _ := f.model.Account(acct.ID)
	if got.Terms.CreditLimitMinor != nil || got.Terms.PaymentTerms != "" ||
		len(stored.Metafields) != 0 {
		t.Errorf("terms = %+v, metafields %v; want none left", got.Terms, stored.Metafields)
	}
}

func TestCustomersThatAreNotThere(t *testing.T) {
	f := newFixture(t, nil)
	if _, err := f.store.LoadCustomer(t.Context(), "999999"); !errors.Is(err,
		syncerr.ErrNotFound) {
		t.Errorf("LoadCustomer(unknown) error = %v, want ErrNotFound", err)
	}
	_, ok, err := f.store.FindCustomerByEmail(t.Context(), "nobody@example.test")
	if ok || err != nil {
		t.Errorf("FindCustomerByEmail(unknown) = %v, %v; want not found", ok, err)
	}
	var invalid *syncerr.InvalidError
	if _, _, err := f.store.FindCustomerByEmail(t.Context(), "a,b@x"); !errors.As(err,
		&invalid) {
		t.Errorf("FindCustomerByEmail(bad) error = %v, want an InvalidError", err)
	}
	_, err = f.store.UpdateCustomer(t.Context(), "999999",
		store.CustomerRecord{Customer: store.Customer{Email: "x@example.test"}})
	if !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("UpdateCustomer(unknown) error = %v, want ErrNotFound", err)
	}
}
