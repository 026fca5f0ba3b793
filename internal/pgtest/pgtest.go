// Package pgtest gives each test a fresh database, migrated to erpsync's
// schema, on the throwaway Postgres server that its package's TestMain
// started with [devenv.RunWithPostgres].
package pgtest

import (
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/erpsync/erpsync/internal/devenv"
	"github.com/erpsync/erpsync/internal/schema"
)

// databases numbers the databases made, so that each name is new.
var databases atomic.Int64

// Pool creates a database on pg named after the test, migrates it, and
// returns a pool over it that closes when the test ends. It fails t when
// any step fails.
func Pool(t testing.TB, pg *devenv.Postgres) *pgxpool.Pool {
	t.Helper()
	name := strings.NewReplacer("/", "_", " ", "_", "-", "_").Replace(strings.ToLower(t.Name()))
	name = "t" + strings.TrimLeft(name, "_")
	if len(name) > 50 {
		name = name[:50]
	}
	url, err := pg.CreateDatabase(t.Context(),
		name+"_"+strconv.FormatInt(databases.Add(1), 10))
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := schema.Migrate(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	return pool
}
