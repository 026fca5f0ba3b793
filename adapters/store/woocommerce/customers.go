package woocommerce

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// Customer meta keys where erpsync keeps the terms the ERP grants.
const (
	MetaKeyCreditLimit  = "erpsync_credit_limit"
	MetaKeyPaymentTerms = "erpsync_payment_terms"
	MetaKeyPriceGroup   = "erpsync_price_group"
)

// account is the part of WooCommerce's customer resource that erpsync
// reads and writes.
type account struct {
	ID              int64   `json:"id"`
	Email           string  `json:"email"`
	FirstName       string  `json:"first_name"`
	LastName        string  `json:"last_name"`
	Billing         address `json:"billing"`
	DateCreatedGMT  *string `json:"date_created_gmt"`
	DateModifiedGMT *string `json:"date_modified_gmt"`
	MetaData        []meta  `json:"meta_data"`
}

// LoadCustomer reads the customer with the decimal id from GET
// /customers/{id}.
func (s *Store) LoadCustomer(ctx context.Context, id string) (store.CustomerRecord, error) {
	path, err := customerPath(id)
	if err != nil {
		return store.CustomerRecord{}, err
	}

	var c account
	if _, err := s.do(ctx, call{method: http.MethodGet, path: path}, &c); err != nil {
		return store.CustomerRecord{}, fmt.Errorf("load woocommerce customer %s: %w", id, err)
	}
	out, err := mapCustomer(c)
	if err != nil {
		return store.CustomerRecord{}, fmt.Errorf("load woocommerce customer %s: %w", id, err)
	}
	return out, nil
}

// FindCustomerByEmail looks the customer up with GET /customers?email=,
// of every role, and compares the addresses found without case.
func (s *Store) FindCustomerByEmail(ctx context.Context, email string) (
	store.CustomerRecord, bool, error) {
	if !strings.Contains(email, "@") {
		return store.CustomerRecord{}, false, syncerr.Invalid("email",
			"%q is not an e-mail address", email)
	}

	var list []account
	c := call{method: http.MethodGet, path: "customers",
		query: url.Values{"email": {email}, "role": {"all"}}}
	if _, err := s.do(ctx, c, &list); err != nil {
		return store.CustomerRecord{}, false, fmt.Errorf("find the woocommerce customer of "+
			"an e-mail address: %w", err)
	}
	for _, found := range list {
		if !strings.EqualFold(found.Email, email) {
			continue
		}
		out, err := mapCustomer(found)
		if err != nil {
			return store.CustomerRecord{}, false, fmt.Errorf("read woocommerce customer %d: %w",
				found.ID, err)
		}
		return out, true, nil
	}
	return store.CustomerRecord{}, false, nil
}

// UpdateCustomer writes c to customer id with PUT /customers/{id}: the
// e-mail and names, the phone and address as both billing and shipping
// address, and the terms as the customer's erpsync_ meta entries, which
// WooCommerce matches by key; an empty term is sent as null, which deletes
// its entry.
func (s *Store) UpdateCustomer(ctx context.Context, id string, c store.CustomerRecord) (
	store.CustomerRecord, error) {
	path, err := customerPath(id)
	if err != nil {
		return store.CustomerRecord{}, err
	}
	if !strings.Contains(c.Email, "@") {
		return store.CustomerRecord{}, syncerr.Invalid("email", "%q is not an e-mail address",
			c.Email)
	}

	var updated account
	write := call{method: http.MethodPut, path: path, body: customerBody(c)}
	if _, err := s.do(ctx, write, &updated); err != nil {
		return store.CustomerRecord{}, fmt.Errorf("update woocommerce customer %s: %w", id, err)
	}
	out, err := mapCustomer(updated)
	if err != nil {
		return store.CustomerRecord{}, fmt.Errorf("update woocommerce customer %s: %w", id, err)
	}
	return out, nil
}

// customerBody returns the update that writes c.
//
// TODO: the address is written as the shipping address too, replacing a
// shipping address the customer keeps apart from the billing one:
// erpsync's customer has one address.
func customerBody(c store.CustomerRecord) map[string]any {
	addr := map[string]string{
		"first_name": c.FirstName, "last_name": c.LastName, "address_1": c.Line1,
		"address_2": c.Line2, "city": c.City, "postcode": c.PostalCode, "state": c.Region,
		"country": c.Country, "phone": c.Phone,
	}
	billing := map[string]string{"email": c.Email}
	for k, v := range addr {
		billing[k] = v
	}

	var limit *string
	if c.Terms.CreditLimitMinor != nil {
		v := strconv.FormatInt(*c.Terms.CreditLimitMinor, 10)
		limit = &v
	}
	return map[string]any{
		"email": c.Email, "first_name": c.FirstName, "last_name": c.LastName,
		"billing": billing, "shipping": addr,
		"meta_data": []map[string]any{
			{"key": MetaKeyCreditLimit, "value": limit},
			{"key": MetaKeyPaymentTerms, "value": orNull(c.Terms.PaymentTerms)},
			{"key": MetaKeyPriceGroup, "value": orNull(c.Terms.PriceGroup)},
		},
	}
}

// orNull returns v, or nil for "", which WooCommerce reads as a deletion.
func orNull(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// mapCustomer converts WooCommerce's customer into erpsync's. The contact
// is the billing one; Modified is date_modified_gmt, or date_created_gmt
// for a customer never modified.
func mapCustomer(c account) (store.CustomerRecord, error) {
	b := c.Billing
	out := store.CustomerRecord{Customer: store.Customer{
		ID: strconv.FormatInt(c.ID, 10), Email: c.Email, FirstName: c.FirstName,
		LastName: c.LastName, Phone: b.Phone, Line1: b.Address1, Line2: b.Address2,
		City: b.City, PostalCode: b.Postcode, Region: b.State, Country: b.Country,
	}}
	out.Terms.PaymentTerms = metaValue(c.MetaData, MetaKeyPaymentTerms)
	out.Terms.PriceGroup = metaValue(c.MetaData, MetaKeyPriceGroup)
	if v := metaValue(c.MetaData, MetaKeyCreditLimit); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return store.CustomerRecord{}, syncerr.Invalid("meta_data", "%s %q is not a "+
				"whole number of minor units", MetaKeyCreditLimit, v)
		}
		out.Terms.CreditLimitMinor = &n
	}

	modified := c.DateModifiedGMT
	if modified == nil || *modified == "" {
		modified = c.DateCreatedGMT
	}
	var err error
	out.Modified, err = parseGMT("date_modified_gmt", modified)
	return out, err
}

// customerPath returns the API path of the customer, or an error when id
// is not a WooCommerce customer id.
func customerPath(id string) (string, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return "", syncerr.Invalid("customer_id", "%q is not a woocommerce customer id", id)
	}
	return "customers/" + id, nil
}
