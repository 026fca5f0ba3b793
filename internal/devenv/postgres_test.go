package devenv

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestFreePort(t *testing.T) {
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}

	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("listen on the port FreePort returned: %v", err)
	}
	l.Close()
}

func TestPostgres(t *testing.T) {
	ctx := t.Context()
	pg, err := StartPostgres(ctx, PostgresOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopPostgres(t, pg) })
	checkOwner(t, pg.Dir())

	conn := connect(t, pg.URL())
	var db, fsync, maxConns string
	err = conn.QueryRow(ctx, `SELECT current_database(), current_setting('fsync'),
		current_setting('max_connections')`).Scan(&db, &fsync, &maxConns)
	if err != nil {
		t.Fatal(err)
	}
	if db != DefaultDatabase || fsync != "off" || maxConns != "200" {
		t.Errorf("database, fsync, max_connections = %s, %s, %s; want %s, off, 200",
			db, fsync, maxConns, DefaultDatabase)
	}

	mustExec(t, conn, "CREATE TABLE kept (v text)")
	mustExec(t, conn, "INSERT INTO kept VALUES ('before restart')")
	if err := pg.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if got := readKept(t, pg.URL()); got != "before restart" {
		t.Errorf("row after restart = %q, want %q", got, "before restart")
	}

	stopPostgres(t, pg)
	if _, err := os.Stat(pg.Dir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("cluster directory after Stop: %v, want it removed", err)
	}
	if _, err := pgx.Connect(ctx, pg.URL()); err == nil {
		t.Error("connect after Stop succeeded, want an error")
	}
}

func TestPostgresReusesDir(t *testing.T) {
	ctx := t.Context()
	dir := reachableTempDir(t)

	first, err := StartPostgres(ctx, PostgresOptions{Dir: dir, Database: "reuse"})
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, connect(t, first.URL()), "CREATE TABLE kept AS SELECT 'kept' AS v")
	stopPostgres(t, first)

	second, err := StartPostgres(ctx, PostgresOptions{Dir: dir, Database: "reuse"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopPostgres(t, second) })
	if got := readKept(t, second.URL()); got != "kept" {
		t.Errorf("row in reused cluster = %q, want %q", got, "kept")
	}
}

func TestPostgresPortTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	port := l.Addr().(*net.TCPAddr).Port
	_, err = StartPostgres(t.Context(), PostgresOptions{Port: port})
	if err == nil {
		t.Fatalf("StartPostgres on taken port %d succeeded, want an error", port)
	}
	for _, want := range []string{"start postgres on 127.0.0.1:" + strconv.Itoa(port),
		"postgres.log ---"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("StartPostgres error = %q, want it to contain %q", err, want)
		}
	}
}

func TestPostgresBadBinDir(t *testing.T) {
	_, err := StartPostgres(t.Context(), PostgresOptions{BinDir: t.TempDir()})
	if err == nil {
		t.Fatal("StartPostgres with an empty BinDir succeeded, want an error")
	}
}

// checkOwner fails when running as root and dir belongs to root: the server
// must run as an unprivileged user.
func checkOwner(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if uid := info.Sys().(*syscall.Stat_t).Uid; uid == 0 {
		t.Errorf("cluster directory %s belongs to root, want an unprivileged user", dir)
	}
}

// reachableTempDir returns a new directory that an unprivileged user can
// reach, unlike t.TempDir's, and removes it after the test.
func reachableTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "devenv-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func stopPostgres(t *testing.T, pg *Postgres) {
	t.Helper()
	if err := pg.Stop(); err != nil {
		t.Error(err)
	}
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

func mustExec(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	if _, err := conn.Exec(t.Context(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func readKept(t *testing.T, url string) string {
	t.Helper()
	var v string
	if err := connect(t, url).QueryRow(t.Context(), "SELECT v FROM kept").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
