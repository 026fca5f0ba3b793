package shopify

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// The metafields of a customer that hold the terms the ERP grants, in the
// namespace termsNamespace.
const (
	termsNamespace = "erpsync"
	keyCreditLimit = "credit_limit"
	keyPayment     = "payment_terms"
	keyPriceGroup  = "price_group"
)

const customerFields = `
  legacyResourceId firstName lastName updatedAt
  defaultEmailAddress { emailAddress }
  defaultPhoneNumber { phoneNumber }
  defaultAddress { address1 address2 city province provinceCode zip countryCodeV2 }
  terms: metafields(first: 3, keys: ["erpsync.credit_limit", "erpsync.payment_terms",
      "erpsync.price_group"]) { nodes { key value } }`

const loadCustomerQuery = `query LoadCustomer($id: ID!) {
  customer(id: $id) {` + customerFields + `
  }
}`

const findCustomerQuery = `query FindCustomer($query: String!) {
  customers(first: 10, query: $query) { nodes {` + customerFields + `
  } }
}`

// customerNode is a Customer as customerFields reads it.
type customerNode struct {
	LegacyResourceID    string    `json:"legacyResourceId"`
	FirstName           string    `json:"firstName"`
	LastName            string    `json:"lastName"`
	UpdatedAt           time.Time `json:"updatedAt"`
	DefaultEmailAddress *struct {
		EmailAddress string `json:"emailAddress"`
	} `json:"defaultEmailAddress"`
	DefaultPhoneNumber *struct {
		PhoneNumber string `json:"phoneNumber"`
	} `json:"defaultPhoneNumber"`
	DefaultAddress *address `json:"defaultAddress"`
	Terms          struct {
		Nodes []struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		} `json:"nodes"`
	} `json:"terms"`
}

// LoadCustomer reads the customer whose numeric id is id, with the terms
// in its erpsync metafields. Modified is the customer's updatedAt.
func (s *Store) LoadCustomer(ctx context.Context, id string) (store.CustomerRecord, error) {
	gid, err := parseCustomerID(id)
	if err != nil {
		return store.CustomerRecord{}, err
	}

	var data struct {
		Customer *customerNode `json:"customer"`
	}
	if err := s.query(ctx, "load customer", loadCustomerQuery, map[string]any{"id": gid},
		&data); err != nil {
		return store.CustomerRecord{}, fmt.Errorf("load customer %s: %w", id, err)
	}
	if data.Customer == nil {
		return store.CustomerRecord{}, fmt.Errorf("load customer %s: %w", id,
			syncerr.ErrNotFound)
	}
	c, err := mapCustomerNode(data.Customer)
	if err != nil {
		return store.CustomerRecord{}, fmt.Errorf("load customer %s: %w", id, err)
	}
	return c, nil
}

// FindCustomerByEmail searches the customers by e-mail and returns the one
// whose address equals email, ignoring case.
func (s *Store) FindCustomerByEmail(ctx context.Context, email string) (store.CustomerRecord,
	bool, error) {
	email = strings.TrimSpace(email)
	if !strings.Contains(email, "@") {
		return store.CustomerRecord{}, false, syncerr.Invalid("email",
			"%q is not an e-mail address", email)
	}

	var data struct {
		Customers struct {
			Nodes []customerNode `json:"nodes"`
		} `json:"customers"`
	}
	vars := map[string]any{"query": "email:" + quote(email)}
	if err := s.query(ctx, "find customer", findCustomerQuery, vars, &data); err != nil {
		return store.CustomerRecord{}, false, fmt.Errorf("find customer by e-mail: %w", err)
	}
	for i := range data.Customers.Nodes {
		n := &data.Customers.Nodes[i]
		if n.DefaultEmailAddress == nil ||
			!strings.EqualFold(n.DefaultEmailAddress.EmailAddress, email) {
			continue
		}
		c, err := mapCustomerNode(n)
		if err != nil {
			return store.CustomerRecord{}, false, fmt.Errorf("find customer by e-mail: "+
				"customer %s: %w", n.LegacyResourceID, err)
		}
		return c, true, nil
	}
	return store.CustomerRecord{}, false, nil
}

// parseCustomerID returns the global id of a numeric customer id.
func parseCustomerID(id string) (string, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return "", syncerr.Invalid("customer_id", "%q is not a Shopify customer id", id)
	}
	return "gid://shopify/Customer/" + id, nil
}

// mapCustomerNode converts a customer into erpsync's shape.
func mapCustomerNode(n *customerNode) (store.CustomerRecord, error) {
	c := store.CustomerRecord{Modified: n.UpdatedAt.UTC()}
	c.ID, c.FirstName, c.LastName = n.LegacyResourceID, n.FirstName, n.LastName
	if n.DefaultEmailAddress != nil {
		c.Email = n.DefaultEmailAddress.EmailAddress
	}
	if n.DefaultPhoneNumber != nil {
		c.Phone = n.DefaultPhoneNumber.PhoneNumber
	}
	if a := n.DefaultAddress; a != nil {
		c.Line1, c.Line2, c.City, c.PostalCode = a.Address1, a.Address2, a.City, a.Zip
		c.Region, c.Country = firstOf(a.ProvinceCode, a.Province), a.CountryCodeV2
	}

	for _, m := range n.Terms.Nodes {
		switch strings.TrimPrefix(m.Key, termsNamespace+".") {
		case keyCreditLimit:
			limit, err := strconv.ParseInt(m.Value, 10, 64)
			if err != nil {
				return store.CustomerRecord{}, syncerr.Invalid("terms.credit_limit",
					"%q is not an integer of minor units", m.Value)
			}
			c.Terms.CreditLimitMinor = &limit
		case keyPayment:
			c.Terms.PaymentTerms = m.Value
		case keyPriceGroup:
			c.Terms.PriceGroup = m.Value
		}
	}
	return c, nil
}

// UpdateCustomer writes the contact fields of c to customer id with
// customerUpdate (its address as the customer's only address, none when
// c has no address), and its terms to the customer's erpsync metafields
// with metafieldsSet, deleting those of terms that are not set, all in one
// request. Every write is absolute, so a retry writes the same again. It
// returns the customer as read back. An unknown customer gives an error
// wrapping [syncerr.ErrNotFound]; a refused field, an
// [*syncerr.InvalidError] naming it.
func (s *Store) UpdateCustomer(ctx context.Context, id string,
	c store.CustomerRecord) (store.CustomerRecord, error) {
	gid, err := parseCustomerID(id)
	if err != nil {
		return store.CustomerRecord{}, err
	}
	if !strings.Contains(c.Email, "@") {
		return store.CustomerRecord{}, syncerr.Invalid("email",
			"customer %s: %q is not an e-mail address", id, c.Email)
	}

	q, vars := updateCustomerRequest(gid, c)
	var data map[string]struct {
		UserErrors []userError `json:"userErrors"`
	}
	if err := s.query(ctx, "update customer", q, vars, &data); err != nil {
		return store.CustomerRecord{}, fmt.Errorf("update customer %s: %w", id, err)
	}
	for _, field := range []string{"customer", "set", "unset"} {
		if errs := data[field].UserErrors; len(errs) > 0 {
			return store.CustomerRecord{}, fmt.Errorf("update customer %s: %w", id,
				customerError(errs[0]))
		}
	}
	return s.LoadCustomer(ctx, id)
}

// updateCustomerRequest builds the mutation of UpdateCustomer, with the
// metafield writes and deletions that c's terms need.
func updateCustomerRequest(gid string, c store.CustomerRecord) (string, map[string]any) {
	input := map[string]any{"id": gid, "email": c.Email, "firstName": c.FirstName,
		"lastName": c.LastName, "phone": nullable(c.Phone), "addresses": []any{}}
	if c.Line1 != "" || c.City != "" || c.PostalCode != "" || c.Country != "" {
		input["addresses"] = []any{map[string]any{"address1": c.Line1,
			"address2": c.Line2, "city": c.City, "zip": c.PostalCode,
			"provinceCode": c.Region, "countryCode": c.Country,
			"firstName": c.FirstName, "lastName": c.LastName}}
	}

	var set, unset []map[string]any
	terms := []struct{ key, typ, value string }{
		{keyCreditLimit, "number_integer", ""},
		{keyPayment, "single_line_text_field", c.Terms.PaymentTerms},
		{keyPriceGroup, "single_line_text_field", c.Terms.PriceGroup},
	}
	if c.Terms.CreditLimitMinor != nil {
		terms[0].value = strconv.FormatInt(*c.Terms.CreditLimitMinor, 10)
	}
	for _, t := range terms {
		id := map[string]any{"ownerId": gid, "namespace": termsNamespace, "key": t.key}
		if strings.TrimSpace(t.value) == "" {
			unset = append(unset, id)
			continue
		}
		id["type"], id["value"] = t.typ, t.value
		set = append(set, id)
	}

	decl := "$input: CustomerInput!"
	body := "  customer: customerUpdate(input: $input) { userErrors { field message } }\n"
	vars := map[string]any{"input": input}
	if len(set) > 0 {
		decl += ", $set: [MetafieldsSetInput!]!"
		body += "  set: metafieldsSet(metafields: $set) { userErrors { field message code } }\n"
		vars["set"] = set
	}
	if len(unset) > 0 {
		decl += ", $unset: [MetafieldIdentifierInput!]!"
		body += "  unset: metafieldsDelete(metafields: $unset) { userErrors { field message } }\n"
		vars["unset"] = unset
	}
	return "mutation UpdateCustomer(" + decl + ") {\n" + body + "}", vars
}

// customerError translates a user error of UpdateCustomer.
func customerError(ue userError) error {
	field := "customer"
	if len(ue.Field) > 0 {
		field = ue.Field[len(ue.Field)-1]
	}
	if field == "id" || field == "ownerId" {
		return fmt.Errorf("%s: %w", ue.Message, syncerr.ErrNotFound)
	}
	return &syncerr.InvalidError{Field: field, Reason: "shopify refused the customer: " +
		ue.Message}
}

// nullable returns nil for "", which GraphQL reads as null.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
