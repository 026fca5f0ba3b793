package netsuitesandbox

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// clientCheckDir holds the npm project that drives the sandbox through a
// widely used SuiteTalk REST client library.
var clientCheckDir = filepath.Join("..", "..", "..", "..", "clientcheck", "netsuite")

// TestNetSuiteClientLibrary installs the pinned client library with npm ci
// in a copy of clientcheck/netsuite and runs its check.js against the
// sandbox with token-based authentication. It needs node and npm and the
// npm registry, and fails when they are missing.
func TestNetSuiteClientLibrary(t *testing.T) {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is required to check the sandbox against a real NetSuite client: %v",
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
	creds := checkCreds(t)
	srv := httptest.NewServer(New(model, nil, creds))
	defer srv.Close()

	run(ctx, t, dir, []string{"NETSUITE_URL=" + srv.URL, "NETSUITE_ACCOUNT=" + creds.Account,
		"NETSUITE_CONSUMER_KEY=" + creds.ConsumerKey,
		"NETSUITE_CONSUMER_SECRET=" + creds.ConsumerSecret,
		"NETSUITE_TOKEN_ID=" + creds.TokenID, "NETSUITE_TOKEN_SECRET=" + creds.TokenSecret},
		"node", "check.js")

	orders := model.FindSalesOrders(func(o erpsandbox.SalesOrder) bool {
		return o.ExternalRef == "clientcheck:1"
	})
	if len(orders) != 1 || orders[0].State != erpsandbox.OrderConfirmed ||
		orders[0].TotalMinor != 4028 || orders[0].Lines[0].Description != "Check one" {
		t.Errorf("orders left by the client check = %+v, want one confirmed, total 4028", orders)
	}
	customers := model.FindCustomers(func(c erpsandbox.Customer) bool {
		return c.ExternalRef == "clientcheck-customer"
	})
	if len(customers) != 1 || customers[0].Email != "check@example.com" {
		t.Errorf("customers left by the client check = %+v, want one", customers)
	}
	if n := len(model.SalesOrders()); n != 1 {
		t.Errorf("sales orders = %d, want 1: a refused request was applied", n)
	}
}

// checkCreds are credentials with a fresh certificate key.
func checkCreds(t *testing.T) Credentials {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("GenerateKey() error = %v", err)
	}
	return Credentials{Account: "1234567_SB1", ConsumerKey: "ck", ConsumerSecret: "cs",
		TokenID: "tid", TokenSecret: "ts", ClientID: "client", CertificateID: "cert",
		PublicKey: &key.PublicKey}
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
