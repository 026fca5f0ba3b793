package bcstoresandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// maxCustomerBatch is the most customers one PUT /v3/customers may change.
const maxCustomerBatch = 10

// customerAddressBase numbers customer addresses apart from customers: the
// model keeps one address on an account, whose id is the account's plus
// this.
const customerAddressBase = 3_000_000

// customerRoutes registers the Customers API.
func (s *Sandbox) customerRoutes(v3 string) {
	s.handle(3, "customers/list", "GET "+v3+"/customers", s.listCustomers)
	s.handle(3, "customers/update", "PUT "+v3+"/customers", s.updateCustomers)
	s.handle(3, "addresses/list", "GET "+v3+"/customers/addresses", s.listAddresses)
	s.handle(3, "addresses/create", "POST "+v3+"/customers/addresses", s.createAddresses)
	s.handle(3, "addresses/update", "PUT "+v3+"/customers/addresses", s.updateAddresses)
	s.handle(3, "customer_metafields/list", "GET "+v3+"/customers/{id}/metafields",
		s.listCustomerMetafields)
	s.handle(3, "customer_metafields/create_one", "POST "+v3+"/customers/{id}/metafields",
		s.createCustomerMetafield)
	s.handle(3, "customer_metafields/update_one",
		"PUT "+v3+"/customers/{id}/metafields/{mid}", s.updateCustomerMetafield)
	s.handle(3, "customer_metafields/create", "POST "+v3+"/customers/metafields",
		s.createCustomerMetafields)
	s.handle(3, "customer_metafields/update", "PUT "+v3+"/customers/metafields",
		s.updateCustomerMetafields)
	s.handle(3, "customer_metafields/delete", "DELETE "+v3+"/customers/metafields",
		s.deleteCustomerMetafields)
}

// customer is a customer as V3 answers it; addresses come with
// include=addresses.
type customer struct {
	ID                int64             `json:"id"`
	Email             string            `json:"email"`
	FirstName         string            `json:"first_name"`
	LastName          string            `json:"last_name"`
	Company           string            `json:"company"`
	Phone             string            `json:"phone"`
	Notes             string            `json:"notes"`
	TaxExemptCategory string            `json:"tax_exempt_category"`
	CustomerGroupID   int64             `json:"customer_group_id"`
	RegistrationIP    string            `json:"registration_ip_address"`
	DateCreated       string            `json:"date_created"`
	DateModified      string            `json:"date_modified"`
	AddressCount      int               `json:"address_count"`
	AttributeCount    int               `json:"attribute_count"`
	Authentication    map[string]bool   `json:"authentication"`
	AcceptsEmails     bool              `json:"accepts_product_review_abandoned_cart_emails"`
	OriginChannelID   int               `json:"origin_channel_id"`
	ChannelIDs        []int             `json:"channel_ids"`
	Addresses         []customerAddress `json:"addresses,omitempty"`
}

// customerAddress is a customer's address as V3 answers it.
type customerAddress struct {
	ID              int64  `json:"id"`
	CustomerID      int64  `json:"customer_id"`
	FirstName       string `json:"first_name"`
	LastName        string `json:"last_name"`
	Company         string `json:"company"`
	Address1        string `json:"address1"`
	Address2        string `json:"address2"`
	City            string `json:"city"`
	StateOrProvince string `json:"state_or_province"`
	PostalCode      string `json:"postal_code"`
	Country         string `json:"country"`
	CountryCode     string `json:"country_code"`
	Phone           string `json:"phone"`
	AddressType     string `json:"address_type"`
}

// hasAddress reports whether the account holds an address.
func hasAddress(a storesandbox.Account) bool {
	return a.Line1 != "" || a.City != "" || a.PostalCode != "" || a.Country != ""
}

// toAddress returns the account's address.
func toAddress(a storesandbox.Account) customerAddress {
	return customerAddress{ID: a.ID + customerAddressBase, CustomerID: a.ID,
		FirstName: a.FirstName, LastName: a.LastName, Address1: a.Line1, Address2: a.Line2,
		City: a.City, StateOrProvince: a.Region, PostalCode: a.PostalCode,
		Country: a.Country, CountryCode: a.Country, Phone: a.Phone,
		AddressType: "residential"}
}

// toCustomer converts an account, with its address when withAddress is set.
func toCustomer(a storesandbox.Account, withAddress bool) customer {
	c := customer{ID: a.ID, Email: a.Email, FirstName: a.FirstName, LastName: a.LastName,
		Phone: a.Phone, DateCreated: a.Created.UTC().Format(time.RFC3339),
		DateModified:   a.Modified.UTC().Format(time.RFC3339),
		Authentication: map[string]bool{"force_password_reset": false}, OriginChannelID: 1}
	if hasAddress(a) {
		c.AddressCount = 1
		if withAddress {
			c.Addresses = []customerAddress{toAddress(a)}
		}
	}
	return c
}

// listCustomers answers GET /v3/customers, filtered by id:in and email:in
// (compared without case, as BigCommerce keeps e-mails in lower case).
func (s *Sandbox) listCustomers(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	ids, ok := idSet(q.Get("id:in"))
	if !ok {
		writeError(w, 3, http.StatusBadRequest, "The filter 'id:in' is not a list of numbers.",
			nil)
		return
	}
	emails := stringSet(strings.ToLower(q.Get("email:in")))
	withAddress := strings.Contains(q.Get("include"), "addresses")
	p, ok := readPaging(w, q, 3, 50, 250)
	if !ok {
		return
	}

	var found []customer
	for _, a := range s.model.Accounts() {
		if admits(ids, a.ID) && admits(emails, strings.ToLower(a.Email)) {
			found = append(found, toCustomer(a, withAddress))
		}
	}
	page, meta := cut(found, p)
	writeData(w, page, meta)
}

// customerPut is one item of PUT /v3/customers; fields left out keep their
// value.
type customerPut struct {
	ID        *json.Number `json:"id"`
	Email     *string      `json:"email"`
	FirstName *string      `json:"first_name"`
	LastName  *string      `json:"last_name"`
	Phone     *string      `json:"phone"`
}

// updateCustomers answers PUT /v3/customers: up to 10 customers, each
// named by id. A batch with an unknown id or a bad e-mail changes nothing
// and is answered 422.
func (s *Sandbox) updateCustomers(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in []customerPut
	if !decodeBody(w, 3, body, &in) {
		return
	}
	if len(in) > maxCustomerBatch {
		writeError(w, 3, http.StatusRequestEntityTooLarge, fmt.Sprintf("The request payload "+
			"is too large. The maximum number of items allowed in the array is %d.",
			maxCustomerBatch), nil)
		return
	}
	ids, bad := s.checkCustomerPuts(in)
	if len(bad) > 0 {
		writeError(w, 3, http.StatusUnprocessableEntity, "Update customers failed.", bad)
		return
	}

	out := make([]customer, 0, len(in))
	for i, c := range in {
		a, err := s.model.UpdateAccount(ids[i], func(a *storesandbox.Account) error {
			set(&a.Email, c.Email)
			set(&a.FirstName, c.FirstName)
			set(&a.LastName, c.LastName)
			set(&a.Phone, c.Phone)
			return nil
		})
		if err != nil {
			writeError(w, 3, http.StatusUnprocessableEntity, "Update customers failed.",
				map[string]string{"." + strconv.Itoa(i) + ".email": err.Error()})
			return
		}
		out = append(out, toCustomer(a, false))
	}
	writeData(w, out, nil)
}

// checkCustomerPuts resolves the ids of a batch, and names the fields that
// BigCommerce refuses.
func (s *Sandbox) checkCustomerPuts(in []customerPut) ([]int64, map[string]string) {
	bad := map[string]string{}
	ids := make([]int64, len(in))
	for i, c := range in {
		at := "." + strconv.Itoa(i) + "."
		var err error
		if c.ID != nil {
			ids[i], err = c.ID.Int64()
		}
		_, found := s.model.Account(ids[i])
		switch {
		case c.ID == nil:
			bad[at+"id"] = "error.path.missing"
		case err != nil || !found:
			bad[at+"id"] = "Customer with id " + c.ID.String() + " does not exist"
		case c.Email != nil && !strings.Contains(*c.Email, "@"):
			bad[at+"email"] = "must be a valid e-mail address"
		}
	}
	return ids, bad
}

// set copies *v into dst when v is given.
func set(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// listAddresses answers GET /v3/customers/addresses, filtered by
// customer_id:in and id:in.
func (s *Sandbox) listAddresses(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	customers, ok1 := idSet(q.Get("customer_id:in"))
	ids, ok2 := idSet(q.Get("id:in"))
	if !ok1 || !ok2 {
		writeError(w, 3, http.StatusBadRequest, "An id filter is not a list of numbers.", nil)
		return
	}
	p, ok := readPaging(w, q, 3, 50, 250)
	if !ok {
		return
	}

	var found []customerAddress
	for _, a := range s.model.Accounts() {
		if hasAddress(a) && admits(customers, a.ID) && admits(ids, a.ID+customerAddressBase) {
			found = append(found, toAddress(a))
		}
	}
	page, meta := cut(found, p)
	writeData(w, page, meta)
}

// addressInput is one item of a create or an update of addresses; fields
// left out of an update keep their value.
type addressInput struct {
	ID              *json.Number `json:"id"`
	CustomerID      *json.Number `json:"customer_id"`
	FirstName       *string      `json:"first_name"`
	LastName        *string      `json:"last_name"`
	Address1        *string      `json:"address1"`
	Address2        *string      `json:"address2"`
	City            *string      `json:"city"`
	StateOrProvince *string      `json:"state_or_province"`
	PostalCode      *string      `json:"postal_code"`
	CountryCode     *string      `json:"country_code"`
	Phone           *string      `json:"phone"`
}

// apply copies the address fields given into the account. Names and phone
// belong to the account as a whole in the model, so they are not taken
// from an address.
func (in addressInput) apply(a *storesandbox.Account) {
	set(&a.Line1, in.Address1)
	set(&a.Line2, in.Address2)
	set(&a.City, in.City)
	set(&a.Region, in.StateOrProvince)
	set(&a.PostalCode, in.PostalCode)
	set(&a.Country, in.CountryCode)
}

// createAddresses answers POST /v3/customers/addresses. The model keeps one
// address a customer: an address identical to the one a customer has is
// left out of the answer, as BigCommerce does with duplicates, and a second,
// different address is refused with 422.
func (s *Sandbox) createAddresses(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in []addressInput
	if !decodeBody(w, 3, body, &in) {
		return
	}
	if bad := checkAddressPosts(in); len(bad) > 0 {
		writeError(w, 3, http.StatusUnprocessableEntity, "JSON data is missing or invalid", bad)
		return
	}

	out := []customerAddress{}
	for i, it := range in {
		id, _ := it.CustomerID.Int64() // checkAddressPosts read it
		a, err := s.model.UpdateAccount(id, func(a *storesandbox.Account) error {
			wanted := *a
			it.apply(&wanted)
			if hasAddress(*a) && wanted.Customer != a.Customer {
				return errors.New("the sandbox keeps one address a customer")
			}
			*a = wanted
			return nil
		})
		if err != nil {
			writeError(w, 3, http.StatusUnprocessableEntity, "Create customer address failed.",
				map[string]string{"." + strconv.Itoa(i) + ".customer_id": err.Error()})
			return
		}
		out = append(out, toAddress(a))
	}
	writeData(w, out, nil)
}

// checkAddressPosts names the missing fields of new addresses.
func checkAddressPosts(in []addressInput) map[string]string {
	bad := map[string]string{}
	for i, it := range in {
		at := "." + strconv.Itoa(i) + "."
		for name, v := range map[string]*string{"first_name": it.FirstName,
			"last_name": it.LastName, "address1": it.Address1, "city": it.City,
			"state_or_province": it.StateOrProvince, "postal_code": it.PostalCode,
			"country_code": it.CountryCode} {
			if v == nil {
				bad[at+name] = "error.path.missing"
			}
		}
		if it.CountryCode != nil && len(*it.CountryCode) != 2 {
			bad[at+"country_code"] = "must be a two-letter country code"
		}
		if it.CustomerID == nil {
			bad[at+"customer_id"] = "error.path.missing"
		} else if _, err := it.CustomerID.Int64(); err != nil {
			bad[at+"customer_id"] = "must be a customer id"
		}
	}
	return bad
}

// updateAddresses answers PUT /v3/customers/addresses: each item names an
// address by id.
func (s *Sandbox) updateAddresses(w http.ResponseWriter, _ *http.Request, body []byte) {
	var in []addressInput
	if !decodeBody(w, 3, body, &in) {
		return
	}

	out := []customerAddress{}
	for i, it := range in {
		var id int64
		if it.ID != nil {
			id, _ = it.ID.Int64()
		}
		a, ok := s.model.Account(id - customerAddressBase)
		if !ok || !hasAddress(a) {
			writeError(w, 3, http.StatusUnprocessableEntity, "JSON data is missing or invalid",
				map[string]string{"." + strconv.Itoa(i) + ".id": "no customer address has " +
					"this id"})
			return
		}
		a, err := s.model.UpdateAccount(a.ID, func(a *storesandbox.Account) error {
			it.apply(a)
			return nil
		})
		if err != nil {
			writeError(w, 3, http.StatusUnprocessableEntity, err.Error(), nil)
			return
		}
		out = append(out, toAddress(a))
	}
	writeData(w, out, nil)
}
