// Package synclog records the outcome of every sync in Postgres: which store
// record became which ERP record, which syncs need a human and why, and every
// manual action an operator took.
package synclog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Statuses a sync can be in. They match the values of the ErpSyncStatus
// search attribute.
const (
	StatusRunning        = "running"
	StatusSynced         = "synced"
	StatusNeedsAttention = "needs_attention"
	StatusSkipped        = "skipped"
)

// EntityOrder is the entity name of order syncs.
const EntityOrder = "order"

// Entry is one row of the sync log: the latest state of one record's sync.
type Entry struct {
	Entity      string    `db:"entity"`
	Store       string    `db:"store"`
	ExternalRef string    `db:"external_ref"`
	ERPID       string    `db:"erp_id"`
	Status      string    `db:"status"`
	Attempts    int       `db:"attempts"`
	LastError   string    `db:"last_error"`
	WorkflowID  string    `db:"workflow_id"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
}

// Action is a manual decision an operator took on a sync.
type Action struct {
	Entity      string
	Store       string
	ExternalRef string
	Action      string
	Actor       string
	Reason      string
	Detail      string
}

// Log reads and writes the sync log. It is safe for concurrent use.
type Log struct {
	pool *pgxpool.Pool
}

// New returns a Log over pool.
func New(pool *pgxpool.Pool) *Log {
	return &Log{pool: pool}
}

// Record upserts the state of one sync. It is idempotent: recording the same
// entry twice leaves one row. An empty ERPID keeps the one already stored.
func (l *Log) Record(ctx context.Context, e Entry) error {
	const q = `
		INSERT INTO erpsync.sync_log
			(entity, store, external_ref, erp_id, status, attempts, last_error, workflow_id)
		VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, NULLIF($7, ''), $8)
		ON CONFLICT (entity, store, external_ref) DO UPDATE SET
			erp_id      = COALESCE(EXCLUDED.erp_id, sync_log.erp_id),
			status      = EXCLUDED.status,
			attempts    = GREATEST(EXCLUDED.attempts, sync_log.attempts),
			last_error  = EXCLUDED.last_error,
			workflow_id = EXCLUDED.workflow_id,
			updated_at  = now()`

	_, err := l.pool.Exec(ctx, q, e.Entity, e.Store, e.ExternalRef, e.ERPID, e.Status,
		e.Attempts, e.LastError, e.WorkflowID)
	if err != nil {
		return fmt.Errorf("record %s sync %s/%s as %s: %w",
			e.Entity, e.Store, e.ExternalRef, e.Status, err)
	}
	return nil
}

// RecordAction appends a manual action to the audit trail.
func (l *Log) RecordAction(ctx context.Context, a Action) error {
	const q = `
		INSERT INTO erpsync.sync_actions
			(entity, store, external_ref, action, actor, reason, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`

	_, err := l.pool.Exec(ctx, q, a.Entity, a.Store, a.ExternalRef, a.Action, a.Actor,
		a.Reason, a.Detail)
	if err != nil {
		return fmt.Errorf("record %s on %s sync %s/%s: %w",
			a.Action, a.Entity, a.Store, a.ExternalRef, err)
	}
	return nil
}

// List returns the entries of entity in status, most recently updated first,
// at most limit of them.
func (l *Log) List(ctx context.Context, entity, status string, limit int) ([]Entry, error) {
	const q = `
		SELECT entity, store, external_ref, COALESCE(erp_id, '') AS erp_id, status,
		       attempts, COALESCE(last_error, '') AS last_error,
		       COALESCE(workflow_id, '') AS workflow_id, created_at, updated_at
		FROM erpsync.sync_log
		WHERE entity = $1 AND status = $2
		ORDER BY updated_at DESC
		LIMIT $3`

	rows, err := l.pool.Query(ctx, q, entity, status, limit)
	if err != nil {
		return nil, fmt.Errorf("list %s syncs in %s: %w", entity, status, err)
	}
	entries, err := pgx.CollectRows(rows, pgx.RowToStructByName[Entry])
	if err != nil {
		return nil, fmt.Errorf("list %s syncs in %s: %w", entity, status, err)
	}
	return entries, nil
}

// Statuses returns the status of the syncs of entity for store whose
// external references are refs. A reference with no sync has no entry.
func (l *Log) Statuses(ctx context.Context, entity, store string,
	refs []string) (map[string]string, error) {
	const q = `
		SELECT external_ref, status FROM erpsync.sync_log
		WHERE entity = $1 AND store = $2 AND external_ref = ANY($3)`

	rows, err := l.pool.Query(ctx, q, entity, store, refs)
	if err != nil {
		return nil, fmt.Errorf("read status of %d %s syncs of %s: %w", len(refs), entity, store, err)
	}
	statuses := make(map[string]string, len(refs))
	var ref, status string
	_, err = pgx.ForEachRow(rows, []any{&ref, &status}, func() error {
		statuses[ref] = status
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read status of %d %s syncs of %s: %w", len(refs), entity, store, err)
	}
	return statuses, nil
}

// Entities of the syncs beyond orders.
const (
	EntityOrderChange = "order_change"
	EntityShipment    = "shipment"
	EntityCustomer    = "customer"
)

const entryColumns = `
	entity, store, external_ref, COALESCE(erp_id, '') AS erp_id, status, attempts,
	COALESCE(last_error, '') AS last_error, COALESCE(workflow_id, '') AS workflow_id,
	created_at, updated_at`

// Get returns the entry of the sync of one record, and false when there is
// none.
func (l *Log) Get(ctx context.Context, entity, store, externalRef string) (Entry, bool, error) {
	return l.one(ctx, `SELECT`+entryColumns+` FROM erpsync.sync_log
		WHERE entity = $1 AND store = $2 AND external_ref = $3`, entity, store, externalRef)
}

// ByERPID returns the entry of the sync of entity for store that became the
// ERP record erpID, and false when there is none.
func (l *Log) ByERPID(ctx context.Context, entity, store, erpID string) (Entry, bool, error) {
	return l.one(ctx, `SELECT`+entryColumns+` FROM erpsync.sync_log
		WHERE entity = $1 AND store = $2 AND erp_id = $3
		ORDER BY updated_at DESC LIMIT 1`, entity, store, erpID)
}

func (l *Log) one(ctx context.Context, q string, args ...any) (Entry, bool, error) {
	rows, _ := l.pool.Query(ctx, q, args...)
	e, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Entry])
	if errors.Is(err, pgx.ErrNoRows) {
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, fmt.Errorf("read sync log %v: %w", args, err)
	}
	return e, true, nil
}
