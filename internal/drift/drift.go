// Package drift keeps the drift reports in Postgres: how far a store and
// the ERP disagree on orders (counts and totals per currency) and on stock
// (SKUs whose store level is off by more than a threshold).
package drift

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/erpsync/erpsync/internal/money"
)

// Report compares one store with the ERP. Its JSON form is what `starter
// report drift --json` prints.
type Report struct {
	Store   string    `json:"store"`
	ERP     string    `json:"erp"`
	TakenAt time.Time `json:"taken_at"`

	// Orders compares the orders placed since From, cancelled ones left
	// out, per currency.
	From   time.Time     `json:"from"`
	Orders []OrderTotals `json:"orders"`

	// MissingInERP counts the store's orders the ERP has no sales order
	// for; Missing names the first of them by number.
	MissingInERP int      `json:"missing_in_erp"`
	Missing      []string `json:"missing,omitempty"`

	// Stock compares what each store location offers with what the ERP's
	// stock allows, for SKUs off by more than Threshold units.
	Threshold   int64        `json:"threshold"`
	SKUsChecked int          `json:"skus_checked"`
	StockOff    int          `json:"stock_off"`
	Stock       []StockDrift `json:"stock,omitempty"`
}

// OrderTotals are the order counts and totals of one currency, per side.
type OrderTotals struct {
	Currency        string `json:"currency"`
	StoreOrders     int    `json:"store_orders"`
	StoreTotalMinor int64  `json:"store_total_minor"`
	ERPOrders       int    `json:"erp_orders"`
	ERPTotalMinor   int64  `json:"erp_total_minor"`
}

// StockDrift is a SKU at a store location whose level is off.
type StockDrift struct {
	SKU      string `json:"sku"`
	Location string `json:"location"`
	Store    int64  `json:"store"`
	Expected int64  `json:"expected"`
}

// Listed caps how many missing orders and stock differences a report names.
const Listed = 50

// Agrees reports whether the report found no difference.
func (r Report) Agrees() bool {
	for _, t := range r.Orders {
		if t.StoreOrders != t.ERPOrders || t.StoreTotalMinor != t.ERPTotalMinor {
			return false
		}
	}
	return r.MissingInERP == 0 && r.StockOff == 0
}

// Write prints the report for a person.
func (r Report) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "drift of store %s against %s, taken %s\n", r.Store, r.ERP,
		r.TakenAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "orders placed since %s:\n", r.From.UTC().Format(time.RFC3339))
	for _, t := range r.Orders {
		fmt.Fprintf(&b, "  %s  store %d orders %s  erp %d orders %s\n", t.Currency,
			t.StoreOrders, money.Decimal(t.StoreTotalMinor, t.Currency), t.ERPOrders,
			money.Decimal(t.ERPTotalMinor, t.Currency))
	}
	fmt.Fprintf(&b, "  missing in the erp: %d %s\n", r.MissingInERP, strings.Join(r.Missing, " "))
	fmt.Fprintf(&b, "stock: %d skus checked, %d levels off by more than %d\n", r.SKUsChecked,
		r.StockOff, r.Threshold)
	for _, s := range r.Stock {
		fmt.Fprintf(&b, "  %s at %s: store %d, expected %d\n", s.SKU, s.Location, s.Store,
			s.Expected)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Reports reads and writes drift reports.
type Reports struct {
	pool *pgxpool.Pool
}

// NewReports returns the reports in pool.
func NewReports(pool *pgxpool.Pool) *Reports { return &Reports{pool: pool} }

// Save stores r.
func (s *Reports) Save(ctx context.Context, r Report) error {
	slices.SortFunc(r.Orders, func(a, b OrderTotals) int {
		return strings.Compare(a.Currency, b.Currency)
	})
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode drift report of %s: %w", r.Store, err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO erpsync.drift_reports (store, erp, taken_at, report)
		VALUES ($1, $2, $3, $4)`, r.Store, r.ERP, r.TakenAt, body)
	if err != nil {
		return fmt.Errorf("save drift report of %s: %w", r.Store, err)
	}
	return nil
}

// Latest returns the latest report of each store, or of the one named, in
// store order.
func (s *Reports) Latest(ctx context.Context, store string) ([]Report, error) {
	rows, _ := s.pool.Query(ctx, `
SELECT DISTINCT ON (store) report FROM erpsync.drift_reports
WHERE $1 = '' OR store = $1
ORDER BY store, taken_at DESC, id DESC`, store)
	reports, err := pgx.CollectRows(rows, pgx.RowTo[Report])
	if err != nil {
		return nil, fmt.Errorf("read drift reports: %w", err)
	}
	return reports, nil
}
