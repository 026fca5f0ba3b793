package odoosandbox

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// clientCheckDir holds the npm project that drives the sandbox through a
// widely used Odoo JSON-RPC client library.
var clientCheckDir = filepath.Join("..", "..", "..", "..", "clientcheck", "odoo")

// TestOdooClientLibrary installs the pinned client library with npm ci in a
// copy of clientcheck/odoo and runs its check.js against the sandbox. It
// needs node and npm and the npm registry, and fails when they are missing.
func TestOdooClientLibrary(t *testing.T) {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is required to check the sandbox against a real Odoo client: %v",
				tool, err)
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
		{SKU: "CHECK-1", Name: "Check one", PriceMinor: 1999, Currency: "USD"},
		{SKU: "CHECK-2", Name: "Check two", PriceMinor: 10, Currency: "USD"},
	}); err != nil {
		t.Fatalf("SeedProducts() error = %v", err)
	}
	if _, err := model.SetStock("CHECK-1", "WH/Stock", 7, 2); err != nil {
		t.Fatalf("SetStock() error = %v", err)
	}
	srv := httptest.NewServer(New(model, nil, testCreds))
	defer srv.Close()

	run(ctx, t, dir, []string{"ODOO_URL=" + srv.URL, "ODOO_DB=" + testCreds.DB,
		"ODOO_USER=" + testCreds.Login, "ODOO_API_KEY=" + testCreds.APIKey}, "node", "check.js")

	orders := model.FindSalesOrders(func(o erpsandbox.SalesOrder) bool {
		return o.ExternalRef == "clientcheck:1"
	})
	if len(orders) != 1 || orders[0].State != erpsandbox.OrderConfirmed ||
		orders[0].TotalMinor != 4028 {
		t.Errorf("orders left by the client check = %+v, want one confirmed, total 4028", orders)
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
