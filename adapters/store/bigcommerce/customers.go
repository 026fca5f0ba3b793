package bigcommerce

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// The customer metafields that hold the terms the ERP grants: the credit
// limit in minor units as a decimal integer, the payment terms and the
// price group, each absent when unset.
const (
	termsNamespace    = "erpsync"
	termsCreditLimit  = "credit_limit"
	termsPaymentTerms = "payment_terms"
	termsPriceGroup   = "price_group"
)

// v3Customer is the part of a V3 customer that erpsync reads and writes.
type v3Customer struct {
	ID           int64       `json:"id"`
	Email        string      `json:"email"`
	FirstName    string      `json:"first_name"`
	LastName     string      `json:"last_name"`
	Phone        string      `json:"phone"`
	DateModified string      `json:"date_modified,omitempty"`
	Addresses    []v3Address `json:"addresses,omitempty"`
}

// v3Address is a customer's address; its id is 0 in a create.
type v3Address struct {
	ID              int64  `json:"id,omitempty"`
	CustomerID      int64  `json:"customer_id,omitempty"`
	FirstName       string `json:"first_name"`
	LastName        string `json:"last_name"`
	Address1        string `json:"address1"`
	Address2        string `json:"address2"`
	City            string `json:"city"`
	StateOrProvince string `json:"state_or_province"`
	PostalCode      string `json:"postal_code"`
	CountryCode     string `json:"country_code"`
	Phone           string `json:"phone"`
}

// account is a customer as read, with its terms metafields by key.
type account struct {
	v3Customer
	terms map[string]customerMetafield
}

// customerMetafield is a customer metafield of a batch write; ResourceID
// names the customer of a new one.
type customerMetafield struct {
	ID            int64  `json:"id,omitempty"`
	ResourceID    int64  `json:"resource_id,omitempty"`
	PermissionSet string `json:"permission_set"`
	Namespace     string `json:"namespace"`
	Key           string `json:"key"`
	Value         string `json:"value"`
}

// LoadCustomer reads customer id with its addresses (GET /v3/customers with
// id:in and include=addresses) and its terms metafields. The contact
// fields are the customer's, and the address its first; Modified is its
// date_modified. A customer BigCommerce does not have gives an error
// wrapping [syncerr.ErrNotFound].
func (s *Store) LoadCustomer(ctx context.Context, id string) (c store.CustomerRecord,
	err error) {
	defer syncerr.Wrap(&err, "load bigcommerce customer %s", id)
	n, err := parseCustomerID(id)
	if err != nil {
		return c, err
	}
	a, err := s.account(ctx, url.Values{"id:in": {strconv.FormatInt(n, 10)}}, "")
	if err != nil {
		return c, err
	}
	if a.ID == 0 {
		return c, syncerr.ErrNotFound
	}
	return mapAccount(a)
}

// FindCustomerByEmail looks the customer of email up with GET /v3/customers
// and email:in, asking for the e-mail as given and in lower case, and
// compares without case.
func (s *Store) FindCustomerByEmail(ctx context.Context, email string) (
	c store.CustomerRecord, found bool, err error) {
	defer syncerr.Wrap(&err, "find bigcommerce customer by e-mail")
	email = strings.TrimSpace(email)
	if !strings.Contains(email, "@") || strings.Contains(email, ",") {
		return c, false, syncerr.Invalid("email", "is not an e-mail address")
	}

	q := url.Values{"email:in": {email + "," + strings.ToLower(email)}}
	a, err := s.account(ctx, q, email)
	if err != nil || a.ID == 0 {
		return c, false, err
	}
	c, err = mapAccount(a)
	return c, err == nil, err
}

// UpdateCustomer writes c to customer id: its e-mail, names and phone with
// PUT /v3/customers, its address with PUT /v3/customers/addresses (or POST
// when the customer has none), and its terms in metafields of namespace
// "erpsync", created, updated or deleted in batch calls of
// /v3/customers/metafields. Only what differs is written, so writing a
// record again changes nothing. It returns the customer as read afterwards.
//
// TODO: an address can be written but not cleared: BigCommerce's
// addresses need a street, a city and a country, so a record without them
// leaves the customer's address as it is.
func (s *Store) UpdateCustomer(ctx context.Context, id string, c store.CustomerRecord) (
	out store.CustomerRecord, err error) {
	defer syncerr.Wrap(&err, "update bigcommerce customer %s", id)
	n, err := parseCustomerID(id)
	if err != nil {
		return out, err
	}
	if err := checkRecord(c); err != nil {
		return out, err
	}
	q := url.Values{"id:in": {strconv.FormatInt(n, 10)}}
	cur, err := s.account(ctx, q, "")
	if err != nil {
		return out, err
	}
	if cur.ID == 0 {
		return out, syncerr.ErrNotFound
	}

	if err := s.writeContact(ctx, cur, c); err != nil {
		return out, err
	}
	if err := s.writeAddress(ctx, cur, c); err != nil {
		return out, err
	}
	if err := s.writeTerms(ctx, cur, c.Terms); err != nil {
		return out, err
	}
	after, err := s.account(ctx, q, "")
	if err != nil {
		return out, err
	}
	return mapAccount(after)
}

// parseCustomerID checks that id is a BigCommerce customer id.
func parseCustomerID(id string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	if err != nil || n <= 0 {
		return 0, syncerr.Invalid("id", "%q is not a bigcommerce customer id", id)
	}
	return n, nil
}

// checkRecord returns why c cannot be written, or nil.
func checkRecord(c store.CustomerRecord) error {
	switch {
	case !strings.Contains(c.Email, "@"):
		return syncerr.Invalid("email", "is not an e-mail address")
	case c.Terms.CreditLimitMinor != nil && *c.Terms.CreditLimitMinor < 0:
		return syncerr.Invalid("terms.credit_limit_minor", "%d is negative",
			*c.Terms.CreditLimitMinor)
	}
	return nil
}

// account reads the first customer that q finds, with its addresses and
// terms; when email is set, the first whose e-mail is email without case.
// Its ID is 0 when there is none.
func (s *Store) account(ctx context.Context, q url.Values, email string) (account, error) {
	q.Set("include", "addresses")
	customers, err := readPages[v3Customer](ctx, s, "/v3/customers", q)
	if err != nil {
		return account{}, err
	}
	var a account
	for _, c := range customers {
		if c.ID > 0 && (email == "" || strings.EqualFold(c.Email, email)) {
			a.v3Customer = c
			break
		}
	}
	if a.ID == 0 {
		return a, nil
	}

	path := "/v3/customers/" + strconv.FormatInt(a.ID, 10) + "/metafields"
	fields, err := readPages[customerMetafield](ctx, s, path,
		url.Values{"namespace": {termsNamespace}})
	if err != nil {
		return account{}, err
	}
	a.terms = map[string]customerMetafield{}
	for _, m := range fields {
		if m.Namespace == termsNamespace {
			a.terms[m.Key] = m
		}
	}
	return a, nil
}

// mapAccount converts a customer as read.
func mapAccount(a account) (store.CustomerRecord, error) {
	c := store.CustomerRecord{Customer: store.Customer{ID: strconv.FormatInt(a.ID, 10),
		Email: a.Email, FirstName: a.FirstName, LastName: a.LastName, Phone: a.Phone}}
	if len(a.Addresses) > 0 {
		ad := a.Addresses[0]
		c.Line1, c.Line2, c.City = ad.Address1, ad.Address2, ad.City
		c.PostalCode, c.Region, c.Country = ad.PostalCode, ad.StateOrProvince, ad.CountryCode
		if c.Phone == "" {
			c.Phone = ad.Phone
		}
	}

	modified, err := time.Parse(time.RFC3339, a.DateModified)
	if err != nil {
		return store.CustomerRecord{}, syncerr.Invalid("date_modified",
			"%q is not an RFC 3339 date", a.DateModified)
	}
	c.Modified = modified.UTC()
	if m, ok := a.terms[termsCreditLimit]; ok {
		n, err := strconv.ParseInt(strings.TrimSpace(m.Value), 10, 64)
		if err != nil {
			return store.CustomerRecord{}, syncerr.Invalid("metafields.erpsync.credit_limit",
				"%q is not a whole number of minor units", m.Value)
		}
		c.Terms.CreditLimitMinor = &n
	}
	c.Terms.PaymentTerms = a.terms[termsPaymentTerms].Value
	c.Terms.PriceGroup = a.terms[termsPriceGroup].Value
	return c, nil
}

// writeContact writes the e-mail, names and phone of c when they differ
// from cur's.
func (s *Store) writeContact(ctx context.Context, cur account, c store.CustomerRecord) error {
	want := v3Customer{ID: cur.ID, Email: strings.TrimSpace(c.Email), FirstName: c.FirstName,
		LastName: c.LastName, Phone: c.Phone}
	if want.Email == cur.Email && want.FirstName == cur.FirstName &&
		want.LastName == cur.LastName && want.Phone == cur.Phone {
		return nil
	}
	_, err := s.do(ctx, call{method: http.MethodPut, path: "/v3/customers",
		body: []v3Customer{want}}, nil)
	return err
}

// writeAddress writes the address of c, when it has one, over cur's first
// address, or as a new address when cur has none.
func (s *Store) writeAddress(ctx context.Context, cur account, c store.CustomerRecord) error {
	if c.Line1 == "" && c.City == "" && c.Country == "" {
		return nil
	}
	want := v3Address{FirstName: c.FirstName, LastName: c.LastName, Address1: c.Line1,
		Address2: c.Line2, City: c.City, StateOrProvince: c.Region, PostalCode: c.PostalCode,
		CountryCode: c.Country, Phone: c.Phone}

	method := http.MethodPost
	if len(cur.Addresses) > 0 {
		have := cur.Addresses[0]
		want.ID = have.ID
		have.CustomerID = 0
		if have == want {
			return nil
		}
		method = http.MethodPut
	} else {
		want.CustomerID = cur.ID
	}
	_, err := s.do(ctx, call{method: method, path: "/v3/customers/addresses",
		body: []v3Address{want}}, nil)
	return err
}

// writeTerms makes the customer's terms metafields hold t: it creates,
// updates and deletes them in at most one batch call each.
func (s *Store) writeTerms(ctx context.Context, cur account, t store.Terms) error {
	want := map[string]string{}
	if t.CreditLimitMinor != nil {
		want[termsCreditLimit] = strconv.FormatInt(*t.CreditLimitMinor, 10)
	}
	if t.PaymentTerms != "" {
		want[termsPaymentTerms] = t.PaymentTerms
	}
	if t.PriceGroup != "" {
		want[termsPriceGroup] = t.PriceGroup
	}

	var creates, updates []customerMetafield
	var deletes []int64
	for _, key := range []string{termsCreditLimit, termsPaymentTerms, termsPriceGroup} {
		have, has := cur.terms[key]
		value, wanted := want[key]
		m := customerMetafield{PermissionSet: metaPermission, Namespace: termsNamespace,
			Key: key, Value: value}
		switch {
		case wanted && !has:
			m.ResourceID = cur.ID
			creates = append(creates, m)
		case wanted && have.Value != value:
			m.ID = have.ID
			updates = append(updates, m)
		case !wanted && has:
			deletes = append(deletes, have.ID)
		}
	}
	return s.batchMetafields(ctx, creates, updates, deletes)
}

// batchMetafields sends the creates, updates and deletes of customer
// metafields, each kind in one call when there are any.
func (s *Store) batchMetafields(ctx context.Context, creates, updates []customerMetafield,
	deletes []int64) error {
	const path = "/v3/customers/metafields"
	for _, c := range []call{
		{method: http.MethodPost, path: path, body: creates},
		{method: http.MethodPut, path: path, body: updates},
		{method: http.MethodDelete, path: path, body: deletes},
	} {
		if isEmpty(c.body) {
			continue
		}
		if _, err := s.do(ctx, c, nil); err != nil {
			return err
		}
	}
	return nil
}

// isEmpty reports whether a batch body holds no item.
func isEmpty(body any) bool {
	switch b := body.(type) {
	case []customerMetafield:
		return len(b) == 0
	case []int64:
		return len(b) == 0
	}
	return body == nil
}
