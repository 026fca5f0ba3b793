package odoosandbox

import (
	"strings"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// partnerModel serves res.partner from the model's customers.
func partnerModel() *modelDef {
	return &modelDef{
		name: "res.partner",
		fields: map[string]fieldDef{
			"name":         {kind: kindChar},
			"display_name": {kind: kindChar, readonly: true},
			"email":        {kind: kindChar},
			"phone":        {kind: kindChar},
			"street":       {kind: kindChar},
			"street2":      {kind: kindChar},
			"city":         {kind: kindChar},
			"zip":          {kind: kindChar},
			"ref":          {kind: kindChar},
			"country_code": {kind: kindChar, readonly: true},
			"active":       {kind: kindBoolean, readonly: true},
			"create_date":  {kind: kindDatetime, readonly: true},
			"write_date":   {kind: kindDatetime, readonly: true},
		},
		records: func(s *sandbox) []record {
			customers := s.model.Customers()
			out := make([]record, len(customers))
			for i, c := range customers {
				out[i] = partnerRecord(c)
			}
			return out
		},
		create: createPartner,
		write:  writePartner,
	}
}

func partnerRecord(c erpsandbox.Customer) record {
	return record{
		"id":           c.ID,
		"name":         text(c.Name),
		"display_name": text(c.Name),
		"email":        text(c.Email),
		"phone":        text(c.Phone),
		"street":       text(c.Address.Line1),
		"street2":      text(c.Address.Line2),
		"city":         text(c.Address.City),
		"zip":          text(c.Address.PostalCode),
		"ref":          text(c.ExternalRef),
		"country_code": text(c.Address.CountryCode),
		"active":       true,
		"create_date":  dateTime(c.Created),
		"write_date":   dateTime(c.Modified),
	}
}

func createPartner(s *sandbox, vals map[string]any) (int64, error) {
	var c erpsandbox.Customer
	if err := applyPartner(&c, vals); err != nil {
		return 0, err
	}
	if strings.TrimSpace(c.Name) == "" {
		return 0, validationError("Contacts require a name")
	}

	c, err := s.model.CreateCustomer(c)
	if err != nil {
		return 0, fromModel(err)
	}
	return c.ID, nil
}

func writePartner(s *sandbox, id int64, vals map[string]any) error {
	_, err := s.model.UpdateCustomer(id, func(c *erpsandbox.Customer) error {
		return applyPartner(c, vals)
	})
	if err != nil {
		return fromModel(err)
	}
	return nil
}

// applyPartner copies res.partner values onto c.
func applyPartner(c *erpsandbox.Customer, vals map[string]any) error {
	targets := map[string]*string{
		"name": &c.Name, "email": &c.Email, "phone": &c.Phone, "street": &c.Address.Line1,
		"street2": &c.Address.Line2, "city": &c.Address.City, "zip": &c.Address.PostalCode,
		"ref": &c.ExternalRef,
	}
	for _, name := range sortedKeys(vals) {
		s, err := charValue(name, vals[name])
		if err != nil {
			return err
		}
		*targets[name] = s
	}
	return nil
}
