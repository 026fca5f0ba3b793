package stack

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/erpsync/erpsync/activities"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/synclog"
	"github.com/erpsync/erpsync/internal/syncops"
	"github.com/erpsync/erpsync/workflows"
)

// st is the stack the tests share: a real Postgres, a real Temporal dev
// server, the Odoo sandbox, and the worker and the starter as processes. The
// tests change its faults and restart its worker, so none runs in parallel.
var st *Stack

func TestMain(m *testing.M) {
	os.Exit(runWithStack(m))
}

func runWithStack(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	var err error
	st, err = Start(ctx, Options{Headless: true, Logf: func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "stack: "+format+"\n", args...)
	}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() {
		if err := st.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}()
	return m.Run()
}

// orderSeq numbers the orders the tests place, so that each has its own
// external reference.
var orderSeq = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))

// placeOrder creates an order in the demo store; change, when not nil, edits
// it first. It returns the order's id and its external reference in the ERP.
func placeOrder(t *testing.T, change func(*store.Order)) (string, string) {
	t.Helper()
	o := demoOrder(orderSeq, orderSeq.IntN(1e6), false)
	o.Number = fmt.Sprintf("T%d", orderSeq.Int64())
	if change != nil {
		change(&o)
	}

	id, err := st.Store.CreateOrder(t.Context(), o)
	if err != nil {
		t.Fatalf("place order: %v", err)
	}
	return id, activities.ExternalRef(StoreName, o.Number)
}

// webhook posts the order's webhook once and returns the status code.
func webhook(t *testing.T, orderID, deliveryID string) int {
	t.Helper()
	code, _, err := st.PostOrderWebhook(t.Context(), orderID, deliveryID)
	if err != nil {
		t.Fatalf("post webhook for order %s: %v", orderID, err)
	}
	return code
}

// waitStatus waits until the sync log shows the order's sync in status.
func waitStatus(t *testing.T, orderID, status string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()

	var last string
	for {
		statuses, err := st.syncStatuses(ctx, []string{orderID})
		if err != nil {
			t.Fatalf("read sync status of order %s: %v", orderID, err)
		}
		if last = statuses[orderID]; last == status {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("order %s: sync status %q, want %q; see %s/worker.log",
				orderID, last, status, st.Dir())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// salesOrders returns the ERP sales orders that carry ref.
func salesOrders(ref string) []erpsandbox.SalesOrder {
	return st.Model.FindSalesOrders(func(o erpsandbox.SalesOrder) bool {
		return o.ExternalRef == ref
	})
}

// requireOneSalesOrder checks that the ERP holds exactly one sales order for
// ref and that the store carries its id.
func requireOneSalesOrder(t *testing.T, orderID, ref string) erpsandbox.SalesOrder {
	t.Helper()
	found := salesOrders(ref)
	if len(found) != 1 {
		t.Fatalf("ERP holds %d sales orders for %s, want 1", len(found), ref)
	}

	ids, err := st.Store.ERPIDs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := strconv.FormatInt(found[0].ID, 10); ids[orderID] != want {
		t.Fatalf("store order %s carries ERP id %q, want %q", orderID, ids[orderID], want)
	}
	return found[0]
}

// withShots queues one-shot faults and checks at the end of the test that
// every one of them was used.
func withShots(t *testing.T, shots ...erpsandbox.Shot) {
	t.Helper()
	if err := st.Faults.Enqueue(shots...); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if q := st.Faults.Queued(); len(q) != 0 {
			t.Errorf("faults left unused: %+v", q)
		}
	})
}

func ops() *syncops.Ops {
	return &syncops.Ops{Client: st.Client, Namespace: st.Namespace}
}

func TestOrderWebhookBecomesOneSalesOrder(t *testing.T) {
	id, ref := placeOrder(t, nil)

	if code := webhook(t, id, "d-"+id); code != http.StatusAccepted {
		t.Fatalf("webhook answered %d, want 202", code)
	}
	waitStatus(t, id, synclog.StatusSynced)

	so := requireOneSalesOrder(t, id, ref)
	if so.State != erpsandbox.OrderConfirmed {
		t.Errorf("sales order %d is %s, want confirmed", so.ID, so.State)
	}
	state, err := ops().Show(t.Context(), workflows.OrderWorkflowID(StoreName, id))
	if err != nil {
		t.Fatal(err)
	}
	if state.ERPID != strconv.FormatInt(so.ID, 10) || state.ExternalRef != ref {
		t.Errorf("sync state %+v does not name sales order %d for %s", state, so.ID, ref)
	}
}

func TestDuplicateWebhooksMakeOneSalesOrder(t *testing.T) {
	id, ref := placeOrder(t, nil)

	// Four replays of one delivery and four new deliveries of the same
	// order, all at once.
	codes := make(chan int, 8)
	var wg sync.WaitGroup
	for i := range 8 {
		delivery := "dup-" + id
		if i%2 == 1 {
			delivery += "-" + strconv.Itoa(i)
		}
		wg.Go(func() { codes <- webhook(t, id, delivery) })
	}
	wg.Wait()
	close(codes)

	byCode := map[int]int{}
	for c := range codes {
		byCode[c]++
	}
	if byCode[http.StatusAccepted] != 1 || byCode[http.StatusOK] != 7 {
		t.Errorf("answers %v, want one 202 and seven 200", byCode)
	}

	waitStatus(t, id, synclog.StatusSynced)
	if code := webhook(t, id, "dup-"+id+"-late"); code != http.StatusOK {
		t.Errorf("a delivery after the sync finished answered %d, want 200", code)
	}
	requireOneSalesOrder(t, id, ref)
}

func TestResponseLostAfterCommitMakesOneSalesOrder(t *testing.T) {
	id, ref := placeOrder(t, nil)
	before := st.Faults.Injected()[erpsandbox.KindDropResponse]
	withShots(t, erpsandbox.Shot{Op: "sale.order/create", Kind: erpsandbox.KindDropResponse})

	webhook(t, id, "lost-"+id)
	waitStatus(t, id, synclog.StatusSynced)

	if n := st.Faults.Injected()[erpsandbox.KindDropResponse] - before; n != 1 {
		t.Fatalf("sandbox dropped %d responses, want 1", n)
	}
	requireOneSalesOrder(t, id, ref)
}

func TestConfirmLostAfterCreateMakesOneBookedOrder(t *testing.T) {
	id, ref := placeOrder(t, nil)
	withShots(t,
		erpsandbox.Shot{Op: "sale.order/action_confirm", Kind: erpsandbox.KindServerError})

	webhook(t, id, "confirm-"+id)
	waitStatus(t, id, synclog.StatusSynced)

	so := requireOneSalesOrder(t, id, ref)
	if so.State != erpsandbox.OrderConfirmed {
		t.Errorf("sales order %d is %s, want confirmed", so.ID, so.State)
	}
}

func TestWorkerCrashBetweenCreateAndWriteBack(t *testing.T) {
	id, ref := placeOrder(t, nil)

	// Hold the store order's row so that the write-back blocks after the
	// ERP has committed the sales order.
	tx, err := st.Pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(t.Context(),
		"SELECT 1 FROM storefront.orders WHERE id = $1 FOR UPDATE", id); err != nil {
		t.Fatal(err)
	}

	webhook(t, id, "crash-"+id)
	waitFor(t, "the ERP to hold "+ref, func() bool { return len(salesOrders(ref)) > 0 })

	if err := st.worker.kill(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := st.startWorker(t.Context()); err != nil {
		t.Fatal(err)
	}

	waitStatus(t, id, synclog.StatusSynced)
	requireOneSalesOrder(t, id, ref)
}

// waitFor polls cond until it holds, for at most a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// parkOrder places an order for sku, which the ERP does not know yet, sends
// its webhook and waits until its sync parks.
func parkOrder(t *testing.T, sku string) (string, string) {
	t.Helper()
	id, ref := placeOrder(t, func(o *store.Order) { o.Lines[0].SKU = sku })
	webhook(t, id, "park-"+id)
	waitStatus(t, id, synclog.StatusNeedsAttention)
	return id, ref
}

// requireListed checks that the operators' list shows the order's sync with
// a reason that names the field and the SKU. Temporal's list is eventually
// consistent, so it asks again for a while.
func requireListed(t *testing.T, orderID, sku string) {
	t.Helper()
	want := workflows.OrderWorkflowID(StoreName, orderID)
	var found *syncops.Parked
	waitFor(t, want+" in the list of syncs that need attention", func() bool {
		parked, err := ops().NeedsAttention(t.Context(), 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range parked {
			if p.WorkflowID == want {
				found = &p
			}
		}
		return found != nil
	})

	if !strings.Contains(found.Reason, "lines[0].sku") || !strings.Contains(found.Reason, sku) {
		t.Errorf("parked sync %s has reason %q, want the field and the SKU", want, found.Reason)
	}
}

// decide sends an operator's decision to the order's sync.
func decide(t *testing.T, orderID, signal string, d workflows.Decision) {
	t.Helper()
	err := ops().Decide(t.Context(), workflows.OrderWorkflowID(StoreName, orderID), signal, d)
	if err != nil {
		t.Fatal(err)
	}
}

func TestParkedSyncRetriesOnceTheCauseIsFixed(t *testing.T) {
	sku := fmt.Sprintf("LATE-%d", orderSeq.Int64())
	id, ref := parkOrder(t, sku)
	requireListed(t, id, sku)
	if n := len(salesOrders(ref)); n != 0 {
		t.Fatalf("a parked order has %d ERP sales orders", n)
	}

	_, err := st.Model.CreateProduct(erpsandbox.Product{
		SKU: sku, Name: "Late arrival", PriceMinor: 1000, Currency: Currency,
	})
	if err != nil {
		t.Fatal(err)
	}
	decide(t, id, workflows.SignalRetry, workflows.Decision{Actor: "ana", Reason: "SKU mapped"})

	waitStatus(t, id, synclog.StatusSynced)
	requireOneSalesOrder(t, id, ref)
	requireAction(t, id, workflows.SignalRetry, "ana")
}

// starterCmd runs one of the starter's operator commands with the stack's
// environment and extraEnv, as an operator would, and returns its output.
func starterCmd(t *testing.T, extraEnv []string, args ...string) (string, error) {
	t.Helper()
	return st.Starter(t.Context(), extraEnv, args...)
}

func TestParkedSyncSkippedFromTheCommandLine(t *testing.T) {
	id, ref := parkOrder(t, UnknownSKU)
	wfID := workflows.OrderWorkflowID(StoreName, id)
	waitFor(t, wfID+" in the starter's list", func() bool {
		out, err := starterCmd(t, nil, "syncs", "list")
		if err != nil {
			t.Fatalf("starter syncs list: %v\n%s", err, out)
		}
		return strings.Contains(out, wfID)
	})

	out, err := starterCmd(t, nil, "syncs", "skip", StoreName+"/"+id, "-reason", "test order",
		"-by", "ana")
	if err != nil {
		t.Fatalf("starter syncs skip: %v\n%s", err, out)
	}
	waitStatus(t, id, synclog.StatusSkipped)
	if n := len(salesOrders(ref)); n != 0 {
		t.Errorf("a skipped order has %d ERP sales orders", n)
	}
	requireAction(t, id, workflows.SignalSkip, "ana")

	out, err = starterCmd(t, nil, "syncs", "retry", wfID, "-reason", "again", "-by", "ana")
	if err == nil || !strings.Contains(out, "not waiting for a decision") {
		t.Errorf("a retry of a finished sync: err %v, output %q; want a refusal", err, out)
	}
}

func TestParkedSyncOverriddenWithAnExistingSalesOrder(t *testing.T) {
	id, _ := parkOrder(t, UnknownSKU)
	keyed, other := placeOrder(t, nil)
	webhook(t, keyed, "keyed-"+keyed)
	waitStatus(t, keyed, synclog.StatusSynced)
	so := requireOneSalesOrder(t, keyed, other)
	erpID := strconv.FormatInt(so.ID, 10)

	decide(t, id, workflows.SignalOverrideERPID,
		workflows.Decision{Actor: "ana", Reason: "keyed by hand", ERPID: erpID})

	waitStatus(t, id, synclog.StatusSynced)
	ids, err := st.Store.ERPIDs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if ids[id] != erpID {
		t.Errorf("overridden order carries ERP id %q, want %q", ids[id], erpID)
	}
	requireAction(t, id, workflows.SignalOverrideERPID, "ana")
}

// requireAction checks that the operator's decision is recorded in Postgres.
func requireAction(t *testing.T, orderID, action, actor string) {
	t.Helper()
	var n int
	err := st.Pool.QueryRow(t.Context(), `
		SELECT count(*) FROM erpsync.sync_actions
		WHERE store = $1 AND external_ref = $2 AND action = $3 AND actor = $4`,
		StoreName, orderID, action, actor).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d %s actions by %s recorded for order %s, want 1", n, action, actor, orderID)
	}
}

func TestDemoUnderFaults(t *testing.T) {
	t.Cleanup(func() {
		if err := st.Faults.SetConfig(erpsandbox.Config{}); err != nil {
			t.Error(err)
		}
	})

	sum, stats, err := st.Demo(t.Context(), DemoOptions{
		Orders: 40, UnknownSKU: 2, Faults: DemoFaults, Concurrency: 8,
		Timeout: 5 * time.Minute, Seed: 7,
	})
	if err != nil {
		t.Fatal(err)
	}

	if sum.Duplicates != 0 || sum.Lost != 0 || sum.Synced != 38 || sum.NeedsAttention != 2 {
		t.Errorf("summary %+v, want 38 synced, 2 parked, none duplicated or lost", sum)
	}
	if n := st.DuplicateCustomers(); n != 0 {
		t.Errorf("%d customers were created twice in the ERP", n)
	}
	if stats.Sent <= 40 || stats.ByCode[http.StatusAccepted] != 40 {
		t.Errorf("webhooks %+v, want more than 40 sent and 40 syncs started", stats)
	}
}

func TestStarterSetupRegistersSearchAttributes(t *testing.T) {
	const namespace = "erpsync-setup"
	_, err := st.Client.WorkflowService().RegisterNamespace(t.Context(),
		&workflowservice.RegisterNamespaceRequest{
			Namespace:                        namespace,
			WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
		})
	if err != nil {
		t.Fatal(err)
	}

	var out string
	waitFor(t, "starter setup in a new namespace", func() bool {
		out, err = starterCmd(t, []string{config.EnvTemporalNamespace + "=" + namespace}, "setup")
		return err == nil
	})
	resp, err := st.Client.OperatorService().ListSearchAttributes(t.Context(),
		&operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range workflows.SearchAttributes() {
		if got := resp.GetCustomAttributes()[name]; got != typ {
			t.Errorf("after setup (%q), %s has type %s, want %s", out, name, got, typ)
		}
	}
}

// BenchmarkOrderWebhook measures how long the starter takes to answer a new
// order's webhook, one at a time, while the syncs it starts run behind it.
// Besides the mean it reports the median and the 99th percentile.
func BenchmarkOrderWebhook(b *testing.B) {
	ids := make([]string, b.N)
	for i := range ids {
		o := demoOrder(orderSeq, i, false)
		o.Number = fmt.Sprintf("B%d", orderSeq.Int64())
		id, err := st.Store.CreateOrder(b.Context(), o)
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = id
	}

	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for _, id := range ids {
		code, d, err := st.PostOrderWebhook(b.Context(), id, "bench-"+id)
		if err != nil || code != http.StatusAccepted {
			b.Fatalf("webhook for order %s: %d, %v", id, code, err)
		}
		took = append(took, d)
	}
	b.StopTimer()

	sortDurations(took)
	b.ReportMetric(float64(percentile(took, 50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(took, 99).Microseconds())/1000, "p99-ms")
}

func TestOrdersOfANewCustomerAtOnceCreateItOnce(t *testing.T) {
	email := fmt.Sprintf("new%d@example.test", orderSeq.Int64())
	newCustomer := func(o *store.Order) { o.Customer.Email = email }
	first, firstRef := placeOrder(t, newCustomer)
	second, secondRef := placeOrder(t, newCustomer)

	// The first partner create is slow, so without turns the second sync
	// would miss the partner too and create its own.
	withShots(t, erpsandbox.Shot{Op: "res.partner/create", Kind: erpsandbox.KindLatency,
		LatencyMS: 1500})
	var wg sync.WaitGroup
	for _, id := range []string{first, second} {
		wg.Go(func() { webhook(t, id, "cust-"+id) })
	}
	wg.Wait()
	waitStatus(t, first, synclog.StatusSynced)
	waitStatus(t, second, synclog.StatusSynced)

	customers := st.Model.FindCustomers(func(c erpsandbox.Customer) bool {
		return strings.EqualFold(c.Email, email)
	})
	if len(customers) != 1 {
		t.Fatalf("ERP holds %d customers for one e-mail, want 1", len(customers))
	}
	a, b := requireOneSalesOrder(t, first, firstRef), requireOneSalesOrder(t, second, secondRef)
	if a.CustomerID != customers[0].ID || b.CustomerID != customers[0].ID {
		t.Errorf("sales orders belong to customers %d and %d, want %d", a.CustomerID,
			b.CustomerID, customers[0].ID)
	}
}

// TestEveryERPBooksOneSalesOrder points the worker at the sandbox of each
// ERP in turn, through that ERP's own adapter and wire protocol, and syncs
// an order, delivered twice, into it.
func TestEveryERPBooksOneSalesOrder(t *testing.T) {
	t.Cleanup(func() {
		if err := st.UseERP(context.WithoutCancel(t.Context()), config.ERPOdoo); err != nil {
			t.Errorf("point the worker back at odoo: %v", err)
		}
	})

	for _, name := range config.ERPs {
		t.Run(name, func(t *testing.T) {
			if err := st.UseERP(t.Context(), name); err != nil {
				t.Fatal(err)
			}
			id, ref := placeOrder(t, nil)

			first, again := webhook(t, id, "a-"+id), webhook(t, id, "b-"+id)
			if first != http.StatusAccepted || again != http.StatusOK {
				t.Fatalf("webhooks answered %d and %d, want 202 and 200", first, again)
			}
			waitStatus(t, id, synclog.StatusSynced)

			// Some ERPs keep the reference upper-case.
			found := st.Model.FindSalesOrders(func(o erpsandbox.SalesOrder) bool {
				return strings.EqualFold(o.ExternalRef, ref)
			})
			if len(found) != 1 || found[0].State != erpsandbox.OrderConfirmed {
				t.Fatalf("%s holds sales orders %+v for %s, want one confirmed", name, found, ref)
			}
			ids, err := st.Store.ERPIDs(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			state, err := ops().Show(t.Context(), workflows.OrderWorkflowID(StoreName, id))
			if err != nil {
				t.Fatal(err)
			}
			if state.ERP != name || state.ERPID == "" || ids[id] != state.ERPID {
				t.Errorf("sync went to %q as %q, store order carries %q; want %s and one id",
					state.ERP, state.ERPID, ids[id], name)
			}
		})
	}
}

// TestLogsHoldNoSecretsOrCustomerData reads what the worker and the starter
// logged while the other tests ran. It comes last so that there is plenty.
func TestLogsHoldNoSecretsOrCustomerData(t *testing.T) {
	secrets := []string{WebhookSecret, "@example.test", "Harbour Street"}
	env := [][]string{}
	for _, sys := range st.Sandboxes() {
		env = append(env, sys.Env)
	}
	for _, sys := range st.stores.Systems {
		env = append(env, sys.Env(StoreName))
	}
	for _, kvs := range env {
		for _, kv := range kvs {
			key, value, _ := strings.Cut(kv, "=")
			if strings.Contains(key, "PASSWORD") || strings.Contains(key, "SECRET") ||
				strings.Contains(key, "KEY") || strings.Contains(key, "TOKEN") {
				secrets = append(secrets, value)
			}
		}
	}

	for _, name := range []string{"worker.log", "starter.log"} {
		b, err := os.ReadFile(filepath.Join(st.Dir(), name))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 1000 {
			t.Errorf("%s holds only %d bytes; the check needs real logs", name, len(b))
		}
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Errorf("%s contains %q", name, s)
			}
		}
	}
}
