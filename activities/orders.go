// Package activities holds the Temporal activities of erpsync: the steps that
// talk to stores, ERPs and Postgres. Each activity struct holds its
// dependencies; workflows refer to its methods through a typed nil pointer.
package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/stockstate"
	"github.com/erpsync/erpsync/internal/syncerr"
	"github.com/erpsync/erpsync/internal/synclog"
)

// syncRecorder is the part of the sync log that order activities write.
type syncRecorder interface {
	Record(ctx context.Context, e synclog.Entry) error
	RecordAction(ctx context.Context, a synclog.Action) error
	SaveOrderDigest(ctx context.Context, store, orderID, digest string) error
}

// Orders holds the activities of order sync. Its methods are registered with
// the worker once; their names are part of workflow histories.
type Orders struct {
	// Stores maps each store name to its adapter.
	Stores map[string]store.Orders

	// ERP is the ERP that receives sales orders; ERPName names it in
	// search attributes and logs.
	ERP     erp.SalesOrders
	ERPName string

	// Customers makes the creation of sales orders for one customer take
	// turns across workers, so that two orders of a new customer synced at
	// once do not both create the customer in the ERP. Nil turns it off.
	Customers leaser

	SyncLog syncRecorder

	// Charges names the ERP's service items that book an order's
	// shipping, discount and tax as lines of their own.
	Charges Charges

	// Lines records the lines of each order loaded, whose units the store
	// sold and the ERP has not booked until the sync is done. Nil turns it
	// off.
	Lines lineRecorder

	// Metrics counts orders synced and parked. Nil turns it off.
	Metrics syncMetrics

	Logger *zap.Logger
}

// syncMetrics counts what syncs do, for the process's metrics.
type syncMetrics interface {
	OrderSynced(store, erp string, placed time.Time)
	OrderParked(store, erp, field string)
	StockLevelsPushed(store string, n int)
}

// lineRecorder records the lines of store orders for inventory sync.
type lineRecorder interface {
	RecordOrderLines(ctx context.Context, store, orderID string,
		lines []stockstate.OrderLine) error
}

// leaser grants named locks that expire on their own.
type leaser interface {
	Acquire(ctx context.Context, key string, ttl time.Duration) (release func(), err error)
}

// OrderKey names a store order.
type OrderKey struct {
	Store   string `json:"store"`
	OrderID string `json:"order_id"`
}

// LoadedOrder is a store order mapped for the ERP. Digest sums up what it
// books, so that a later edit is noticed; Cancelled says the store
// cancelled it before it was booked, and then it is not mapped.
type LoadedOrder struct {
	SalesOrder erp.SalesOrder `json:"sales_order"`
	ERP        string         `json:"erp"`
	Digest     string         `json:"digest,omitempty"`
	Cancelled  bool           `json:"cancelled,omitempty"`

	// Version names the store's version of the order: when it last
	// changed there. An operator's patch is written against one version.
	Version string `json:"version,omitempty"`
}

// FoundOrder is the answer of a lookup by external reference.
type FoundOrder struct {
	Found bool              `json:"found"`
	Ref   erp.SalesOrderRef `json:"ref"`
}

// WriteBackInput links a store order to its ERP sales order. Digest, when
// set, is recorded as what the sales order books.
type WriteBackInput struct {
	Key        OrderKey          `json:"key"`
	Ref        erp.SalesOrderRef `json:"ref"`
	Attempts   int               `json:"attempts"`
	WorkflowID string            `json:"workflow_id"`
	Digest     string            `json:"digest,omitempty"`

	// PlacedAt is when the store took the order, for the sync lag.
	PlacedAt time.Time `json:"placed_at,omitzero"`
}

// StatusInput records where a sync stands, and the manual action that put it
// there when there was one.
type StatusInput struct {
	Key        OrderKey `json:"key"`
	Status     string   `json:"status"`
	Reason     string   `json:"reason,omitempty"`
	Field      string   `json:"field,omitempty"`
	Attempts   int      `json:"attempts"`
	WorkflowID string   `json:"workflow_id"`
	Action     *Manual  `json:"action,omitempty"`
}

// Manual describes an operator's decision on a sync: who took it and why.
type Manual struct {
	Action string `json:"action"`
	Actor  string `json:"actor"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

// LoadOrder reads the order from its store and maps it for the ERP. An order
// that cannot be mapped fails with a non-retryable [ErrTypeInvalid] error
// whose [Problem] names the field.
func (a *Orders) LoadOrder(ctx context.Context, key OrderKey) (LoadedOrder, error) {
	log := a.logger(ctx).With(zap.String("store", key.Store), zap.String("order_id", key.OrderID))

	src, ok := a.Stores[key.Store]
	if !ok {
		return LoadedOrder{}, classify("load order", unknownStore(key.Store))
	}
	o, err := src.LoadOrder(ctx, key.OrderID)
	if err != nil {
		return LoadedOrder{}, classify("load order "+key.OrderID, err)
	}
	version := orderVersion(o)
	if o.Status == store.OrderCancelled && o.ERPID == "" {
		log.Info("order cancelled before it was synced")
		return LoadedOrder{ERP: a.ERPName, Cancelled: true,
			SalesOrder: erp.SalesOrder{OrderNumber: o.Number}}, nil
	}
	if err := a.recordLines(ctx, key, o); err != nil {
		return LoadedOrder{}, err
	}

	so, err := mapOrder(key.Store, o, a.Charges)
	if err != nil {
		log.Warn("order cannot be mapped", zap.Error(err))
		return LoadedOrder{}, classifyAt("map order "+o.Number, err, version)
	}
	log.Debug("order loaded", zap.Int("lines", len(so.Lines)))
	return LoadedOrder{SalesOrder: so, ERP: a.ERPName, Digest: OrderDigest(o),
		Version: orderVersion(o)}, nil
}

// orderVersion names the store's version of o: when it last changed, to
// the nanosecond, or its digest when the store keeps no such time.
func orderVersion(o store.Order) string {
	if o.UpdatedAt.IsZero() {
		return "digest:" + OrderDigest(o)
	}
	return o.UpdatedAt.UTC().Format(time.RFC3339Nano)
}

// recordLines records the order's lines, when a recorder is set, whether
// or not the order can be mapped: its units are sold either way.
func (a *Orders) recordLines(ctx context.Context, key OrderKey, o store.Order) error {
	if a.Lines == nil || o.ERPID != "" {
		return nil
	}
	lines := make([]stockstate.OrderLine, len(o.Lines))
	for i, l := range o.Lines {
		lines[i] = stockstate.OrderLine{SKU: l.SKU, Quantity: l.Quantity}
	}
	return a.Lines.RecordOrderLines(ctx, key.Store, key.OrderID, lines)
}

// FindSalesOrder looks the ERP up for a sales order carrying externalRef.
func (a *Orders) FindSalesOrder(ctx context.Context, externalRef string) (FoundOrder, error) {
	ref, found, err := a.ERP.FindSalesOrder(ctx, externalRef)
	if err != nil {
		return FoundOrder{}, classify("find sales order "+externalRef, err)
	}
	return FoundOrder{Found: found, Ref: ref}, nil
}

// CreateSalesOrder creates the sales order in the ERP. A retry looks the
// reference up again first, because the attempt before it may have been
// committed by the ERP with its answer lost on the way back.
//
// Orders of one customer take turns, since the ERP may have to create the
// customer, and that cannot be made idempotent.
func (a *Orders) CreateSalesOrder(ctx context.Context, so erp.SalesOrder) (erp.SalesOrderRef, error) {
	info := activity.GetInfo(ctx)
	ttl := time.Minute
	if !info.Deadline.IsZero() {
		ttl = time.Until(info.Deadline) // the attempt cannot outlive it
	}
	release, err := a.lockCustomer(ctx, so.Customer.Email, ttl)
	if err != nil {
		return erp.SalesOrderRef{}, classify("create sales order "+so.ExternalRef, err)
	}
	defer release()

	return a.createSalesOrder(ctx, a.logger(ctx), so, info.Attempt > 1)
}

// lockCustomer takes the lease of the customer with email for ttl, or until
// released. The lease is named by a digest of the address, which keeps the
// address itself out of the lease table.
func (a *Orders) lockCustomer(ctx context.Context, email string, ttl time.Duration) (
	func(), error) {
	if a.Customers == nil {
		return func() {}, nil
	}
	return a.Customers.Acquire(ctx, customerLease(email), max(ttl, time.Second))
}

// customerLease names the lease that the creations of one customer in the
// ERP take turns under, by a digest of the e-mail, which keeps the address
// itself out of the lease table.
func customerLease(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return "customer:" + hex.EncodeToString(sum[:])
}

func (a *Orders) createSalesOrder(
	ctx context.Context, log *zap.Logger, so erp.SalesOrder, recheck bool,
) (erp.SalesOrderRef, error) {
	log = log.With(zap.String("external_ref", so.ExternalRef))

	if recheck {
		ref, found, err := a.ERP.FindSalesOrder(ctx, so.ExternalRef)
		if err != nil {
			return erp.SalesOrderRef{}, classify("recheck sales order "+so.ExternalRef, err)
		}
		if found {
			log.Info("sales order found on retry", zap.String("erp_id", ref.ID))
			return ref, nil
		}
	}

	ref, err := a.ERP.CreateSalesOrder(ctx, so)
	if err != nil {
		return erp.SalesOrderRef{}, classify("create sales order "+so.ExternalRef, err)
	}
	log.Info("sales order created", zap.String("erp_id", ref.ID))
	return ref, nil
}

// WriteBack records the ERP id on the store order and in the sync log. Both
// writes are idempotent, so a retry after a crash repeats them safely.
func (a *Orders) WriteBack(ctx context.Context, in WriteBackInput) error {
	dst, ok := a.Stores[in.Key.Store]
	if !ok {
		return classify("write back", unknownStore(in.Key.Store))
	}
	if err := dst.SetERPID(ctx, in.Key.OrderID, in.Ref.ID); err != nil {
		return classify("write erp id back to order "+in.Key.OrderID, err)
	}

	if in.Digest != "" {
		err := a.SyncLog.SaveOrderDigest(ctx, in.Key.Store, in.Key.OrderID, in.Digest)
		if err != nil {
			return err
		}
	}
	err := a.SyncLog.Record(ctx, synclog.Entry{
		Entity:      synclog.EntityOrder,
		Store:       in.Key.Store,
		ExternalRef: in.Key.OrderID,
		ERPID:       in.Ref.ID,
		Status:      synclog.StatusSynced,
		Attempts:    in.Attempts,
		WorkflowID:  in.WorkflowID,
	})
	if err != nil {
		return err
	}
	a.logger(ctx).Info("order synced", zap.String("store", in.Key.Store),
		zap.String("order_id", in.Key.OrderID), zap.String("erp_id", in.Ref.ID))
	if a.Metrics != nil {
		a.Metrics.OrderSynced(in.Key.Store, a.ERPName, in.PlacedAt)
	}
	return nil
}

// RecordStatus writes the state of a sync, and the manual action behind it,
// to the sync log.
func (a *Orders) RecordStatus(ctx context.Context, in StatusInput) error {
	if in.Action != nil {
		err := a.SyncLog.RecordAction(ctx, synclog.Action{
			Entity:      synclog.EntityOrder,
			Store:       in.Key.Store,
			ExternalRef: in.Key.OrderID,
			Action:      in.Action.Action,
			Actor:       in.Action.Actor,
			Reason:      in.Action.Reason,
			Detail:      in.Action.Detail,
		})
		if err != nil {
			return err
		}
	}

	err := a.SyncLog.Record(ctx, synclog.Entry{
		Entity:      synclog.EntityOrder,
		Store:       in.Key.Store,
		ExternalRef: in.Key.OrderID,
		Status:      in.Status,
		Attempts:    in.Attempts,
		LastError:   in.Reason,
		WorkflowID:  in.WorkflowID,
	})
	if err == nil && a.Metrics != nil && in.Status == synclog.StatusNeedsAttention {
		a.Metrics.OrderParked(in.Key.Store, a.ERPName, in.Field)
	}
	return err
}

func (a *Orders) logger(ctx context.Context) *zap.Logger {
	return activityLogger(ctx, a.Logger)
}

// activityLogger returns base with the fields that name the activity
// attempt of ctx.
func activityLogger(ctx context.Context, base *zap.Logger) *zap.Logger {
	info := activity.GetInfo(ctx)
	return base.With(
		zap.String("activity", info.ActivityType.Name),
		zap.String("workflow_id", info.WorkflowExecution.ID),
		zap.Int32("attempt", info.Attempt),
	)
}

// unknownStore reports a store name that the worker has no adapter for. It
// is permanent until the worker's configuration changes.
func unknownStore(name string) error {
	return syncerr.Invalid("store", "store %q is not configured on this worker", name)
}
