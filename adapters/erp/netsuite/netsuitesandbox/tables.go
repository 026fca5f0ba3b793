package netsuitesandbox

import (
	"fmt"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// currencies are the currencies of the sandbox account, by internal id.
var currencies = []struct {
	id     int64
	symbol string
	name   string
}{
	{1, "USD", "US Dollar"}, {2, "GBP", "British pound"}, {3, "CAD", "Canadian Dollar"},
	{4, "EUR", "Euro"}, {5, "JPY", "Japanese Yen"}, {6, "CHF", "Swiss Franc"},
	{7, "AUD", "Australian Dollar"}, {8, "SEK", "Swedish Krona"},
}

// currencyID returns the internal id of the currency code, or 0.
func currencyID(code string) int64 {
	for _, c := range currencies {
		if c.symbol == code {
			return c.id
		}
	}
	return 0
}

// currencyCode returns the code of the currency with internal id, or "".
func currencyCode(id int64) string {
	for _, c := range currencies {
		if c.id == id {
			return c.symbol
		}
	}
	return ""
}

// Sales order statuses, as transaction.status holds them.
var orderStatus = map[erpsandbox.OrderState]string{
	erpsandbox.OrderDraft:     "A",
	erpsandbox.OrderConfirmed: "B",
	erpsandbox.OrderCancelled: "C",
}

// table returns the rows of the SuiteQL table name.
func (s *sandbox) table(name string) ([]tableRow, error) {
	switch name {
	case "transaction":
		return s.transactions(), nil
	case "customer":
		return s.customerRows(), nil
	case "item":
		return s.itemRows(), nil
	case "inventoryitemlocations":
		return s.stockRows(), nil
	case "location":
		return s.locationRows(), nil
	case "currency":
		return s.currencyRows(), nil
	case "term":
		return termRows(), nil
	case "pricelevel":
		return priceLevelRows(), nil
	}
	return nil, fmt.Errorf("unknown table %q", name)
}

// transactions lists sales orders and item fulfillments.
func (s *sandbox) transactions() []tableRow {
	var rows []tableRow
	for _, o := range s.model.SalesOrders() {
		rows = append(rows, tableRow{
			"id": o.ID, "tranid": o.Number, "type": "SalesOrd", "status": s.statusOf(o),
			"externalid": nullable(s.orderEID(o.ID)), "otherrefnum": nullable(o.ExternalRef),
			"entity": o.CustomerID, "currency": currencyID(o.Currency),
			"trandate": o.OrderedAt, "memo": nullable(o.CancelReason),
			"foreigntotal": number(money.Decimal(o.TotalMinor, o.Currency)),
			"createdfrom":  nil, "shipstatus": nil,
			"createddate": o.Created, "lastmodifieddate": o.Modified,
		})
	}
	for _, sh := range s.model.Shipments() {
		o, _ := s.model.SalesOrder(sh.OrderID)
		rows = append(rows, tableRow{
			"id": sh.ID, "tranid": sh.Number, "type": "ItemShip", "status": "C",
			"externalid": nil, "otherrefnum": nil, "entity": o.CustomerID,
			"currency": nil, "trandate": sh.ShippedAt, "memo": nil, "foreigntotal": nil,
			"createdfrom": sh.OrderID, "shipstatus": "C",
			"createddate": sh.Created, "lastmodifieddate": sh.Modified,
		})
	}
	return rows
}

func (s *sandbox) customerRows() []tableRow {
	var rows []tableRow
	for _, c := range s.model.Customers() {
		rows = append(rows, tableRow{
			"id": c.ID, "entityid": c.Name, "companyname": c.Name, "isperson": "F",
			"email": nullable(c.Email), "phone": nullable(c.Phone),
			"externalid": nullable(c.ExternalRef), "isinactive": "F",
			"creditlimit": s.creditLimitValue(c),
			"terms":       namedValue(paymentTerms, c.PaymentTerms),
			"pricelevel":  namedValue(priceLevels, c.PriceGroup),
			"datecreated": c.Created, "lastmodifieddate": c.Modified,
		})
	}
	return rows
}

func (s *sandbox) itemRows() []tableRow {
	var rows []tableRow
	for _, p := range s.model.Products() {
		rows = append(rows, tableRow{
			"id": p.ID, "itemid": p.SKU, "displayname": p.Name, "itemtype": s.itemType(p.SKU),
			"baseprice":  number(money.Decimal(p.PriceMinor, p.Currency)),
			"isinactive": "F", "createddate": p.Created, "lastmodifieddate": p.Modified,
		})
	}
	return rows
}

// stockRows lists the stock levels of known items. The available quantity
// is on hand less committed, as NetSuite computes it.
func (s *sandbox) stockRows() []tableRow {
	var rows []tableRow
	for _, l := range s.model.StockLevels() {
		p, ok := s.model.ProductBySKU(l.SKU)
		if !ok {
			continue
		}
		rows = append(rows, tableRow{
			"item": p.ID, "location": l.LocationID, "quantityonhand": l.OnHand,
			"quantitycommitted": l.Reserved, "quantityavailable": l.OnHand - l.Reserved,
			"safetystocklevel": l.SafetyStock, "lastmodifieddate": l.Modified,
		})
	}
	return rows
}

// locationRows lists the locations that hold stock, in id order.
func (s *sandbox) locationRows() []tableRow {
	var rows []tableRow
	for _, l := range s.model.Locations() {
		rows = append(rows, tableRow{"id": l.ID, "name": l.Name, "isinactive": "F"})
	}
	return rows
}

func (s *sandbox) currencyRows() []tableRow {
	var rows []tableRow
	for _, c := range currencies {
		base := "F"
		if c.symbol == s.baseCurrency {
			base = "T"
		}
		rows = append(rows, tableRow{"id": c.id, "symbol": c.symbol, "name": c.name,
			"isbasecurrency": base, "isinactive": "F"})
	}
	return rows
}

// nullable is nil for the empty string: SuiteQL has no empty strings.
func nullable(s string) value {
	if s == "" {
		return nil
	}
	return s
}

// orderEID returns the external id of sales order id, or "".
func (s *sandbox) orderEID(id int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.eidOf[id]
}
