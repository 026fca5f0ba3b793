package synclog

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Kinds of order amendments.
const (
	AmendCancel = "cancel"
	AmendRefund = "refund"
	AmendEdit   = "edit"
)

// Amendment is a change of a synced order that reached the ERP, or that an
// operator settled by hand.
type Amendment struct {
	Kind     string `json:"kind"`
	Ref      string `json:"ref"`
	ERPDocID string `json:"erp_doc_id,omitempty"`
	Outcome  string `json:"outcome"`
}

// SaveOrderDigest records the digest of an order as it was booked in the
// ERP, replacing an earlier one.
func (l *Log) SaveOrderDigest(ctx context.Context, store, orderID, digest string) error {
	_, err := l.pool.Exec(ctx, `
INSERT INTO erpsync.order_digests (store, order_id, digest) VALUES ($1, $2, $3)
ON CONFLICT (store, order_id) DO UPDATE SET digest = EXCLUDED.digest, booked_at = now()`,
		store, orderID, digest)
	if err != nil {
		return fmt.Errorf("save digest of order %s/%s: %w", store, orderID, err)
	}
	return nil
}

// OrderDigest returns the digest recorded for an order, and false when
// there is none.
func (l *Log) OrderDigest(ctx context.Context, store, orderID string) (string, bool, error) {
	var d string
	err := l.pool.QueryRow(ctx, `SELECT digest FROM erpsync.order_digests
		WHERE store = $1 AND order_id = $2`, store, orderID).Scan(&d)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read digest of order %s/%s: %w", store, orderID, err)
	}
	return d, true, nil
}

// RecordAmendment records a change of an order as carried or settled.
// Recording it again keeps the first record.
func (l *Log) RecordAmendment(ctx context.Context, store, orderID string, a Amendment) error {
	_, err := l.pool.Exec(ctx, `
INSERT INTO erpsync.order_amendments (store, order_id, kind, ref, erp_doc_id, outcome)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT DO NOTHING`, store, orderID, a.Kind, a.Ref, a.ERPDocID, a.Outcome)
	if err != nil {
		return fmt.Errorf("record %s %s of order %s/%s: %w", a.Kind, a.Ref, store, orderID, err)
	}
	return nil
}

// Amendments returns the recorded changes of an order, by kind and ref
// joined with a colon.
func (l *Log) Amendments(ctx context.Context, store, orderID string) (map[string]Amendment,
	error) {
	rows, _ := l.pool.Query(ctx, `SELECT kind, ref, erp_doc_id, outcome
		FROM erpsync.order_amendments WHERE store = $1 AND order_id = $2`, store, orderID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Amendment])
	if err != nil {
		return nil, fmt.Errorf("read amendments of order %s/%s: %w", store, orderID, err)
	}
	out := make(map[string]Amendment, len(list))
	for _, a := range list {
		out[a.Kind+":"+a.Ref] = a
	}
	return out, nil
}
