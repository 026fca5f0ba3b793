// Package lease grants named, expiring locks kept in Postgres, so that
// workers on different machines can take turns at something the ERP cannot
// make idempotent, such as creating a customer. A lease ends when its holder
// releases it or when it expires, so a holder that crashed blocks the others
// only until then, and nobody holds a database connection while waiting.
package lease

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultPoll is how often a waiting caller tries again.
const DefaultPoll = 50 * time.Millisecond

// Leases takes and releases leases in the erpsync.leases table. It is safe
// for concurrent use.
type Leases struct {
	pool *pgxpool.Pool
	poll time.Duration
}

// New returns Leases over pool that retry every [DefaultPoll].
func New(pool *pgxpool.Pool) *Leases {
	return &Leases{pool: pool, poll: DefaultPoll}
}

// acquireSQL takes the lease when it is free, expired, or held by the same
// holder already. It returns a row only when the caller now holds it.
const acquireSQL = `
INSERT INTO erpsync.leases (key, holder, expires_at)
VALUES ($1, $2, now() + $3 * interval '1 millisecond')
ON CONFLICT (key) DO UPDATE
    SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
    WHERE erpsync.leases.expires_at < now() OR erpsync.leases.holder = EXCLUDED.holder
RETURNING holder`

// Acquire waits until it holds the lease named key for ttl, or until ctx is
// done. It returns the function that releases the lease early; releasing a
// lease that has expired and been taken by another holder does nothing.
func (l *Leases) Acquire(ctx context.Context, key string, ttl time.Duration) (func(), error) {
	return l.AcquireAs(ctx, key, rand.Text(), ttl)
}

// AcquireAs is [Leases.Acquire] for a holder that names itself. A holder
// that holds the lease already gets it again at once, for ttl from now:
// work that goes on for long extends its lease this way, and a retry of
// work whose worker crashed takes over the lease that worker left.
func (l *Leases) AcquireAs(ctx context.Context, key, holder string, ttl time.Duration) (
	func(), error) {
	if ttl <= 0 {
		return nil, fmt.Errorf("acquire lease %s: ttl %s is not positive", key, ttl)
	}

	for {
		ok, err := l.try(ctx, key, holder, ttl)
		if err != nil {
			return nil, fmt.Errorf("acquire lease %s: %w", key, err)
		}
		if ok {
			return func() { l.release(key, holder) }, nil
		}

		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for lease %s: %w", key, ctx.Err())
		case <-time.After(l.poll):
		}
	}
}

func (l *Leases) try(ctx context.Context, key, holder string, ttl time.Duration) (bool, error) {
	var got string
	err := l.pool.QueryRow(ctx, acquireSQL, key, holder, ttl.Milliseconds()).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// release ends the lease if holder still holds it. It runs even when the
// caller's context is done, since the work under the lease is over either
// way; when it fails, the lease simply expires.
func (l *Leases) release(key, holder string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = l.pool.Exec(ctx, "DELETE FROM erpsync.leases WHERE key = $1 AND holder = $2",
		key, holder)
}
