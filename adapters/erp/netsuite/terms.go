package netsuite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// Tables whose rows a customer's terms refer to, found by name.
const (
	tableTerm       = "term"
	tablePriceLevel = "pricelevel"
)

// writeTerms sets the fields of body that t sets: creditLimit in the
// account's base currency, and the terms and priceLevel references of the
// codes, which are the names of a Term and a Price Level record.
//
// TODO: NetSuite keeps a customer's credit limit in the customer's primary
// currency; a customer whose currency is not the base currency gets the
// amount unconverted, since erp.Terms carries no currency of its own.
func (c *Client) writeTerms(ctx context.Context, t erp.Terms, body *customerRecord) error {
	if t.CreditLimitMinor != nil {
		if *t.CreditLimitMinor < 0 {
			return syncerr.Invalid("terms.credit_limit_minor", "%d is negative",
				*t.CreditLimitMinor)
		}
		base, err := c.baseCurrency(ctx)
		if err != nil {
			return err
		}
		limit := json.Number(money.Decimal(*t.CreditLimitMinor, base))
		body.CreditLimit = &limit
	}

	if t.PaymentTerms != "" {
		id, err := c.namedID(ctx, tableTerm, t.PaymentTerms, "terms.payment_terms")
		if err != nil {
			return err
		}
		body.Terms = &ref{ID: id}
	}
	if t.PriceGroup != "" {
		id, err := c.namedID(ctx, tablePriceLevel, t.PriceGroup, "terms.price_group")
		if err != nil {
			return err
		}
		body.PriceLevel = &ref{ID: id}
	}
	return nil
}

// readTerms maps the terms fields of a customer record. A reference is
// read as the name NetSuite gives it, its refName.
func (c *Client) readTerms(ctx context.Context, cr customerRecord) (erp.Terms, error) {
	var t erp.Terms
	if cr.Terms != nil {
		t.PaymentTerms = cr.Terms.RefName
	}
	if cr.PriceLevel != nil {
		t.PriceGroup = cr.PriceLevel.RefName
	}
	if cr.CreditLimit == nil || *cr.CreditLimit == "" {
		return t, nil
	}

	base, err := c.baseCurrency(ctx)
	if err != nil {
		return erp.Terms{}, err
	}
	limit, err := money.ParseMinor(cr.CreditLimit.String(), base)
	if err != nil {
		return erp.Terms{}, fmt.Errorf("customer %s: creditLimit: %w: %w", cr.ID, err,
			syncerr.ErrUnavailable)
	}
	t.CreditLimitMinor = &limit
	return t, nil
}

// namedID resolves name to the internal id of the row of table (term or
// pricelevel) with that name, remembering it. An unknown name is an
// InvalidError on field.
func (c *Client) namedID(ctx context.Context, table, name, field string) (string, error) {
	key := table + ":" + name
	if id, ok := c.names.get(key); ok {
		return id, nil
	}
	page, err := c.query(ctx, "SELECT id, name FROM "+table+" WHERE name = "+quote(name)+
		" ORDER BY id", 1, 0)
	if err != nil {
		return "", fmt.Errorf("resolve %s %q: %w", table, name, err)
	}
	if len(page.Items) == 0 {
		return "", syncerr.Invalid(field, "netsuite has no %s record named %q", table, name)
	}
	id := page.Items[0].str("id")
	c.names.put(key, id)
	return id, nil
}
