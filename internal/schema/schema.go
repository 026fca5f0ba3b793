// Package schema creates and upgrades erpsync's tables in Postgres. The
// migrations are the numbered SQL files in migrations/, embedded in the
// binary and applied in order by tern; the version reached is kept in
// [VersionTable]. Processes that start together may all call [Migrate]
// (or [MigrateConn]):
// they take turns, and all but the first find nothing left to do.
//
// Tern reads each file as a Go text/template, so SQL must not contain "{{".
// A file may hold a down migration after a line reading
// "---- create above / drop below ----".
package schema

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
)

// VersionTable records which migration the database has reached. It lives
// in the erpsync schema, which Migrate creates before tern needs it.
const VersionTable = "erpsync.schema_version"

// lockKey names the session advisory lock that serializes migrations
// across processes. Tern locks around its own steps, but not around the
// creation of the schema that holds its version table.
const lockKey int64 = 0x65727073796e63 // "erpsync"

//go:embed migrations/*.sql
var embedded embed.FS

// MigrateConn applies the migrations the database has not had yet, holding
// an advisory lock on conn while it works. It is idempotent. An error names
// the migration that failed; that migration's changes are rolled back.
func MigrateConn(ctx context.Context, conn *pgx.Conn) error {
	files, err := fs.Sub(embedded, "migrations")
	if err != nil {
		return fmt.Errorf("open embedded migrations: %w", err)
	}
	return migrateFS(ctx, conn, files)
}

// Migrate runs [MigrateConn] on a connection acquired from pool. When the
// migration fails, the connection is closed rather than returned, so that
// no session state (such as the advisory lock) outlives the failure.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	c, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire connection to migrate: %w", err)
	}

	if err := MigrateConn(ctx, c.Conn()); err != nil {
		conn := c.Hijack()
		conn.Close(context.WithoutCancel(ctx))
		return err
	}
	c.Release()
	return nil
}

// migrateFS applies the migrations in files under the advisory lock.
func migrateFS(ctx context.Context, conn *pgx.Conn, files fs.FS) (err error) {
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	defer func() {
		if unlockErr := unlock(ctx, conn); unlockErr != nil {
			err = errors.Join(err, unlockErr)
		}
	}()

	m, err := newMigrator(ctx, conn, files)
	if err != nil {
		return err
	}
	return run(ctx, m)
}

// unlock releases the migration lock. It uses a context of its own, so that
// the lock is released even when ctx has ended.
func unlock(ctx context.Context, conn *pgx.Conn) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()

	if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", lockKey); err != nil {
		return fmt.Errorf("release migration lock: %w", err)
	}
	return nil
}

// newMigrator creates the version table's schema and loads the migrations.
func newMigrator(ctx context.Context, conn *pgx.Conn, files fs.FS) (*migrate.Migrator, error) {
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS erpsync"); err != nil {
		return nil, fmt.Errorf("create schema erpsync for %s: %w", VersionTable, err)
	}

	m, err := migrate.NewMigrator(ctx, conn, VersionTable)
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", VersionTable, err)
	}
	if err := m.LoadMigrations(files); err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return m, nil
}

// run applies the pending migrations and names the one that failed.
func run(ctx context.Context, m *migrate.Migrator) error {
	var current string
	m.OnStart = func(_ int32, name, _, _ string) { current = name }

	err := m.Migrate(ctx)
	if err != nil && current != "" {
		return fmt.Errorf("apply migration %s: %w", current, err)
	}
	if err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}
