package sap

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

const (
	serviceProduct = "API_PRODUCT_SRV"
	setProduct     = "A_Product"

	// skusPerQuery bounds the SKUs of one filter, keeping URLs short.
	skusPerQuery = 40
)

// checkSKUs checks that every SKU of lines is a product in SAP. The first
// line with an unknown SKU is a [syncerr.InvalidError] on "lines[<i>].sku".
func (c *Client) checkSKUs(ctx context.Context, lines []erp.Line) error {
	var skus []string
	seen := map[string]bool{}
	for _, l := range lines {
		if !seen[l.SKU] {
			seen[l.SKU] = true
			skus = append(skus, l.SKU)
		}
	}

	known := map[string]bool{}
	for start := 0; start < len(skus); start += skusPerQuery {
		chunk := skus[start:min(start+skusPerQuery, len(skus))]
		terms := make([]string, len(chunk))
		for i, sku := range chunk {
			terms[i] = "Product eq " + quote(sku)
		}
		var page collection[struct {
			Product string `json:"Product"`
		}]
		err := c.odata.do(ctx, call{method: http.MethodGet, service: serviceProduct,
			path: setProduct, query: []param{{"$filter", strings.Join(terms, " or ")},
				{"$select", "Product"}, {"$top", fmt.Sprint(len(chunk))}}}, &page)
		if err != nil {
			return fmt.Errorf("resolve skus: %w", err)
		}
		for _, p := range page.Results {
			known[p.Product] = true
		}
	}

	for i, l := range lines {
		if !known[l.SKU] {
			return syncerr.Invalid(fmt.Sprintf("lines[%d].sku", i),
				"sku %q is not a product in sap", l.SKU)
		}
	}
	return nil
}

// productRow is an A_Product with its descriptions and valuations.
type productRow struct {
	Product             string                    `json:"Product"`
	IsMarkedForDeletion bool                      `json:"IsMarkedForDeletion"`
	LastChangeDateTime  sapTime                   `json:"LastChangeDateTime"`
	Descriptions        results[descriptionRow]   `json:"to_Description"`
	Valuations          results[productValuation] `json:"to_Valuation"`
}

type descriptionRow struct {
	Language           string `json:"Language"`
	ProductDescription string `json:"ProductDescription"`
}

type productValuation struct {
	ValuationType string `json:"ValuationType"`
	StandardPrice string `json:"StandardPrice"`
	PriceUnitQty  string `json:"PriceUnitQty"`
	Currency      string `json:"Currency"`
}

// ChangedProducts lists the products whose LastChangeDateTime is at or
// after q.Since, oldest first, with keyset paging on (LastChangeDateTime,
// Product). The base price is the standard price of the product's
// valuation, per one unit; products marked for deletion are listed as
// inactive.
//
// TODO: the sales price proper is a PPR0 condition record of
// API_SLSPRICINGCONDITIONRECORD_SRV, and a new standard price or condition
// record does not move the product's LastChangeDateTime; a second stream
// over the valuation's PriceLastChangeDate (or the condition records' own
// change time), merged like ChangedCustomers does, would catch price-only
// changes.
func (c *Client) ChangedProducts(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.Product], err error) {
	defer syncerr.Wrap(&err, "list changed sap products")
	filter, err := keysetFilter("LastChangeDateTime", "Product", q)
	if err != nil {
		return erp.Page[erp.Product]{}, err
	}

	var rows collection[productRow]
	err = c.odata.do(ctx, call{method: http.MethodGet, service: serviceProduct,
		path: setProduct, query: []param{{"$filter", filter},
			{"$expand", "to_Description,to_Valuation"},
			{"$orderby", "LastChangeDateTime,Product"},
			{"$top", fmt.Sprint(q.PageSize())}}}, &rows)
	if err != nil {
		return erp.Page[erp.Product]{}, err
	}

	for _, r := range rows.Results {
		p, err := c.product(r)
		if err != nil {
			return erp.Page[erp.Product]{}, err
		}
		page.Items = append(page.Items, p)
	}
	if rows.more(q.PageSize()) {
		last := rows.Results[len(rows.Results)-1]
		page.Next = cursor{Modified: last.LastChangeDateTime.Time(), ID: last.Product}.encode()
	}
	return page, nil
}

// product maps an A_Product, preferring the description in the configured
// language and the valuation without a valuation type.
func (c *Client) product(r productRow) (erp.Product, error) {
	p := erp.Product{ID: r.Product, SKU: r.Product, Active: !r.IsMarkedForDeletion,
		Modified: r.LastChangeDateTime.Time()}
	for _, d := range r.Descriptions.Results {
		if p.Name == "" || d.Language == c.language {
			p.Name = d.ProductDescription
		}
	}

	vals := r.Valuations.Results
	if len(vals) == 0 {
		return p, nil
	}
	v := vals[0]
	for _, candidate := range vals {
		if candidate.ValuationType == "" {
			v = candidate
			break
		}
	}
	price, err := unitPrice(v)
	if err != nil {
		return erp.Product{}, fmt.Errorf("product %s: %w", r.Product, err)
	}
	p.PriceMinor, p.Currency = price, v.Currency
	return p, nil
}

// unitPrice reads the standard price of a valuation per one unit, in minor
// units, rounding half up when the price is per several units.
func unitPrice(v productValuation) (int64, error) {
	if !money.ValidCurrency(v.Currency) {
		return 0, fmt.Errorf("price currency %q is not an ISO 4217 code: %w", v.Currency,
			syncerr.ErrUnavailable)
	}
	minor, err := money.ParseMinor(strings.TrimSpace(v.StandardPrice), v.Currency)
	if err != nil {
		return 0, fmt.Errorf("standard price %q: %w", v.StandardPrice, err)
	}
	per, err := wholeUnits(v.PriceUnitQty)
	if err != nil || per <= 1 {
		return minor, nil
	}
	return (minor + per/2) / per, nil
}

// keysetFilter is the $filter of a change listing over an
// Edm.DateTimeOffset field and a key: from q.Since on the first page,
// after the cursor's record on the next ones.
func keysetFilter(field, key string, q erp.Changes) (string, error) {
	if q.Cursor == "" {
		return field + " ge " + dateTimeOffsetLiteral(q.Since), nil
	}
	cur, err := decodeCursor(q.Cursor)
	if err != nil {
		return "", syncerr.Invalid("cursor", "%v", err)
	}
	lit := dateTimeOffsetLiteral(cur.Modified)
	return fmt.Sprintf("(%s gt %s or (%s eq %s and %s gt %s))", field, lit, field, lit, key,
		quote(cur.ID)), nil
}
