package stack

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/erpsync/erpsync/activities"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/synclog"
)

// platformDemo runs the demo through the sandbox of the demo store's
// platform: the orders are placed in the store model, and the sandbox's own
// webhook sender, subscribed at start-up, delivers them to the starter, signed and retried as the
// platform does. About one order in ten is edited after it was placed, so
// that its sync is asked for twice.
func (s *Stack) platformDemo(ctx context.Context, rng *rand.Rand, opts DemoOptions) (
	Summary, WebhookStats, []string, error) {
	began := time.Now()
	ids, err := s.placeShopOrders(rng, opts)
	if err != nil {
		return Summary{}, WebhookStats{}, nil, err
	}
	if err := s.waitSettled(ctx, ids, opts.Timeout); err != nil {
		return Summary{}, WebhookStats{}, nil, err
	}

	sum, err := s.checkShop(ctx, ids)
	sum.Seconds = roundSeconds(time.Since(began))
	sent := s.Shop.Sender.Stats()
	return sum, WebhookStats{Sent: int(sent.Attempts)}, ids, err
}

// placeShopOrders creates the demo's orders in the store model, editing
// about one in ten again, and returns their ids.
func (s *Stack) placeShopOrders(rng *rand.Rand, opts DemoOptions) ([]string, error) {
	unknownAt := unknownPositions(opts)
	ids := make([]string, 0, opts.Orders)
	for i := range opts.Orders {
		o, err := s.StoreModel.CreateOrder(shopOrder(demoOrder(rng, i, unknownAt[i])))
		if err != nil {
			return nil, fmt.Errorf("place demo order %d in the %s sandbox: %w", i,
				s.Shop.Platform, err)
		}
		if rng.IntN(10) == 0 {
			if _, err := s.StoreModel.TouchOrder(o.ID); err != nil {
				return nil, err
			}
		}
		ids = append(ids, strconv.FormatInt(o.ID, 10))
	}
	return ids, nil
}

// shopOrder converts a demo order into the store model's shape.
func shopOrder(o store.Order) storesandbox.Order {
	c := o.Customer
	out := storesandbox.Order{
		Currency: o.Currency, ShippingMinor: o.ShippingMinor,
		Customer: storesandbox.Customer{Email: c.Email, FirstName: c.FirstName,
			LastName: c.LastName, Phone: c.Phone, Line1: c.Line1, Line2: c.Line2,
			City: c.City, PostalCode: c.PostalCode, Region: c.Region, Country: c.Country},
	}
	for _, l := range o.Lines {
		out.Lines = append(out.Lines, storesandbox.Line{SKU: l.SKU, Name: l.Name,
			Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor})
	}
	return out
}

// checkShop compares the store model, the sync log and the ERP sandbox for
// the orders ids as [Stack.Check] does for the headless store: an order
// counts as synced when the store carries the ERP id in a metafield and the
// ERP holds a sales order with the order's external reference.
func (s *Stack) checkShop(ctx context.Context, ids []string) (Summary, error) {
	sum := Summary{Orders: len(ids)}
	statuses, err := s.syncStatuses(ctx, ids)
	if err != nil {
		return sum, err
	}
	inERP := s.Model.SalesOrdersByExternalRef()

	for _, id := range ids {
		n, _ := strconv.ParseInt(id, 10, 64)
		o, ok := s.StoreModel.Order(n)
		ref := activities.ExternalRef(StoreName, s.Shop.OrderNumber(o))
		switch {
		case ok && len(o.Metafields) > 0 && inERP[ref] > 0:
			sum.Synced++
		case statuses[id] == synclog.StatusNeedsAttention:
			sum.NeedsAttention++
		default:
			sum.Lost++
		}
	}
	sum.Duplicates = duplicates(inERP)
	return sum, nil
}
