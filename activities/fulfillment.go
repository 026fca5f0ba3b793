package activities

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
	"github.com/erpsync/erpsync/internal/synclog"
)

// Fulfillment holds the activities that carry what the ERP did with booked
// orders back to their stores: shipments, with carrier and tracking, and
// cancellations.
type Fulfillment struct {
	ERP     erp.Fulfillment
	ERPName string
	Stores  map[string]store.Fulfillment
	Marks   markKeeper
	SyncLog syncIndex

	// ServiceSKUs are the ERP's items for shipping, discounts, tax and
	// refunds, which never ship.
	ServiceSKUs map[string]bool

	Logger *zap.Logger
}

// syncIndex finds syncs in the sync log and records them.
type syncIndex interface {
	Get(ctx context.Context, entity, store, externalRef string) (synclog.Entry, bool, error)
	ByERPID(ctx context.Context, entity, store, erpID string) (synclog.Entry, bool, error)
	Record(ctx context.Context, e synclog.Entry) error
	Amendments(ctx context.Context, store, orderID string) (map[string]synclog.Amendment, error)
}

// FulfillmentPassInput names the store whose orders to bring up to date.
type FulfillmentPassInput struct {
	Store    string        `json:"store"`
	PageSize int           `json:"page_size,omitempty"`
	Overlap  time.Duration `json:"overlap,omitempty"`
}

// FulfillmentCounts says what a fulfillment pass did. Parked counts the
// shipments and cancellations that need a person, each in the sync log
// with its reason.
type FulfillmentCounts struct {
	Shipments     int `json:"shipments"`
	Cancellations int `json:"cancellations"`
	Already       int `json:"already"`
	OtherStores   int `json:"other_stores"`
	Parked        int `json:"parked"`
}

// SyncFulfillment carries the ERP's shipments and cancellations since
// their watermarks to the store. Each shipment is written once: the sync
// log and the store both keep its id.
func (a *Fulfillment) SyncFulfillment(ctx context.Context, in FulfillmentPassInput) (
	FulfillmentCounts, error) {
	dst, ok := a.Stores[in.Store]
	if !ok {
		return FulfillmentCounts{}, classify("sync fulfillment", unknownStore(in.Store))
	}

	var c FulfillmentCounts
	var through time.Time
	err := pageChanges(ctx, a.Marks, "shipments/"+a.ERPName+"/"+in.Store, in.Overlap,
		func(q erp.Changes) (erp.Page[erp.Shipment], error) {
			q.Limit = in.PageSize
			return a.ERP.ChangedShipments(ctx, q)
		},
		func(s erp.Shipment) time.Time { return s.Modified },
		func(page []erp.Shipment) error {
			for _, s := range page {
				if err := a.ship(ctx, in.Store, dst, s, &c); err != nil {
					return err
				}
			}
			return nil
		}, &through)
	if err != nil {
		return c, err
	}

	err = pageChanges(ctx, a.Marks, "cancellations/"+a.ERPName+"/"+in.Store, in.Overlap,
		func(q erp.Changes) (erp.Page[erp.Cancellation], error) {
			q.Limit = in.PageSize
			return a.ERP.ChangedCancellations(ctx, q)
		},
		func(x erp.Cancellation) time.Time { return x.Modified },
		func(page []erp.Cancellation) error {
			for _, x := range page {
				if err := a.cancel(ctx, in.Store, dst, x, &c); err != nil {
					return err
				}
			}
			return nil
		}, &through)
	return c, err
}

// ship writes one shipment to its store order.
func (a *Fulfillment) ship(ctx context.Context, storeName string, dst store.Fulfillment,
	s erp.Shipment, c *FulfillmentCounts) error {
	if !ofStore(s.ExternalRef, storeName) {
		c.OtherStores++
		return nil
	}
	done, _, err := a.SyncLog.Get(ctx, synclog.EntityShipment, storeName, s.ID)
	if err != nil {
		return err
	}
	if done.Status == synclog.StatusSynced || done.Status == synclog.StatusSkipped {
		c.Already++
		return nil
	}

	orderID, err := a.storeOrder(ctx, storeName, s.SalesOrderID)
	if err == nil {
		err = dst.Ship(ctx, orderID, a.storeShipment(s))
	}
	return a.settle(ctx, synclog.Entry{Entity: synclog.EntityShipment, Store: storeName,
		ExternalRef: s.ID, ERPID: s.SalesOrderID}, err, &c.Shipments, &c.Parked)
}

// cancel cancels the store order of a sales order the ERP cancelled, once,
// unless the store's own cancellation is what cancelled the sales order.
func (a *Fulfillment) cancel(ctx context.Context, storeName string, dst store.Fulfillment,
	x erp.Cancellation, c *FulfillmentCounts) error {
	if !ofStore(x.ExternalRef, storeName) {
		c.OtherStores++
		return nil
	}
	entry := synclog.Entry{Entity: synclog.EntityOrderChange, Store: storeName,
		ExternalRef: "erp-cancel:" + x.SalesOrderID, ERPID: x.SalesOrderID}
	done, _, err := a.SyncLog.Get(ctx, entry.Entity, storeName, entry.ExternalRef)
	if err != nil {
		return err
	}
	if done.Status == synclog.StatusSynced {
		c.Already++
		return nil
	}

	orderID, err := a.storeOrder(ctx, storeName, x.SalesOrderID)
	if err == nil {
		var fromStore bool
		if fromStore, err = a.cancelledByStore(ctx, storeName, orderID); fromStore {
			c.Already++
			entry.Status, entry.Attempts = synclog.StatusSynced, 1
			return a.SyncLog.Record(ctx, entry)
		}
	}
	if err == nil {
		err = dst.CancelOrder(ctx, orderID, cmpReason(x.Reason))
	}
	return a.settle(ctx, entry, err, &c.Cancellations, &c.Parked)
}

// cancelledByStore reports whether the store's cancellation of an order was
// carried to the ERP.
func (a *Fulfillment) cancelledByStore(ctx context.Context, storeName, orderID string) (bool,
	error) {
	done, err := a.SyncLog.Amendments(ctx, storeName, orderID)
	if err != nil {
		return false, err
	}
	_, ok := done[synclog.AmendCancel+":"]
	return ok, nil
}

// settle records the outcome of one write in the sync log: synced, or
// needing attention for a problem that retrying cannot fix. Other errors
// are returned, so that the pass is retried from its watermark.
func (a *Fulfillment) settle(ctx context.Context, e synclog.Entry, err error, done,
	parked *int) error {
	if err != nil && !parkable(err) {
		return classify("write "+e.Entity+" "+e.ExternalRef, err)
	}

	e.Status, e.Attempts = synclog.StatusSynced, 1
	if err != nil {
		e.Status, e.LastError = synclog.StatusNeedsAttention, err.Error()
		a.logger(ctx).Warn("fulfillment needs attention", zap.String("entity", e.Entity),
			zap.String("ref", e.ExternalRef), zap.Error(err))
		*parked++
	} else {
		*done++
	}
	return a.SyncLog.Record(ctx, e)
}

// storeOrder returns the store order id of a synced sales order.
func (a *Fulfillment) storeOrder(ctx context.Context, storeName, salesOrderID string) (string,
	error) {
	e, ok, err := a.SyncLog.ByERPID(ctx, synclog.EntityOrder, storeName, salesOrderID)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", syncerr.Invalid("sales_order_id",
			"sales order %s is not a synced order of store %s", salesOrderID, storeName)
	}
	return e.ExternalRef, nil
}

// storeShipment maps a shipment for the store, leaving out service items.
func (a *Fulfillment) storeShipment(s erp.Shipment) store.Shipment {
	out := store.Shipment{ID: s.ID, Carrier: s.Carrier, TrackingNumber: s.TrackingNumber,
		TrackingURL: s.TrackingURL, ShippedAt: s.ShippedAt}
	for _, l := range s.Lines {
		if !a.ServiceSKUs[l.SKU] {
			out.Lines = append(out.Lines, store.ShipmentLine{SKU: l.SKU, Quantity: l.Quantity})
		}
	}
	return out
}

// ofStore reports whether an ERP record's external reference is of an
// order of storeName. Some ERPs keep references in upper case.
func ofStore(ref, storeName string) bool {
	prefix := storeName + ":"
	return len(ref) >= len(prefix) && strings.EqualFold(ref[:len(prefix)], prefix)
}

func cmpReason(reason string) string {
	if reason == "" {
		return "cancelled in the ERP"
	}
	return reason
}

func (a *Fulfillment) logger(ctx context.Context) *zap.Logger {
	return activityLogger(ctx, a.Logger)
}

// parkable reports whether err is a problem of the record itself, which a
// person must look at, rather than of the systems, which a retry fixes.
func parkable(err error) bool {
	var invalid *syncerr.InvalidError
	return errors.As(err, &invalid) || errors.Is(err, syncerr.ErrNotFound)
}
