package customers

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Link ties a store customer to its ERP customer, with what each side held
// when they last synced.
type Link struct {
	Store      string   `json:"store"`
	CustomerID string   `json:"customer_id"`
	ERPID      string   `json:"erp_id"`
	Last       Snapshot `json:"last"`
}

// Links reads and writes customer links and conflicts of one ERP in
// Postgres. It is safe for concurrent use.
type Links struct {
	pool *pgxpool.Pool
	erp  string
}

// NewLinks returns the links of the ERP named erpName in pool.
func NewLinks(pool *pgxpool.Pool, erpName string) *Links {
	return &Links{pool: pool, erp: erpName}
}

// ByCustomer returns the link of a store customer, and false when there is
// none.
func (l *Links) ByCustomer(ctx context.Context, store, customerID string) (Link, bool, error) {
	return l.one(ctx, `SELECT store, customer_id, erp_id, last_synced FROM erpsync.customer_links
		WHERE store = $1 AND customer_id = $2 AND erp = $3`, store, customerID, l.erp)
}

// ByERPID returns the link of an ERP customer to a store's customer, and
// false when there is none.
func (l *Links) ByERPID(ctx context.Context, store, erpID string) (Link, bool, error) {
	return l.one(ctx, `SELECT store, customer_id, erp_id, last_synced FROM erpsync.customer_links
		WHERE store = $1 AND erp_id = $2 AND erp = $3`, store, erpID, l.erp)
}

func (l *Links) one(ctx context.Context, q, store, id, erpName string) (Link, bool, error) {
	var k Link
	err := l.pool.QueryRow(ctx, q, store, id, erpName).Scan(&k.Store, &k.CustomerID, &k.ERPID,
		&k.Last)
	if errors.Is(err, pgx.ErrNoRows) {
		return Link{}, false, nil
	}
	if err != nil {
		return Link{}, false, fmt.Errorf("read customer link of %s %s: %w", store, id, err)
	}
	return k, true, nil
}

// Save records k and the conflicts resolved on the way to it, in one
// transaction.
func (l *Links) Save(ctx context.Context, k Link, conflicts []Conflict) error {
	return pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
INSERT INTO erpsync.customer_links (store, customer_id, erp, erp_id, last_synced)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (store, customer_id) DO UPDATE
SET erp = EXCLUDED.erp, erp_id = EXCLUDED.erp_id, last_synced = EXCLUDED.last_synced,
    synced_at = now()`,
			k.Store, k.CustomerID, l.erp, k.ERPID, k.Last)
		if err != nil {
			return fmt.Errorf("save customer link of %s %s: %w", k.Store, k.CustomerID, err)
		}

		for _, c := range conflicts {
			_, err := tx.Exec(ctx, `
INSERT INTO erpsync.customer_conflicts
    (store, customer_id, erp_id, field, rule, winner, kept, lost)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				k.Store, k.CustomerID, k.ERPID, c.Field, c.Rule, string(c.Winner), c.Kept, c.Lost)
			if err != nil {
				return fmt.Errorf("record conflict on %s of customer %s %s: %w", c.Field,
					k.Store, k.CustomerID, err)
			}
		}
		return nil
	})
}

// Conflicts returns the conflicts recorded for a store customer, oldest
// first.
func (l *Links) Conflicts(ctx context.Context, store, customerID string) ([]Conflict, error) {
	rows, _ := l.pool.Query(ctx, `
SELECT field, rule, winner, kept, lost FROM erpsync.customer_conflicts
WHERE store = $1 AND customer_id = $2 ORDER BY id`, store, customerID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Conflict])
	if err != nil {
		return nil, fmt.Errorf("read conflicts of customer %s %s: %w", store, customerID, err)
	}
	return out, nil
}
