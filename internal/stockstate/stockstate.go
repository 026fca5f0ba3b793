// Package stockstate keeps the state of inventory sync in Postgres: the
// watermark of each listing of ERP changes, the ERP's stock as last read,
// the levels last pushed to each store, the lines of store orders not yet
// booked in the ERP, and the safety stock held back per SKU. From these it
// works out what each store should show.
package stockstate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/erpsync/erpsync/adapters/erp"
)

// State reads and writes the inventory sync state of one ERP. It is safe
// for concurrent use.
type State struct {
	pool          *pgxpool.Pool
	erp           string
	defaultSafety int64
	locations     map[string]LocationMap
}

// An Option adjusts [New].
type Option func(*State)

// WithLocations sets the location map of each store, by store name; a
// store without one sells every ERP location under its own name.
func WithLocations(maps map[string]LocationMap) Option {
	return func(s *State) { s.locations = maps }
}

// New returns the state of the ERP named erpName in pool. defaultSafety is
// the safety stock held back for SKUs that have none of their own.
func New(pool *pgxpool.Pool, erpName string, defaultSafety int64, opts ...Option) *State {
	s := &State{pool: pool, erp: erpName, defaultSafety: defaultSafety}
	for _, o := range opts {
		o(s)
	}
	return s
}

// A Mark is how far a listing of changes got: every change modified before
// Since has been applied. A listing under way lists from From, and Cursor
// continues it ("" when none is under way).
type Mark struct {
	Since  time.Time `json:"since"`
	From   time.Time `json:"from,omitzero"`
	Cursor string    `json:"cursor,omitempty"`
}

// Mark returns the mark saved under name, and false when there is none.
func (s *State) Mark(ctx context.Context, name string) (Mark, bool, error) {
	var m Mark
	var from *time.Time
	err := s.pool.QueryRow(ctx,
		`SELECT since, listed_from, cursor FROM erpsync.watermarks WHERE name = $1`, name).
		Scan(&m.Since, &from, &m.Cursor)
	if errors.Is(err, pgx.ErrNoRows) {
		return Mark{}, false, nil
	}
	if err != nil {
		return Mark{}, false, fmt.Errorf("read watermark %s: %w", name, err)
	}
	if from != nil {
		m.From = from.UTC()
	}
	m.Since = m.Since.UTC()
	return m, true, nil
}

// SaveMark saves m under name.
func (s *State) SaveMark(ctx context.Context, name string, m Mark) error {
	var from *time.Time
	if m.Cursor != "" {
		f := m.From.UTC()
		from = &f
	}
	_, err := s.pool.Exec(ctx, `
INSERT INTO erpsync.watermarks (name, since, listed_from, cursor) VALUES ($1, $2, $3, $4)
ON CONFLICT (name) DO UPDATE
SET since = EXCLUDED.since, listed_from = EXCLUDED.listed_from, cursor = EXCLUDED.cursor,
    updated_at = now()`,
		name, m.Since.UTC(), from, m.Cursor)
	if err != nil {
		return fmt.Errorf("save watermark %s: %w", name, err)
	}
	return nil
}

// upsertERPStockSQL records the ERP's levels as read. A level read later
// replaces the one stored whatever its modification time: a change that
// committed late may carry a time before that of the level it replaces.
// Rows that hold the same values already are left alone.
const upsertERPStockSQL = `
INSERT INTO erpsync.erp_stock AS s
    (erp, sku, location, on_hand, reserved, safety_stock, modified)
SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[],
    $7::timestamptz[])
ON CONFLICT (erp, sku, location) DO UPDATE
SET on_hand = EXCLUDED.on_hand, reserved = EXCLUDED.reserved,
    safety_stock = EXCLUDED.safety_stock, modified = EXCLUDED.modified
WHERE (s.on_hand, s.reserved, s.safety_stock, s.modified) IS DISTINCT FROM
    (EXCLUDED.on_hand, EXCLUDED.reserved, EXCLUDED.safety_stock, EXCLUDED.modified)`

// Plan records levels, the ERP's stock as just read, in the order the ERP
// listed them, and returns the targets of every location of the SKUs they
// name, for the store named store. Of a level given twice, the later one
// counts.
func (s *State) Plan(ctx context.Context, store string, levels []erp.StockLevel) (
	[]Target, error) {
	levels = lastOfEach(levels)
	if len(levels) == 0 {
		return nil, nil
	}

	cols := columns(levels)
	_, err := s.pool.Exec(ctx, upsertERPStockSQL, s.erp, cols.skus, cols.locations,
		cols.onHand, cols.reserved, cols.safety, cols.modified)
	if err != nil {
		return nil, fmt.Errorf("record %d erp stock levels: %w", len(levels), err)
	}
	return s.PlanSKUs(ctx, store, distinct(cols.skus))
}

// The queries of a plan. Each probes an index once per SKU of $2 (the
// lateral subqueries cannot be merged into a join), so that its cost
// follows the SKUs asked for, not the size of the tables, whatever the
// planner's statistics say. They read: the ERP's levels of ERP $1; the
// levels last pushed to store $1; erpsync's own safety stock; and the units
// of store $1's orders whose sync has not booked them (no sync log entry
// yet, or one running or needing attention).
const (
	planERPStockSQL = `
SELECT e.sku, e.location, e.on_hand, e.reserved, e.safety_stock, e.modified
FROM unnest($2::text[]) AS k(sku)
CROSS JOIN LATERAL (
    SELECT * FROM erpsync.erp_stock WHERE erp = $1 AND sku = k.sku OFFSET 0
) e
ORDER BY e.sku, e.location`

	planPushedSQL = `
SELECT p.sku, p.location, p.available
FROM unnest($2::text[]) AS k(sku)
CROSS JOIN LATERAL (
    SELECT * FROM erpsync.stock_pushed WHERE store = $1 AND sku = k.sku OFFSET 0
) p`

	planSafetySQL = `
SELECT s.sku, s.quantity
FROM unnest($1::text[]) AS k(sku)
CROSS JOIN LATERAL (
    SELECT * FROM erpsync.safety_stock
    WHERE sku = k.sku AND quantity IS NOT NULL OFFSET 0
) s`

	planInFlightSQL = `
SELECT k.sku, sum(l.quantity)::bigint
FROM unnest($2::text[]) AS k(sku)
CROSS JOIN LATERAL (
    SELECT order_id, quantity FROM erpsync.order_lines
    WHERE store = $1 AND sku = k.sku OFFSET 0
) l
LEFT JOIN LATERAL (
    SELECT status FROM erpsync.sync_log
    WHERE entity = 'order' AND store = $1 AND external_ref = l.order_id OFFSET 0
) g ON true
WHERE g.status IS NULL OR g.status IN ('running', 'needs_attention')
GROUP BY k.sku`
)

// PlanSKUs returns the targets of every store location of skus for the
// store named store, from the ERP's stock as last read and the store's
// location map. SKUs the ERP has no stock of have no targets.
func (s *State) PlanSKUs(ctx context.Context, store string, skus []string) ([]Target, error) {
	if len(skus) == 0 {
		return nil, nil
	}

	known, err := s.readPlan(ctx, store, skus)
	if err != nil {
		return nil, fmt.Errorf("plan stock of %d skus for store %s: %w", len(skus), store, err)
	}
	var targets []Target
	for _, st := range known {
		targets = append(targets, Allot(*st)...)
	}
	return targets, nil
}

// readPlan reads what erpsync knows of skus in one round trip, by SKU in
// the order of the ERP's levels.
func (s *State) readPlan(ctx context.Context, store string, skus []string) ([]*SKUStock,
	error) {
	var order []*SKUStock
	bySKU := map[string]*SKUStock{}
	b := &pgx.Batch{}
	b.Queue(planERPStockSQL, s.erp, skus).Query(func(rows pgx.Rows) error {
		var l erp.StockLevel
		_, err := pgx.ForEachRow(rows, []any{&l.SKU, &l.Location, &l.OnHand, &l.Reserved,
			&l.SafetyStock, &l.Modified}, func() error {
			st, ok := bySKU[l.SKU]
			if !ok {
				st = &SKUStock{SKU: l.SKU, Safety: s.defaultSafety, Pushed: map[string]int64{},
					Locations: s.locations[store]}
				bySKU[l.SKU] = st
				order = append(order, st)
			}
			st.Levels = append(st.Levels, l)
			return nil
		})
		return err
	})
	var sku, location string
	var n int64
	b.Queue(planPushedSQL, store, skus).Query(func(rows pgx.Rows) error {
		_, err := pgx.ForEachRow(rows, []any{&sku, &location, &n}, func() error {
			if st, ok := bySKU[sku]; ok {
				st.Pushed[location] = n
			}
			return nil
		})
		return err
	})
	b.Queue(planSafetySQL, skus).Query(perSKU(bySKU, &sku, &n,
		func(st *SKUStock, n int64) { st.Safety = n }))
	b.Queue(planInFlightSQL, store, skus).Query(perSKU(bySKU, &sku, &n,
		func(st *SKUStock, n int64) { st.InFlight = n }))

	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return order, nil
}

// perSKU returns a reader of (sku, n) rows that calls set on the stock of
// each SKU known.
func perSKU(bySKU map[string]*SKUStock, sku *string, n *int64,
	set func(*SKUStock, int64)) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		_, err := pgx.ForEachRow(rows, []any{sku, n}, func() error {
			if st, ok := bySKU[*sku]; ok {
				set(st, *n)
			}
			return nil
		})
		return err
	}
}

// RecordPushed records that the store named store now shows each target's
// Available, as of now.
func (s *State) RecordPushed(ctx context.Context, store string, pushed []Target) error {
	if len(pushed) == 0 {
		return nil
	}
	skus, locations := make([]string, len(pushed)), make([]string, len(pushed))
	available := make([]int64, len(pushed))
	for i, t := range pushed {
		skus[i], locations[i], available[i] = t.SKU, t.Location, t.Available
	}

	_, err := s.pool.Exec(ctx, `
INSERT INTO erpsync.stock_pushed AS p (store, sku, location, available)
SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[])
ON CONFLICT (store, sku, location) DO UPDATE
SET available = EXCLUDED.available, pushed_at = now()`, store, skus, locations, available)
	if err != nil {
		return fmt.Errorf("record %d levels pushed to store %s: %w", len(pushed), store, err)
	}
	return nil
}

// Forget drops what erpsync last pushed at the places of targets, for
// levels the store changed since: the next push there sets the level
// without comparing it first.
func (s *State) Forget(ctx context.Context, store string, targets []Target) error {
	if len(targets) == 0 {
		return nil
	}
	skus, locations := make([]string, len(targets)), make([]string, len(targets))
	for i, t := range targets {
		skus[i], locations[i] = t.SKU, t.Location
	}

	_, err := s.pool.Exec(ctx, `
DELETE FROM erpsync.stock_pushed p
USING unnest($2::text[], $3::text[]) AS f(sku, location)
WHERE p.store = $1 AND p.sku = f.sku AND p.location = f.location`, store, skus, locations)
	if err != nil {
		return fmt.Errorf("forget %d levels of store %s: %w", len(targets), store, err)
	}
	return nil
}

// levelColumns holds levels as one slice per field, as unnest takes them.
type levelColumns struct {
	skus, locations          []string
	onHand, reserved, safety []int64
	modified                 []time.Time
}

func columns(levels []erp.StockLevel) levelColumns {
	c := levelColumns{
		skus: make([]string, len(levels)), locations: make([]string, len(levels)),
		onHand: make([]int64, len(levels)), reserved: make([]int64, len(levels)),
		safety: make([]int64, len(levels)), modified: make([]time.Time, len(levels)),
	}
	for i, l := range levels {
		c.skus[i], c.locations[i] = l.SKU, l.Location
		c.onHand[i], c.reserved[i], c.safety[i] = l.OnHand, l.Reserved, l.SafetyStock
		c.modified[i] = l.Modified.UTC()
	}
	return c
}

// lastOfEach keeps one level per SKU and location, the last given, where
// the first stood.
func lastOfEach(levels []erp.StockLevel) []erp.StockLevel {
	type place struct{ sku, location string }
	at := make(map[place]int, len(levels))
	out := make([]erp.StockLevel, 0, len(levels))
	for _, l := range levels {
		p := place{l.SKU, l.Location}
		if i, seen := at[p]; seen {
			out[i] = l
			continue
		}
		at[p] = len(out)
		out = append(out, l)
	}
	return out
}

// distinct returns the strings of ss without repeats, in first-seen order.
func distinct(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// CountERPStock returns how many levels of the ERP's stock erpsync has read.
func (s *State) CountERPStock(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM erpsync.erp_stock WHERE erp = $1`,
		s.erp).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count erp stock levels: %w", err)
	}
	return n, nil
}

// SKUs returns the SKUs of the ERP's stock as last read, in order, after
// the SKU after, at most limit of them.
func (s *State) SKUs(ctx context.Context, after string, limit int) ([]string, error) {
	rows, _ := s.pool.Query(ctx, `
SELECT DISTINCT sku FROM erpsync.erp_stock WHERE erp = $1 AND sku > $2 ORDER BY sku LIMIT $3`,
		s.erp, after, limit)
	skus, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list skus of %s stock after %q: %w", s.erp, after, err)
	}
	return skus, nil
}
