package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.temporal.io/sdk/activity"
	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/stockstate"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// Inventory holds the activities of inventory sync: passes over the ERP's
// stock that work out what each store may sell and push what changed.
type Inventory struct {
	// ERP lists the stock; ERPName names it in watermarks and logs.
	ERP     erp.Inventory
	ERPName string

	// Stores maps each store name to its adapter.
	Stores map[string]store.Inventory

	// State keeps watermarks, the ERP's stock as last read, the levels
	// pushed and the orders in flight.
	State *stockstate.State

	// Passes makes the passes over one store take turns across workers.
	// Nil turns it off.
	Passes passLeaser

	// Metrics counts the levels pushed. Nil turns it off.
	Metrics syncMetrics

	Logger *zap.Logger
}

// Defaults of a [StockPassInput].
const (
	DefaultStockPageSize    = 1000
	DefaultStockConcurrency = 4
	DefaultStockOverlap     = 5 * time.Minute
	DefaultStockBudget      = 2 * time.Minute
)

// StockPassInput says which pass to make over the ERP's stock for a store.
type StockPassInput struct {
	Store string `json:"store"`

	// Full lists all of the ERP's stock, from where an unfinished full
	// pass stopped, instead of the changes since the watermark.
	Full bool `json:"full,omitempty"`

	// Overlap is how far before the watermark a new listing starts, for
	// changes that the ERP stamped before they committed.
	Overlap time.Duration `json:"overlap,omitempty"`

	// PageSize is how many levels a page asks for, and Concurrency how
	// many pages are applied at once.
	PageSize    int `json:"page_size,omitempty"`
	Concurrency int `json:"concurrency,omitempty"`

	// Budget is how long the activity lists before it returns with Done
	// false, so that the workflow can record progress.
	Budget time.Duration `json:"budget,omitempty"`
}

func (in StockPassInput) withDefaults() StockPassInput {
	if in.Overlap <= 0 {
		in.Overlap = DefaultStockOverlap
	}
	if in.PageSize <= 0 {
		in.PageSize = DefaultStockPageSize
	}
	if in.Concurrency <= 0 {
		in.Concurrency = DefaultStockConcurrency
	}
	if in.Budget <= 0 {
		in.Budget = DefaultStockBudget
	}
	return in
}

// StockCounts counts what passes did with the levels they saw.
type StockCounts struct {
	Pages     int `json:"pages"`
	Levels    int `json:"levels"`
	Pushed    int `json:"pushed"`
	Unchanged int `json:"unchanged"`
	// Unknown counts levels the store refused for a SKU or location it
	// does not have; UnknownSKUs names the first few.
	Unknown     int      `json:"unknown"`
	UnknownSKUs []string `json:"unknown_skus,omitempty"`
	// Stale counts levels the store changed since erpsync's last push:
	// they are set again at the next change of their SKU.
	Stale int `json:"stale"`
	// Refused counts levels the store refused for another reason.
	Refused int `json:"refused"`
}

// maxUnknownSKUs bounds the SKUs a result names.
const maxUnknownSKUs = 20

// Add adds o to c.
func (c *StockCounts) Add(o StockCounts) {
	c.Pages += o.Pages
	c.Levels += o.Levels
	c.Pushed += o.Pushed
	c.Unchanged += o.Unchanged
	c.Unknown += o.Unknown
	c.Stale += o.Stale
	c.Refused += o.Refused
	for _, sku := range o.UnknownSKUs {
		if len(c.UnknownSKUs) < maxUnknownSKUs {
			c.UnknownSKUs = append(c.UnknownSKUs, sku)
		}
	}
}

// StockPassResult says what a pass did, and where it stands: Done is false
// when it stopped for its budget with pages left to list.
type StockPassResult struct {
	StockCounts
	Done      bool      `json:"done"`
	Watermark time.Time `json:"watermark"`
}

// markName names the watermark of a store's listing of ERP stock.
func (a *Inventory) markName(in StockPassInput) string {
	if in.Full {
		return "stock-full/" + a.ERPName + "/" + in.Store
	}
	return "stock/" + a.ERPName + "/" + in.Store
}

// SyncStock makes a pass over the ERP's stock for one store, from the
// watermark (or, for a full pass, from where the last one stopped), until
// the listing ends or the budget is spent. Pages are applied as they come,
// several at once, and the watermark moves after every page that is
// applied with all those before it. Heartbeats carry the watermark, so a
// retried attempt goes on where the last one stopped.
func (a *Inventory) SyncStock(ctx context.Context, in StockPassInput) (StockPassResult, error) {
	in = in.withDefaults()
	log := a.logger(ctx).With(zap.String("store", in.Store), zap.Bool("full", in.Full))
	dst, ok := a.Stores[in.Store]
	if !ok {
		return StockPassResult{}, classify("sync stock", unknownStore(in.Store))
	}
	release, err := a.takeTurn(ctx, in.Store)
	if err != nil {
		return StockPassResult{}, classify("sync stock of store "+in.Store, err)
	}
	defer release()

	mark, err := a.startMark(ctx, in)
	if err != nil {
		return StockPassResult{}, classify("sync stock of store "+in.Store, err)
	}
	log.Info("stock pass started", zap.Time("since", mark.Since), zap.Bool("resumed",
		mark.Cursor != ""))

	p := &pass{a: a, in: in, dst: dst, mark: mark, started: time.Now()}
	res, err := p.run(ctx)
	if err == nil && res.Done && in.Full {
		err = a.finishFull(ctx, in, res.Watermark)
	}
	if err != nil {
		log.Warn("stock pass stopped", zap.Int("pages", res.Pages), zap.Error(err))
		return res, classify("sync stock of store "+in.Store, err)
	}
	log.Info("stock pass ended", zap.Bool("done", res.Done), zap.Int("pages", res.Pages),
		zap.Int("levels", res.Levels), zap.Int("pushed", res.Pushed),
		zap.Int("unknown", res.Unknown), zap.Int("stale", res.Stale))
	return res, nil
}

// passLeaser grants leases to holders that name themselves.
type passLeaser interface {
	AcquireAs(ctx context.Context, key, holder string, ttl time.Duration) (func(), error)
}

// passLease is how long a pass holds the lease of its store without
// renewing it: a pass renews it after every page, and a crashed pass
// blocks the others of its store for no longer than this.
const passLease = 2 * time.Minute

// takeTurn takes the lease of the store's stock passes, so that a full
// pass, a pass over changes and a pass over touched SKUs never write one
// store at once. The holder is the activity, so that its retry takes over
// at once the lease of an attempt whose worker crashed; calling takeTurn
// again renews the lease.
func (a *Inventory) takeTurn(ctx context.Context, storeName string) (func(), error) {
	if a.Passes == nil {
		return func() {}, nil
	}
	info := activity.GetInfo(ctx)
	holder := info.WorkflowExecution.RunID + "/" + info.ActivityID
	return a.Passes.AcquireAs(ctx, "stock:"+storeName, holder, passLease)
}

// finishFull moves the watermark of the store's passes over changes up to
// watermark, the last change a finished full pass saw, unless it is ahead
// already: the full pass applied every change until then.
func (a *Inventory) finishFull(ctx context.Context, in StockPassInput,
	watermark time.Time) error {
	in.Full = false
	name := a.markName(in)
	m, _, err := a.State.Mark(ctx, name)
	if err != nil || !m.Since.Before(watermark) || m.Cursor != "" {
		return err
	}
	return a.State.SaveMark(ctx, name, stockstate.Mark{Since: watermark})
}

// startMark returns where the pass begins: the mark in the last heartbeat
// of this activity, or the one saved, with a new listing starting Overlap
// before the watermark.
func (a *Inventory) startMark(ctx context.Context, in StockPassInput) (stockstate.Mark, error) {
	var m stockstate.Mark
	if activity.HasHeartbeatDetails(ctx) && activity.GetHeartbeatDetails(ctx, &m) == nil {
		return m, nil
	}

	m, _, err := a.State.Mark(ctx, a.markName(in))
	if err != nil || m.Cursor != "" {
		return m, err
	}
	m.From = time.Time{}
	if !in.Full && !m.Since.IsZero() {
		m.From = m.Since.Add(-in.Overlap)
	}
	return m, nil
}

// SyncTouchedStock works out again, for one store, the SKUs whose units in
// flight or safety stock changed since the last time it ran, from the ERP's
// stock as last read, and pushes what changed. It also drops the recorded
// lines of orders booked over a week ago.
func (a *Inventory) SyncTouchedStock(ctx context.Context, storeName string) (StockCounts,
	error) {
	dst, ok := a.Stores[storeName]
	if !ok {
		return StockCounts{}, classify("sync touched stock", unknownStore(storeName))
	}
	release, err := a.takeTurn(ctx, storeName)
	if err != nil {
		return StockCounts{}, classify("sync touched stock of store "+storeName, err)
	}
	defer release()

	name := "touched/" + a.ERPName + "/" + storeName
	mark, _, err := a.State.Mark(ctx, name)
	if err != nil {
		return StockCounts{}, err
	}

	began := time.Now()
	counts, err := a.syncTouched(ctx, storeName, dst, mark.Since.Add(-time.Second))
	if err != nil {
		return counts, classify("sync touched stock of store "+storeName, err)
	}
	if _, err := a.State.PruneOrderLines(ctx, storeName, began.Add(-7*24*time.Hour)); err != nil {
		return counts, err
	}
	return counts, a.State.SaveMark(ctx, name, stockstate.Mark{Since: began})
}

func (a *Inventory) syncTouched(ctx context.Context, storeName string, dst store.Inventory,
	since time.Time) (StockCounts, error) {
	skus, err := a.State.Touched(ctx, storeName, since)
	if err != nil || len(skus) == 0 {
		return StockCounts{}, err
	}
	targets, err := a.State.PlanSKUs(ctx, storeName, skus)
	if err != nil {
		return StockCounts{}, err
	}
	return a.push(ctx, storeName, dst, targets, nil)
}

// A place is one SKU at one location.
type place struct{ sku, location string }

// push sends the targets that changed to the store in one bulk write and
// records the outcome of each: pushed, unknown to the store, changed in
// the store since the last push (forgotten, so that the next push sets it
// without comparing), or refused. Targets that did not change count as
// unchanged when listed holds their place, or listed is nil.
func (a *Inventory) push(ctx context.Context, storeName string, dst store.Inventory,
	targets []stockstate.Target, listed map[place]bool) (StockCounts, error) {
	var c StockCounts
	var changed []stockstate.Target
	for _, t := range targets {
		switch {
		case t.Changed():
			changed = append(changed, t)
		case listed == nil || listed[place{t.SKU, t.Location}]:
			c.Unchanged++
		}
	}
	if len(changed) == 0 {
		return c, nil
	}

	refusals, err := setStock(ctx, dst, storeName, changed)
	if err != nil {
		return c, err
	}
	pushed, stale := sortOutcomes(changed, refusals, &c)
	if err := a.State.RecordPushed(ctx, storeName, pushed); err != nil {
		return c, err
	}
	if a.Metrics != nil {
		a.Metrics.StockLevelsPushed(storeName, len(pushed))
	}
	return c, a.State.Forget(ctx, storeName, stale)
}

// setStock writes targets in one bulk update and returns the refusals by
// index. The update's key is a digest of its content, so that a retry of
// the same write is the same update.
func setStock(ctx context.Context, dst store.Inventory, storeName string,
	targets []stockstate.Target) (map[int]error, error) {
	u := store.StockUpdate{Levels: make([]store.StockLevel, len(targets))}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", storeName)
	for i, t := range targets {
		u.Levels[i] = store.StockLevel{SKU: t.SKU, Location: t.Location,
			Available: t.Available, Previous: t.Pushed}
		fmt.Fprintf(h, "%q %q %d %s\n", t.SKU, t.Location, t.Available, pushedText(t.Pushed))
	}
	u.Key = "stock-" + hex.EncodeToString(h.Sum(nil))[:32]

	err := dst.SetStock(ctx, u)
	var partial *store.PartialError
	if err != nil && !errors.As(err, &partial) {
		return nil, fmt.Errorf("set %d stock levels in store %s: %w", len(targets), storeName,
			err)
	}
	refusals := map[int]error{}
	if partial != nil {
		for _, it := range partial.Items {
			refusals[it.Index] = it.Err
		}
	}
	return refusals, nil
}

func pushedText(p *int64) string {
	if p == nil {
		return "-"
	}
	return strconv.FormatInt(*p, 10)
}

// sortOutcomes counts the outcome of each target and returns those pushed
// and those the store changed since the last push.
func sortOutcomes(targets []stockstate.Target, refusals map[int]error, c *StockCounts) (
	pushed, stale []stockstate.Target) {
	for i, t := range targets {
		err, refused := refusals[i]
		var invalid *syncerr.InvalidError
		switch {
		case !refused:
			pushed = append(pushed, t)
			c.Pushed++
		case errors.As(err, &invalid) && invalid.Field == "previous":
			stale = append(stale, t)
			c.Stale++
		case errors.As(err, &invalid) && (invalid.Field == "sku" || invalid.Field == "location"):
			c.Unknown++
			if len(c.UnknownSKUs) < maxUnknownSKUs {
				c.UnknownSKUs = append(c.UnknownSKUs, t.SKU)
			}
		default:
			c.Refused++
		}
	}
	return pushed, stale
}

func (a *Inventory) logger(ctx context.Context) *zap.Logger {
	return activityLogger(ctx, a.Logger)
}

// stockCounter is what an ERP that can count its stock levels offers.
type stockCounter interface {
	CountStock(ctx context.Context) (int, error)
}

// CountStock returns how many stock levels a full pass over the ERP's stock
// will list, for the store named storeName: the ERP's own count when it
// gives one, else the levels erpsync read from it so far, which is 0 the
// first time.
func (a *Inventory) CountStock(ctx context.Context, storeName string) (int, error) {
	if c, ok := a.ERP.(stockCounter); ok {
		n, err := c.CountStock(ctx)
		if err != nil {
			return 0, classify("count stock levels for store "+storeName, err)
		}
		return n, nil
	}
	return a.State.CountERPStock(ctx)
}
