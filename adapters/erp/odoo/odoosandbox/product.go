package odoosandbox

import (
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// productModel serves product.product from the model's products. The SKU is
// default_code, the list price list_price (and lst_price, read-only).
func productModel() *modelDef {
	return &modelDef{
		name: "product.product",
		fields: map[string]fieldDef{
			"name":         {kind: kindChar},
			"display_name": {kind: kindChar, readonly: true},
			"default_code": {kind: kindChar},
			"list_price":   {kind: kindNumber},
			"lst_price":    {kind: kindNumber, readonly: true},
			"currency_id":  {kind: kindMany2one, readonly: true},
			"active":       {kind: kindBoolean},
			"create_date":  {kind: kindDatetime, readonly: true},
			"write_date":   {kind: kindDatetime, readonly: true},
		},
		records: func(s *sandbox) []record {
			products := s.model.Products()
			out := make([]record, len(products))
			for i, p := range products {
				out[i] = s.productRecord(p)
			}
			return out
		},
		narrow: narrowProducts,
		create: createProduct,
		write:  writeProduct,
	}
}

// narrowProducts offers a search of product.product the products that its
// domain names by id or by SKU, or those of its span of write dates in
// change order.
func narrowProducts(s *sandbox, q query) (source, bool) {
	read := func(p erpsandbox.Product) (record, bool) { return s.productRecord(p), true }
	if ids, ok := q.ids("id"); ok {
		return listOf(ids, s.model.Product, read), true
	}
	if skus, ok := q.texts("default_code"); ok {
		return listOf(skus, s.model.ProductBySKU, read), true
	}
	return changeWalk(q, "write_date", s.model.ChangedProducts, productKey, read)
}

func productKey(p erpsandbox.Product) erpsandbox.Key {
	return erpsandbox.Key{Modified: p.Modified, ID: p.ID}
}

func (s *sandbox) productRecord(p erpsandbox.Product) record {
	price := amount(p.PriceMinor, p.Currency)
	return record{
		"id":           p.ID,
		"name":         text(p.Name),
		"display_name": productDisplayName(p),
		"default_code": text(p.SKU),
		"list_price":   price,
		"lst_price":    price,
		"currency_id":  s.currencies.ref(p.Currency),
		"active":       !p.Archived,
		"create_date":  dateTime(p.Created),
		"write_date":   dateTime(p.Modified),
	}
}

// productDisplayName is "[SKU] Name", or the name alone without a SKU.
func productDisplayName(p erpsandbox.Product) string {
	if p.SKU == "" {
		return p.Name
	}
	return "[" + p.SKU + "] " + p.Name
}

func createProduct(s *sandbox, vals map[string]any) (int64, error) {
	p := erpsandbox.Product{Currency: s.currencies.company}
	if err := applyProduct(&p, vals); err != nil {
		return 0, err
	}

	p, err := s.model.CreateProduct(p)
	if err != nil {
		return 0, fromModel(err)
	}
	return p.ID, nil
}

func writeProduct(s *sandbox, id int64, vals map[string]any) error {
	_, err := s.model.UpdateProduct(id, func(p *erpsandbox.Product) error {
		return applyProduct(p, vals)
	})
	if err != nil {
		return fromModel(err)
	}
	return nil
}

// applyProduct copies product.product values onto p.
func applyProduct(p *erpsandbox.Product, vals map[string]any) error {
	for _, name := range sortedKeys(vals) {
		var err error
		switch name {
		case "name":
			p.Name, err = charValue(name, vals[name])
		case "default_code":
			p.SKU, err = charValue(name, vals[name])
		case "list_price":
			p.PriceMinor, err = minorValue(name, vals[name], p.Currency)
		case "active":
			var active bool
			active, err = boolValue(name, vals[name])
			p.Archived = !active
		}
		if err != nil {
			return err
		}
	}
	return nil
}
