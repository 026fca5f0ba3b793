package devenv

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DefaultDatabase is the database [StartPostgres] creates when
// [PostgresOptions.Database] is empty.
const DefaultDatabase = "erpsync"

// superuser is the cluster's superuser, trusted without a password on
// loopback.
const superuser = "postgres"

// PostgresOptions configures [StartPostgres]. The zero value is ready to use.
type PostgresOptions struct {
	// Dir holds the cluster: its data, Unix socket and server log. Empty
	// means a new temporary directory that Stop removes. A Dir that already
	// holds a cluster is started as it is, and Stop leaves it in place. When
	// running as root, the unprivileged user that runs the server must be
	// able to reach Dir.
	Dir string

	// Port is the TCP port on 127.0.0.1; 0 picks a free one.
	Port int

	// Database is created when missing; empty means [DefaultDatabase].
	Database string

	// BinDir holds initdb, pg_ctl and postgres. Empty means the directory
	// of pg_ctl on PATH, else the newest /usr/lib/postgresql/*/bin.
	BinDir string

	// MaxConnections is the server's max_connections; 0 means 200.
	MaxConnections int

	// Timeout bounds each start and stop of the server; 0 means a minute.
	Timeout time.Duration
}

// Postgres is a throwaway cluster started by [StartPostgres]. Its settings
// trade durability for speed (no fsync), so it suits tests and demos only.
// Its methods must not be called concurrently.
type Postgres struct {
	dir      string
	ownsDir  bool
	port     int
	database string
	maxConns int
	timeout  time.Duration
	bin      string
	cred     *syscall.Credential // nil runs the programs as the caller
}

// StartPostgres creates a cluster (or reuses the one in opts.Dir), starts it
// on 127.0.0.1, waits until it accepts connections and creates the database.
// As root, initdb and the server run as the postgres user, or nobody, since
// initdb refuses to run as root. Errors name the step that failed and quote
// the end of the server log. ctx bounds the start-up only; the server runs
// until [Postgres.Stop].
func StartPostgres(ctx context.Context, opts PostgresOptions) (*Postgres, error) {
	p, err := newPostgres(opts)
	if err != nil {
		return nil, err
	}

	if err := p.start(ctx); err != nil {
		return nil, errors.Join(err, p.Stop())
	}
	return p, nil
}

// newPostgres resolves opts and prepares the cluster directory.
func newPostgres(opts PostgresOptions) (*Postgres, error) {
	bin, err := findPGBin(opts.BinDir)
	if err != nil {
		return nil, err
	}
	cred, err := unprivilegedCredential()
	if err != nil {
		return nil, err
	}
	port, err := portOrFree(opts.Port)
	if err != nil {
		return nil, err
	}

	p := &Postgres{
		port:     port,
		database: cmp.Or(opts.Database, DefaultDatabase),
		maxConns: cmp.Or(opts.MaxConnections, 200),
		timeout:  cmp.Or(opts.Timeout, time.Minute),
		bin:      bin,
		cred:     cred,
	}
	if err := p.makeDir(opts.Dir); err != nil {
		return nil, err
	}
	return p, nil
}

// makeDir creates the cluster directory (a temporary one when dir is empty)
// and hands it to the user that runs the server.
func (p *Postgres) makeDir(dir string) error {
	var err error
	if dir == "" {
		p.dir, err = os.MkdirTemp("", "erpsync-postgres-")
		p.ownsDir = err == nil
	} else if p.dir, err = filepath.Abs(dir); err == nil {
		err = os.MkdirAll(p.dir, 0o755)
	}
	if err != nil {
		return fmt.Errorf("create postgres cluster directory %q: %w", dir, err)
	}

	if strings.Contains(p.dir, "'") {
		return fmt.Errorf("create postgres cluster directory %q: path holds a quote", p.dir)
	}
	if p.cred == nil {
		return nil
	}
	if err := os.Chown(p.dir, int(p.cred.Uid), int(p.cred.Gid)); err != nil {
		err = fmt.Errorf("hand postgres cluster directory %s to uid %d: %w",
			p.dir, p.cred.Uid, err)
		if p.ownsDir {
			err = errors.Join(err, os.RemoveAll(p.dir))
		}
		return err
	}
	return nil
}

// start initializes the cluster when needed, starts the server and creates
// the database.
func (p *Postgres) start(ctx context.Context) error {
	if err := p.initCluster(ctx); err != nil {
		return err
	}
	if err := p.StartServer(ctx); err != nil {
		return err
	}

	_, err := p.CreateDatabase(ctx, p.database)
	return err
}

// initCluster runs initdb unless the data directory already holds a cluster.
func (p *Postgres) initCluster(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(p.dataDir(), "PG_VERSION")); err == nil {
		return nil
	}

	return runAs(ctx, p.cred, p.dir, "initdb in "+p.dataDir(), p.prog("initdb"),
		"-D", p.dataDir(), "-U", superuser, "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync")
}

// StartServer starts the server of an existing cluster on the same port as
// before and waits until it accepts connections. Use it after
// [Postgres.StopServer].
func (p *Postgres) StartServer(ctx context.Context) error {
	// TODO: pg_ctl detaches the server, so a caller that dies without calling
	// Stop (a test binary killed on its timeout) leaves the server running and
	// its directory in place; running postgres as a direct child with a
	// parent-death signal would tie the two lifetimes together.
	step := fmt.Sprintf("start postgres on 127.0.0.1:%d", p.port)
	err := runAs(ctx, p.cred, p.dir, step, p.prog("pg_ctl"), "start",
		"-D", p.dataDir(), "-l", p.LogFile(), "-w", "-t", p.timeoutSeconds(),
		"-o", p.serverOptions())
	if err != nil {
		return fmt.Errorf("%w%s", err, fileTail(p.LogFile()))
	}

	if err := p.waitReady(ctx); err != nil {
		return fmt.Errorf("%w%s", err, fileTail(p.LogFile()))
	}
	return nil
}

// serverOptions are the server's command-line settings. Durability is off
// because the cluster is thrown away.
func (p *Postgres) serverOptions() string {
	return fmt.Sprintf("-p %d -k '%s' -c listen_addresses=127.0.0.1 -c max_connections=%d"+
		" -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
		p.port, p.dir, p.maxConns)
}

// waitReady connects until the server answers or the timeout passes.
func (p *Postgres) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()

	for {
		conn, err := pgx.Connect(ctx, p.urlFor("postgres"))
		if err == nil {
			return conn.Close(ctx)
		}

		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for postgres on 127.0.0.1:%d: %w", p.port, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// CreateDatabase creates the database name unless it exists, and returns its
// connection string. Tests use it to get a fresh database each.
func (p *Postgres) CreateDatabase(ctx context.Context, name string) (string, error) {
	conn, err := pgx.Connect(ctx, p.urlFor("postgres"))
	if err != nil {
		return "", fmt.Errorf("connect to create database %s: %w", name, err)
	}
	defer conn.Close(ctx)

	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if err != nil && !(errors.As(err, &pgErr) && pgErr.Code == "42P04") {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return p.urlFor(name), nil
}

// StopServer stops the server ("fast" mode: sessions are cut, nothing is
// lost) and keeps the cluster, so that [Postgres.StartServer] can start it
// again. Stopping a server that is not running does nothing.
func (p *Postgres) StopServer(ctx context.Context) error {
	pid := filepath.Join(p.dataDir(), "postmaster.pid")
	if _, err := os.Stat(pid); errors.Is(err, fs.ErrNotExist) {
		return nil
	}

	step := fmt.Sprintf("stop postgres on 127.0.0.1:%d", p.port)
	err := runAs(ctx, p.cred, p.dir, step, p.prog("pg_ctl"), "stop",
		"-D", p.dataDir(), "-m", "fast", "-w", "-t", p.timeoutSeconds())
	if err != nil {
		return fmt.Errorf("%w%s", err, fileTail(p.LogFile()))
	}
	return nil
}

// Restart stops the server and starts it again on the same cluster and port.
// Open connections are cut; pools reconnect on their next acquire.
func (p *Postgres) Restart(ctx context.Context) error {
	if err := p.StopServer(ctx); err != nil {
		return err
	}
	return p.StartServer(ctx)
}

// Stop stops the server and, when [StartPostgres] created the cluster
// directory, removes it. It is safe to call more than once.
func (p *Postgres) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), p.timeout)
	defer cancel()

	if err := p.StopServer(ctx); err != nil {
		return err
	}
	if !p.ownsDir {
		return nil
	}
	if err := os.RemoveAll(p.dir); err != nil {
		return fmt.Errorf("remove postgres cluster directory %s: %w", p.dir, err)
	}
	return nil
}

// URL returns the pgx connection string of the database, as the superuser
// over TCP on 127.0.0.1.
func (p *Postgres) URL() string {
	return p.urlFor(p.database)
}

// Port returns the server's TCP port on 127.0.0.1.
func (p *Postgres) Port() int {
	return p.port
}

// Dir returns the cluster directory.
func (p *Postgres) Dir() string {
	return p.dir
}

// LogFile returns the path of the server log.
func (p *Postgres) LogFile() string {
	return filepath.Join(p.dir, "postgres.log")
}

// urlFor returns the connection string of database db.
func (p *Postgres) urlFor(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(superuser),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// dataDir is the cluster's data directory, inside the cluster directory so
// that the log and socket can sit beside it.
func (p *Postgres) dataDir() string {
	return filepath.Join(p.dir, "data")
}

// prog returns the path of the server program name.
func (p *Postgres) prog(name string) string {
	return filepath.Join(p.bin, name)
}

// timeoutSeconds is the timeout in whole seconds, as pg_ctl -t takes it.
func (p *Postgres) timeoutSeconds() string {
	return strconv.Itoa(max(1, int(p.timeout.Seconds())))
}

// RunWithPostgres is the body of a TestMain whose tests share one throwaway
// cluster: it starts the cluster, hands it to use, runs the tests and stops
// the cluster. It returns the exit code for os.Exit, 1 when the cluster does
// not start.
func RunWithPostgres(m interface{ Run() int }, use func(*Postgres)) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	pg, err := StartPostgres(ctx, PostgresOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() {
		if err := pg.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}()

	use(pg)
	return m.Run()
}
