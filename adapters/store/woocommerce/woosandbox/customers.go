package woosandbox

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// customerJSON is WooCommerce's customer resource.
type customerJSON struct {
	ID               int64       `json:"id"`
	DateCreated      string      `json:"date_created"`
	DateCreatedGMT   string      `json:"date_created_gmt"`
	DateModified     string      `json:"date_modified"`
	DateModifiedGMT  string      `json:"date_modified_gmt"`
	Email            string      `json:"email"`
	FirstName        string      `json:"first_name"`
	LastName         string      `json:"last_name"`
	Role             string      `json:"role"`
	Username         string      `json:"username"`
	Billing          addressJSON `json:"billing"`
	Shipping         addressJSON `json:"shipping"`
	IsPayingCustomer bool        `json:"is_paying_customer"`
	AvatarURL        string      `json:"avatar_url"`
	MetaData         []metaJSON  `json:"meta_data"`
	Links            links       `json:"_links"`
}

// renderCustomer returns a as WooCommerce shows it. The model keeps one
// name, phone and address per account, shown in billing and shipping
// alike, and its metafields as meta entries.
func (s *Sandbox) renderCustomer(a storesandbox.Account, site string) customerJSON {
	created, modified := a.Created.Format(dateLayout), a.Modified.Format(dateLayout)
	username, _, _ := strings.Cut(a.Email, "@")
	return customerJSON{
		ID: a.ID, DateCreated: created, DateCreatedGMT: created, DateModified: modified,
		DateModifiedGMT: modified, Email: a.Email, FirstName: a.FirstName,
		LastName: a.LastName, Role: "customer", Username: username,
		Billing: billing(a.Customer), Shipping: shippingAddress(a.Customer),
		AvatarURL: "https://secure.gravatar.com/avatar/?s=96&d=mm&r=g",
		MetaData:  s.renderMeta(a.ID, a.Metafields), Links: itemLinks(site, "customers", a.ID),
	}
}

// invalidCustomerID is WooCommerce's answer about a customer it does not
// have.
func invalidCustomerID(status int) *wpError {
	return errorf(status, "woocommerce_rest_invalid_id", "Invalid resource ID.")
}

func (s *Sandbox) customerExists(id int64) bool {
	_, ok := s.model.Account(id)
	return ok
}

// customerOrderby are the orderby values of a listing of customers.
var customerOrderby = []string{"id", "include", "name", "registered_date"}

// listCustomers answers GET /customers, filtered by email (compared
// without case, as MySQL compares it), in id order whatever orderby says:
// the model's ids follow registration.
func (s *Sandbox) listCustomers(w http.ResponseWriter, q *request) {
	p := newParams(q.query())
	pg := readPaging(p)
	_ = p.enum("orderby", "name", customerOrderby...)
	desc := p.enum("order", "asc", "asc", "desc") == "desc"
	email := q.query().Get("email")
	if email != "" && !strings.Contains(email, "@") {
		p.fail("email", "rest_invalid_email", "Invalid email address.")
	}
	if err := p.err(); err != nil {
		writeError(w, err)
		return
	}

	var accounts []storesandbox.Account
	for _, a := range s.model.Accounts() {
		if email == "" || strings.EqualFold(a.Email, email) {
			accounts = append(accounts, a)
		}
	}
	if desc {
		for i, j := 0, len(accounts)-1; i < j; i, j = i+1, j-1 {
			accounts[i], accounts[j] = accounts[j], accounts[i]
		}
	}

	start, end := pg.window(len(accounts))
	items := make([]any, 0, end-start)
	for _, a := range accounts[start:end] {
		items = append(items, s.renderCustomer(a, q.site))
	}
	writeCollection(w, q, items, len(accounts), pg)
}

// getCustomer answers GET /customers/{id}.
func (s *Sandbox) getCustomer(w http.ResponseWriter, q *request) {
	a, ok := s.model.Account(q.id)
	if !ok {
		writeError(w, invalidCustomerID(http.StatusNotFound))
		return
	}
	writeJSON(w, http.StatusOK, fieldsOf(q, s.renderCustomer(a, q.site)))
}

// customerUpdate is the body of a customer update. Addresses are merged
// member by member into what the customer has.
type customerUpdate struct {
	Email     *string            `json:"email"`
	FirstName *string            `json:"first_name"`
	LastName  *string            `json:"last_name"`
	Billing   map[string]*string `json:"billing"`
	Shipping  map[string]*string `json:"shipping"`
	MetaData  []metaUpdate       `json:"meta_data"`
}

// customerMembers are the members of a customer update that the sandbox
// reads; it ignores password and role, and refuses the others.
var customerMembers = map[string]bool{"id": true, "email": true, "first_name": true,
	"last_name": true, "billing": true, "shipping": true, "meta_data": true,
	"password": true, "role": true}

// updateCustomer answers PUT /customers/{id}: its e-mail, names, address
// and phone, and meta_data (a null value deletes an entry). The model
// keeps one address: billing's members, and shipping's where billing does
// not give them.
func (s *Sandbox) updateCustomer(w http.ResponseWriter, q *request) {
	if _, ok := s.model.Account(q.id); !ok {
		writeError(w, invalidCustomerID(http.StatusBadRequest))
		return
	}
	u, err := readCustomerUpdate(q)
	if err != nil {
		writeError(w, err)
		return
	}
	metas := map[string]string{}
	for _, e := range u.MetaData {
		key, value, err := s.metaEntry(q.id, e)
		if err != nil {
			writeError(w, err)
			return
		}
		metas[key] = value
	}

	a, changeErr := s.model.UpdateAccount(q.id, func(a *storesandbox.Account) error {
		applyCustomerUpdate(a, u, metas)
		return nil
	})
	if changeErr != nil {
		writeError(w, customerRefusal(changeErr))
		return
	}
	writeJSON(w, http.StatusOK, fieldsOf(q, s.renderCustomer(a, q.site)))
}

// readCustomerUpdate reads the body of a customer update.
func readCustomerUpdate(q *request) (customerUpdate, *wpError) {
	var members map[string]json.RawMessage
	if err := decodeBody(q, &members); err != nil {
		return customerUpdate{}, err
	}
	p := newParams(nil)
	for k := range members {
		switch {
		case k == "username":
			return customerUpdate{}, errorf(http.StatusBadRequest,
				"woocommerce_rest_customer_invalid_argument", "Username isn't editable.")
		case !customerMembers[k]:
			p.fail(k, "rest_invalid_param", "the sandbox does not change a customer's %s", k)
		}
	}
	var u customerUpdate
	if len(q.body) > 0 && json.Unmarshal(q.body, &u) != nil {
		p.fail("body", "rest_invalid_type", "a member has the wrong type")
	}
	if u.Email != nil && !strings.Contains(*u.Email, "@") {
		p.fail("email", "rest_invalid_email", "Invalid email address.")
	}
	return u, p.err()
}

// applyCustomerUpdate applies u and the meta values by key to a.
func applyCustomerUpdate(a *storesandbox.Account, u customerUpdate, metas map[string]string) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&a.Email, u.Email)
	set(&a.FirstName, u.FirstName)
	set(&a.LastName, u.LastName)
	for _, addr := range []map[string]*string{u.Shipping, u.Billing} {
		set(&a.Line1, addr["address_1"])
		set(&a.Line2, addr["address_2"])
		set(&a.City, addr["city"])
		set(&a.PostalCode, addr["postcode"])
		set(&a.Region, addr["state"])
		set(&a.Country, addr["country"])
		set(&a.Phone, addr["phone"])
	}

	for k, v := range metas {
		if v == "" {
			delete(a.Metafields, k)
			continue
		}
		if a.Metafields == nil {
			a.Metafields = map[string]string{}
		}
		a.Metafields[k] = v
	}
}

// customerRefusal is WooCommerce's answer to an update the model refused.
func customerRefusal(err error) *wpError {
	if errors.Is(err, storesandbox.ErrNotFound) {
		return invalidCustomerID(http.StatusBadRequest)
	}
	if errors.Is(err, storesandbox.ErrInvalid) { // the address was checked: it is in use
		return errorf(http.StatusBadRequest, "registration-error-email-exists",
			"An account is already registered with your email address.")
	}
	return errorf(http.StatusBadRequest, "woocommerce_rest_cannot_edit", "%v", err)
}
