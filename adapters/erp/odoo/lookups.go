package odoo

import (
	"context"
	"fmt"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// idRow is a record read for its id alone.
type idRow struct {
	ID int64 `json:"id"`
}

// productRow is a product.product read for its SKU.
type productRow struct {
	ID          int64 `json:"id"`
	DefaultCode text  `json:"default_code"`
}

// productIDs resolves the SKUs of lines to product.product ids in one
// search_read. The first line with an unknown SKU is a
// [syncerr.InvalidError] on "lines[<i>].sku". When Odoo holds several
// products with one SKU, the lowest id wins.
func (c *Client) productIDs(ctx context.Context, lines []erp.Line) (map[string]int64, error) {
	skus := make([]string, 0, len(lines))
	seen := map[string]bool{}
	for _, l := range lines {
		if !seen[l.SKU] {
			seen[l.SKU] = true
			skus = append(skus, l.SKU)
		}
	}

	var rows []productRow
	err := c.exec.execute(ctx, call{
		model: "product.product", method: "search_read",
		args: domain([]any{"default_code", "in", skus}),
		kwargs: map[string]any{
			"fields": []string{"id", "default_code"}, "order": "id asc",
		},
	}, &rows)
	if err != nil {
		return nil, fmt.Errorf("resolve skus: %w", err)
	}

	ids := map[string]int64{}
	for _, r := range rows {
		if _, dup := ids[string(r.DefaultCode)]; !dup {
			ids[string(r.DefaultCode)] = r.ID
		}
	}
	for i, l := range lines {
		if _, ok := ids[l.SKU]; !ok {
			return nil, syncerr.Invalid(fmt.Sprintf("lines[%d].sku", i),
				"sku %q is not a product in odoo", l.SKU)
		}
	}
	return ids, nil
}

// currencyID returns the id of the active res.currency named code, caching
// it for the life of the client.
func (c *Client) currencyID(ctx context.Context, code string) (int64, error) {
	c.mu.Lock()
	id, ok := c.currencies[code]
	c.mu.Unlock()
	if ok {
		return id, nil
	}

	var rows []idRow
	err := c.exec.execute(ctx, call{
		model: "res.currency", method: "search_read",
		args:   domain([]any{"name", "=", code}),
		kwargs: map[string]any{"fields": []string{"id"}, "limit": 1},
	}, &rows)
	if err != nil {
		return 0, fmt.Errorf("resolve currency %s: %w", code, err)
	}
	if len(rows) == 0 {
		return 0, syncerr.Invalid("currency", "%s is not an active currency in odoo", code)
	}

	c.mu.Lock()
	c.currencies[code] = rows[0].ID
	c.mu.Unlock()
	return rows[0].ID, nil
}

// partnerID finds the res.partner whose e-mail equals the customer's,
// ignoring case, or creates it. The lowest id wins when several match. Two
// calls for one new customer at the same moment would both create it: the
// caller makes the calls for one e-mail take turns.
func (c *Client) partnerID(ctx context.Context, cust erp.Customer) (int64, error) {
	var rows []idRow
	err := c.exec.execute(ctx, call{
		model: "res.partner", method: "search_read",
		args: domain([]any{"email", "=ilike", escapeLike(cust.Email)}),
		kwargs: map[string]any{
			"fields": []string{"id"}, "order": "id asc", "limit": 1,
		},
	}, &rows)
	if err != nil {
		return 0, fmt.Errorf("find customer res.partner: %w", err)
	}
	if len(rows) > 0 {
		return rows[0].ID, nil
	}

	id, err := c.create(ctx, "res.partner", partnerVals(cust))
	if err != nil {
		return 0, fmt.Errorf("create customer res.partner: %w", err)
	}
	return id, nil
}

// partnerVals builds the values of res.partner create, leaving out empty
// ones. A customer without a name is named by e-mail, as Odoo does itself.
func partnerVals(cust erp.Customer) map[string]any {
	vals := partnerFieldVals(cust)
	if cust.Name == "" {
		vals["name"] = cust.Email
	}
	return vals
}

// partnerFieldVals returns the res.partner values of the fields cust sets.
//
// TODO: the country is not sent; it needs res.country resolved from
// Address.CountryCode, and the region res.country.state likewise.
func partnerFieldVals(cust erp.Customer) map[string]any {
	fields := map[string]string{
		"name": cust.Name, "email": cust.Email, "phone": cust.Phone,
		"street": cust.Address.Line1, "street2": cust.Address.Line2,
		"city": cust.Address.City, "zip": cust.Address.PostalCode, "ref": cust.ExternalID,
	}
	vals := map[string]any{}
	for field, v := range fields {
		if v != "" {
			vals[field] = v
		}
	}
	return vals
}
