package postgres

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// customerOf places an order bought by email and returns its customer id.
func customerOf(t *testing.T, s *Store, number, email string) string {
	t.Helper()
	id, err := s.CreateOrder(t.Context(), sampleOrder(number, email))
	if err != nil {
		t.Fatal(err)
	}
	return loadOrder(t, s, id).Customer.ID
}

func loadCustomer(t *testing.T, s *Store, id string) store.CustomerRecord {
	t.Helper()
	c, err := s.LoadCustomer(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCustomerRoundTripWithTerms(t *testing.T) {
	s, _ := newStore(t)
	ctx := t.Context()
	id := customerOf(t, s, "#7001", "Ada@Example.com")
	before := loadCustomer(t, s, id)
	if before.Email != "Ada@Example.com" || before.City != "London" ||
		before.Terms != (store.Terms{}) || before.Modified.IsZero() {
		t.Fatalf("LoadCustomer(%s) = %+v, want the order's buyer without terms", id, before)
	}

	edit := before
	edit.Phone, edit.City = "+44 20 7946 0111", "Bath"
	edit.Terms = store.Terms{CreditLimitMinor: ptr(250000), PaymentTerms: "NET30",
		PriceGroup: "wholesale"}
	got, err := s.UpdateCustomer(ctx, id, edit)
	if err != nil {
		t.Fatal(err)
	}
	want := edit
	want.Modified = got.Modified
	if !reflect.DeepEqual(got, want) || !got.Modified.After(before.Modified) {
		t.Errorf("UpdateCustomer =\n%+v\nwant\n%+v, modified after %v", got, want,
			before.Modified)
	}
	if again := loadCustomer(t, s, id); !reflect.DeepEqual(again, got) {
		t.Errorf("LoadCustomer after the update =\n%+v\nwant\n%+v", again, got)
	}

	same, err := s.UpdateCustomer(ctx, id, edit)
	if err != nil || !same.Modified.Equal(got.Modified) {
		t.Errorf("UpdateCustomer changing nothing = %v, %v; want modified kept at %v",
			same.Modified, err, got.Modified)
	}

	edit.Terms.CreditLimitMinor = nil
	cleared, err := s.UpdateCustomer(ctx, id, edit)
	if err != nil || cleared.Terms.CreditLimitMinor != nil || cleared.Terms.PriceGroup !=
		"wholesale" {
		t.Errorf("UpdateCustomer without a credit limit = %+v, %v; want the limit cleared",
			cleared.Terms, err)
	}
}

func TestFindAndLoadCustomer(t *testing.T) {
	s, _ := newStore(t)
	ctx := t.Context()
	id := customerOf(t, s, "#7101", "Grace@Example.com")

	found, ok, err := s.FindCustomerByEmail(ctx, "GRACE@example.COM")
	if err != nil || !ok || found.ID != id {
		t.Errorf("FindCustomerByEmail in other case = %q, %v, %v; want %s", found.ID, ok, err,
			id)
	}
	if c, ok, err := s.CustomerByEmail(ctx, "grace@example.com"); err != nil || !ok ||
		c.ID != id {
		t.Errorf("CustomerByEmail = %q, %v, %v; want %s", c.ID, ok, err, id)
	}
	if _, ok, err := s.FindCustomerByEmail(ctx, "nobody@example.com"); ok || err != nil {
		t.Errorf("FindCustomerByEmail of a stranger = %v, %v; want false, nil", ok, err)
	}

	_, err = s.LoadCustomer(ctx, "987654")
	if !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("LoadCustomer of an unknown id = %v, want ErrNotFound", err)
	}
	_, err = s.LoadCustomer(ctx, "c1")
	checkInvalid(t, err, "customer_id")
	_, err = s.UpdateCustomer(ctx, "987654", found)
	if !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("UpdateCustomer of an unknown id = %v, want ErrNotFound", err)
	}
	found.Email = "no address"
	_, err = s.UpdateCustomer(ctx, id, found)
	checkInvalid(t, err, "email")
}

func TestUpdateCustomerEmailClash(t *testing.T) {
	s, _ := newStore(t)
	ctx := t.Context()
	customerOf(t, s, "#7201", "ann@example.com")
	bob := customerOf(t, s, "#7202", "bob@example.com")
	before := loadCustomer(t, s, bob)

	edit := before
	edit.Email = "ANN@example.com"
	_, err := s.UpdateCustomer(ctx, bob, edit)
	checkInvalid(t, err, "email")
	var invalid *syncerr.InvalidError
	if errors.As(err, &invalid) && invalid.Reason == "" {
		t.Errorf("e-mail clash error %v says no reason", err)
	}
	if after := loadCustomer(t, s, bob); !reflect.DeepEqual(after, before) {
		t.Errorf("customer after a refused update =\n%+v\nwant\n%+v", after, before)
	}
}

func TestCreateGuestOrderKeepsTheAccount(t *testing.T) {
	s, pool := newStore(t)
	ctx := t.Context()
	id := customerOf(t, s, "#7301", "ada@example.com")
	before := loadCustomer(t, s, id)

	o := sampleOrder("#7302", "ADA@example.com")
	o.Customer.FirstName, o.Customer.City = "Someone", "Elsewhere"
	orderID, err := s.CreateGuestOrder(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if got := loadOrder(t, s, orderID).Customer.ID; got != id {
		t.Errorf("guest order's customer = %s, want the account %s", got, id)
	}
	if after := loadCustomer(t, s, id); !reflect.DeepEqual(after, before) {
		t.Errorf("account after a guest order =\n%+v\nwant it unchanged\n%+v", after, before)
	}

	stranger, err := s.CreateGuestOrder(ctx, sampleOrder("#7303", "new@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if c := loadOrder(t, s, stranger).Customer; c.ID == id || c.Email != "new@example.com" {
		t.Errorf("guest order of a new e-mail has customer %+v, want a new row", c)
	}
	if n := count(t, pool, "storefront.orders WHERE guest"); n != 2 {
		t.Errorf("guest orders = %d, want 2", n)
	}
	if n := count(t, pool, "storefront.customers"); n != 2 {
		t.Errorf("customers = %d, want 2", n)
	}
}

func TestCreateDraftsTwice(t *testing.T) {
	s := catalog(t)
	ctx := t.Context()
	products := []store.Product{
		{SKU: "LAMP", Name: "Lamp", PriceMinor: 4500, Currency: "EUR"},
		{SKU: "MUG", Name: "Mug renamed", PriceMinor: 1, Currency: "EUR"},
		{SKU: "DESK", PriceMinor: 19900, Currency: "EUR"},
	}

	created, err := s.CreateDrafts(ctx, products)
	if err != nil || !reflect.DeepEqual(created, []string{"LAMP", "DESK"}) {
		t.Fatalf("CreateDrafts = %v, %v; want [LAMP DESK]", created, err)
	}
	again, err := s.CreateDrafts(ctx, products)
	if err != nil || len(again) != 0 {
		t.Errorf("CreateDrafts again = %v, %v; want nothing created", again, err)
	}

	want := map[string]string{"LAMP": "Lamp 4500 true", "DESK": "DESK 19900 true",
		"MUG": "Mug 1250 false"}
	for sku, w := range want {
		var name string
		var price int64
		var draft bool
		err := s.pool.QueryRow(ctx, `SELECT name, price_minor, draft FROM storefront.products
			WHERE sku = $1`, sku).Scan(&name, &price, &draft)
		if got := fmtRow(name, price, draft); err != nil || got != w {
			t.Errorf("product %s = %q (%v), want %q", sku, got, err, w)
		}
	}

	_, err = s.CreateDrafts(ctx, append(products, products[0]))
	checkInvalid(t, err, "products[3].sku")
	_, err = s.CreateDrafts(ctx, []store.Product{{SKU: "X", PriceMinor: 1, Currency: "eur"}})
	checkInvalid(t, err, "products[0].currency")
}

func fmtRow(name string, price int64, draft bool) string {
	return fmt.Sprintf("%s %d %t", name, price, draft)
}
