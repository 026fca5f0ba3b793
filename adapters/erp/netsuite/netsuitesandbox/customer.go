package netsuitesandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// customerBody is a customer as clients write it.
type customerBody struct {
	ExternalID  *string `json:"externalId"`
	IsPerson    *bool   `json:"isPerson"`
	CompanyName *string `json:"companyName"`
	FirstName   *string `json:"firstName"`
	LastName    *string `json:"lastName"`
	Email       *string `json:"email"`
	Phone       *string `json:"phone"`
	// CreditLimit is in the base currency; Terms and PriceLevel refer to
	// a Term and a Price Level record.
	CreditLimit *json.Number `json:"creditLimit"`
	Terms       *ref         `json:"terms"`
	PriceLevel  *ref         `json:"priceLevel"`
	AddressBook *struct {
		Items []struct {
			Address struct {
				Addr1   string          `json:"addr1"`
				Addr2   string          `json:"addr2"`
				City    string          `json:"city"`
				Zip     string          `json:"zip"`
				State   string          `json:"state"`
				Country json.RawMessage `json:"country"`
			} `json:"addressBookAddress"`
		} `json:"items"`
	} `json:"addressBook"`
}

// upsertCustomer creates the customer with external id eid, or updates it.
func (s *sandbox) upsertCustomer(r *http.Request, eid string) (int64, error) {
	var body customerBody
	if err := decodeBody(r, &body); err != nil {
		return 0, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if found := s.customersWithEID(eid); len(found) > 0 {
		_, err := s.model.UpdateCustomer(found[0].ID, func(c *erpsandbox.Customer) error {
			return s.applyCustomer(c, body)
		})
		return found[0].ID, err
	}
	return s.insertCustomer(body, eid)
}

// createCustomer adds a customer, with the body's external id when it has
// one that is not in use.
func (s *sandbox) createCustomer(r *http.Request) (int64, error) {
	var body customerBody
	if err := decodeBody(r, &body); err != nil {
		return 0, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	eid := ""
	if body.ExternalID != nil {
		eid = *body.ExternalID
		if len(s.customersWithEID(eid)) > 0 {
			return 0, invalidField("DUP_RCRD", "externalId",
				"A record with the external id %q already exists.", eid)
		}
	}
	return s.insertCustomer(body, eid)
}

// insertCustomer creates the customer of body. The caller holds s.mu.
func (s *sandbox) insertCustomer(body customerBody, eid string) (int64, error) {
	c := erpsandbox.Customer{ExternalRef: eid}
	if err := s.applyCustomer(&c, body); err != nil {
		return 0, err
	}
	if strings.TrimSpace(c.Name) == "" {
		return 0, invalidField("USER_ERROR", "companyName",
			"Please enter value(s) for: Company Name")
	}
	created, err := s.model.CreateCustomer(c)
	return created.ID, err
}

// updateCustomer patches customer id.
func (s *sandbox) updateCustomer(r *http.Request, id int64) error {
	var body customerBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	_, err := s.model.UpdateCustomer(id, func(c *erpsandbox.Customer) error {
		return s.applyCustomer(c, body)
	})
	return err
}

// customersWithEID returns the customers whose external id is eid.
func (s *sandbox) customersWithEID(eid string) []erpsandbox.Customer {
	return s.model.FindCustomers(func(c erpsandbox.Customer) bool { return c.ExternalRef == eid })
}

// applyCustomer copies the fields that body sets onto c. The first entry
// of an address book becomes the address. It runs under the model's lock
// when it updates, so it reads only its own tables.
func (s *sandbox) applyCustomer(c *erpsandbox.Customer, body customerBody) error {
	person := body.IsPerson != nil && *body.IsPerson
	switch {
	case person && (body.FirstName != nil || body.LastName != nil):
		c.Name = strings.TrimSpace(deref(body.FirstName) + " " + deref(body.LastName))
	case body.CompanyName != nil:
		c.Name = *body.CompanyName
	}
	if body.Email != nil {
		c.Email = *body.Email
	}
	if body.Phone != nil {
		c.Phone = *body.Phone
	}
	if err := s.applyTerms(c, body); err != nil {
		return err
	}
	if body.AddressBook == nil {
		return nil
	}
	c.Address = erpsandbox.Address{}
	if len(body.AddressBook.Items) > 0 {
		a := body.AddressBook.Items[0].Address
		c.Address = erpsandbox.Address{Line1: a.Addr1, Line2: a.Addr2, City: a.City,
			PostalCode: a.Zip, Region: a.State, CountryCode: countryOf(a.Country)}
	}
	return nil
}

// countryOf reads a country written as "PT" or {"id": "PT"}.
func countryOf(raw json.RawMessage) string {
	var code string
	if json.Unmarshal(raw, &code) == nil {
		return code
	}
	var r ref
	_ = json.Unmarshal(raw, &r) // anything else is no country
	return r.ID
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// customerKey resolves an internal id or "eid:<external id>".
func (s *sandbox) customerKey(key string) (int64, bool) {
	if eid, ok := strings.CutPrefix(key, "eid:"); ok {
		found := s.customersWithEID(eid)
		if len(found) == 0 {
			return 0, false
		}
		return found[0].ID, true
	}
	id, ok := internalID(key)
	if _, exists := s.model.Customer(id); !exists {
		return 0, false
	}
	return id, ok
}

// customerJSON renders a customer as the record API does; the address
// book is a link unless expand is set.
func (s *sandbox) customerJSON(r *http.Request, key string, expand bool) (any, bool) {
	id, ok := s.customerKey(key)
	if !ok {
		return nil, false
	}
	c, _ := s.model.Customer(id)
	rec := map[string]any{
		"links": recordLinks(r, "customer", c.ID), "id": strconv.FormatInt(c.ID, 10),
		"entityId": c.Name, "companyName": c.Name, "isPerson": false,
		"dateCreated": restTime(c.Created), "lastModifiedDate": restTime(c.Modified),
	}
	for k, v := range map[string]string{"email": c.Email, "phone": c.Phone,
		"externalId": c.ExternalRef} {
		if v != "" {
			rec[k] = v
		}
	}
	s.termsJSON(rec, c)
	self := recordLinks(r, "customer", c.ID)[0]
	self.Href += "/addressBook"
	book := map[string]any{"links": []link{self}}
	if expand {
		book["items"] = addressItems(c.Address)
	}
	rec["addressBook"] = book
	return rec, true
}

func addressItems(a erpsandbox.Address) []map[string]any {
	if a == (erpsandbox.Address{}) {
		return []map[string]any{}
	}
	addr := map[string]any{"addr1": a.Line1, "addr2": a.Line2, "city": a.City,
		"zip": a.PostalCode, "state": a.Region}
	if a.CountryCode != "" {
		addr["country"] = ref{ID: a.CountryCode, RefName: a.CountryCode}
	}
	return []map[string]any{{"defaultBilling": true, "defaultShipping": true,
		"addressBookAddress": addr}}
}
