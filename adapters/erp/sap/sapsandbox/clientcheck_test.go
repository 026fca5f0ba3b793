package sapsandbox

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// clientCheckDir holds the npm project that drives the sandbox through
// SAP's own Cloud SDK HTTP client.
var clientCheckDir = filepath.Join("..", "..", "..", "..", "clientcheck", "sap")

// TestSAPCloudSDK installs the pinned SAP Cloud SDK with npm ci in a copy of
// clientcheck/sap and runs its check.js against the sandbox. It needs node
// and npm and the npm registry, and fails when they are missing.
func TestSAPCloudSDK(t *testing.T) {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is required to check the sandbox against SAP's client: %v", tool, err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

	dir := t.TempDir()
	for _, name := range []string{"package.json", "package-lock.json", "check.js"} {
		data, err := os.ReadFile(filepath.Join(clientCheckDir, name))
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatalf("copy %s: %v", name, err)
		}
	}
	run(ctx, t, dir, nil, "npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")

	model := erpsandbox.NewModel(nil)
	if _, err := model.SeedProducts([]erpsandbox.Product{
		{SKU: "CHECK-1", Name: "Check one", PriceMinor: 1999, Currency: "EUR"},
		{SKU: "CHECK-2", Name: "Check two", PriceMinor: 10, Currency: "EUR"},
	}); err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
	var fetches, tokenPosts atomic.Int64
	sandbox := New(model, nil, testCreds)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("X-CSRF-Token"), "fetch") {
			fetches.Add(1)
		}
		if r.Method == http.MethodPost && r.Header.Get("X-CSRF-Token") != "" {
			tokenPosts.Add(1)
		}
		sandbox.ServeHTTP(w, r)
	}))
	defer srv.Close()

	run(ctx, t, dir, []string{"SAP_URL=" + srv.URL, "SAP_USER=" + testCreds.User,
		"SAP_PASSWORD=" + testCreds.Password}, "node", "check.js")

	orders := model.FindSalesOrders(func(o erpsandbox.SalesOrder) bool {
		return o.ExternalRef == "clientcheck:O'Brien-1"
	})
	if len(orders) != 1 || orders[0].TotalMinor != 4028 || len(orders[0].Lines) != 2 {
		t.Errorf("orders left by the client check = %+v, want one of 2 lines, total 4028", orders)
	}
	customers := model.FindCustomers(func(c erpsandbox.Customer) bool {
		return c.ExternalRef == "clientcheck-1"
	})
	if len(customers) != 1 || customers[0].Email != "check@example.com" ||
		customers[0].Name != "Client Check" {
		t.Errorf("customers left by the client check = %+v, want Client Check", customers)
	}
	if fetches.Load() == 0 || tokenPosts.Load() < 3 {
		t.Errorf("client fetched %d CSRF tokens and sent %d POSTs with one, want > 0 and >= 3",
			fetches.Load(), tokenPosts.Load())
	}
}

// run runs a command in dir with extra environment and fails the test with
// its output when it fails.
func run(ctx context.Context, t *testing.T, dir string, env []string, name string,
	args ...string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)

	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	t.Logf("%s %v:\n%s", name, args, out)
}
