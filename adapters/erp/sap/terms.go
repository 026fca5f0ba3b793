package sap

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// termsBody writes the terms that t sets as the fields of an
// A_CustomerSalesArea: the payment terms in CustomerPaymentTerms and the
// price group in CustomerPriceGroup. Codes longer than the fields are an
// [syncerr.InvalidError]. The credit limit is not written.
//
// TODO: credit limits live in SAP Credit Management
// (API_CRDTMBUSINESSPARTNER), which the adapter does not call yet, so a
// credit limit is neither read nor written.
func termsBody(t erp.Terms) (map[string]any, error) {
	body := map[string]any{}
	fields := []struct {
		name, field, value string
		max                int
	}{
		{"customer.terms.payment_terms", "CustomerPaymentTerms", t.PaymentTerms,
			maxPaymentTerms},
		{"customer.terms.price_group", "CustomerPriceGroup", t.PriceGroup, maxPriceGroup},
	}
	for _, f := range fields {
		v := strings.TrimSpace(f.value)
		if v == "" {
			continue
		}
		if utf8.RuneCountInString(v) > f.max {
			return nil, syncerr.Invalid(f.name, "%q has more than %d characters, the length "+
				"of %s", v, f.max, f.field)
		}
		body[f.field] = v
	}
	return body, nil
}

// termsChange is the PATCH of an A_CustomerSalesArea that writes terms;
// a zero termsChange writes nothing.
type termsChange struct {
	path    string
	body    map[string]any
	ifMatch string
}

// termsChange prepares the writing of the terms that t sets into the
// partner's customer data in the configured sales area. A partner with no
// customer data in that area is an [syncerr.InvalidError]: extending a
// customer to a sales area needs data (shipping conditions, account
// assignment) that erpsync does not have.
func (c *Client) termsChange(row partnerRow, t erp.Terms) (termsChange, error) {
	body, err := termsBody(t)
	if err != nil || len(body) == 0 {
		return termsChange{}, err
	}
	area, ok := row.salesArea(c.area)
	if !ok {
		return termsChange{}, syncerr.Invalid("customer.terms", "business partner %s has "+
			"no customer data in sales area %s", row.BusinessPartner, c.area)
	}

	path := fmt.Sprintf("%s(Customer=%s,SalesOrganization=%s,DistributionChannel=%s,"+
		"Division=%s)", setSalesArea, quote(area.Customer), quote(area.SalesOrganization),
		quote(area.DistributionChannel), quote(area.Division))
	return termsChange{path: path, body: body, ifMatch: area.Metadata.ifMatch()}, nil
}

// send writes the terms, when there are any.
func (tc termsChange) send(ctx context.Context, c *Client) error {
	if tc.path == "" {
		return nil
	}
	err := c.odata.do(ctx, call{method: http.MethodPatch, service: servicePartner,
		path: tc.path, body: tc.body, ifMatch: tc.ifMatch}, nil)
	if err != nil {
		return fmt.Errorf("change terms in sales area %s: %w", c.area, err)
	}
	return nil
}
