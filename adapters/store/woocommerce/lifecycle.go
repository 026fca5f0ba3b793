package woocommerce

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// statusCancelled is WooCommerce's status of a cancelled order.
const statusCancelled = "cancelled"

// cancelNote starts the order note that CancelOrder adds, which the reason
// follows after ": ". WooCommerce's order has no cancellation reason of
// its own.
const cancelNote = "Cancelled by erpsync"

// note is an order note.
type note struct {
	ID   int64  `json:"id"`
	Note string `json:"note"`
}

// readLifecycle fills the status, the cancellation reason and the refunds
// of out, the mapping of o, read from path.
func (s *Store) readLifecycle(ctx context.Context, path string, o order,
	out *store.Order) error {
	out.Status = store.OrderOpen
	if o.Status == statusCancelled {
		out.Status = store.OrderCancelled
		notes, err := s.notes(ctx, path)
		if err != nil {
			return err
		}
		out.CancelReason = cancelReason(notes)
	}

	if len(o.Refunds) == 0 {
		return nil
	}
	refunds, err := s.refunds(ctx, path, o.Currency)
	if err != nil {
		return err
	}
	out.Refunds = refunds
	return nil
}

// notes reads the private notes of the order at path, newest first.
func (s *Store) notes(ctx context.Context, path string) ([]note, error) {
	var notes []note
	c := call{method: http.MethodGet, path: path + "/notes",
		query: url.Values{"type": {"internal"}}}
	if _, err := s.do(ctx, c, &notes); err != nil {
		return nil, fmt.Errorf("read notes: %w", err)
	}
	return notes, nil
}

// addNote adds a private note to the order at path. WooCommerce keeps no
// key with a note, so callers look before they add.
func (s *Store) addNote(ctx context.Context, path, text string) error {
	c := call{method: http.MethodPost, path: path + "/notes",
		body: map[string]any{"note": text, "customer_note": false}}
	if _, err := s.do(ctx, c, nil); err != nil {
		return fmt.Errorf("add a note: %w", err)
	}
	return nil
}

// cancelReason returns the reason of the newest cancellation note that
// CancelOrder added, or "".
func cancelReason(notes []note) string {
	for _, n := range notes {
		if rest, ok := strings.CutPrefix(n.Note, cancelNote); ok {
			return strings.TrimPrefix(rest, ": ")
		}
	}
	return ""
}

// hasNote reports whether one of notes starts with prefix.
func hasNote(notes []note, prefix string) bool {
	return slices.ContainsFunc(notes, func(n note) bool {
		return strings.HasPrefix(n.Note, prefix)
	})
}

// refund is the part of WooCommerce's order refund that erpsync reads.
// Amounts are decimal strings; WooCommerce writes the quantities and
// amounts of a refund's lines negative.
type refund struct {
	ID             int64        `json:"id"`
	DateCreatedGMT *string      `json:"date_created_gmt"`
	Amount         string       `json:"amount"`
	Reason         string       `json:"reason"`
	LineItems      []refundLine `json:"line_items"`
}

// refundLine is a line item of a refund.
type refundLine struct {
	SKU      string      `json:"sku"`
	Quantity json.Number `json:"quantity"`
	Total    string      `json:"total"`
	TotalTax string      `json:"total_tax"`
}

// refunds reads every refund of the order at path, in currency, and
// returns them oldest first.
func (s *Store) refunds(ctx context.Context, path, currency string) ([]store.Refund, error) {
	var out []store.Refund
	for page := 1; ; page++ {
		c := call{method: http.MethodGet, path: path + "/refunds", query: url.Values{
			"per_page": {strconv.Itoa(maxPerPage)}, "page": {strconv.Itoa(page)}}}
		var list []refund
		header, err := s.do(ctx, c, &list)
		if err != nil {
			return nil, fmt.Errorf("read refunds: %w", err)
		}
		for _, r := range list {
			mapped, err := mapRefund(r, currency)
			if err != nil {
				return nil, fmt.Errorf("refund %d: %w", r.ID, err)
			}
			out = append(out, mapped)
		}
		more, err := morePages(header, page)
		if err != nil || !more {
			sortRefunds(out)
			return out, err
		}
	}
}

// sortRefunds puts refunds oldest first, and then in id order.
func sortRefunds(refunds []store.Refund) {
	slices.SortFunc(refunds, func(a, b store.Refund) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
	})
}

// mapRefund converts a refund. Its lines' quantities and amounts are made
// positive, a line's amount being its total with its tax; lines that give
// back no units (an amount of a line's price only) are left out, their
// money being in the refund's amount.
func mapRefund(r refund, currency string) (store.Refund, error) {
	a := amounts{currency: currency}
	out := store.Refund{ID: strconv.FormatInt(r.ID, 10), Reason: r.Reason,
		AmountMinor: abs(a.required("amount", r.Amount))}
	for i, l := range r.LineItems {
		field := fmt.Sprintf("line_items[%d]", i)
		qty, err := strconv.ParseInt(l.Quantity.String(), 10, 64)
		if err != nil {
			return store.Refund{}, syncerr.Invalid(field+".quantity", "%q is not a whole "+
				"number", l.Quantity)
		}
		amount := abs(a.optional(field+".total", l.Total)) +
			abs(a.optional(field+".total_tax", l.TotalTax))
		if qty != 0 {
			out.Lines = append(out.Lines, store.RefundLine{SKU: l.SKU, Quantity: abs(qty),
				AmountMinor: amount})
		}
	}
	if a.err != nil {
		return store.Refund{}, a.err
	}

	var err error
	out.Created, err = parseGMT("date_created_gmt", r.DateCreatedGMT)
	return out, err
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// CancelOrder cancels order orderID as a merchant does, by setting its
// status to cancelled with PUT /orders/{id}, and keeps the reason in a
// private order note, which it adds first: a retry after a lost answer
// finds the note and adds none again, and an order already cancelled is
// left as it is. WooCommerce refunds nothing when an order is cancelled.
func (s *Store) CancelOrder(ctx context.Context, orderID, reason string) error {
	path, err := orderPath(orderID)
	if err != nil {
		return err
	}

	var o order
	read := call{method: http.MethodGet, path: path, query: url.Values{"_fields": {"id,status"}}}
	if _, err := s.do(ctx, read, &o); err != nil {
		return fmt.Errorf("read woocommerce order %s to cancel it: %w", orderID, err)
	}
	if o.Status == statusCancelled {
		return nil
	}

	if err := s.noteCancel(ctx, path, reason); err != nil {
		return fmt.Errorf("cancel woocommerce order %s: %w", orderID, err)
	}
	write := call{method: http.MethodPut, path: path,
		body: map[string]any{"status": statusCancelled}}
	if _, err := s.do(ctx, write, nil); err != nil {
		return fmt.Errorf("cancel woocommerce order %s: %w", orderID, err)
	}
	return nil
}

// noteCancel adds the note of a cancellation with reason to the order at
// path, unless it has one.
func (s *Store) noteCancel(ctx context.Context, path, reason string) error {
	notes, err := s.notes(ctx, path)
	if err != nil || hasNote(notes, cancelNote) {
		return err
	}
	text := cancelNote
	if reason = strings.TrimSpace(reason); reason != "" {
		text += ": " + reason
	}
	return s.addNote(ctx, path, text)
}
