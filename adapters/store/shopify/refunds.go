package shopify

import (
	"context"
	"fmt"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

const refundLineFields = `
  nodes { quantity subtotalSet { shopMoney { amount currencyCode } } lineItem { sku } }
  pageInfo { hasNextPage endCursor }`

// loadRefundsQuery reads ten refunds of an order with twenty lines each,
// few enough that the query stays under Shopify's cost limit, which counts
// each refund's lines once per refund asked for.
const loadRefundsQuery = `query LoadRefunds($id: ID!) {
  order(id: $id) {
    refunds(first: 10) {
      id legacyResourceId createdAt note
      totalRefundedSet { shopMoney { amount currencyCode } }
      refundLineItems(first: 20) {` + refundLineFields + ` }
    }
  }
}`

const moreRefundLinesQuery = `query MoreRefundLines($id: ID!, $after: String) {
  refund(id: $id) { refundLineItems(first: 100, after: $after) {` + refundLineFields + ` } }
}`

type refundLines struct {
	Nodes []struct {
		Quantity    int64    `json:"quantity"`
		SubtotalSet moneyBag `json:"subtotalSet"`
		LineItem    struct {
			SKU string `json:"sku"`
		} `json:"lineItem"`
	} `json:"nodes"`
	PageInfo pageInfo `json:"pageInfo"`
}

type refundNode struct {
	ID               string      `json:"id"`
	LegacyResourceID string      `json:"legacyResourceId"`
	CreatedAt        *time.Time  `json:"createdAt"`
	Note             string      `json:"note"`
	TotalRefundedSet moneyBag    `json:"totalRefundedSet"`
	RefundLineItems  refundLines `json:"refundLineItems"`
}

// loadRefunds reads the refunds of order id, oldest first, when the order
// n has refunded anything.
//
// TODO: an order's refunds after its first ten are not read: Order.refunds
// takes no cursor, and asking for more at once would pass Shopify's cost
// limit.
func (s *Store) loadRefunds(ctx context.Context, id string, n *orderNode) ([]store.Refund,
	error) {
	refunded, err := amount("total_refunded", n.TotalRefundedSet, n.CurrencyCode)
	if err != nil || refunded == 0 {
		return nil, err
	}

	var data struct {
		Order *struct {
			Refunds []refundNode `json:"refunds"`
		} `json:"order"`
	}
	if err := s.query(ctx, "load refunds", loadRefundsQuery, map[string]any{"id": id},
		&data); err != nil {
		return nil, err
	}
	if data.Order == nil {
		return nil, syncerr.ErrNotFound
	}
	out := make([]store.Refund, 0, len(data.Order.Refunds))
	for i := range data.Order.Refunds {
		r := &data.Order.Refunds[i]
		if err := s.moreRefundLines(ctx, r); err != nil {
			return nil, err
		}
		mapped, err := mapRefund(r, n.CurrencyCode)
		if err != nil {
			return nil, err
		}
		out = append(out, mapped)
	}
	return out, nil
}

// moreRefundLines reads the refund lines past the first page into r.
func (s *Store) moreRefundLines(ctx context.Context, r *refundNode) error {
	next := r.RefundLineItems.PageInfo
	for next.HasNextPage {
		var data struct {
			Refund *struct {
				RefundLineItems refundLines `json:"refundLineItems"`
			} `json:"refund"`
		}
		vars := map[string]any{"id": r.ID, "after": next.EndCursor}
		if err := s.query(ctx, "load refund lines", moreRefundLinesQuery, vars,
			&data); err != nil {
			return err
		}
		if data.Refund == nil {
			return fmt.Errorf("refund %s: %w", r.LegacyResourceID, syncerr.ErrNotFound)
		}
		r.RefundLineItems.Nodes = append(r.RefundLineItems.Nodes,
			data.Refund.RefundLineItems.Nodes...)
		next = data.Refund.RefundLineItems.PageInfo
	}
	return nil
}

// mapRefund converts a refund into erpsync's shape, in minor units of
// currency.
func mapRefund(r *refundNode, currency string) (store.Refund, error) {
	field := "refunds[" + r.LegacyResourceID + "]"
	total, err := amount(field+".total_refunded", &r.TotalRefundedSet, currency)
	if err != nil {
		return store.Refund{}, err
	}
	out := store.Refund{ID: r.LegacyResourceID, AmountMinor: total, Reason: r.Note}
	if r.CreatedAt != nil {
		out.Created = r.CreatedAt.UTC()
	}
	for i, l := range r.RefundLineItems.Nodes {
		sub, err := amount(fmt.Sprintf("%s.lines[%d].subtotal", field, i), &l.SubtotalSet,
			currency)
		if err != nil {
			return store.Refund{}, err
		}
		out.Lines = append(out.Lines, store.RefundLine{SKU: l.LineItem.SKU,
			Quantity: l.Quantity, AmountMinor: sub})
	}
	return out, nil
}
