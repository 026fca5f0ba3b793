package bcsandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// emptyGUID is how Business Central shows a GUID field that is not set.
const emptyGUID = "00000000-0000-0000-0000-000000000000"

// paymentTerm is one record of the Payment Terms table.
type paymentTerm struct {
	number      int64
	code        string
	displayName string
	due         string // the due date calculation, a date formula
}

// paymentTermsTable is what a new company holds in Payment Terms; the
// model's customers name their terms by these codes.
var paymentTermsTable = []paymentTerm{
	{1, "NET30", "Net 30 days", "30D"},
	{2, "NET60", "Net 60 days", "60D"},
	{3, "IMMEDIATE", "Due immediately", "0D"},
}

// paymentTermsCreated is when the sandbox's payment terms were set up.
var paymentTermsCreated = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// paymentTermGUID is the id of a payment term, apart from the model's ids.
func paymentTermGUID(number int64) string {
	return fmt.Sprintf("00000000-0000-4002-8000-%012x", number)
}

// paymentTerms lists the Payment Terms table.
func (s *sandbox) paymentTerms() []entity {
	out := make([]entity, 0, len(paymentTermsTable))
	for _, p := range paymentTermsTable {
		out = append(out, entity{id: p.number, fields: map[string]any{
			"id": paymentTermGUID(p.number), "code": p.code, "displayName": p.displayName,
			"dueDateCalculation": p.due, "discountDateCalculation": "",
			"discountPercent": decimal("0"), "calculateDiscountOnCreditMemos": false,
			"lastModifiedDateTime": paymentTermsCreated,
		}})
	}
	return out
}

// paymentTermsID returns the id of the payment terms with code, or the
// empty GUID when code is empty or not in the table.
func paymentTermsID(code string) string {
	for _, p := range paymentTermsTable {
		if strings.EqualFold(p.code, code) {
			return paymentTermGUID(p.number)
		}
	}
	return emptyGUID
}

// paymentTermsCode returns the code of the payment terms with id; the
// empty GUID clears the customer's terms.
func paymentTermsCode(id string) (string, *apiError) {
	id = strings.ToLower(strings.Trim(id, "{}"))
	if id == emptyGUID {
		return "", nil
	}
	for _, p := range paymentTermsTable {
		if id == paymentTermGUID(p.number) {
			return p.code, nil
		}
	}
	return "", errorf(http.StatusBadRequest, "Application_DialogException",
		`The "paymentTermsId" does not match to a Payment Terms.`)
}

// creditLimitOf shows a customer's credit limit in the local currency:
// Business Central keeps 0 for "no limit".
func (s *sandbox) creditLimitOf(c erpsandbox.Customer) decimal {
	if c.CreditLimitMinor == nil {
		return decimal("0")
	}
	return decimal(money.Decimal(*c.CreditLimitMinor, s.currency))
}

// setTerms copies the creditLimit and paymentTermsId of obj, when given,
// onto c. A credit limit of 0 removes the limit. The price group of the
// model has no field in API v2.0, so it is neither shown nor written.
func (s *sandbox) setTerms(c *erpsandbox.Customer, obj map[string]any) *apiError {
	if v, ok := obj["creditLimit"]; ok {
		n, isNumber := v.(json.Number)
		if !isNumber {
			return errorf(http.StatusBadRequest, "BadRequest",
				"Cannot convert a primitive value to the expected type 'Edm.Decimal' for "+
					"'creditLimit'.")
		}
		minor, err := money.ParseMinor(n.String(), s.currency)
		if err != nil || minor < 0 {
			return errorf(http.StatusBadRequest, "Application_DialogException",
				"The credit limit %s is negative or has more decimals than %s allows.", n,
				s.currency)
		}
		c.CreditLimitMinor = &minor
		if minor == 0 {
			c.CreditLimitMinor = nil
		}
	}

	if _, ok := obj["paymentTermsId"]; !ok {
		return nil
	}
	id, apiErr := text(obj, "paymentTermsId")
	if apiErr != nil {
		return apiErr
	}
	code, apiErr := paymentTermsCode(id)
	if apiErr != nil {
		return apiErr
	}
	c.PaymentTerms = code
	return nil
}
