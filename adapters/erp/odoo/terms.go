package odoo

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// Models that hold the records customer terms refer to by name.
const (
	paymentTermModel = "account.payment.term"
	pricelistModel   = "product.pricelist"
)

// termFields are the res.partner fields of a customer's terms: the credit
// limit of the account module, in the company currency, with the switch
// that says the partner has one of its own (Odoo 17 and later), the
// payment terms and the pricelist.
var termFields = []string{"credit_limit", "use_partner_credit_limit",
	"property_payment_term_id", "property_product_pricelist"}

// termsRow is the part of a res.partner that holds its terms.
type termsRow struct {
	CreditLimit    json.Number `json:"credit_limit"`
	UseCreditLimit bool        `json:"use_partner_credit_limit"`
	PaymentTerm    many2one    `json:"property_payment_term_id"`
	Pricelist      many2one    `json:"property_product_pricelist"`
}

// termNames are the names of the payment terms and pricelists that a page
// of partners refers to, by id, and the company currency.
type termNames struct {
	currency     string
	paymentTerms map[int64]string
	pricelists   map[int64]string
}

// terms returns t as erp terms. A partner without a credit limit of its own
// has none.
func (n termNames) terms(t termsRow) (erp.Terms, error) {
	out := erp.Terms{PaymentTerms: n.paymentTerms[t.PaymentTerm.id],
		PriceGroup: n.pricelists[t.Pricelist.id]}
	if !t.UseCreditLimit {
		return out, nil
	}
	limit, err := minorUnits(t.CreditLimit, n.currency)
	if err != nil {
		return erp.Terms{}, fmt.Errorf("credit_limit: %w", err)
	}
	out.CreditLimitMinor = &limit
	return out, nil
}

// namesOf reads the names of the payment terms and pricelists that rows
// refer to, two reads at most, and the company currency when a row has a
// credit limit. Payment terms and
// pricelists are named by erpsync's codes ("NET30", "WHOLESALE"); their
// names are read, not their display names, which Odoo decorates (a
// pricelist shows its currency).
func (c *Client) namesOf(ctx context.Context, rows []termsRow) (termNames, error) {
	terms, pricelists := map[int64]bool{}, map[int64]bool{}
	limits := false
	for _, r := range rows {
		limits = limits || r.UseCreditLimit
		if r.PaymentTerm.id != 0 {
			terms[r.PaymentTerm.id] = true
		}
		if r.Pricelist.id != 0 {
			pricelists[r.Pricelist.id] = true
		}
	}

	var n termNames
	var err error
	if limits {
		if n.currency, err = c.companyCurrency(ctx); err != nil {
			return termNames{}, err
		}
	}
	if n.paymentTerms, err = c.names(ctx, paymentTermModel, terms); err != nil {
		return termNames{}, err
	}
	n.pricelists, err = c.names(ctx, pricelistModel, pricelists)
	return n, err
}

// nameRow is a record read for its name.
type nameRow struct {
	ID   int64 `json:"id"`
	Name text  `json:"name"`
}

// names reads the names of the records ids of model.
func (c *Client) names(ctx context.Context, model string, ids map[int64]bool) (
	map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}

	var rows []nameRow
	err := c.searchRead(ctx, model, domain([]any{"id", "in", slices.Sorted(maps.Keys(ids))}),
		map[string]any{"fields": []string{"id", "name"}}, &rows)
	if err != nil {
		return nil, fmt.Errorf("read %s names: %w", model, err)
	}
	for _, r := range rows {
		out[r.ID] = string(r.Name)
	}
	return out, nil
}

// termsVals returns the res.partner values of the terms that t sets,
// resolving codes to records by name. An unknown code is a
// [syncerr.InvalidError] on its field: Odoo's terms are configured there,
// not created by erpsync.
func (c *Client) termsVals(ctx context.Context, t erp.Terms) (map[string]any, error) {
	vals := map[string]any{}
	if t.CreditLimitMinor != nil {
		if *t.CreditLimitMinor < 0 {
			return nil, syncerr.Invalid("terms.credit_limit_minor", "%d is negative",
				*t.CreditLimitMinor)
		}
		currency, err := c.companyCurrency(ctx)
		if err != nil {
			return nil, err
		}
		vals["credit_limit"] = json.Number(money.Decimal(*t.CreditLimitMinor, currency))
		vals["use_partner_credit_limit"] = true
	}

	refs := []struct{ field, model, code, name string }{
		{"property_payment_term_id", paymentTermModel, t.PaymentTerms, "terms.payment_terms"},
		{"property_product_pricelist", pricelistModel, t.PriceGroup, "terms.price_group"},
	}
	for _, r := range refs {
		if r.code == "" {
			continue
		}
		id, err := c.idByName(ctx, r.model, r.code, r.name)
		if err != nil {
			return nil, err
		}
		vals[r.field] = id
	}
	return vals, nil
}

// idByName returns the id of the active record of model named name, the
// lowest when several are, or a [syncerr.InvalidError] on field when none is.
func (c *Client) idByName(ctx context.Context, model, name, field string) (int64, error) {
	var rows []idRow
	err := c.searchRead(ctx, model, domain([]any{"name", "=", name}),
		map[string]any{"fields": []string{"id"}, "order": "id asc", "limit": 1}, &rows)
	if err != nil {
		return 0, fmt.Errorf("resolve %s %q: %w", model, name, err)
	}
	if len(rows) == 0 {
		return 0, syncerr.Invalid(field, "%q names no active %s in odoo", name, model)
	}
	return rows[0].ID, nil
}

// companyRow is a res.company read for its currency.
type companyRow struct {
	Currency many2one `json:"currency_id"`
}

// companyCurrency returns the currency of the user's first company, in
// which Odoo keeps credit limits, caching it for the life of the client.
//
// TODO: a database with several companies keeps a credit limit per
// company; the adapter reads and writes the one of the user's first
// company only.
func (c *Client) companyCurrency(ctx context.Context) (string, error) {
	c.mu.Lock()
	currency := c.company
	c.mu.Unlock()
	if currency != "" {
		return currency, nil
	}

	var rows []companyRow
	err := c.searchRead(ctx, "res.company", domain(),
		map[string]any{"fields": []string{"currency_id"}, "order": "id asc", "limit": 1}, &rows)
	if err != nil {
		return "", fmt.Errorf("read company currency: %w", err)
	}
	if len(rows) == 0 || rows[0].Currency.name == "" {
		return "", fmt.Errorf("read company currency: no company with a currency: %w",
			syncerr.ErrUnavailable)
	}

	c.mu.Lock()
	c.company = rows[0].Currency.name
	c.mu.Unlock()
	return rows[0].Currency.name, nil
}
