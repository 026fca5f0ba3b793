package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
	"github.com/erpsync/erpsync/internal/synclog"
)

// ErrTypeNotSynced marks a change of an order whose sync has not booked it
// yet; the change waits, retrying, until it has.
const ErrTypeNotSynced = "NotSynced"

// Amendments holds the activities that carry changes of synced orders to
// the ERP: a cancellation, refunds as credit documents, and edits, which
// are noticed and left for a person to decide.
type Amendments struct {
	Stores  map[string]store.Orders
	ERP     erp.Amendments
	ERPName string
	Ledger  amendLedger

	// RefundSKU is the ERP's service item for an amount refunded beyond
	// the refunded units.
	RefundSKU string

	Logger *zap.Logger
}

// amendLedger is the part of the sync log that order changes read and
// write.
type amendLedger interface {
	Get(ctx context.Context, entity, store, externalRef string) (synclog.Entry, bool, error)
	OrderDigest(ctx context.Context, store, orderID string) (string, bool, error)
	SaveOrderDigest(ctx context.Context, store, orderID, digest string) error
	Amendments(ctx context.Context, store, orderID string) (map[string]synclog.Amendment, error)
	RecordAmendment(ctx context.Context, store, orderID string, a synclog.Amendment) error
}

// ChangeResult says what one pass over an order's changes did.
type ChangeResult struct {
	ERPID     string   `json:"erp_id,omitempty"`
	NotSynced bool     `json:"not_synced,omitempty"`
	Carried   []string `json:"carried,omitempty"`
}

// SettleInput settles by hand every change of an order not carried yet.
type SettleInput struct {
	Key    OrderKey `json:"key"`
	Actor  string   `json:"actor"`
	Reason string   `json:"reason"`
}

// ApplyOrderChanges carries the changes of a synced store order to its ERP
// sales order. A change the ERP cannot take (a cancellation after it
// shipped, a refund its adapter cannot book, an edit) fails with a
// non-retryable [ErrTypeInvalid] error that says what to do; an order not
// synced yet fails with a retryable [ErrTypeNotSynced] error; an order
// whose sync was skipped has nothing to carry.
func (a *Amendments) ApplyOrderChanges(ctx context.Context, key OrderKey) (ChangeResult, error) {
	erpID, synced, err := a.bookedAs(ctx, key)
	if err != nil || !synced {
		return ChangeResult{NotSynced: !synced}, err
	}
	src, ok := a.Stores[key.Store]
	if !ok {
		return ChangeResult{}, classify("apply order changes", unknownStore(key.Store))
	}
	o, err := src.LoadOrder(ctx, key.OrderID)
	if err != nil {
		return ChangeResult{}, classify("load order "+key.OrderID, err)
	}
	done, err := a.Ledger.Amendments(ctx, key.Store, key.OrderID)
	if err != nil {
		return ChangeResult{}, err
	}

	res := ChangeResult{ERPID: erpID}
	steps := []func(context.Context, OrderKey, store.Order, string,
		map[string]synclog.Amendment, *ChangeResult) error{a.cancel, a.refund, a.noticeEdit}
	for _, step := range steps {
		if err := step(ctx, key, o, erpID, done, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// bookedAs returns the ERP id of a synced order. It reports false for an
// order whose sync was skipped, and fails, to be retried, while the sync
// has not finished.
func (a *Amendments) bookedAs(ctx context.Context, key OrderKey) (string, bool, error) {
	e, ok, err := a.Ledger.Get(ctx, synclog.EntityOrder, key.Store, key.OrderID)
	switch {
	case err != nil:
		return "", false, err
	case ok && e.Status == synclog.StatusSynced:
		return e.ERPID, true, nil
	case ok && e.Status == synclog.StatusSkipped:
		return "", false, nil
	}
	return "", false, temporal.NewApplicationError(
		fmt.Sprintf("order %s/%s is not synced yet", key.Store, key.OrderID), ErrTypeNotSynced)
}

// cancel cancels the sales order of an order cancelled in the store.
func (a *Amendments) cancel(ctx context.Context, key OrderKey, o store.Order, erpID string,
	done map[string]synclog.Amendment, res *ChangeResult) error {
	if o.Status != store.OrderCancelled || done[synclog.AmendCancel+":"] != (synclog.Amendment{}) {
		return nil
	}

	err := a.ERP.CancelSalesOrder(ctx, erpID, cancelReason(o))
	if errors.Is(err, erp.ErrShipped) {
		return classify("cancel sales order "+erpID, syncerr.Invalid("status",
			"order %s was cancelled in the store after %s shipped sales order %s: book a return "+
				"in the ERP, then skip", o.Number, a.ERPName, erpID))
	}
	if err != nil {
		return classify("cancel sales order "+erpID, err)
	}

	res.Carried = append(res.Carried, "cancel")
	a.logger(ctx).Info("sales order cancelled", zap.String("store", key.Store),
		zap.String("order_id", key.OrderID), zap.String("erp_id", erpID))
	return a.Ledger.RecordAmendment(ctx, key.Store, key.OrderID,
		synclog.Amendment{Kind: synclog.AmendCancel, Outcome: "cancelled"})
}

func cancelReason(o store.Order) string {
	if o.CancelReason == "" {
		return "cancelled in the store"
	}
	return "cancelled in the store: " + o.CancelReason
}

// refund books each refund not carried yet as a credit document.
func (a *Amendments) refund(ctx context.Context, key OrderKey, o store.Order, erpID string,
	done map[string]synclog.Amendment, res *ChangeResult) error {
	for i, r := range o.Refunds {
		if done[synclog.AmendRefund+":"+r.ID] != (synclog.Amendment{}) {
			continue
		}
		memo := creditMemo(key.Store, o, r, erpID, a.RefundSKU)
		ref, err := a.ERP.CreateCreditMemo(ctx, memo)
		if errors.Is(err, erp.ErrUnsupported) {
			return classify("book refund "+r.ID, syncerr.Invalid(fmt.Sprintf("refunds[%d]", i),
				"refund %s of %s: %v; book it in the ERP by hand, then skip", r.ID,
				money.Decimal(r.AmountMinor, o.Currency), err))
		}
		if err != nil {
			return classify("book refund "+r.ID, err)
		}

		res.Carried = append(res.Carried, "refund:"+r.ID)
		err = a.Ledger.RecordAmendment(ctx, key.Store, key.OrderID, synclog.Amendment{
			Kind: synclog.AmendRefund, Ref: r.ID, ERPDocID: ref.ID, Outcome: "credited"})
		if err != nil {
			return err
		}
	}
	return nil
}

// creditMemo maps a refund: its units at the amount refunded for them, and
// what is left of the amount on the refund service item.
func creditMemo(storeName string, o store.Order, r store.Refund, erpID,
	refundSKU string) erp.CreditMemo {
	m := erp.CreditMemo{
		ExternalRef:  ExternalRef(storeName, o.Number) + ":refund:" + r.ID,
		SalesOrderID: erpID, Currency: o.Currency, Reason: r.Reason,
		TotalMinor: r.AmountMinor, RefundedAt: r.Created,
	}
	rest := r.AmountMinor
	for _, l := range r.Lines {
		if l.Quantity <= 0 || l.AmountMinor%l.Quantity != 0 {
			continue // an uneven amount goes to the refund line below
		}
		m.Lines = append(m.Lines, erp.Line{SKU: l.SKU, Quantity: l.Quantity,
			UnitPriceMinor: l.AmountMinor / l.Quantity})
		rest -= l.AmountMinor
	}
	if rest > 0 {
		m.Lines = append(m.Lines, erp.Line{SKU: refundSKU, Description: "refund " + r.ID,
			Quantity: 1, UnitPriceMinor: rest, Kind: erp.LineRefund})
	}
	return m
}

// noticeEdit compares the order with its digest when it was booked, and
// parks an edit that no one has settled.
func (a *Amendments) noticeEdit(ctx context.Context, key OrderKey, o store.Order, erpID string,
	done map[string]synclog.Amendment, _ *ChangeResult) error {
	now := OrderDigest(o)
	booked, ok, err := a.Ledger.OrderDigest(ctx, key.Store, key.OrderID)
	if err != nil {
		return err
	}
	if !ok {
		return a.Ledger.SaveOrderDigest(ctx, key.Store, key.OrderID, now)
	}
	if booked == now || done[synclog.AmendEdit+":"+now] != (synclog.Amendment{}) {
		return nil
	}
	return classify("compare order "+o.Number, syncerr.Invalid("lines",
		"order %s was edited in the store after it was booked as sales order %s (its lines or "+
			"amounts differ): change the sales order by hand, then skip", o.Number, erpID))
}

// SettleOrderChanges records every change of an order not carried yet as
// settled by hand, so that they park no more.
func (a *Amendments) SettleOrderChanges(ctx context.Context, in SettleInput) error {
	src, ok := a.Stores[in.Key.Store]
	if !ok {
		return classify("settle order changes", unknownStore(in.Key.Store))
	}
	o, err := src.LoadOrder(ctx, in.Key.OrderID)
	if err != nil {
		return classify("load order "+in.Key.OrderID, err)
	}

	outcome := "settled by " + in.Actor
	settled := []synclog.Amendment{{Kind: synclog.AmendEdit, Ref: OrderDigest(o)}}
	if o.Status == store.OrderCancelled {
		settled = append(settled, synclog.Amendment{Kind: synclog.AmendCancel})
	}
	for _, r := range o.Refunds {
		settled = append(settled, synclog.Amendment{Kind: synclog.AmendRefund, Ref: r.ID})
	}
	for _, s := range settled {
		s.Outcome = outcome
		if err := a.Ledger.RecordAmendment(ctx, in.Key.Store, in.Key.OrderID, s); err != nil {
			return err
		}
	}
	return nil
}

// OrderDigest sums up what an order books in the ERP: its currency, lines
// and amounts. Refunds, status and metadata are left out.
func OrderDigest(o store.Order) string {
	type line struct {
		SKU   string `json:"s"`
		Qty   int64  `json:"q"`
		Price int64  `json:"p"`
	}
	d := struct {
		Currency string `json:"c"`
		Lines    []line `json:"l"`
		Ship     int64  `json:"sh"`
		Disc     int64  `json:"d"`
		Tax      int64  `json:"t"`
		Total    int64  `json:"tt"`
	}{o.Currency, nil, o.ShippingMinor, o.DiscountMinor, o.TaxMinor, o.TotalMinor}
	for _, l := range o.Lines {
		d.Lines = append(d.Lines, line{l.SKU, l.Quantity, l.UnitPriceMinor})
	}
	b, _ := json.Marshal(d) // plain values: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

func (a *Amendments) logger(ctx context.Context) *zap.Logger {
	return activityLogger(ctx, a.Logger)
}
