package odoosandbox

import (
	"strings"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// partnerModel serves res.partner from the model's customers, with the
// terms of the account and product modules: credit_limit (in the company
// currency, shown by currency_id) with use_partner_credit_limit, the
// payment terms property_payment_term_id and the pricelist
// property_product_pricelist, whose records are named by the model's codes.
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
			"credit_limit": {kind: kindNumber},
			"currency_id":  {kind: kindMany2one, readonly: true},

			"use_partner_credit_limit":   {kind: kindBoolean},
			"property_payment_term_id":   {kind: kindMany2one},
			"property_product_pricelist": {kind: kindMany2one},

			"active":      {kind: kindBoolean, readonly: true},
			"create_date": {kind: kindDatetime, readonly: true},
			"write_date":  {kind: kindDatetime, readonly: true},
		},
		records: func(s *sandbox) []record {
			customers := s.model.Customers()
			out := make([]record, len(customers))
			for i, c := range customers {
				out[i] = s.partnerRecord(c)
			}
			return out
		},
		create: createPartner,
		write:  writePartner,
	}
}

func (s *sandbox) partnerRecord(c erpsandbox.Customer) record {
	limit := int64(0)
	if c.CreditLimitMinor != nil {
		limit = *c.CreditLimitMinor
	}
	company := s.currencies.company
	pricelist := s.pricelists.ref(c.PriceGroup, s.pricelistDisplay(c.PriceGroup))
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
		"credit_limit": amount(limit, company),
		"currency_id":  s.currencies.ref(company),

		"use_partner_credit_limit":   c.CreditLimitMinor != nil,
		"property_payment_term_id":   s.paymentTerms.ref(c.PaymentTerms, c.PaymentTerms),
		"property_product_pricelist": pricelist,

		"active":      true,
		"create_date": dateTime(c.Created),
		"write_date":  dateTime(c.Modified),
	}
}

func createPartner(s *sandbox, vals map[string]any) (int64, error) {
	var c erpsandbox.Customer
	if err := s.applyPartner(&c, vals); err != nil {
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
		return s.applyPartner(c, vals)
	})
	if err != nil {
		return fromModel(err)
	}
	return nil
}

// applyPartner copies res.partner values onto c.
func (s *sandbox) applyPartner(c *erpsandbox.Customer, vals map[string]any) error {
	targets := map[string]*string{
		"name": &c.Name, "email": &c.Email, "phone": &c.Phone, "street": &c.Address.Line1,
		"street2": &c.Address.Line2, "city": &c.Address.City, "zip": &c.Address.PostalCode,
		"ref": &c.ExternalRef,
	}
	for _, name := range sortedKeys(vals) {
		target, ok := targets[name]
		if !ok {
			continue
		}
		v, err := charValue(name, vals[name])
		if err != nil {
			return err
		}
		*target = v
	}
	return s.applyTerms(c, vals)
}

// applyTerms copies the terms among res.partner values onto c. A credit
// limit turns the partner's own limit on; use_partner_credit_limit false
// turns it off, whatever limit comes with it.
func (s *sandbox) applyTerms(c *erpsandbox.Customer, vals map[string]any) error {
	if raw, ok := vals["credit_limit"]; ok {
		limit, err := minorValue("credit_limit", raw, s.currencies.company)
		if err != nil {
			return err
		}
		c.CreditLimitMinor = &limit
	}
	if raw, ok := vals["use_partner_credit_limit"]; ok {
		use, err := boolValue("use_partner_credit_limit", raw)
		if err != nil {
			return err
		}
		if !use {
			c.CreditLimitMinor = nil
		} else if c.CreditLimitMinor == nil {
			c.CreditLimitMinor = new(int64)
		}
	}

	if err := applyName(&c.PaymentTerms, "property_payment_term_id", vals,
		s.paymentTerms); err != nil {
		return err
	}
	return applyName(&c.PriceGroup, "property_product_pricelist", vals, s.pricelists)
}

// applyName sets *target to the name of the record of table that the
// many2one field of vals refers to, or to "" for false, when vals has it.
func applyName(target *string, field string, vals map[string]any, table nameTable) error {
	raw, ok := vals[field]
	if !ok {
		return nil
	}
	id, err := many2oneValue(field, raw)
	if err != nil {
		return err
	}
	if id == 0 {
		*target = ""
		return nil
	}
	name, ok := table.name(id)
	if !ok {
		return validationError("Wrong value for %s: record %d does not exist", field, id)
	}
	*target = name
	return nil
}
