package customers

import (
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/store"
)

// addressSep joins the parts of an address into one field value, so that
// parts of two addresses are never mixed.
const addressSep = "\n"

// StoreValues returns the fields of a store customer.
func StoreValues(c store.CustomerRecord) Values {
	return Values{
		FieldEmail:        strings.ToLower(strings.TrimSpace(c.Email)),
		FieldName:         joinName(c.FirstName, c.LastName),
		FieldPhone:        strings.TrimSpace(c.Phone),
		FieldAddress:      joinAddress(c.Line1, c.Line2, c.City, c.PostalCode, c.Region, c.Country),
		FieldCreditLimit:  limitText(c.Terms.CreditLimitMinor),
		FieldPaymentTerms: c.Terms.PaymentTerms,
		FieldPriceGroup:   c.Terms.PriceGroup,
	}
}

// ERPValues returns the fields of an ERP customer.
func ERPValues(c erp.Customer) Values {
	a := c.Address
	return Values{
		FieldEmail:        strings.ToLower(strings.TrimSpace(c.Email)),
		FieldName:         strings.Join(strings.Fields(c.Name), " "),
		FieldPhone:        strings.TrimSpace(c.Phone),
		FieldAddress:      joinAddress(a.Line1, a.Line2, a.City, a.PostalCode, a.Region, a.CountryCode),
		FieldCreditLimit:  limitText(c.Terms.CreditLimitMinor),
		FieldPaymentTerms: c.Terms.PaymentTerms,
		FieldPriceGroup:   c.Terms.PriceGroup,
	}
}

// ApplyToStore returns c with the fields of v set.
func ApplyToStore(c store.CustomerRecord, v Values) store.CustomerRecord {
	for f, value := range v {
		switch f {
		case FieldEmail:
			c.Email = value
		case FieldName:
			c.FirstName, c.LastName = splitName(value)
		case FieldPhone:
			c.Phone = value
		case FieldAddress:
			p := splitAddress(value)
			c.Line1, c.Line2, c.City, c.PostalCode, c.Region, c.Country =
				p[0], p[1], p[2], p[3], p[4], p[5]
		case FieldCreditLimit:
			c.Terms.CreditLimitMinor = limitOf(value)
		case FieldPaymentTerms:
			c.Terms.PaymentTerms = value
		case FieldPriceGroup:
			c.Terms.PriceGroup = value
		}
	}
	return c
}

// ERPUpdate returns the ERP customer update that sets the fields of v. ERP
// adapters leave empty fields as they are, so a field emptied on the store
// side stays set in the ERP.
//
// TODO: a field emptied in the store stays set in the ERP; clearing it
// needs erp.Customer to tell "unset" from "leave as it is".
func ERPUpdate(v Values) erp.Customer {
	var c erp.Customer
	for f, value := range v {
		switch f {
		case FieldEmail:
			c.Email = value
		case FieldName:
			c.Name = value
		case FieldPhone:
			c.Phone = value
		case FieldAddress:
			p := splitAddress(value)
			c.Address = erp.Address{Line1: p[0], Line2: p[1], City: p[2], PostalCode: p[3],
				Region: p[4], CountryCode: p[5]}
		case FieldCreditLimit:
			c.Terms.CreditLimitMinor = limitOf(value)
		case FieldPaymentTerms:
			c.Terms.PaymentTerms = value
		case FieldPriceGroup:
			c.Terms.PriceGroup = value
		}
	}
	return c
}

// NewERPCustomer returns the ERP customer to create for a store customer.
func NewERPCustomer(c store.CustomerRecord) erp.Customer {
	return erp.Customer{
		ExternalID: c.ID,
		Email:      strings.TrimSpace(c.Email),
		Name:       joinName(c.FirstName, c.LastName),
		Phone:      c.Phone,
		Address: erp.Address{Line1: c.Line1, Line2: c.Line2, City: c.City,
			PostalCode: c.PostalCode, Region: c.Region, CountryCode: c.Country},
	}
}

func joinName(first, last string) string {
	return strings.Join(strings.Fields(first+" "+last), " ")
}

// splitName puts every word but the last in the first name.
func splitName(name string) (string, string) {
	i := strings.LastIndex(name, " ")
	if i < 0 {
		return name, ""
	}
	return name[:i], name[i+1:]
}

func joinAddress(parts ...string) string {
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if strings.Join(parts, "") == "" {
		return ""
	}
	return strings.Join(parts, addressSep)
}

func splitAddress(value string) [6]string {
	var p [6]string
	copy(p[:], strings.Split(value, addressSep))
	return p
}

func limitText(minor *int64) string {
	if minor == nil {
		return ""
	}
	return strconv.FormatInt(*minor, 10)
}

func limitOf(text string) *int64 {
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil
	}
	return &n
}
