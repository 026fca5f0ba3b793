package businesscentral

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// emptyGUID is how Business Central shows a GUID field that is not set.
const emptyGUID = "00000000-0000-0000-0000-000000000000"

// paymentTerm is the part of a paymentTerms entity the adapter reads.
type paymentTerm struct {
	ID   string `json:"id"`
	Code string `json:"code"`
}

// paymentTermsTable is the company's payment terms, by id and by code in
// upper case.
type paymentTermsTable struct {
	codeOf map[string]string
	idOf   map[string]string
}

// paymentTerms returns the company's payment terms, read once per client
// and again when fresh is set (a code or id the copy does not know).
func (c *Client) paymentTerms(ctx context.Context, fresh bool) (paymentTermsTable, error) {
	c.mu.Lock()
	table := c.terms
	c.mu.Unlock()
	if table.codeOf != nil && !fresh {
		return table, nil
	}

	terms, err := getAll[paymentTerm](ctx, c, c.entityURL("paymentTerms", nil))
	if err != nil {
		return table, fmt.Errorf("read payment terms: %w", err)
	}
	table = paymentTermsTable{codeOf: map[string]string{}, idOf: map[string]string{}}
	for _, t := range terms {
		table.codeOf[strings.ToLower(t.ID)] = t.Code
		table.idOf[strings.ToUpper(t.Code)] = t.ID
	}

	c.mu.Lock()
	c.terms = table
	c.mu.Unlock()
	return table, nil
}

// paymentTermsID resolves a payment terms code to its id. A code Business
// Central does not hold is a [syncerr.InvalidError].
func (c *Client) paymentTermsID(ctx context.Context, code string) (string, error) {
	for _, fresh := range []bool{false, true} {
		table, err := c.paymentTerms(ctx, fresh)
		if err != nil {
			return "", err
		}
		if id, ok := table.idOf[strings.ToUpper(code)]; ok {
			return id, nil
		}
	}
	return "", syncerr.Invalid("customer.terms.payment_terms",
		"%q is not a payment terms code in business central", code)
}

// paymentTermsCode resolves a customer's paymentTermsId to its code; the
// empty GUID is no terms, and so is, with a warning, an id that the payment
// terms do not list.
func (c *Client) paymentTermsCode(ctx context.Context, id string) (string, error) {
	if id == "" || id == emptyGUID {
		return "", nil
	}
	for _, fresh := range []bool{false, true} {
		table, err := c.paymentTerms(ctx, fresh)
		if err != nil {
			return "", err
		}
		if code, ok := table.codeOf[strings.ToLower(id)]; ok {
			return code, nil
		}
	}
	c.log.Warn("business central payment terms of a customer are not listed, left out",
		zap.String(fieldPaymentTermsID, id))
	return "", nil
}

// writeTerms sets the terms of cust that are set on body: the credit limit
// in the company's local currency, and the payment terms by id.
//
// TODO: the price group is neither read nor written: API v2.0's customers
// have no customer price group field; it needs a custom API page over the
// Customer table's "Customer Price Group".
func (c *Client) writeTerms(ctx context.Context, body *customer, t erp.Terms) error {
	if t.CreditLimitMinor != nil {
		currency, err := c.localCurrency(ctx)
		if err != nil {
			return err
		}
		if *t.CreditLimitMinor < 0 {
			return syncerr.Invalid("customer.terms.credit_limit_minor", "%d is negative",
				*t.CreditLimitMinor)
		}
		limit := json.Number(money.Decimal(*t.CreditLimitMinor, currency))
		body.CreditLimit = &limit
	}

	if t.PaymentTerms != "" {
		id, err := c.paymentTermsID(ctx, t.PaymentTerms)
		if err != nil {
			return err
		}
		body.PaymentTermsID = id
	}
	return nil
}

// readTerms maps the terms of cust. Business Central keeps a credit limit
// of 0 for "no limit", so 0 reads as nil; a limit with more decimals than
// the local currency has is left out with a warning.
func (c *Client) readTerms(ctx context.Context, cust customer) (erp.Terms, error) {
	var t erp.Terms
	code, err := c.paymentTermsCode(ctx, cust.PaymentTermsID)
	if err != nil {
		return t, err
	}
	t.PaymentTerms = code

	if cust.CreditLimit == nil || cust.CreditLimit.String() == "" {
		return t, nil
	}
	currency, err := c.localCurrency(ctx)
	if err != nil {
		return t, err
	}
	limit, err := money.ParseMinor(cust.CreditLimit.String(), currency)
	switch {
	case err != nil:
		c.log.Warn("business central credit limit does not fit minor units, left out",
			zap.String(fieldCustomerID, cust.ID))
	case limit != 0:
		t.CreditLimitMinor = &limit
	}
	return t, nil
}
