package odoo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// allActive is the domain term that lists archived records with the active
// ones: Odoo hides archived records from searches that do not name active.
var allActive = []any{"active", "in", []bool{true, false}}

// catalogFields are the product.product fields a product is read from.
var catalogFields = []string{"id", "default_code", "name", "list_price", "currency_id",
	"active", "write_date"}

// catalogRow is a product.product as the catalog reads it.
type catalogRow struct {
	ID          int64       `json:"id"`
	DefaultCode text        `json:"default_code"`
	Name        text        `json:"name"`
	ListPrice   json.Number `json:"list_price"`
	Currency    many2one    `json:"currency_id"`
	Active      bool        `json:"active"`
	WriteDate   stamp       `json:"write_date"`
}

func (p catalogRow) key() key { return key{written: timeOf(p.WriteDate), id: p.ID} }

// ChangedProducts lists the product.product variants written since q.Since,
// archived ones included (Active false), with list_price as the base price
// in the product's currency. Products without a SKU (default_code) are
// listed too, with an empty SKU, so that paging stays whole.
func (c *Client) ChangedProducts(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.Product], err error) {
	defer syncerr.Wrap(&err, "list changed products product.product")
	rows, next, err := listChanges(ctx, q, catalogRow.key,
		searchChanged[catalogRow](c, "product.product", catalogFields, allActive))
	if err != nil {
		return page, err
	}

	page.Items, page.Next = make([]erp.Product, len(rows)), next
	for i, r := range rows {
		price, err := minorUnits(r.ListPrice, r.Currency.name)
		if err != nil {
			return erp.Page[erp.Product]{}, fmt.Errorf("product.product %d: %w", r.ID, err)
		}
		page.Items[i] = erp.Product{
			ID: formatID(r.ID), SKU: string(r.DefaultCode), Name: string(r.Name),
			PriceMinor: price, Currency: r.Currency.name, Active: r.Active,
			Modified: timeOf(r.WriteDate),
		}
	}
	return page, nil
}

// minorUnits converts an amount that Odoo wrote as a JSON number into minor
// units of currency, exactly, rounding half away from zero past the
// currency's decimals (Odoo stores prices as floats, which can carry a
// stray last digit).
func minorUnits(n json.Number, currency string) (int64, error) {
	if n == "" {
		return 0, nil
	}
	if minor, err := money.ParseMinor(n.String(), currency); err == nil {
		return minor, nil
	}

	r, ok := new(big.Rat).SetString(n.String())
	if !ok {
		return 0, fmt.Errorf("amount %q is not a number", n)
	}
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(money.Exponent(currency))), nil)
	r.Mul(r, new(big.Rat).SetInt(scale))
	return roundHalfAway(r)
}

// roundHalfAway rounds r to the nearest integer, halves away from zero.
func roundHalfAway(r *big.Rat) (int64, error) {
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	twice := new(big.Int).Mul(num, big.NewInt(2))
	twice.Add(twice, new(big.Int).Mul(den, big.NewInt(int64(num.Sign()))))
	q := new(big.Int).Quo(twice, new(big.Int).Mul(den, big.NewInt(2)))
	if !q.IsInt64() {
		return 0, fmt.Errorf("amount %s is out of range", r.FloatString(2))
	}
	return q.Int64(), nil
}
