package activities

import (
	"context"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/drift"
	"github.com/erpsync/erpsync/internal/stockstate"
	"github.com/erpsync/erpsync/internal/synclog"
)

// Reconcile holds the activities that check a store against the ERP: the
// sweep that starts the sync of orders whose webhook never came, and the
// drift report.
type Reconcile struct {
	Stores  map[string]ReconcileStore
	ERP     erp.SalesOrderLister
	ERPName string
	SyncLog statusReader
	Syncs   orderStarter
	Stock   stockPlanner
	Reports reportSaver

	// Now is the clock; nil means time.Now.
	Now func() time.Time

	Logger *zap.Logger
}

// ReconcileStore is what reconciling needs of a store.
type ReconcileStore interface {
	store.OrderChanges
	store.StockReader
}

// statusReader reads the status of syncs.
type statusReader interface {
	Statuses(ctx context.Context, entity, store string, refs []string) (map[string]string, error)
}

// orderStarter starts the sync of an order; starting it twice is a no-op.
type orderStarter interface {
	StartOrderSync(ctx context.Context, store, orderID string) (string, bool, error)
}

// stockPlanner works out what a store should offer.
type stockPlanner interface {
	SKUs(ctx context.Context, after string, limit int) ([]string, error)
	PlanSKUs(ctx context.Context, store string, skus []string) ([]stockstate.Target, error)
}

// reportSaver stores drift reports.
type reportSaver interface {
	Save(ctx context.Context, r drift.Report) error
}

// SweepInput names the store to sweep and how many days back.
type SweepInput struct {
	Store string `json:"store"`
	Days  int    `json:"days"`
}

// SweepResult counts what a sweep found: the orders listed, those without a
// sync whose sync it started, and those cancelled before any sync.
type SweepResult struct {
	Listed    int      `json:"listed"`
	Started   int      `json:"started"`
	Cancelled int      `json:"cancelled"`
	OrderIDs  []string `json:"order_ids,omitempty"`
}

// SweepOrders lists the store's orders changed in the last Days days and
// starts the sync of every one that has no ERP id and no sync: the backstop
// for webhooks that never arrived.
func (a *Reconcile) SweepOrders(ctx context.Context, in SweepInput) (SweepResult, error) {
	src, ok := a.Stores[in.Store]
	if !ok {
		return SweepResult{}, classify("sweep orders", unknownStore(in.Store))
	}

	var res SweepResult
	q := store.Changes{Since: a.now().AddDate(0, 0, -max(in.Days, 1))}
	for {
		page, err := src.ChangedOrders(ctx, q)
		if err != nil {
			return res, classify("list orders of "+in.Store, err)
		}
		if err := a.startMissing(ctx, in.Store, page.Items, &res); err != nil {
			return res, err
		}
		activity.RecordHeartbeat(ctx, res.Listed)
		if q.Cursor = page.Next; q.Cursor == "" {
			break
		}
	}

	a.logger(ctx).Info("orders swept", zap.String("store", in.Store),
		zap.Int("listed", res.Listed), zap.Int("started", res.Started))
	return res, nil
}

// startMissing starts the syncs of the orders of one page that have none.
func (a *Reconcile) startMissing(ctx context.Context, storeName string,
	orders []store.OrderChange, res *SweepResult) error {
	res.Listed += len(orders)
	var ids []string
	for _, o := range orders {
		if o.ERPID == "" {
			ids = append(ids, o.ID)
		}
	}
	statuses, err := a.SyncLog.Statuses(ctx, synclog.EntityOrder, storeName, ids)
	if err != nil {
		return err
	}

	for _, o := range orders {
		if o.ERPID != "" || statuses[o.ID] != "" {
			continue
		}
		if o.Cancelled {
			res.Cancelled++
			continue
		}
		_, started, err := a.Syncs.StartOrderSync(ctx, storeName, o.ID)
		if err != nil {
			return err
		}
		if started {
			res.Started++
			res.OrderIDs = append(res.OrderIDs, o.ID)
		}
	}
	return nil
}

// DriftInput names the store to compare, the days of orders to count, and
// the stock difference worth reporting.
type DriftInput struct {
	Store     string `json:"store"`
	Days      int    `json:"days"`
	Threshold int64  `json:"threshold"`
}

// ReportDrift compares the store's orders and stock with the ERP's and
// stores the report.
func (a *Reconcile) ReportDrift(ctx context.Context, in DriftInput) (drift.Report, error) {
	src, ok := a.Stores[in.Store]
	if !ok {
		return drift.Report{}, classify("report drift", unknownStore(in.Store))
	}
	now := a.now().UTC()
	r := drift.Report{Store: in.Store, ERP: a.ERPName, TakenAt: now,
		From: now.AddDate(0, 0, -max(in.Days, 1)), Threshold: in.Threshold}

	totals := map[string]*drift.OrderTotals{}
	inStore, err := a.countStoreOrders(ctx, src, r.From, totals)
	if err != nil {
		return r, err
	}
	inERP, err := a.countERPOrders(ctx, in.Store, r.From, totals)
	if err != nil {
		return r, err
	}
	for _, t := range totals {
		r.Orders = append(r.Orders, *t)
	}
	for key, number := range inStore {
		if !inERP[key] {
			r.MissingInERP++
			if len(r.Missing) < drift.Listed {
				r.Missing = append(r.Missing, number)
			}
		}
	}

	if err := a.compareStock(ctx, src, &r); err != nil {
		return r, err
	}
	return r, a.Reports.Save(ctx, r)
}

// countStoreOrders adds the store's orders placed since from to totals and
// returns their numbers, by their upper-case form, since some ERPs keep
// external references in upper case.
func (a *Reconcile) countStoreOrders(ctx context.Context, src store.OrderChanges,
	from time.Time, totals map[string]*drift.OrderTotals) (map[string]string, error) {
	numbers := map[string]string{}
	q := store.Changes{Since: from}
	for {
		page, err := src.ChangedOrders(ctx, q)
		if err != nil {
			return nil, classify("list store orders", err)
		}
		for _, o := range page.Items {
			if o.Cancelled || o.PlacedAt.Before(from) {
				continue
			}
			t := totalsOf(totals, o.Currency)
			t.StoreOrders++
			t.StoreTotalMinor += o.TotalMinor
			numbers[strings.ToUpper(o.Number)] = o.Number
		}
		activity.RecordHeartbeat(ctx, len(numbers))
		if q.Cursor = page.Next; q.Cursor == "" {
			return numbers, nil
		}
	}
}

// countERPOrders adds the ERP's sales orders of the store placed since from
// to totals and returns their store order numbers, in upper case.
func (a *Reconcile) countERPOrders(ctx context.Context, storeName string, from time.Time,
	totals map[string]*drift.OrderTotals) (map[string]bool, error) {
	numbers, prefix := map[string]bool{}, strings.ToUpper(ExternalRef(storeName, ""))
	q := erp.Changes{Since: from}
	for {
		page, err := a.ERP.ChangedSalesOrders(ctx, q)
		if err != nil {
			return nil, classify("list sales orders", err)
		}
		for _, o := range page.Items {
			number, ok := strings.CutPrefix(strings.ToUpper(o.ExternalRef), prefix)
			if !ok || o.Cancelled || o.OrderedAt.Before(from) || numbers[number] {
				continue
			}
			t := totalsOf(totals, o.Currency)
			t.ERPOrders++
			t.ERPTotalMinor += o.TotalMinor
			numbers[number] = true
		}
		activity.RecordHeartbeat(ctx, len(numbers))
		if q.Cursor = page.Next; q.Cursor == "" {
			return numbers, nil
		}
	}
}

func totalsOf(totals map[string]*drift.OrderTotals, currency string) *drift.OrderTotals {
	t, ok := totals[currency]
	if !ok {
		t = &drift.OrderTotals{Currency: currency}
		totals[currency] = t
	}
	return t
}

// driftBatch is how many SKUs one comparison of stock reads.
const driftBatch = 250

// compareStock compares, batch by batch of the ERP's SKUs, what the store
// offers with what erpsync works out it should.
func (a *Reconcile) compareStock(ctx context.Context, src store.StockReader,
	r *drift.Report) error {
	after := ""
	for {
		skus, err := a.Stock.SKUs(ctx, after, driftBatch)
		if err != nil || len(skus) == 0 {
			return err
		}
		after = skus[len(skus)-1]
		r.SKUsChecked += len(skus)

		want, err := a.Stock.PlanSKUs(ctx, r.Store, skus)
		if err != nil {
			return err
		}
		have, err := src.ReadStock(ctx, skus)
		if err != nil {
			return classify("read store stock", err)
		}
		compareLevels(want, have, r)
		activity.RecordHeartbeat(ctx, r.SKUsChecked)
	}
}

// compareLevels adds to r the store levels off their targets by more than
// the threshold. A target the store has no level for counts as zero.
func compareLevels(want []stockstate.Target, have []store.StockLevel, r *drift.Report) {
	type place struct{ sku, location string }
	levels := map[place]int64{}
	for _, l := range have {
		levels[place{l.SKU, l.Location}] = l.Available
	}
	for _, t := range want {
		got := levels[place{t.SKU, t.Location}]
		if d := got - t.Available; d > r.Threshold || -d > r.Threshold {
			r.StockOff++
			if len(r.Stock) < drift.Listed {
				r.Stock = append(r.Stock, drift.StockDrift{SKU: t.SKU, Location: t.Location,
					Store: got, Expected: t.Available})
			}
		}
	}
}

func (a *Reconcile) now() time.Time {
	if a.Now == nil {
		return time.Now()
	}
	return a.Now()
}

func (a *Reconcile) logger(ctx context.Context) *zap.Logger {
	return activityLogger(ctx, a.Logger)
}
