package netsuitesandbox

import (
	"encoding/json"
	"strconv"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// A namedRecord is a row of a list record that customers refer to: a Term
// or a Price Level. Its name is the code the model keeps.
type namedRecord struct {
	id   int64
	name string
	// days is a term's daysuntilnetdue, a price level's discount in
	// percent.
	days int64
}

// paymentTerms are the Term records of the sandbox account.
var paymentTerms = []namedRecord{{1, "NET30", 30}, {2, "NET60", 60}, {3, "IMMEDIATE", 0}}

// priceLevels are the Price Level records of the sandbox account.
var priceLevels = []namedRecord{{1, "RETAIL", 0}, {2, "WHOLESALE", 20}}

// byID returns the name of the record with internal id, or "".
func byID(records []namedRecord, id int64) string {
	for _, r := range records {
		if r.id == id {
			return r.name
		}
	}
	return ""
}

// byName returns the internal id of the record named name, or 0.
func byName(records []namedRecord, name string) int64 {
	for _, r := range records {
		if r.name == name {
			return r.id
		}
	}
	return 0
}

// namedRef renders the reference to the record named name, or nil.
func namedRef(records []namedRecord, name string) any {
	id := byName(records, name)
	if id == 0 {
		return nil
	}
	return ref{ID: strconv.FormatInt(id, 10), RefName: name}
}

// resolveNamed reads a reference to one of records, or answers 400 with
// the field path.
func resolveNamed(records []namedRecord, r *ref, path, label string) (string, error) {
	id, _ := internalID(r.ID)
	if name := byID(records, id); name != "" {
		return name, nil
	}
	return "", invalidField("INVALID_KEY_OR_REF", path, "Invalid %s reference key %s.",
		label, r.ID)
}

// applyTerms copies the terms fields body sets onto c. The credit limit is
// in the base currency and may not be negative.
func (s *sandbox) applyTerms(c *erpsandbox.Customer, body customerBody) error {
	if body.CreditLimit != nil {
		limit, err := money.ParseMinor(body.CreditLimit.String(), s.baseCurrency)
		if err != nil || limit < 0 {
			return invalidField("INVALID_FLD_VALUE", "creditLimit",
				"You have entered an Invalid Field Value %s for the following field: "+
					"creditLimit", body.CreditLimit)
		}
		c.CreditLimitMinor = &limit
	}
	if body.Terms != nil {
		name, err := resolveNamed(paymentTerms, body.Terms, "terms", "terms")
		if err != nil {
			return err
		}
		c.PaymentTerms = name
	}
	if body.PriceLevel != nil {
		name, err := resolveNamed(priceLevels, body.PriceLevel, "priceLevel", "price level")
		if err != nil {
			return err
		}
		c.PriceGroup = name
	}
	return nil
}

// termsJSON adds the terms fields of c to a customer record.
func (s *sandbox) termsJSON(rec map[string]any, c erpsandbox.Customer) {
	if c.CreditLimitMinor != nil {
		rec["creditLimit"] = json.Number(money.Decimal(*c.CreditLimitMinor, s.baseCurrency))
	}
	if r := namedRef(paymentTerms, c.PaymentTerms); r != nil {
		rec["terms"] = r
	}
	if r := namedRef(priceLevels, c.PriceGroup); r != nil {
		rec["priceLevel"] = r
	}
}

// termRows lists the term table.
func termRows() []tableRow {
	var rows []tableRow
	for _, t := range paymentTerms {
		rows = append(rows, tableRow{"id": t.id, "name": t.name, "daysuntilnetdue": t.days,
			"isinactive": "F"})
	}
	return rows
}

// priceLevelRows lists the pricelevel table.
func priceLevelRows() []tableRow {
	var rows []tableRow
	for _, p := range priceLevels {
		rows = append(rows, tableRow{"id": p.id, "name": p.name, "discountpct": p.days,
			"isinactive": "F"})
	}
	return rows
}

// creditLimitValue is the creditlimit column of c, null when unset.
func (s *sandbox) creditLimitValue(c erpsandbox.Customer) value {
	if c.CreditLimitMinor == nil {
		return nil
	}
	return number(money.Decimal(*c.CreditLimitMinor, s.baseCurrency))
}

// namedValue is the internal id of the record named name, null for none.
func namedValue(records []namedRecord, name string) value {
	if id := byName(records, name); id != 0 {
		return id
	}
	return nil
}
