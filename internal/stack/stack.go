// Package stack boots all of erpsync on one machine with no Docker: Postgres,
// the Temporal dev server with its Web UI, the ERP sandbox, and the worker
// and the starter as child processes. devstack and the end-to-end tests use
// it; existing Postgres and Temporal services can stand in for the
// throwaway ones.
package stack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store/postgres"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/boot"
	"github.com/erpsync/erpsync/internal/codec"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/devenv"
	"github.com/erpsync/erpsync/internal/searchattr"
	"github.com/erpsync/erpsync/workflows"
)

// Fixed credentials of the local stack. They protect nothing but a sandbox
// on loopback, and being fixed lets the printed examples work as they are.
const (
	StoreName     = "demo"
	WebhookSecret = "demo-webhook-secret"
)

// CodecKeys is the payload encryption key of the local stack, as
// ERPSYNC_CODEC_KEYS takes it. It is a sandbox key, published here and
// fit for nothing else; fixed, it keeps histories readable from one run to
// the next. The stack encrypts payloads so that it behaves as production
// should, and its Web UI decodes them through the starter's /codec.
const CodecKeys = "devstack-sandbox=ZXJwc3luYy1kZXZzdGFjay1zYW5kYm94LWtleS0zMmI="

// Options configures [Start]. The zero value starts everything afresh.
type Options struct {
	// Dir holds logs, binaries and the throwaway Postgres cluster; empty
	// means a temporary directory that Stop removes.
	Dir string

	// DatabaseURL and TemporalAddress point at existing services instead
	// of throwaway ones.
	DatabaseURL     string
	TemporalAddress string

	// ERP names the ERP the worker syncs to, one of [config.ERPs]; empty
	// means Odoo. Every ERP's sandbox is served either way.
	ERP string

	// Platform names the platform of the demo store, one of
	// [config.Platforms]; empty means the headless storefront. Every
	// platform's sandbox is served either way.
	Platform string

	// Headless starts the Temporal dev server without its Web UI.
	Headless bool

	// Schedules creates the inventory schedule of the demo store, or
	// updates it, as the starter's "schedules apply" does.
	Schedules bool

	// UsualPorts serves Temporal on 7233, its Web UI on 8233 and the
	// webhooks on 8080, each when free, so that the commands' defaults
	// reach them and the addresses stay the same from one run to the next.
	// Otherwise every port is picked free.
	UsualPorts bool

	// Logf reports progress; nil is silent.
	Logf func(format string, args ...any)
}

// Stack is a running erpsync with everything it needs.
type Stack struct {
	opts    Options
	ownsDir bool

	pg       *devenv.Postgres
	temporal *devenv.Temporal
	sandbox  *Sandboxes
	stores   *StoreSandboxes
	worker   *process
	starter  *process

	// Model is the in-memory ERP behind the sandboxes, and Faults the
	// faults they inject.
	Model  *erpsandbox.Model
	Faults *erpsandbox.Faults

	// StoreModel is the in-memory store behind the store platforms'
	// sandboxes.
	StoreModel *storesandbox.Model

	// erpLag is how far behind the wall clock the ERP model stamps its
	// changes, in nanoseconds.
	erpLag atomic.Int64

	// demoRuns counts the demo's runs, whose order numbers differ.
	demoRuns atomic.Int64

	// uiStarterAddr is where the starter listens when the Web UI's codec
	// endpoint names it: picked before the UI starts, and kept across
	// restarts. Empty without a UI, when each start picks a free address.
	// TODO: with a Web UI, UseStore subscribes a platform to the same
	// address again, which the Shopify sandbox refuses as Shopify does;
	// the stacks that switch stores run headless today.
	uiStarterAddr string

	// extraEnv is added to the configuration of the worker and the
	// starter when they next start.
	extraEnv []string

	// Pool reaches erpsync's Postgres; Store is the headless storefront in
	// it; Client is a Temporal client.
	Pool   *pgxpool.Pool
	Store  *postgres.Store
	Client client.Client

	DatabaseURL     string
	TemporalAddress string
	Namespace       string
	UIURL           string
	// ERP is the sandbox the worker syncs to.
	ERP System
	// Shop is the sandbox of the demo store's platform; its Platform is ""
	// for the headless storefront.
	Shop       StoreSystem
	StarterURL string
}

// Start boots the stack. ctx bounds the start-up; the stack runs until Stop.
// On failure, what was started is stopped again.
func Start(ctx context.Context, opts Options) (*Stack, error) {
	s := &Stack{opts: opts, Namespace: devenv.DefaultNamespace}
	if err := s.start(ctx); err != nil {
		return nil, errors.Join(err, s.Stop())
	}
	return s, nil
}

func (s *Stack) start(ctx context.Context) error {
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"work directory", s.makeDir},
		{"binaries", func(ctx context.Context) error { return build(ctx, s.binDir()) }},
		{"postgres", s.startPostgres},
		{"temporal", s.startTemporal},
		{"erp sandbox", s.startSandbox},
		{"store sandboxes", s.startStoreSandboxes},
		{"demo catalog", s.seed},
		{"worker", s.startWorker},
		{"starter", s.startStarter},
		{"store webhooks", s.subscribeShop},
		{"inventory schedule", s.applySchedules},
	}
	for _, step := range steps {
		s.logf("starting %s", step.name)
		if err := step.run(ctx); err != nil {
			return fmt.Errorf("start %s: %w", step.name, err)
		}
	}
	return nil
}

func (s *Stack) makeDir(context.Context) error {
	if s.opts.Dir != "" {
		return os.MkdirAll(s.opts.Dir, 0o755)
	}
	dir, err := os.MkdirTemp("", "erpsync-devstack-")
	if err != nil {
		return err
	}
	// The Postgres server runs as an unprivileged user and must reach it.
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	s.opts.Dir, s.ownsDir = dir, true
	return nil
}

func (s *Stack) startPostgres(ctx context.Context) error {
	s.DatabaseURL = s.opts.DatabaseURL
	if s.DatabaseURL == "" {
		pg, err := devenv.StartPostgres(ctx, devenv.PostgresOptions{
			Dir: filepath.Join(s.opts.Dir, "postgres"),
		})
		if err != nil {
			return err
		}
		s.pg, s.DatabaseURL = pg, pg.URL()
	}

	pool, err := boot.Database(ctx, s.DatabaseURL, 20)
	if err != nil {
		return err
	}
	s.Pool, s.Store = pool, postgres.New(pool)
	return nil
}

func (s *Stack) startTemporal(ctx context.Context) error {
	s.TemporalAddress = s.opts.TemporalAddress
	if s.TemporalAddress == "" {
		endpoint, err := s.uiCodecEndpoint()
		if err != nil {
			return err
		}
		t, err := devenv.StartTemporal(ctx, devenv.TemporalOptions{
			Headless:         s.opts.Headless,
			UICodecEndpoint:  endpoint,
			Port:             s.port(7233),
			UIPort:           s.port(8233),
			SearchAttributes: workflows.SearchAttributes(),
			LogFile:          filepath.Join(s.opts.Dir, "temporal.log"),
			StartTimeout:     2 * time.Minute,
			Logf:             s.opts.Logf,
		})
		if err != nil {
			return err
		}
		s.temporal, s.TemporalAddress, s.UIURL = t, t.Address(), t.UIURL()
	}

	copts := client.Options{HostPort: s.TemporalAddress, Namespace: s.Namespace}
	if err := withCodec(&copts); err != nil {
		return err
	}
	c, err := client.DialContext(ctx, copts)
	if err != nil {
		return fmt.Errorf("connect to temporal at %s: %w", s.TemporalAddress, err)
	}
	s.Client = c
	return searchattr.Ensure(ctx, c, s.Namespace, workflows.SearchAttributes())
}

// withCodec makes the client of opts encrypt and decrypt payloads as the
// stack's worker and starter do.
func withCodec(opts *client.Options) error {
	keys, err := codec.ParseKeys(CodecKeys)
	if err != nil {
		return err
	}
	c, err := codec.New(keys...)
	if err != nil {
		return err
	}
	c.Configure(opts)
	return nil
}

// uiCodecEndpoint fixes the starter's address when the stack starts a Web
// UI, and returns the codec endpoint there; headless, it returns "".
func (s *Stack) uiCodecEndpoint() (string, error) {
	if s.opts.Headless {
		return "", nil
	}
	addr, err := s.starterAddr()
	if err != nil {
		return "", err
	}
	s.uiStarterAddr = addr
	return "http://" + addr + "/codec", nil
}

// starterAddr returns the address the Web UI's codec endpoint names, or a
// free one when there is none.
func (s *Stack) starterAddr() (string, error) {
	if s.uiStarterAddr != "" {
		return s.uiStarterAddr, nil
	}
	port := s.port(8080)
	if port == 0 {
		free, err := devenv.FreePort()
		if err != nil {
			return "", err
		}
		port = free
	}
	return "127.0.0.1:" + strconv.Itoa(port), nil
}

// codecOrigins are the origins the Web UI is reached at, by address and by
// name, which may call the starter's codec endpoints.
func (s *Stack) codecOrigins() string {
	if s.UIURL == "" {
		return ""
	}
	return s.UIURL + "," + strings.Replace(s.UIURL, "127.0.0.1", "localhost", 1)
}

// erpNow is the clock of the ERP model: the wall clock, less the lag that
// [Stack.BackdateERP] sets.
func (s *Stack) erpNow() time.Time {
	return time.Now().Add(-time.Duration(s.erpLag.Load()))
}

// BackdateERP makes the ERP model stamp its changes lag before the wall
// clock from now on, as if they had been made then; 0 stamps them on time
// again.
func (s *Stack) BackdateERP(lag time.Duration) { s.erpLag.Store(int64(lag)) }

// port returns usual when the stack prefers usual ports and it is free, and
// 0 (any free port) otherwise.
func (s *Stack) port(usual int) int {
	if !s.opts.UsualPorts {
		return 0
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(usual))
	if err != nil {
		return 0
	}
	l.Close()
	return usual
}

func (s *Stack) startSandbox(context.Context) error {
	sb, err := StartSandboxes("127.0.0.1", s.erpNow)
	if err != nil {
		return err
	}
	s.sandbox, s.Model, s.Faults = sb, sb.Model, sb.Faults

	s.ERP, err = sb.System(cmp.Or(s.opts.ERP, config.ERPOdoo))
	return err
}

// startStoreSandboxes serves the sandbox of every store platform, with
// faults of their own, and picks the demo store's.
func (s *Stack) startStoreSandboxes(context.Context) error {
	faults, err := erpsandbox.NewFaults(erpsandbox.Config{})
	if err != nil {
		return err
	}
	sb, err := StartStoreSandboxes("127.0.0.1", faults)
	if err != nil {
		return err
	}
	s.stores, s.StoreModel = sb, sb.Model

	// Order ids name sync workflows and sync log rows, which outlive the
	// model when the stack runs on existing services.
	sb.Model.StartIDsAt(time.Now().UnixMilli())

	if p := s.opts.Platform; p != "" && p != config.PlatformHeadless {
		s.Shop, err = sb.System(p)
	}
	return err
}

// subscribeShop makes the demo store's platform sandbox deliver its order
// webhooks to the starter.
func (s *Stack) subscribeShop(context.Context) error {
	if s.Shop.Platform == "" {
		return nil
	}
	return s.Shop.Subscribe(s.StarterURL + "/webhooks/" + s.Shop.Platform + "/" + StoreName)
}

// env is the configuration of the worker and the starter, as a user would
// set it.
func (s *Stack) env(listen string) []string {
	env := append([]string{
		config.EnvTemporalAddress + "=" + s.TemporalAddress,
		config.EnvTemporalNamespace + "=" + s.Namespace,
		config.EnvDatabaseURL + "=" + s.DatabaseURL,
		config.EnvStores + "=" + StoreName,
		config.EnvWebhookSecret + "=" + WebhookSecret,
		config.EnvERP + "=" + s.ERP.Name,
		config.EnvListenAddr + "=" + listen,
		config.EnvShutdownTimeout + "=10s",
		config.EnvCodecKeys + "=" + CodecKeys,
		config.EnvCodecCORSOrigins + "=" + s.codecOrigins(),
		// A port of its own each time, so that a worker restarting, or a
		// second stack on the machine, never finds it taken.
		config.EnvWorkerMetricsAddr + "=127.0.0.1:0",
	}, s.ERP.Env...)
	if s.Shop.Env != nil {
		env = append(env, s.Shop.Env(StoreName)...)
	}
	return append(env, s.extraEnv...)
}

// SetEnv sets variables of the worker's and the starter's configuration,
// as "KEY=value", on top of the stack's, from their next start on.
func (s *Stack) SetEnv(env ...string) { s.extraEnv = env }

func (s *Stack) startWorker(ctx context.Context) error {
	s.worker = &process{
		name: "worker", path: filepath.Join(s.binDir(), "worker"),
		env: s.env(""), logPath: filepath.Join(s.opts.Dir, "worker.log"),
	}
	if err := s.worker.start(); err != nil {
		return err
	}
	return s.waitForWorker(ctx)
}

// UseERP restarts the worker so that it syncs to the sandbox of the ERP
// name, one of [config.ERPs], and waits until it is ready.
func (s *Stack) UseERP(ctx context.Context, name string) error {
	sys, err := s.sandbox.System(name)
	if err != nil {
		return err
	}

	if err := s.worker.stop(15 * time.Second); err != nil {
		return fmt.Errorf("stop the worker: %w", err)
	}
	s.ERP = sys
	return s.startWorker(ctx)
}

// UseStore restarts the worker and the starter so that the demo store is a
// store of platform, one of [config.Platforms], served by that platform's
// sandbox, which then delivers its order webhooks to the starter. The
// headless storefront's webhooks are sent by the caller.
func (s *Stack) UseStore(ctx context.Context, platform string) error {
	shop := StoreSystem{}
	if platform != config.PlatformHeadless {
		sys, err := s.stores.System(platform)
		if err != nil {
			return err
		}
		shop = sys
	}

	for _, p := range []*process{s.starter, s.worker} {
		if err := p.stop(15 * time.Second); err != nil {
			return fmt.Errorf("stop the %s: %w", p.name, err)
		}
	}
	s.Shop = shop
	if err := s.startWorker(ctx); err != nil {
		return err
	}
	if err := s.startStarter(ctx); err != nil {
		return err
	}
	return s.subscribeShop(ctx)
}

func (s *Stack) startStarter(ctx context.Context) error {
	addr, err := s.starterAddr()
	if err != nil {
		return err
	}
	s.StarterURL = "http://" + addr
	s.starter = &process{
		name: "starter", path: filepath.Join(s.binDir(), "starter"), args: []string{"serve"},
		env: s.env(addr), logPath: filepath.Join(s.opts.Dir, "starter.log"),
	}
	if err := s.starter.start(); err != nil {
		return err
	}
	return s.waitForStarter(ctx)
}

// applySchedules applies the inventory schedules when the stack is asked
// to.
func (s *Stack) applySchedules(ctx context.Context) error {
	if !s.opts.Schedules {
		return nil
	}
	out, err := s.Starter(ctx, nil, "schedules", "apply")
	if err != nil {
		return fmt.Errorf("apply the inventory schedules: %w: %s", err, out)
	}
	return nil
}

// Starter runs one command of the starter, as an operator would, with the
// stack's configuration and env added, and returns its output.
func (s *Stack) Starter(ctx context.Context, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(s.binDir(), "starter"), args...)
	cmd.Env = append(append(os.Environ(), s.env("")...), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Stop stops everything Start started, in reverse order.
func (s *Stack) Stop() error {
	var errs []error
	for _, p := range []*process{s.starter, s.worker} {
		if p != nil {
			errs = append(errs, p.stop(15*time.Second))
		}
	}
	if s.sandbox != nil {
		errs = append(errs, s.sandbox.Close())
	}
	if s.stores != nil {
		errs = append(errs, s.stores.Close())
	}
	if s.Client != nil {
		s.Client.Close()
	}
	if s.Pool != nil {
		s.Pool.Close()
	}
	if s.temporal != nil {
		errs = append(errs, s.temporal.Stop())
	}
	if s.pg != nil {
		errs = append(errs, s.pg.Stop())
	}
	if s.ownsDir {
		errs = append(errs, os.RemoveAll(s.opts.Dir))
	}
	return errors.Join(errs...)
}

// Sandboxes returns the sandbox of every ERP.
func (s *Stack) Sandboxes() []System { return s.sandbox.Systems }

// StoreSandboxes returns the sandbox of every store platform.
func (s *Stack) StoreSandboxes() []StoreSystem { return s.stores.Systems }

// Dir returns the directory holding the stack's logs.
func (s *Stack) Dir() string { return s.opts.Dir }

func (s *Stack) binDir() string { return filepath.Join(s.opts.Dir, "bin") }

func (s *Stack) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// logTail returns the end of a process's log for an error message.
func logTail(p *process) string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return ""
	}
	return string(b[max(0, len(b)-2000):])
}
