package odoosandbox

import (
	"slices"
)

// Default records of account.payment.term and product.pricelist. Their
// names are the codes that customers' terms carry in the model.
var (
	defaultPaymentTerms = []string{"IMMEDIATE", "NET30", "NET60"}
	defaultPricelists   = []string{"RETAIL", "WHOLESALE"}
)

// companyName is the name of the sandbox's only res.company.
const companyName = "erpsync sandbox"

// WithTerms sets the records of account.payment.term and product.pricelist,
// by name, numbered from 1 in the order given. By default the payment terms
// are IMMEDIATE, NET30 and NET60 and the pricelists RETAIL and WHOLESALE.
// As in Odoo, a partner can only refer to a record that exists: a code of
// the model that names none reads as no record.
func WithTerms(paymentTerms, pricelists []string) Option {
	return func(s *sandbox) {
		s.paymentTerms = slices.Clone(paymentTerms)
		s.pricelists = slices.Clone(pricelists)
	}
}

// nameTable is a fixed list of records known by name, with ids from 1.
type nameTable []string

// ref returns the reference to the record named name, empty when there is
// none, shown as display.
func (t nameTable) ref(name, display string) many2one {
	i := slices.Index(t, name)
	if name == "" || i < 0 {
		return many2one{}
	}
	return many2one{int64(i + 1), display}
}

// name returns the name of record id, and whether there is one.
func (t nameTable) name(id int64) (string, bool) {
	if id < 1 || id > int64(len(t)) {
		return "", false
	}
	return t[id-1], true
}

// paymentTermModel serves account.payment.term, read-only.
func paymentTermModel() *modelDef {
	return &modelDef{
		name: "account.payment.term",
		fields: map[string]fieldDef{
			"name":         {kind: kindChar, readonly: true},
			"display_name": {kind: kindChar, readonly: true},
			"active":       {kind: kindBoolean, readonly: true},
		},
		records: func(s *sandbox) []record {
			out := make([]record, len(s.paymentTerms))
			for i, name := range s.paymentTerms {
				out[i] = record{"id": int64(i + 1), "name": name, "display_name": name,
					"active": true}
			}
			return out
		},
	}
}

// pricelistModel serves product.pricelist, read-only. Every pricelist is
// in the company currency, and is displayed as "<name> (<currency>)", as
// Odoo displays pricelists.
func pricelistModel() *modelDef {
	return &modelDef{
		name: "product.pricelist",
		fields: map[string]fieldDef{
			"name":         {kind: kindChar, readonly: true},
			"display_name": {kind: kindChar, readonly: true},
			"currency_id":  {kind: kindMany2one, readonly: true},
			"active":       {kind: kindBoolean, readonly: true},
		},
		records: func(s *sandbox) []record {
			out := make([]record, len(s.pricelists))
			for i, name := range s.pricelists {
				out[i] = record{"id": int64(i + 1), "name": name,
					"display_name": s.pricelistDisplay(name),
					"currency_id":  s.currencies.ref(s.currencies.company), "active": true}
			}
			return out
		},
	}
}

// pricelistDisplay is the display name of pricelist name.
func (s *sandbox) pricelistDisplay(name string) string {
	return name + " (" + s.currencies.company + ")"
}

// companyModel serves res.company, read-only: the one company, whose
// currency is the sandbox's company currency.
func companyModel() *modelDef {
	return &modelDef{
		name: "res.company",
		fields: map[string]fieldDef{
			"name":         {kind: kindChar, readonly: true},
			"display_name": {kind: kindChar, readonly: true},
			"currency_id":  {kind: kindMany2one, readonly: true},
		},
		records: func(s *sandbox) []record {
			return []record{{"id": int64(1), "name": companyName, "display_name": companyName,
				"currency_id": s.currencies.ref(s.currencies.company)}}
		},
	}
}
