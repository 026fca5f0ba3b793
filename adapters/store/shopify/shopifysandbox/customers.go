package shopifysandbox

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// resolveCustomer answers customer(id:): null for a customer the shop
// lacks.
func (s *Sandbox) resolveCustomer(c call) (any, error) {
	id, _ := toString(c.args["id"])
	n, ok := parseGID(id, typeCustomer)
	if !ok {
		return nil, errorCode("BAD_REQUEST", "Invalid global id '%s'", id)
	}
	a, ok := s.model.Account(n)
	if !ok {
		return nil, nil
	}
	return s.accountObj(a), nil
}

// resolveCustomers answers customers(first:, after:, sortKey:, reverse:,
// query:), searching by email, name, phone, id and times.
func (s *Sandbox) resolveCustomers(c call) (any, error) {
	q, _ := toString(c.args["query"])
	filter, err := parseSearch(q)
	if err != nil {
		return nil, errorCode("BAD_REQUEST", "%s", err.Error())
	}
	sortKey, _ := toString(c.args["sortKey"])

	var entries []entry
	for _, a := range s.model.Accounts() {
		if filter.match(accountSearch(a)) {
			entries = append(entries, entry{key: accountKey(a, sortKey), node: s.accountObj(a)})
		}
	}
	return paginate(typeCustomer, entries, c.args)
}

// accountSearch is what a search of customers reads.
func accountSearch(a storesandbox.Account) searchable {
	return searchable{
		"id": a.ID, "email": a.Email, "first_name": a.FirstName, "last_name": a.LastName,
		"phone": a.Phone, "country": a.Country, "created_at": a.Created,
		"updated_at": a.Modified,
	}
}

// accountKey is the cursor key of a in a listing sorted by sortKey.
func accountKey(a storesandbox.Account, sortKey string) cursorKey {
	switch sortKey {
	case "UPDATED_AT":
		return cursorKey{ID: a.ID, Value: timeKey(a.Modified)}
	case "CREATED_AT":
		return cursorKey{ID: a.ID, Value: timeKey(a.Created)}
	case "NAME":
		return cursorKey{ID: a.ID, Value: strings.ToLower(a.FirstName + " " + a.LastName)}
	}
	return cursorKey{ID: a.ID, Value: numberKey(a.ID)}
}

// orderCustomer is the customer of an order: its account, or nil for a
// guest checkout, which the model marks with a zero customer id.
func (s *Sandbox) orderCustomer(c storesandbox.Customer) any {
	if c.ID == 0 {
		return nil
	}
	a, ok := s.model.Account(c.ID)
	if !ok {
		a = storesandbox.Account{Customer: c}
	}
	return s.accountObj(a)
}

// accountObj is a Customer of the GraphQL API.
func (s *Sandbox) accountObj(a storesandbox.Account) obj {
	c := a.Customer
	fields := map[string]any{
		"id": gid(typeCustomer, c.ID), "legacyResourceId": strconv.FormatInt(c.ID, 10),
		"firstName": nullable(c.FirstName), "lastName": nullable(c.LastName),
		"displayName":         strings.TrimSpace(c.FirstName + " " + c.LastName),
		"defaultEmailAddress": nil, "defaultPhoneNumber": nil,
		"email": nullable(c.Email), "phone": nullable(c.Phone),
		"createdAt": apiTime(a.Created), "updatedAt": apiTime(a.Modified),
		"defaultAddress": addressObj(c), "addresses": listOf(addressList(c)),
		"metafield":  s.ownerResolver(accountOwner(a), s.metafield),
		"metafields": s.ownerResolver(accountOwner(a), s.metafieldList),
	}
	if c.Email != "" {
		fields["defaultEmailAddress"] = obj{typename: "CustomerEmailAddress",
			fields: map[string]any{"emailAddress": c.Email}}
	}
	if c.Phone != "" {
		fields["defaultPhoneNumber"] = obj{typename: "CustomerPhoneNumber",
			fields: map[string]any{"phoneNumber": c.Phone}}
	}
	return obj{typename: typeCustomer, fields: fields}
}

// addressList is the customer's addresses: the one the model keeps, if any.
func addressList(c storesandbox.Customer) []obj {
	if a, ok := addressObj(c).(obj); ok {
		return []obj{a}
	}
	return nil
}

// listOf resolves a plain list field with an optional first argument.
func listOf(nodes []obj) resolver {
	return func(c call) (any, error) {
		if n, ok := toInt(c.args["first"]); ok && n >= 0 && int(n) < len(nodes) {
			return nodes[:n], nil
		}
		if nodes == nil {
			return []obj{}, nil
		}
		return nodes, nil
	}
}

// customerUpdate answers customerUpdate(input:): it writes the fields the
// input holds; a null clears one. The model keeps one address, so the
// first address of the input replaces it and an empty list removes it.
func (s *Sandbox) customerUpdate(c call) (any, error) {
	in, _ := c.args["input"].(map[string]any)
	id, _ := toString(in["id"])
	n, ok := parseGID(id, typeCustomer)
	if !ok {
		return customerPayload(nil, userError("UserError", "", "Customer does not exist",
			"id")), nil
	}

	a, err := s.model.UpdateAccount(n, func(a *storesandbox.Account) error {
		return applyCustomerInput(&a.Customer, in)
	})
	switch {
	case errors.Is(err, storesandbox.ErrNotFound):
		return customerPayload(nil, userError("UserError", "", "Customer does not exist",
			"id")), nil
	case errors.Is(err, storesandbox.ErrInvalid) && strings.Contains(err.Error(), "in use"):
		return customerPayload(nil, userError("UserError", "", "Email has already been taken",
			"email")), nil
	case errors.Is(err, storesandbox.ErrInvalid):
		return customerPayload(nil, userError("UserError", "", "Email is invalid",
			"email")), nil
	case err != nil:
		return nil, fmt.Errorf("update customer %d: %w", n, err)
	}
	return customerPayload(ptr(s.accountObj(a))), nil
}

func ptr[T any](v T) *T { return &v }

func customerPayload(customer *obj, errs ...obj) obj {
	fields := map[string]any{"customer": nil, "userErrors": errs}
	if customer != nil {
		fields["customer"] = *customer
	}
	if errs == nil {
		fields["userErrors"] = []obj{}
	}
	return obj{typename: "CustomerUpdatePayload", fields: fields}
}

// errBadEmail refuses an e-mail address without an @.
var errBadEmail = fmt.Errorf("customer e-mail is not an address: %w", storesandbox.ErrInvalid)

// applyCustomerInput writes the fields of a CustomerInput to c.
func applyCustomerInput(c *storesandbox.Customer, in map[string]any) error {
	for name, dst := range map[string]*string{"email": &c.Email, "firstName": &c.FirstName,
		"lastName": &c.LastName, "phone": &c.Phone} {
		if v, ok := in[name]; ok {
			*dst, _ = toString(v)
		}
	}
	if c.Email != "" && !strings.Contains(c.Email, "@") {
		return errBadEmail
	}
	list, present := in["addresses"]
	if !present {
		return nil
	}
	addresses, _ := list.([]any)
	c.Line1, c.Line2, c.City, c.PostalCode, c.Region, c.Country = "", "", "", "", "", ""
	if len(addresses) == 0 {
		return nil
	}
	m, _ := addresses[0].(map[string]any)
	for name, dst := range map[string]*string{"address1": &c.Line1, "address2": &c.Line2,
		"city": &c.City, "zip": &c.PostalCode, "provinceCode": &c.Region,
		"countryCode": &c.Country} {
		*dst, _ = toString(m[name])
	}
	return nil
}

// metaOwner returns the order or customer with global id, and whether the
// shop has it.
func (s *Sandbox) metaOwner(id string) (metaOwner, bool) {
	if n, ok := parseGID(id, typeOrder); ok {
		o, found := s.model.Order(n)
		return orderOwner(o), found
	}
	if n, ok := parseGID(id, typeCustomer); ok {
		a, found := s.model.Account(n)
		return accountOwner(a), found
	}
	return metaOwner{}, false
}

// setMetafield stores one metafield value of an order or customer, and
// returns the owner as stored.
func (s *Sandbox) setMetafield(owner metaOwner, key, value string) (metaOwner, error) {
	if owner.typ == typeOrder {
		o, err := s.model.SetMetafield(owner.id, key, value)
		return orderOwner(o), err
	}
	a, err := s.model.UpdateAccount(owner.id, func(a *storesandbox.Account) error {
		if a.Metafields == nil {
			a.Metafields = map[string]string{}
		}
		a.Metafields[key] = value
		return nil
	})
	return accountOwner(a), err
}

// metafieldsDelete answers metafieldsDelete(metafields:): each
// identifier's metafield is deleted, and a metafield that does not exist
// is answered with null. The sandbox deletes metafields of customers only.
func (s *Sandbox) metafieldsDelete(c call) (any, error) {
	inputs, _ := c.args["metafields"].([]any)
	deleted := make([]any, len(inputs))
	for i, in := range inputs {
		m, _ := in.(map[string]any)
		ownerID, _ := toString(m["ownerId"])
		ns, _ := toString(m["namespace"])
		key, _ := toString(m["key"])
		owner, ok := s.metaOwner(ownerID)
		switch {
		case !ok:
			return deletePayload(nil, userError("UserError", "", "Owner does not exist.",
				"metafields", i, "ownerId")), nil
		case owner.typ != typeCustomer:
			return deletePayload(nil, userError("UserError", "", "The sandbox deletes "+
				"metafields of customers only.", "metafields", i, "ownerId")), nil
		}
		gone, err := s.deleteMetafield(owner.id, ns+"."+key)
		if err != nil {
			return nil, err
		}
		if gone {
			deleted[i] = obj{typename: "MetafieldIdentifier", fields: map[string]any{
				"ownerId": ownerID, "namespace": ns, "key": key}}
		}
	}
	return deletePayload(deleted), nil
}

// deleteMetafield deletes one metafield of a customer and reports whether
// it was there.
func (s *Sandbox) deleteMetafield(customer int64, full string) (bool, error) {
	var gone bool
	_, err := s.model.UpdateAccount(customer, func(a *storesandbox.Account) error {
		_, gone = a.Metafields[full]
		delete(a.Metafields, full)
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("delete metafield %s of customer %d: %w", full, customer, err)
	}
	return gone, nil
}

func deletePayload(deleted []any, errs ...obj) obj {
	fields := map[string]any{"deletedMetafields": nil, "userErrors": errs}
	if deleted != nil {
		fields["deletedMetafields"] = deleted
	}
	if errs == nil {
		fields["userErrors"] = []obj{}
	}
	return obj{typename: "MetafieldsDeletePayload", fields: fields}
}

// restAccount is a customer as the REST Admin API and webhooks give it.
func restAccount(a storesandbox.Account) map[string]any {
	addresses := []any{}
	if addr := restAddress(a.Customer); addr != nil {
		addresses = append(addresses, addr)
	}
	return map[string]any{
		"id": a.ID, "admin_graphql_api_id": gid(typeCustomer, a.ID),
		"email": nullable(a.Email), "first_name": nullable(a.FirstName),
		"last_name": nullable(a.LastName), "phone": nullable(a.Phone),
		"created_at": restTime(a.Created), "updated_at": restTime(a.Modified),
		"state": "enabled", "verified_email": true, "tax_exempt": false, "tags": "",
		"note": nil, "currency": nil, "addresses": addresses,
		"default_address": restAddress(a.Customer),
	}
}
