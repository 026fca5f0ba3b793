package intake

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// PGDeliveries keeps webhook deliveries in erpsync's Postgres.
type PGDeliveries struct {
	pool *pgxpool.Pool
}

var _ Deliveries = (*PGDeliveries)(nil)

// NewPGDeliveries returns deliveries kept in pool.
func NewPGDeliveries(pool *pgxpool.Pool) *PGDeliveries {
	return &PGDeliveries{pool: pool}
}

// Claim inserts the delivery, or counts a replay of one already recorded, in
// one round trip.
func (p *PGDeliveries) Claim(ctx context.Context, d Delivery) (bool, error) {
	const q = `
		INSERT INTO erpsync.webhook_deliveries
			(store, delivery_id, topic, resource_id, workflow_id)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (store, delivery_id) DO UPDATE
			SET replays = webhook_deliveries.replays + 1
		RETURNING started_at IS NOT NULL`

	var started bool
	err := p.pool.QueryRow(ctx, q, d.Store, d.ID, d.Topic, d.ResourceID, d.WorkflowID).
		Scan(&started)
	if err != nil {
		return false, fmt.Errorf("claim delivery %s of %s: %w", d.ID, d.Store, err)
	}
	return started, nil
}

// MarkStarted records that the delivery's sync was started.
func (p *PGDeliveries) MarkStarted(ctx context.Context, store, deliveryID string) error {
	const q = `
		UPDATE erpsync.webhook_deliveries SET started_at = now()
		WHERE store = $1 AND delivery_id = $2 AND started_at IS NULL`

	if _, err := p.pool.Exec(ctx, q, store, deliveryID); err != nil {
		return fmt.Errorf("mark delivery %s of %s started: %w", deliveryID, store, err)
	}
	return nil
}
