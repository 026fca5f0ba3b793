package shopify

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

const orderFields = `
  legacyResourceId number email phone createdAt updatedAt currencyCode taxesIncluded
  cancelledAt cancelReason
  totalPriceSet { shopMoney { amount currencyCode } }
  totalRefundedSet { shopMoney { amount currencyCode } }
  totalDiscountsSet { shopMoney { amount currencyCode } }
  totalShippingPriceSet { shopMoney { amount currencyCode } }
  totalTaxSet { shopMoney { amount currencyCode } }
  customer {
    legacyResourceId firstName lastName
    defaultEmailAddress { emailAddress }
    defaultPhoneNumber { phoneNumber }
  }
  shippingAddress { ...address }
  billingAddress { ...address }
  erpID: metafield(namespace: "erp", key: "sales_order_id") { value }`

const lineFields = `
  nodes { sku name quantity originalUnitPriceSet { shopMoney { amount currencyCode } } }
  pageInfo { hasNextPage endCursor }`

const loadOrderQuery = `query LoadOrder($id: ID!) {
  order(id: $id) {` + orderFields + `
    lineItems(first: 100) {` + lineFields + ` }
  }
}
fragment address on MailingAddress {
  firstName lastName address1 address2 city province provinceCode zip countryCodeV2 phone
}`

const moreLinesQuery = `query MoreLines($id: ID!, $after: String) {
  order(id: $id) { lineItems(first: 100, after: $after) {` + lineFields + ` } }
}`

// money is a MoneyBag with only its shop money asked for.
type moneyBag struct {
	ShopMoney struct {
		Amount       string `json:"amount"`
		CurrencyCode string `json:"currencyCode"`
	} `json:"shopMoney"`
}

type address struct {
	FirstName     string `json:"firstName"`
	LastName      string `json:"lastName"`
	Address1      string `json:"address1"`
	Address2      string `json:"address2"`
	City          string `json:"city"`
	Province      string `json:"province"`
	ProvinceCode  string `json:"provinceCode"`
	Zip           string `json:"zip"`
	CountryCodeV2 string `json:"countryCodeV2"`
	Phone         string `json:"phone"`
}

type lineItems struct {
	Nodes []struct {
		SKU                  string   `json:"sku"`
		Name                 string   `json:"name"`
		Quantity             int64    `json:"quantity"`
		OriginalUnitPriceSet moneyBag `json:"originalUnitPriceSet"`
	} `json:"nodes"`
	PageInfo pageInfo `json:"pageInfo"`
}

type pageInfo struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor"`
}

// orderNode is an Order as loadOrderQuery reads it.
type orderNode struct {
	LegacyResourceID      string     `json:"legacyResourceId"`
	Number                int64      `json:"number"`
	Email                 string     `json:"email"`
	Phone                 string     `json:"phone"`
	CreatedAt             time.Time  `json:"createdAt"`
	UpdatedAt             time.Time  `json:"updatedAt"`
	CurrencyCode          string     `json:"currencyCode"`
	TaxesIncluded         bool       `json:"taxesIncluded"`
	TotalPriceSet         *moneyBag  `json:"totalPriceSet"`
	TotalDiscountsSet     *moneyBag  `json:"totalDiscountsSet"`
	TotalShippingPriceSet *moneyBag  `json:"totalShippingPriceSet"`
	TotalTaxSet           *moneyBag  `json:"totalTaxSet"`
	TotalRefundedSet      *moneyBag  `json:"totalRefundedSet"`
	CancelledAt           *time.Time `json:"cancelledAt"`
	CancelReason          string     `json:"cancelReason"`
	Customer              *struct {
		LegacyResourceID    string `json:"legacyResourceId"`
		FirstName           string `json:"firstName"`
		LastName            string `json:"lastName"`
		DefaultEmailAddress *struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"defaultEmailAddress"`
		DefaultPhoneNumber *struct {
			PhoneNumber string `json:"phoneNumber"`
		} `json:"defaultPhoneNumber"`
	} `json:"customer"`
	ShippingAddress *address `json:"shippingAddress"`
	BillingAddress  *address `json:"billingAddress"`
	ERPID           *struct {
		Value string `json:"value"`
	} `json:"erpID"`
	LineItems lineItems `json:"lineItems"`
}

// LoadOrder reads the order whose numeric id is orderID, with all its line
// items, its cancellation (the reason in lower case, such as "customer")
// and its refunds, in the shop's currency. An order the shop lacks gives an error
// wrapping [syncerr.ErrNotFound]; one whose amounts cannot be read, an
// [*syncerr.InvalidError] naming the field.
func (s *Store) LoadOrder(ctx context.Context, orderID string) (store.Order, error) {
	id, err := parseOrderID(orderID)
	if err != nil {
		return store.Order{}, err
	}

	var data struct {
		Order *orderNode `json:"order"`
	}
	if err := s.query(ctx, "load order", loadOrderQuery, map[string]any{"id": id},
		&data); err != nil {
		return store.Order{}, fmt.Errorf("load order %s: %w", orderID, err)
	}
	if data.Order == nil {
		return store.Order{}, fmt.Errorf("load order %s: %w", orderID, syncerr.ErrNotFound)
	}
	if err := s.moreLines(ctx, id, data.Order); err != nil {
		return store.Order{}, fmt.Errorf("load order %s: %w", orderID, err)
	}

	o, err := mapOrder(data.Order)
	if err != nil {
		return store.Order{}, fmt.Errorf("load order %s: %w", orderID, err)
	}
	if o.Refunds, err = s.loadRefunds(ctx, id, data.Order); err != nil {
		return store.Order{}, fmt.Errorf("load order %s: %w", orderID, err)
	}
	s.log.Debug("order loaded", zap.String(fieldOrderID, orderID),
		zap.Int(fieldCount, len(o.Lines)))
	return o, nil
}

// moreLines reads the line items past the first page into o.
func (s *Store) moreLines(ctx context.Context, id string, o *orderNode) error {
	next := o.LineItems.PageInfo
	for next.HasNextPage {
		var data struct {
			Order *struct {
				LineItems lineItems `json:"lineItems"`
			} `json:"order"`
		}
		vars := map[string]any{"id": id, "after": next.EndCursor}
		if err := s.query(ctx, "load order lines", moreLinesQuery, vars, &data); err != nil {
			return err
		}
		if data.Order == nil {
			return syncerr.ErrNotFound
		}
		o.LineItems.Nodes = append(o.LineItems.Nodes, data.Order.LineItems.Nodes...)
		next = data.Order.LineItems.PageInfo
	}
	return nil
}

// parseOrderID returns the global id of a numeric order id.
func parseOrderID(orderID string) (string, error) {
	n, err := strconv.ParseInt(orderID, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != orderID {
		return "", syncerr.Invalid("order_id", "%q is not a Shopify order id", orderID)
	}
	return "gid://shopify/Order/" + orderID, nil
}

// mapOrder converts an order into erpsync's shape, in minor units.
func mapOrder(n *orderNode) (store.Order, error) {
	cur := n.CurrencyCode
	o := store.Order{
		ID: n.LegacyResourceID, Number: strconv.FormatInt(n.Number, 10), Currency: cur,
		PlacedAt: n.CreatedAt.UTC(), UpdatedAt: n.UpdatedAt.UTC(),
		TaxesIncluded: n.TaxesIncluded, Customer: mapCustomer(n),
	}
	if n.ERPID != nil {
		o.ERPID = n.ERPID.Value
	}
	o.Status = store.OrderOpen
	if n.CancelledAt != nil {
		o.Status, o.CancelReason = store.OrderCancelled, strings.ToLower(n.CancelReason)
	}

	amounts := []struct {
		field string
		bag   *moneyBag
		dst   *int64
	}{
		{"total_price", n.TotalPriceSet, &o.TotalMinor},
		{"total_discounts", n.TotalDiscountsSet, &o.DiscountMinor},
		{"total_shipping_price", n.TotalShippingPriceSet, &o.ShippingMinor},
		{"total_tax", n.TotalTaxSet, &o.TaxMinor},
	}
	for _, a := range amounts {
		v, err := amount(a.field, a.bag, cur)
		if err != nil {
			return store.Order{}, err
		}
		*a.dst = v
	}

	for i, l := range n.LineItems.Nodes {
		field := fmt.Sprintf("lines[%d].unit_price", i)
		price, err := amount(field, &l.OriginalUnitPriceSet, cur)
		if err != nil {
			return store.Order{}, err
		}
		o.Lines = append(o.Lines, store.Line{SKU: l.SKU, Name: l.Name, Quantity: l.Quantity,
			UnitPriceMinor: price})
	}
	return o, nil
}

// amount reads a MoneyBag's shop money in minor units of currency; a
// missing bag is zero.
func amount(field string, bag *moneyBag, currency string) (int64, error) {
	if bag == nil {
		return 0, nil
	}
	m := bag.ShopMoney
	if m.CurrencyCode != "" && m.CurrencyCode != currency {
		return 0, syncerr.Invalid(field, "amount is in %s, the order in %s", m.CurrencyCode,
			currency)
	}
	v, err := money.ParseMinor(m.Amount, currency)
	if err != nil {
		return 0, syncerr.Invalid(field, "%v", err)
	}
	return v, nil
}

// mapCustomer takes the buyer from the customer, the order and its
// addresses, the shipping address first.
func mapCustomer(n *orderNode) store.Customer {
	c := store.Customer{Email: n.Email, Phone: n.Phone}
	addr := n.ShippingAddress
	if addr == nil {
		addr = n.BillingAddress
	}
	if addr == nil {
		addr = &address{}
	}

	if cu := n.Customer; cu != nil {
		c.ID, c.FirstName, c.LastName = cu.LegacyResourceID, cu.FirstName, cu.LastName
		if c.Email == "" && cu.DefaultEmailAddress != nil {
			c.Email = cu.DefaultEmailAddress.EmailAddress
		}
		if c.Phone == "" && cu.DefaultPhoneNumber != nil {
			c.Phone = cu.DefaultPhoneNumber.PhoneNumber
		}
	}
	c.FirstName = firstOf(c.FirstName, addr.FirstName)
	c.LastName = firstOf(c.LastName, addr.LastName)
	c.Phone = firstOf(c.Phone, addr.Phone)
	c.Line1, c.Line2, c.City, c.PostalCode = addr.Address1, addr.Address2, addr.City, addr.Zip
	c.Region, c.Country = firstOf(addr.ProvinceCode, addr.Province), addr.CountryCodeV2
	return c
}

func firstOf(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
