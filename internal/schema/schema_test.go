package schema

import (
	"context"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/erpsync/erpsync/internal/devenv"
)

// pg is the throwaway cluster the tests share; each test takes a database.
var pg *devenv.Postgres

// wantTables are tables the migrations must create.
var wantTables = []string{
	"erpsync.sync_log", "erpsync.sync_actions", "erpsync.webhook_deliveries", "erpsync.leases",
	"storefront.customers", "storefront.products", "storefront.stock_levels",
	"storefront.orders", "storefront.order_lines",
	"storefront.refunds", "storefront.refund_lines", "storefront.fulfillments",
	"storefront.fulfillment_lines",
	"erpsync.customer_links", "erpsync.customer_conflicts", "erpsync.order_digests",
	"erpsync.order_amendments", "erpsync.drift_reports",
}

func TestMain(m *testing.M) {
	os.Exit(devenv.RunWithPostgres(m, func(p *devenv.Postgres) { pg = p }))
}

func TestMigrateTwice(t *testing.T) {
	conn := connect(t, freshDatabase(t, "twice"))
	for i := range 2 {
		if err := MigrateConn(t.Context(), conn); err != nil {
			t.Fatalf("MigrateConn, run %d: %v", i+1, err)
		}
	}

	checkTables(t, conn)
	checkVersion(t, conn, migrationCount(t))
}

func TestMigrateConcurrently(t *testing.T) {
	url := freshDatabase(t, "concurrent")
	const processes = 6

	var wg sync.WaitGroup
	errs := make([]error, processes)
	for i := range processes {
		wg.Go(func() { errs[i] = migrateAsProcess(t.Context(), url, i%2 == 0) })
	}
	wg.Wait()

	for i, err := range errs {
		if err != nil {
			t.Errorf("migrate in goroutine %d: %v", i, err)
		}
	}
	conn := connect(t, url)
	checkTables(t, conn)
	checkVersion(t, conn, migrationCount(t))
}

func TestMigrateWaitsForLock(t *testing.T) {
	url := freshDatabase(t, "locked")
	holder := connect(t, url)
	if _, err := holder.Exec(t.Context(), "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		t.Fatal(err)
	}

	waiter := connect(t, url)
	done := make(chan error, 1)
	go func() { done <- MigrateConn(t.Context(), waiter) }()
	select {
	case err := <-done:
		t.Fatalf("MigrateConn = %v while another session held the lock, want a wait", err)
	case <-time.After(500 * time.Millisecond):
	}

	if _, err := holder.Exec(t.Context(), "SELECT pg_advisory_unlock($1)", lockKey); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("MigrateConn after the lock was released: %v", err)
	}
	checkTables(t, holder)
}

func TestMigrateWithPool(t *testing.T) {
	url := freshDatabase(t, "pool")
	pool, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	if err := Migrate(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	checkTables(t, connect(t, url))
}

func TestMigrateNamesFailedMigration(t *testing.T) {
	conn := connect(t, freshDatabase(t, "broken"))
	files := fstest.MapFS{
		"001_good.sql": {Data: []byte("CREATE TABLE erpsync.good (id int);")},
		"002_broken.sql": {Data: []byte(
			"CREATE TABLE erpsync.half (id int);\nSELECT nope FROM erpsync.good;")},
	}

	err := migrateFS(t.Context(), conn, files)
	if err == nil || !strings.Contains(err.Error(), "002_broken.sql") {
		t.Fatalf("migrateFS with a broken migration = %v, want an error naming it", err)
	}

	checkVersion(t, conn, 1)
	var half *string
	err = conn.QueryRow(t.Context(), "SELECT to_regclass('erpsync.half')::text").Scan(&half)
	if err != nil {
		t.Fatal(err)
	}
	if half != nil {
		t.Error("table of the failed migration exists, want it rolled back")
	}
	checkUnlocked(t, conn)
}

// migrateAsProcess migrates the database at url as a process starting up
// would: through a pool of its own, or a single connection.
func migrateAsProcess(ctx context.Context, url string, withPool bool) error {
	if withPool {
		pool, err := pgxpool.New(ctx, url)
		if err != nil {
			return err
		}
		defer pool.Close()
		return Migrate(ctx, pool)
	}

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return MigrateConn(ctx, conn)
}

// freshDatabase creates an empty database for one test and returns its URL.
func freshDatabase(t *testing.T, name string) string {
	t.Helper()
	url, err := pg.CreateDatabase(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return url
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func checkTables(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	for _, table := range wantTables {
		var found *string
		err := conn.QueryRow(t.Context(), "SELECT to_regclass($1)::text", table).Scan(&found)
		if err != nil {
			t.Fatal(err)
		}
		if found == nil {
			t.Errorf("table %s is missing after Migrate", table)
		}
	}
}

func checkVersion(t *testing.T, conn *pgx.Conn, want int) {
	t.Helper()
	rows, err := conn.Query(t.Context(), "SELECT version FROM "+VersionTable)
	if err != nil {
		t.Fatal(err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != 1 || int(versions[0]) != want {
		t.Errorf("%s holds %v, want one row [%d]", VersionTable, versions, want)
	}
}

// checkUnlocked fails when the migration lock is still held after Migrate.
func checkUnlocked(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	other := connect(t, conn.Config().ConnString())
	var got bool
	err := other.QueryRow(t.Context(), "SELECT pg_try_advisory_lock($1)", lockKey).Scan(&got)
	if err != nil {
		t.Fatal(err)
	}
	if !got {
		t.Error("migration lock is still held after a failed migration")
	}
}

func migrationCount(t *testing.T) int {
	t.Helper()
	names, err := fs.Glob(embedded, "migrations/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("embedded migrations: %v, %d files", err, len(names))
	}
	return len(names)
}
