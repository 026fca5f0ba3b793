package odoosandbox

import (
	"slices"

	"github.com/erpsync/erpsync/internal/money"
)

// knownCurrencies are the res.currency records of the sandbox, with ids in
// this order from 1. Codes that a configuration names beyond these get the
// next ids.
var knownCurrencies = []string{
	"EUR", "USD", "GBP", "JPY", "CHF", "CAD", "AUD", "SEK", "DKK", "NOK", "PLN", "CZK",
	"KWD", "BHD", "INR", "CNY", "MXN", "BRL", "NZD", "SGD", "HKD", "ZAR", "KRW",
}

// currencyTable is the sandbox's res.currency: every known code with a
// stable id, some of them active. Odoo hides inactive currencies from
// searches that do not name "active".
type currencyTable struct {
	company string
	codes   []string // index i holds the code of id i+1
	active  map[string]bool
}

func newCurrencyTable(company string, active []string) currencyTable {
	t := currencyTable{
		company: company,
		codes:   slices.Clone(knownCurrencies),
		active:  map[string]bool{company: true},
	}
	for _, code := range append([]string{company}, active...) {
		if !slices.Contains(t.codes, code) {
			t.codes = append(t.codes, code)
		}
		t.active[code] = true
	}
	return t
}

// code returns the currency code of id.
func (t currencyTable) code(id int64) (string, bool) {
	if id < 1 || id > int64(len(t.codes)) {
		return "", false
	}
	return t.codes[id-1], true
}

// ref returns the many2one reference to code, empty for an unknown code.
func (t currencyTable) ref(code string) many2one {
	i := slices.Index(t.codes, code)
	if i < 0 {
		return many2one{}
	}
	return many2one{int64(i + 1), code}
}

// currencyModel serves res.currency, read-only.
func currencyModel() *modelDef {
	return &modelDef{
		name: "res.currency",
		fields: map[string]fieldDef{
			"name":           {kind: kindChar, readonly: true},
			"display_name":   {kind: kindChar, readonly: true},
			"decimal_places": {kind: kindInteger, readonly: true},
			"active":         {kind: kindBoolean, readonly: true},
		},
		records: func(s *sandbox) []record {
			out := make([]record, len(s.currencies.codes))
			for i, code := range s.currencies.codes {
				out[i] = record{
					"id":             int64(i + 1),
					"name":           code,
					"display_name":   code,
					"decimal_places": int64(money.Exponent(code)),
					"active":         s.currencies.active[code],
				}
			}
			return out
		},
	}
}
