package bigcommerce

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// itemProduct is the item type of a refund's units of an order product.
const itemProduct = "PRODUCT"

// v3Refund is the part of a refund of the V3 payment actions that erpsync
// reads. Amounts are JSON numbers with two decimals.
type v3Refund struct {
	ID          int64          `json:"id"`
	Created     string         `json:"created"`
	Reason      string         `json:"reason"`
	TotalAmount decimal        `json:"total_amount"`
	Items       []v3RefundItem `json:"items"`
}

// v3RefundItem is what a refund paid back: units of an order product
// (item_id is the order product's id), or an amount of the order, its
// shipping, handling, gift wrapping or fees.
type v3RefundItem struct {
	ItemType        string   `json:"item_type"`
	ItemID          int64    `json:"item_id"`
	Quantity        int64    `json:"quantity"`
	RequestedAmount *decimal `json:"requested_amount"`
}

// orderRefunds reads the refunds of order id, oldest first, from GET
// /v3/orders/{id}/payment_actions/refunds. products are the order's lines
// as V2 gives them, and lines the same lines mapped, for their SKUs and
// unit prices. A refund's line is the units of a PRODUCT item at the
// amount the item requested; BigCommerce gives none for units refunded by
// quantity, and then the units count at the line's unit price. Items of
// other types add to the refund's amount only.
func (s *Store) orderRefunds(ctx context.Context, id, currency string, products []v2Product,
	lines []store.Line) ([]store.Refund, error) {
	var page struct {
		Data []v3Refund `json:"data"`
	}
	_, err := s.do(ctx, call{method: http.MethodGet,
		path: "/v3/orders/" + id + "/payment_actions/refunds"}, &page)
	if err != nil {
		return nil, err
	}

	byProduct := map[int64]store.Line{}
	for i, p := range products {
		byProduct[p.ID] = lines[i]
	}
	out := make([]store.Refund, 0, len(page.Data))
	for i, r := range page.Data {
		refund, err := mapRefund(r, "refunds["+strconv.Itoa(i)+"]", currency, byProduct)
		if err != nil {
			return nil, err
		}
		out = append(out, refund)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

// mapRefund converts refund r, named field in errors, of an order in
// currency whose lines are byProduct, by order product id.
func mapRefund(r v3Refund, field, currency string, byProduct map[int64]store.Line) (
	store.Refund, error) {
	a := amounts{currency: currency}
	out := store.Refund{ID: strconv.FormatInt(r.ID, 10), Reason: r.Reason,
		AmountMinor: a.read(field+".total_amount", r.TotalAmount)}
	created, err := time.Parse(time.RFC3339, r.Created)
	if err != nil {
		return store.Refund{}, syncerr.Invalid(field+".created", "%q is not an RFC 3339 date",
			r.Created)
	}
	out.Created = created.UTC()

	for j, it := range r.Items {
		if it.ItemType != itemProduct {
			continue
		}
		at := field + ".items[" + strconv.Itoa(j) + "]"
		line, ok := byProduct[it.ItemID]
		if !ok {
			return store.Refund{}, syncerr.Invalid(at+".item_id",
				"%d is not a product of the order", it.ItemID)
		}
		amount := it.Quantity * line.UnitPriceMinor
		if it.RequestedAmount != nil {
			amount = a.read(at+".requested_amount", *it.RequestedAmount)
		}
		out.Lines = append(out.Lines, store.RefundLine{SKU: line.SKU, Quantity: it.Quantity,
			AmountMinor: amount})
	}
	return out, a.err
}
