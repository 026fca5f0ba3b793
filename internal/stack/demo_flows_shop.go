package stack

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// The demo's hands in the store: what a merchant or a shopper does there,
// on the headless storefront (with the webhook the storefront would send)
// or in the platform sandboxes' model (whose senders deliver the webhooks).

// shopOrder loads a demo store order through the store's adapter view.
func (s *Stack) shopOrder(ctx context.Context, id string) (store.Order, error) {
	if s.Shop.Platform == "" {
		return s.Store.LoadOrder(ctx, id)
	}
	o, ok := s.StoreModel.Order(modelID(id))
	if !ok {
		return store.Order{}, fmt.Errorf("order %s is not in the %s sandbox", id,
			s.Shop.Platform)
	}
	out := store.Order{ID: id, Number: s.Shop.OrderNumber(o), Status: o.Status,
		Customer: store.Customer{ID: strconv.FormatInt(o.Customer.ID, 10),
			Email: o.Customer.Email}}
	for _, l := range o.Lines {
		out.Lines = append(out.Lines, store.Line{SKU: l.SKU, Quantity: l.Quantity,
			UnitPriceMinor: l.UnitPriceMinor})
	}
	return out, nil
}

// editShopCustomerPhone changes a customer's phone as the customer would.
func (s *Stack) editShopCustomerPhone(ctx context.Context, id, phone string) error {
	if s.Shop.Platform != "" {
		_, err := s.StoreModel.UpdateAccount(modelID(id), func(a *storesandbox.Account) error {
			a.Phone = phone
			return nil
		})
		return err
	}

	c, err := s.Store.LoadCustomer(ctx, id)
	if err != nil {
		return err
	}
	c.Phone = phone
	if _, err := s.Store.UpdateCustomer(ctx, id, c); err != nil {
		return err
	}
	return s.postTopic(ctx, "customers/update", id)
}

// putOnSale gives a SKU a sale price in the store.
func (s *Stack) putOnSale(ctx context.Context, sku string, saleMinor int64) error {
	if s.Shop.Platform == "" {
		return s.Store.SetSalePrice(ctx, sku, saleMinor, nil, nil)
	}
	p, _ := s.StoreModel.ProductBySKU(sku)
	_, err := s.StoreModel.UpdateProduct(p.ID, func(p *storesandbox.Product) error {
		p.SalePriceMinor = saleMinor
		return nil
	})
	return err
}

// checkCatalog checks the store's prices and drafts after catalog sync.
func (s *Stack) checkCatalog(ctx context.Context, onSale, plain, newSKU string, saleBase,
	plainPrice int64) error {
	p1, _, err := s.storeProduct(ctx, onSale)
	if err != nil {
		return err
	}
	p2, _, err := s.storeProduct(ctx, plain)
	if err != nil {
		return err
	}
	_, isDraft, err := s.storeProduct(ctx, newSKU)
	switch {
	case err != nil:
		return fmt.Errorf("new product %s: %w", newSKU, err)
	case p1 != saleBase:
		return fmt.Errorf("%s on sale went from %d to %d", onSale, saleBase, p1)
	case p2 != plainPrice:
		return fmt.Errorf("%s is at %d, want the erp's %d", plain, p2, plainPrice)
	case !isDraft:
		return fmt.Errorf("new product %s is not a draft", newSKU)
	}
	return nil
}

// storeProduct returns a SKU's base price in the store and whether it is a
// draft.
func (s *Stack) storeProduct(ctx context.Context, sku string) (int64, bool, error) {
	if s.Shop.Platform != "" {
		p, ok := s.StoreModel.ProductBySKU(sku)
		if !ok {
			return 0, false, fmt.Errorf("sku %s is not in the store", sku)
		}
		return p.PriceMinor, p.Draft, nil
	}
	var price int64
	var draft bool
	err := s.Pool.QueryRow(ctx, `SELECT price_minor, draft FROM storefront.products
		WHERE sku = $1`, sku).Scan(&price, &draft)
	return price, draft, err
}

// shopFulfillments counts the shipments the store holds for an order.
func (s *Stack) shopFulfillments(ctx context.Context, id string) (int, error) {
	if s.Shop.Platform != "" {
		o, _ := s.StoreModel.Order(modelID(id))
		return len(o.Fulfillments), nil
	}
	shipments, err := s.Store.Fulfillments(ctx, id)
	return len(shipments), err
}

// cancelInShop cancels an order as the merchant would.
func (s *Stack) cancelInShop(ctx context.Context, id string) error {
	if s.Shop.Platform != "" {
		_, err := s.StoreModel.CancelOrder(modelID(id), "customer changed their mind")
		return err
	}
	if err := s.Store.CancelOrder(ctx, id, "customer changed their mind"); err != nil {
		return err
	}
	return s.postTopic(ctx, "orders/cancelled", id)
}

// refundInShop refunds one unit of line as the merchant would.
func (s *Stack) refundInShop(ctx context.Context, id string, line store.Line) error {
	if s.Shop.Platform != "" {
		o, _ := s.StoreModel.Order(modelID(id))
		_, err := s.StoreModel.RefundOrder(o.ID, storesandbox.Refund{
			AmountMinor: line.UnitPriceMinor, Reason: "damaged",
			Lines: []storesandbox.RefundLine{{LineID: o.Lines[0].ID, Quantity: 1,
				AmountMinor: line.UnitPriceMinor}}})
		return err
	}
	_, err := s.Store.RefundOrder(ctx, id, store.Refund{AmountMinor: line.UnitPriceMinor,
		Reason: "damaged", Lines: []store.RefundLine{{SKU: line.SKU, Quantity: 1,
			AmountMinor: line.UnitPriceMinor}}})
	if err != nil {
		return err
	}
	return s.postTopic(ctx, "refunds/create", id)
}

// placeQuietly places an order whose webhook never arrives.
func (s *Stack) placeQuietly(ctx context.Context) (string, error) {
	o := demoOrder(rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7)), 7, false)
	if s.Shop.Platform != "" {
		placed, err := s.StoreModel.CreateOrderQuietly(shopOrder(o))
		return strconv.FormatInt(placed.ID, 10), err
	}
	o.Number = "Q-" + stamp()
	return s.Store.CreateOrder(ctx, o)
}

// postTopic sends a signed webhook of topic about id from the headless
// storefront.
func (s *Stack) postTopic(ctx context.Context, topic, id string) error {
	delivery := topic + "-" + id + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	code, _, err := s.postWebhook(ctx, topic, id, delivery)
	if err == nil && code >= 300 {
		err = fmt.Errorf("starter answered %d to %s of %s", code, topic, id)
	}
	return err
}

func modelID(id string) int64 {
	n, _ := strconv.ParseInt(id, 10, 64)
	return n
}
