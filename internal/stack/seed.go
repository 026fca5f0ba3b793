package stack

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/postgres"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// Currency is the currency of the demo catalog and orders.
const Currency = "EUR"

// UnknownSKU is a SKU that the store sells and the ERP does not know.
const UnknownSKU = "NO-SUCH-SKU"

// Locations are the stock locations of the demo catalog.
var Locations = []string{"WH-EAST", "WH-WEST", "SHOP-1"}

// item is one product of the demo catalog.
type item struct {
	sku        string
	name       string
	priceMinor int64
}

// catalog returns the demo catalog: eight products in three colours.
func catalog() []item {
	bases := []item{
		{"MUG", "Stoneware mug", 1250}, {"TEE", "Organic tee", 2400},
		{"CAP", "Canvas cap", 1900}, {"BAG", "Tote bag", 1500},
		{"BTL", "Steel bottle", 2200}, {"NTB", "Dot notebook", 900},
		{"SCK", "Wool socks", 1100}, {"PIN", "Enamel pin", 500},
	}
	colours := []struct{ code, name string }{{"BLK", "black"}, {"WHT", "white"}, {"GRN", "green"}}

	var items []item
	for _, b := range bases {
		for _, c := range colours {
			items = append(items, item{b.sku + "-" + c.code, b.name + ", " + c.name, b.priceMinor})
		}
	}
	return items
}

// stockOf returns a made-up but stable on-hand quantity.
func stockOf(i, location int) int64 {
	return int64((i*37 + location*11) % 120)
}

// SeedERP loads the demo catalog, its stock on three locations and half of
// the demo customers into an ERP model.
func SeedERP(m *erpsandbox.Model) error {
	var products []erpsandbox.Product
	for _, it := range catalog() {
		products = append(products, erpsandbox.Product{
			SKU: it.sku, Name: it.name, PriceMinor: it.priceMinor, Currency: Currency,
		})
	}
	for _, sku := range []string{"SHIPPING", "DISCOUNT", "TAX", "REFUND"} {
		products = append(products, erpsandbox.Product{SKU: sku, Name: serviceName(sku),
			Currency: Currency})
	}
	if _, err := m.SeedProducts(products); err != nil {
		return fmt.Errorf("seed erp catalog: %w", err)
	}

	for i, it := range catalog() {
		for l, loc := range Locations {
			if _, err := m.SetStock(it.sku, loc, stockOf(i, l), stockOf(i, l)/10); err != nil {
				return fmt.Errorf("seed erp stock of %s: %w", it.sku, err)
			}
		}
		if _, err := m.SetSafetyStock(it.sku, Locations[0], 2); err != nil {
			return fmt.Errorf("seed erp safety stock of %s: %w", it.sku, err)
		}
	}
	return seedCustomers(m)
}

// serviceName names the ERP's service item for an order charge.
func serviceName(sku string) string {
	return map[string]string{"SHIPPING": "Shipping", "DISCOUNT": "Discount", "TAX": "Sales tax",
		"REFUND": "Refund"}[sku]
}

// DemoCustomers is how many customers the demo knows; orders pick among them.
const DemoCustomers = 50

// seedCustomers creates the first half of the demo's customers in the ERP,
// so that orders meet both customers the ERP knows and new ones.
func seedCustomers(m *erpsandbox.Model) error {
	for c := range DemoCustomers / 2 {
		d := demoCustomer(c)
		_, err := m.CreateCustomer(erpsandbox.Customer{
			Name: d.FirstName + " " + d.LastName, Email: d.Email,
			ExternalRef: StoreName + ":customer-" + strconv.Itoa(c),
			Address: erpsandbox.Address{Line1: d.Line1, City: d.City, PostalCode: d.PostalCode,
				CountryCode: d.Country},
		})
		if err != nil {
			return fmt.Errorf("seed erp customer %d: %w", c, err)
		}
	}
	return nil
}

// seed loads the demo catalog into the ERP sandbox and the headless store.
func (s *Stack) seed(ctx context.Context) error {
	if err := SeedERP(s.Model); err != nil {
		return err
	}
	if err := SeedStore(s.StoreModel); err != nil {
		return err
	}

	var products []postgres.Product
	var stock []postgres.StockLevel
	for i, it := range catalog() {
		products = append(products, postgres.Product{
			SKU: it.sku, Name: it.name, PriceMinor: it.priceMinor, Currency: Currency,
		})
		for l, loc := range Locations {
			stock = append(stock, postgres.StockLevel{
				SKU: it.sku, Location: loc, Quantity: stockOf(i, l),
			})
		}
	}
	if err := s.Store.UpsertProducts(ctx, products); err != nil {
		return err
	}
	return s.Store.SeedStock(ctx, stock)
}

// SampleOrders places three orders in the demo store for a person to send
// by hand, or, when the demo store is on a platform, in its sandbox, which
// delivers their webhooks itself. The last one orders a SKU that the ERP
// does not know.
func (s *Stack) SampleOrders(ctx context.Context) ([]string, error) {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	var ids []string
	for i := range 3 {
		id, err := s.placeSample(ctx, demoOrder(rng, i, i == 2))
		if err != nil {
			return nil, fmt.Errorf("place sample order: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// placeSample places o in the demo store and returns its id.
func (s *Stack) placeSample(ctx context.Context, o store.Order) (string, error) {
	if s.Shop.Platform == "" {
		return s.Store.CreateOrder(ctx, o)
	}
	placed, err := s.StoreModel.CreateOrder(shopOrder(o))
	return strconv.FormatInt(placed.ID, 10), err
}

// demoCustomer returns the c-th customer of the demo.
func demoCustomer(c int) store.Customer {
	return store.Customer{
		Email:     fmt.Sprintf("customer%02d@example.test", c),
		FirstName: "Customer", LastName: strconv.Itoa(c),
		Line1: strconv.Itoa(c+1) + " Harbour Street", City: "Lisbon",
		PostalCode: "1100-001", Country: "PT",
	}
}

// runPrefix keeps order numbers unique when the demo runs again on the same
// database.
var runPrefix = strconv.FormatInt(time.Now().Unix()%1e6, 36)

// demoOrder makes the i-th order of a demo run: one to three catalog lines
// for one of the demo customers, so that customers recur. With unknown set, its
// last line is for a SKU the ERP does not know.
func demoOrder(rng *rand.Rand, i int, unknown bool) store.Order {
	items := catalog()
	o := store.Order{
		Number:        fmt.Sprintf("%s-%05d", runPrefix, i+1),
		Currency:      Currency,
		PlacedAt:      time.Now().UTC(),
		Customer:      demoCustomer(rng.IntN(DemoCustomers)),
		ShippingMinor: 495,
	}

	for _, k := range rng.Perm(len(items))[:1+rng.IntN(3)] {
		o.Lines = append(o.Lines, store.Line{
			SKU: items[k].sku, Name: items[k].name,
			Quantity: int64(1 + rng.IntN(3)), UnitPriceMinor: items[k].priceMinor,
		})
	}
	if unknown {
		o.Lines[len(o.Lines)-1].SKU = UnknownSKU
	}

	o.TotalMinor = o.ShippingMinor
	for _, l := range o.Lines {
		o.TotalMinor += l.Quantity * l.UnitPriceMinor
	}
	return o
}

// SeedStore loads the demo catalog and its stock on the demo locations into
// a store model. Every fifth product sells at a promotional price, 20% off,
// which no base-price feed may overwrite.
func SeedStore(m *storesandbox.Model) error {
	for i, it := range catalog() {
		p := storesandbox.Product{SKU: it.sku, Name: it.name, PriceMinor: it.priceMinor,
			Currency: Currency}
		if i%5 == 0 {
			p.SalePriceMinor = it.priceMinor * 4 / 5
		}
		if _, err := m.CreateProduct(p); err != nil {
			return fmt.Errorf("seed store catalog: %w", err)
		}

		for l, loc := range Locations {
			if _, err := m.SetStock(it.sku, loc, stockOf(i, l), nil); err != nil {
				return fmt.Errorf("seed store stock of %s: %w", it.sku, err)
			}
		}
	}
	return nil
}
