package devenv

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/erpsync/erpsync/internal/searchattr"
)

const (
	testNamespace = "erpsync-devenv"
	testTaskQueue = "devenv-test"
)

var statusKey = temporal.NewSearchAttributeKeyKeyword("ErpsyncStatus")

func TestTemporal(t *testing.T) {
	ctx := t.Context()
	srv, err := StartTemporal(ctx, TemporalOptions{
		Namespace: testNamespace,
		SearchAttributes: map[string]enumspb.IndexedValueType{
			statusKey.GetName(): statusKey.GetValueType(),
		},
		Logf: t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopTemporal(t, srv) })

	c := dialTemporal(t, srv)
	resp, err := c.OperatorService().ListSearchAttributes(ctx,
		&operatorservice.ListSearchAttributesRequest{Namespace: testNamespace})
	if err != nil {
		t.Fatal(err)
	}
	got := resp.GetCustomAttributes()[statusKey.GetName()]
	if got != enumspb.INDEXED_VALUE_TYPE_KEYWORD {
		t.Errorf("search attribute %s has type %v, want Keyword", statusKey.GetName(), got)
	}

	run := startParked(t, c, "devenv/search-attribute")
	if got := readStatus(t, c, run); got != "needs_attention" {
		t.Errorf("%s of the started workflow = %q, want needs_attention", statusKey.GetName(), got)
	}
	checkUI(t, srv.UIURL())
	checkEnsureSearchAttributes(t, c)

	stopTemporal(t, srv)
	if conn, err := net.DialTimeout("tcp", srv.Address(), time.Second); err == nil {
		conn.Close()
		t.Errorf("frontend %s still accepts connections after Stop", srv.Address())
	}
}

func TestTemporalRestartKeepsState(t *testing.T) {
	ctx := t.Context()
	srv, err := StartTemporal(ctx, TemporalOptions{
		Headless: true,
		DBFile:   filepath.Join(t.TempDir(), "temporal.db"),
		DynamicConfig: map[string]string{
			"limit.maxIDLength": "40",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopTemporal(t, srv) })
	if srv.UIURL() != "" || srv.Namespace() != DefaultNamespace {
		t.Errorf("UIURL, Namespace = %q, %q; want \"\", %q", srv.UIURL(), srv.Namespace(),
			DefaultNamespace)
	}

	c := dialTemporal(t, srv)
	long := client.StartWorkflowOptions{ID: strings.Repeat("x", 41), TaskQueue: testTaskQueue}
	if _, err := c.ExecuteWorkflow(ctx, long, "Probe"); err == nil {
		t.Error("start workflow with a 41-byte id succeeded, want limit.maxIDLength to refuse it")
	}

	run := startWorkflow(t, c, "devenv/restart", nil)
	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}

	desc, err := dialTemporal(t, srv).DescribeWorkflow(ctx, run.GetID(), run.GetRunID())
	if err != nil {
		t.Fatalf("describe workflow after restart: %v", err)
	}
	if st := desc.Status; st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Errorf("workflow status after restart = %v, want Running", st)
	}
}

func TestTemporalAddsSearchAttributesToOldDB(t *testing.T) {
	ctx := t.Context()
	opts := TemporalOptions{Headless: true, DBFile: filepath.Join(t.TempDir(), "temporal.db")}
	old, err := StartTemporal(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	stopTemporal(t, old)

	opts.SearchAttributes = map[string]enumspb.IndexedValueType{
		statusKey.GetName(): statusKey.GetValueType(),
	}
	srv, err := StartTemporal(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopTemporal(t, srv) })

	run := startParked(t, dialTemporal(t, srv), "devenv/old-db")
	if got := readStatus(t, dialTemporal(t, srv), run); got != "needs_attention" {
		t.Errorf("%s on a reused database = %q, want needs_attention", statusKey.GetName(), got)
	}
}

// checkEnsureSearchAttributes adds an attribute to a running server, and
// expects a type clash to be refused.
func checkEnsureSearchAttributes(t *testing.T, c client.Client) {
	t.Helper()
	added := map[string]enumspb.IndexedValueType{
		"ErpsyncStore": enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	}
	if err := searchattr.Ensure(t.Context(), c, testNamespace, added); err != nil {
		t.Fatalf("EnsureSearchAttributes(ErpsyncStore) = %v", err)
	}
	resp, err := c.OperatorService().ListSearchAttributes(t.Context(),
		&operatorservice.ListSearchAttributesRequest{Namespace: testNamespace})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := resp.GetCustomAttributes()["ErpsyncStore"]; !ok {
		t.Error("ErpsyncStore is missing after EnsureSearchAttributes")
	}

	clash := map[string]enumspb.IndexedValueType{
		statusKey.GetName(): enumspb.INDEXED_VALUE_TYPE_INT,
	}
	if err := searchattr.Ensure(t.Context(), c, testNamespace, clash); err == nil {
		t.Errorf("EnsureSearchAttributes with %s as Int succeeded, want an error",
			statusKey.GetName())
	}
}

// startParked starts a workflow that no worker will run, with the status
// search attribute set.
func startParked(t *testing.T, c client.Client, id string) client.WorkflowRun {
	t.Helper()
	sa := temporal.NewSearchAttributes(statusKey.ValueSet("needs_attention"))
	return startWorkflow(t, c, id, &sa)
}

func startWorkflow(t *testing.T, c client.Client, id string,
	sa *temporal.SearchAttributes) client.WorkflowRun {
	t.Helper()
	opts := client.StartWorkflowOptions{ID: id, TaskQueue: testTaskQueue}
	if sa != nil {
		opts.TypedSearchAttributes = *sa
	}
	run, err := c.ExecuteWorkflow(t.Context(), opts, "Probe")
	if err != nil {
		t.Fatalf("start workflow %s: %v", id, err)
	}
	return run
}

// readStatus returns the status search attribute of a workflow run.
func readStatus(t *testing.T, c client.Client, run client.WorkflowRun) string {
	t.Helper()
	desc, err := c.DescribeWorkflow(t.Context(), run.GetID(), run.GetRunID())
	if err != nil {
		t.Fatal(err)
	}

	status, ok := desc.TypedSearchAttributes.GetKeyword(statusKey)
	if !ok {
		t.Errorf("workflow %s has no %s", run.GetID(), statusKey.GetName())
	}
	return status
}

func checkUI(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("get web ui: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s = %s, want 200 OK", url, resp.Status)
	}
}

func dialTemporal(t *testing.T, srv *Temporal) client.Client {
	t.Helper()
	c, err := client.DialContext(t.Context(), client.Options{
		HostPort:  srv.Address(),
		Namespace: srv.Namespace(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func stopTemporal(t *testing.T, srv *Temporal) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := srv.StopServer(ctx); err != nil {
		t.Error(err)
	}
	if err := srv.Stop(); err != nil {
		t.Error(err)
	}
}
