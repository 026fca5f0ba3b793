package devenv

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"syscall"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"

	"github.com/erpsync/erpsync/internal/searchattr"
)

// DefaultNamespace is the namespace the dev server always has, and the one
// [StartTemporal] uses when [TemporalOptions.Namespace] is empty.
const DefaultNamespace = "default"

// stopGrace is how long StopServer waits after SIGTERM before SIGKILL.
const stopGrace = 10 * time.Second

// TemporalOptions configures [StartTemporal]. The zero value is ready to use.
type TemporalOptions struct {
	// CLIPath is the temporal binary; empty means [TemporalCLI] finds or
	// builds it.
	CLIPath string

	// Port is the frontend gRPC port on 127.0.0.1; 0 picks a free one.
	Port int

	// UIPort is the Web UI port on 127.0.0.1; 0 picks a free one. Headless
	// starts no Web UI.
	UIPort   int
	Headless bool

	// UICodecEndpoint, when set, is the codec server the Web UI decodes
	// payloads through, such as the starter's "http://127.0.0.1:8080/codec".
	// The browser calls it, so it must allow the UI's origin. The dev
	// server cannot make the UI send a token or cookies with those calls,
	// so a codec server behind a token is out of reach of this UI.
	UICodecEndpoint string

	// Namespace is created at start; empty means [DefaultNamespace].
	Namespace string

	// DBFile persists the server's state in SQLite. Empty keeps it in
	// memory, so that it is lost when the server stops.
	DBFile string

	// SearchAttributes are the custom search attributes, by name, that the
	// namespace must have. They are registered at start, and added if a
	// reused DBFile lacks them.
	SearchAttributes map[string]enumspb.IndexedValueType

	// DynamicConfig holds extra dynamic config values by key; each value is
	// JSON, such as `"text"`, `true` or `100`.
	DynamicConfig map[string]string

	// LogFile receives the server's output. Empty means a temporary file
	// that Stop removes.
	LogFile string

	// StartTimeout bounds the wait until the server is ready; 0 means a
	// minute.
	StartTimeout time.Duration

	// Logf reports slow steps, such as building the CLI; nil means silent.
	Logf func(format string, args ...any)
}

// Temporal is a Temporal dev server started by [StartTemporal] as a child
// process. Its methods must not be called concurrently.
type Temporal struct {
	opts    TemporalOptions // with defaults, ports and paths resolved
	ownsLog bool

	cmd     *exec.Cmd // nil while stopped
	exited  chan struct{}
	exitErr error
}

// StartTemporal starts `temporal server start-dev` on 127.0.0.1 and waits
// until it answers health checks and its namespace and search attributes are
// usable. ctx bounds the start-up only; the server runs until
// [Temporal.Stop]. On failure the error quotes the end of the server output.
func StartTemporal(ctx context.Context, opts TemporalOptions) (*Temporal, error) {
	t, err := newTemporal(ctx, opts)
	if err != nil {
		return nil, err
	}

	if err := t.StartServer(ctx); err != nil {
		return nil, errors.Join(err, t.Stop())
	}
	return t, nil
}

// newTemporal fills in defaults, the CLI path, ports and the log file.
func newTemporal(ctx context.Context, opts TemporalOptions) (*Temporal, error) {
	t := &Temporal{opts: opts}
	t.opts.Namespace = cmp.Or(opts.Namespace, DefaultNamespace)
	t.opts.StartTimeout = cmp.Or(opts.StartTimeout, time.Minute)

	var err error
	if t.opts.CLIPath == "" {
		if t.opts.CLIPath, err = TemporalCLI(ctx, opts.Logf); err != nil {
			return nil, err
		}
	}
	if err := t.pickPorts(); err != nil {
		return nil, err
	}

	if t.opts.LogFile == "" {
		if t.opts.LogFile, err = tempFile("erpsync-temporal-*.log"); err != nil {
			return nil, fmt.Errorf("create temporal server log: %w", err)
		}
		t.ownsLog = true
	}
	return t, nil
}

// pickPorts chooses free ports for the ports left at 0.
func (t *Temporal) pickPorts() error {
	var err error
	if t.opts.Port, err = portOrFree(t.opts.Port); err != nil || t.opts.Headless {
		return err
	}

	for t.opts.UIPort == 0 || t.opts.UIPort == t.opts.Port {
		if t.opts.UIPort, err = FreePort(); err != nil {
			return err
		}
	}
	return nil
}

// StartServer starts the server process with the same options, ports and
// database file as before, and waits until it is ready. Use it after
// [Temporal.StopServer].
func (t *Temporal) StartServer(ctx context.Context) error {
	if err := t.spawn(); err != nil {
		return err
	}

	if err := t.waitReady(ctx); err != nil {
		err = fmt.Errorf("%w%s", err, fileTail(t.opts.LogFile))
		return errors.Join(err, t.StopServer(context.WithoutCancel(ctx)))
	}
	return nil
}

// spawn starts the server in its own process group, writing to the log file.
func (t *Temporal) spawn() error {
	if t.cmd != nil {
		return fmt.Errorf("start temporal server on %s: already running", t.Address())
	}
	f, err := os.OpenFile(t.opts.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open temporal server log: %w", err)
	}
	defer f.Close() // the child holds its own descriptor

	cmd := exec.Command(t.opts.CLIPath, t.args()...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithParent(cmd.SysProcAttr)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start temporal server on %s: %w", t.Address(), err)
	}

	t.cmd, t.exited = cmd, make(chan struct{})
	go func() {
		t.exitErr = cmd.Wait()
		close(t.exited)
	}()
	return nil
}

// args returns the command line of the dev server.
func (t *Temporal) args() []string {
	o := t.opts
	args := []string{"server", "start-dev", "--ip", "127.0.0.1",
		"--port", strconv.Itoa(o.Port), "--log-level", "warn"}
	if o.Namespace != DefaultNamespace {
		args = append(args, "--namespace", o.Namespace)
	}
	if o.Headless {
		args = append(args, "--headless")
	} else {
		args = append(args, "--ui-port", strconv.Itoa(o.UIPort))
	}
	if o.UICodecEndpoint != "" && !o.Headless {
		args = append(args, "--ui-codec-endpoint", o.UICodecEndpoint)
	}
	if o.DBFile != "" {
		args = append(args, "--db-filename", o.DBFile)
	}

	for _, name := range slices.Sorted(maps.Keys(o.SearchAttributes)) {
		args = append(args, "--search-attribute", name+"="+o.SearchAttributes[name].String())
	}
	for _, key := range slices.Sorted(maps.Keys(o.DynamicConfig)) {
		args = append(args, "--dynamic-config-value", key+"="+o.DynamicConfig[key])
	}
	return args
}

// waitReady probes the server until it is ready, it exits, or the start
// timeout passes.
func (t *Temporal) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, t.opts.StartTimeout)
	defer cancel()

	for {
		err := t.probe(ctx)
		if err == nil {
			return nil
		}

		select {
		case <-t.exited:
			return fmt.Errorf("temporal server on %s exited during start-up: %v",
				t.Address(), t.exitErr)
		case <-ctx.Done():
			return fmt.Errorf("wait for temporal server on %s: %w", t.Address(), err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// probe reports whether the server is healthy, knows the namespace, has the
// search attributes and serves the Web UI.
func (t *Temporal) probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()

	c, err := client.DialContext(ctx, client.Options{
		HostPort:  t.Address(),
		Namespace: t.opts.Namespace,
		Logger:    log.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	defer c.Close()

	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("check health: %w", err)
	}
	_, err = c.WorkflowService().DescribeNamespace(ctx,
		&workflowservice.DescribeNamespaceRequest{Namespace: t.opts.Namespace})
	if err != nil {
		return fmt.Errorf("describe namespace %s: %w", t.opts.Namespace, err)
	}

	err = searchattr.Ensure(ctx, c, t.opts.Namespace, t.opts.SearchAttributes)
	if err != nil {
		return err
	}
	return t.probeUI(ctx)
}

// probeUI reports whether the Web UI answers HTTP, unless it is off.
func (t *Temporal) probeUI(ctx context.Context) error {
	if t.opts.Headless {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.UIURL(), nil)
	if err != nil {
		return fmt.Errorf("probe temporal web ui: %w", err)
	}

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("probe temporal web ui: %w", err)
	}
	resp.Body.Close()
	return nil
}

// StopServer terminates the server's process group, escalating to SIGKILL
// after a grace period or when ctx ends, and waits for it to exit. With a
// DBFile the server's state survives for [Temporal.StartServer]; in memory
// it is lost. Stopping a stopped server does nothing.
func (t *Temporal) StopServer(ctx context.Context) error {
	if t.cmd == nil {
		return nil
	}
	pgid := t.cmd.Process.Pid

	// Errors mean the group is gone already, which is the goal.
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-t.exited:
	case <-ctx.Done():
	case <-time.After(stopGrace):
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-t.exited

	t.cmd = nil
	return nil
}

// Restart stops the server and starts it again on the same ports. Workflow
// state survives only with a DBFile.
func (t *Temporal) Restart(ctx context.Context) error {
	if err := t.StopServer(ctx); err != nil {
		return err
	}
	return t.StartServer(ctx)
}

// Stop stops the server and removes the log file when [StartTemporal]
// created it. It is safe to call more than once.
func (t *Temporal) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*stopGrace)
	defer cancel()

	err := t.StopServer(ctx)
	if t.ownsLog {
		if rmErr := os.Remove(t.opts.LogFile); rmErr != nil && !os.IsNotExist(rmErr) {
			err = errors.Join(err, fmt.Errorf("remove temporal server log: %w", rmErr))
		}
	}
	return err
}

// Address returns the frontend's gRPC address, host:port, for client.Options.
func (t *Temporal) Address() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(t.opts.Port))
}

// UIURL returns the Web UI's base URL, or "" when the server is headless.
func (t *Temporal) UIURL() string {
	if t.opts.Headless {
		return ""
	}
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(t.opts.UIPort))
}

// Namespace returns the namespace the server was started with.
func (t *Temporal) Namespace() string {
	return t.opts.Namespace
}

// LogFile returns the path of the file that receives the server's output.
func (t *Temporal) LogFile() string {
	return t.opts.LogFile
}

// tempFile creates an empty temporary file and returns its path.
func tempFile(pattern string) (string, error) {
	f, err := os.CreateTemp("", pattern)
	if err != nil {
		return "", err
	}
	return f.Name(), f.Close()
}
