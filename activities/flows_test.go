package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/pgtest"
	"github.com/erpsync/erpsync/internal/stockstate"
	"github.com/erpsync/erpsync/internal/syncerr"
	"github.com/erpsync/erpsync/internal/synclog"
)

func activityEnv(acts any) *testsuite.TestActivityEnvironment {
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	return env
}

// amendERP records what order changes ask of an ERP.
type amendERP struct {
	shipped     bool
	unsupported bool
	cancelled   []string
	memos       []erp.CreditMemo
}

func (e *amendERP) CancelSalesOrder(_ context.Context, id, _ string) error {
	if e.shipped {
		return erp.ErrShipped
	}
	e.cancelled = append(e.cancelled, id)
	return nil
}

func (e *amendERP) CreateCreditMemo(_ context.Context, m erp.CreditMemo) (erp.CreditMemoRef,
	error) {
	if e.unsupported {
		return erp.CreditMemoRef{}, fmt.Errorf("credit memos: %w", erp.ErrUnsupported)
	}
	e.memos = append(e.memos, m)
	return erp.CreditMemoRef{ID: "M1"}, nil
}

// orderStore serves one order.
type orderStore struct{ o store.Order }

func (s *orderStore) LoadOrder(context.Context, string) (store.Order, error) { return s.o, nil }
func (s *orderStore) SetERPID(context.Context, string, string) error         { return nil }

type amendFixture struct {
	log  *synclog.Log
	erp  *amendERP
	shop *orderStore
	acts *Amendments
	env  *testsuite.TestActivityEnvironment
}

func newAmendFixture(t *testing.T, status string) *amendFixture {
	t.Helper()
	f := &amendFixture{log: synclog.New(pgtest.Pool(t, pg)), erp: &amendERP{},
		shop: &orderStore{o: store.Order{ID: "7", Number: "1007", Currency: "EUR",
			Lines:      []store.Line{{SKU: "MUG", Quantity: 3, UnitPriceMinor: 1000}},
			TotalMinor: 3000}}}
	f.acts = &Amendments{Stores: map[string]store.Orders{"demo": f.shop}, ERP: f.erp,
		ERPName: "odoo", Ledger: f.log, RefundSKU: "REFUND", Logger: zap.NewNop()}
	f.env = activityEnv(f.acts)
	if status != "" {
		err := f.log.Record(t.Context(), synclog.Entry{Entity: synclog.EntityOrder,
			Store: "demo", ExternalRef: "7", ERPID: "42", Status: status})
		if err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *amendFixture) apply() (ChangeResult, error) {
	var res ChangeResult
	v, err := f.env.ExecuteActivity(f.acts.ApplyOrderChanges, OrderKey{Store: "demo",
		OrderID: "7"})
	if err == nil {
		err = v.Get(&res)
	}
	return res, err
}

// problemOf returns the type and the field of an activity failure.
func problemOf(err error) (string, string) {
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		return "", ""
	}
	var p Problem
	if appErr.HasDetails() {
		_ = appErr.Details(&p)
	}
	return appErr.Type(), p.Field
}

func TestOrderChangesWaitForTheSyncAndEndWhenItWasSkipped(t *testing.T) {
	f := newAmendFixture(t, "")
	if _, err := f.apply(); !strings.Contains(err.Error(), ErrTypeNotSynced) {
		t.Fatalf("change of an order not synced: %v, want %s", err, ErrTypeNotSynced)
	}

	f = newAmendFixture(t, synclog.StatusSkipped)
	res, err := f.apply()
	if err != nil || !res.NotSynced {
		t.Fatalf("change of a skipped order: %+v, %v", res, err)
	}
}

func TestCancellationBeforeShippingCancelsTheSalesOrderOnce(t *testing.T) {
	f := newAmendFixture(t, synclog.StatusSynced)
	f.shop.o.Status = store.OrderCancelled

	for range 2 {
		if _, err := f.apply(); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.erp.cancelled) != 1 || f.erp.cancelled[0] != "42" {
		t.Fatalf("cancelled %v, want sales order 42 once", f.erp.cancelled)
	}
}

func TestCancellationAfterShippingParksNamingTheStatus(t *testing.T) {
	f := newAmendFixture(t, synclog.StatusSynced)
	f.shop.o.Status, f.erp.shipped = store.OrderCancelled, true

	_, err := f.apply()
	if typ, field := problemOf(err); typ != ErrTypeInvalid || field != "status" {
		t.Fatalf("got %v (%s, %s), want an invalid record naming status", err, typ, field)
	}
	if !strings.Contains(err.Error(), "book a return") {
		t.Errorf("reason %q does not say what to do", err)
	}
}

func TestRefundsBecomeCreditMemosOnce(t *testing.T) {
	f := newAmendFixture(t, synclog.StatusSynced)
	f.shop.o.Refunds = []store.Refund{{ID: "r1", AmountMinor: 2500, Lines: []store.RefundLine{
		{SKU: "MUG", Quantity: 2, AmountMinor: 2000}}}}

	for range 2 {
		if _, err := f.apply(); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.erp.memos) != 1 {
		t.Fatalf("%d credit memos, want 1", len(f.erp.memos))
	}
	m := f.erp.memos[0]
	if m.ExternalRef != "demo:1007:refund:r1" || m.SalesOrderID != "42" || len(m.Lines) != 2 ||
		m.Lines[0].UnitPriceMinor != 1000 || m.Lines[1].SKU != "REFUND" ||
		m.Lines[1].UnitPriceMinor != 500 {
		t.Fatalf("credit memo %+v", m)
	}
}

func TestRefundTheERPCannotBookParksNamingIt(t *testing.T) {
	f := newAmendFixture(t, synclog.StatusSynced)
	f.erp.unsupported = true
	f.shop.o.Refunds = []store.Refund{{ID: "r1", AmountMinor: 1000}}

	_, err := f.apply()
	if typ, field := problemOf(err); typ != ErrTypeInvalid || field != "refunds[0]" {
		t.Fatalf("got %v (%s, %s), want an invalid record naming refunds[0]", err, typ, field)
	}

	settle := SettleInput{Key: OrderKey{Store: "demo", OrderID: "7"}, Actor: "ana"}
	if _, err := f.env.ExecuteActivity(f.acts.SettleOrderChanges, settle); err != nil {
		t.Fatal(err)
	}
	if _, err := f.apply(); err != nil {
		t.Fatalf("after settling by hand: %v", err)
	}
}

func TestAnEditAfterTheSyncParksUntilSettled(t *testing.T) {
	f := newAmendFixture(t, synclog.StatusSynced)
	if err := f.log.SaveOrderDigest(t.Context(), "demo", "7", OrderDigest(f.shop.o)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.apply(); err != nil {
		t.Fatalf("unchanged order: %v", err)
	}

	f.shop.o.Lines[0].Quantity, f.shop.o.TotalMinor = 2, 2000
	_, err := f.apply()
	if typ, field := problemOf(err); typ != ErrTypeInvalid || field != "lines" {
		t.Fatalf("edited order: %v (%s, %s), want an invalid record naming lines", err, typ,
			field)
	}
}

// shipERP lists fixed shipments and cancellations.
type shipERP struct {
	shipments     []erp.Shipment
	cancellations []erp.Cancellation
}

func (e *shipERP) ChangedShipments(context.Context, erp.Changes) (erp.Page[erp.Shipment],
	error) {
	return erp.Page[erp.Shipment]{Items: e.shipments}, nil
}

func (e *shipERP) ChangedCancellations(context.Context, erp.Changes) (
	erp.Page[erp.Cancellation], error) {
	return erp.Page[erp.Cancellation]{Items: e.cancellations}, nil
}

// shipStore records shipments, refusing more units than an order holds.
type shipStore struct {
	shipped   map[string][]store.Shipment
	cancelled []string
}

func (s *shipStore) Ship(_ context.Context, orderID string, sh store.Shipment) error {
	units := int64(0)
	for _, done := range s.shipped[orderID] {
		units += done.Lines[0].Quantity
	}
	if units+sh.Lines[0].Quantity > 3 {
		return syncerr.Invalid("lines[0].quantity", "more than left to ship")
	}
	s.shipped[orderID] = append(s.shipped[orderID], sh)
	return nil
}

func (s *shipStore) CancelOrder(_ context.Context, orderID, _ string) error {
	s.cancelled = append(s.cancelled, orderID)
	return nil
}

func TestPartialShipmentsReachTheStoreOnceEach(t *testing.T) {
	pool := pgtest.Pool(t, pg)
	log := synclog.New(pool)
	err := log.Record(t.Context(), synclog.Entry{Entity: synclog.EntityOrder, Store: "demo",
		ExternalRef: "7", ERPID: "42", Status: synclog.StatusSynced})
	if err != nil {
		t.Fatal(err)
	}
	ship := func(id string, q int64) erp.Shipment {
		return erp.Shipment{ID: id, SalesOrderID: "42", ExternalRef: "demo:1007",
			Lines:    []erp.ShipmentLine{{SKU: "MUG", Quantity: q}, {SKU: "SHIPPING", Quantity: 1}},
			Modified: time.Now()}
	}
	e := &shipERP{shipments: []erp.Shipment{ship("s1", 1), ship("s2", 2), ship("s3", 1),
		{ID: "x", SalesOrderID: "9", ExternalRef: "other:5"}},
		cancellations: []erp.Cancellation{{SalesOrderID: "42", ExternalRef: "demo:1007"}}}
	dst := &shipStore{shipped: map[string][]store.Shipment{}}
	acts := &Fulfillment{ERP: e, ERPName: "odoo", Stores: map[string]store.Fulfillment{
		"demo": dst}, Marks: stockstate.New(pool, "odoo", 0), SyncLog: log,
		ServiceSKUs: map[string]bool{"SHIPPING": true}, Logger: zap.NewNop()}
	env := activityEnv(acts)

	var counts []FulfillmentCounts
	for range 2 {
		v, err := env.ExecuteActivity(acts.SyncFulfillment, FulfillmentPassInput{Store: "demo"})
		if err != nil {
			t.Fatal(err)
		}
		var c FulfillmentCounts
		if err := v.Get(&c); err != nil {
			t.Fatal(err)
		}
		counts = append(counts, c)
	}

	if got := dst.shipped["7"]; len(got) != 2 || len(got[0].Lines) != 1 {
		t.Fatalf("store shipments %+v, want s1 and s2 without the shipping line", got)
	}
	if counts[0].Shipments != 2 || counts[0].Parked != 1 || counts[0].OtherStores != 1 ||
		counts[1].Shipments != 0 || counts[1].Already != 3 {
		t.Fatalf("counts %+v", counts)
	}
	parked, _, err := log.Get(t.Context(), synclog.EntityShipment, "demo", "s3")
	if err != nil || parked.Status != synclog.StatusNeedsAttention ||
		!strings.Contains(parked.LastError, "lines[0].quantity") {
		t.Fatalf("over-shipment %+v, %v: want it parked naming the field", parked, err)
	}
	if len(dst.cancelled) != 1 || dst.cancelled[0] != "7" {
		t.Fatalf("cancelled %v, want order 7 once", dst.cancelled)
	}
}

// catalogERP lists fixed products.
type catalogERP struct{ products []erp.Product }

func (e *catalogERP) ChangedProducts(context.Context, erp.Changes) (erp.Page[erp.Product],
	error) {
	return erp.Page[erp.Product]{Items: e.products}, nil
}

// catalogShop sells a few SKUs, one on promotion.
type catalogShop struct {
	have   map[string]bool
	sale   map[string]bool
	priced []store.Price
}

func (s *catalogShop) CreateDrafts(_ context.Context, ps []store.Product) ([]string, error) {
	var created []string
	for _, p := range ps {
		if !s.have[p.SKU] {
			s.have[p.SKU] = true
			created = append(created, p.SKU)
		}
	}
	return created, nil
}

func (s *catalogShop) SetPrices(_ context.Context, prices []store.Price) (store.PriceReport,
	error) {
	var r store.PriceReport
	for _, p := range prices {
		if s.sale[p.SKU] {
			r.Promoted = append(r.Promoted, p.SKU)
			continue
		}
		s.priced = append(s.priced, p)
		r.Updated++
	}
	return r, nil
}

func TestCatalogSparesPromotionsAndAddsNewProductsAsDrafts(t *testing.T) {
	pool := pgtest.Pool(t, pg)
	now := time.Now()
	e := &catalogERP{products: []erp.Product{
		{SKU: "MUG", PriceMinor: 1300, Currency: "EUR", Active: true, Modified: now},
		{SKU: "TEE", PriceMinor: 2500, Currency: "EUR", Active: true, Modified: now},
		{SKU: "NEW", Name: "Apron", PriceMinor: 3400, Currency: "EUR", Active: true,
			Modified: now},
		{SKU: "OLD", PriceMinor: 100, Currency: "EUR", Modified: now},
		{SKU: "SHIPPING", Currency: "EUR", Active: true, Modified: now},
	}}
	shop := &catalogShop{have: map[string]bool{"MUG": true, "TEE": true},
		sale: map[string]bool{"MUG": true}}
	acts := &Catalog{ERP: e, ERPName: "odoo", Stores: map[string]CatalogStore{"demo": shop},
		Marks: stockstate.New(pool, "odoo", 0), ServiceSKUs: map[string]bool{"SHIPPING": true},
		Logger: zap.NewNop()}

	v, err := activityEnv(acts).ExecuteActivity(acts.SyncCatalog, CatalogPassInput{Store: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	var c CatalogCounts
	if err := v.Get(&c); err != nil {
		t.Fatal(err)
	}
	if c.Drafts != 1 || c.Priced != 1 || c.Promoted != 1 || c.Inactive != 1 {
		t.Fatalf("counts %+v, want 1 draft, 1 priced, 1 promoted, 1 inactive", c)
	}
	if len(shop.priced) != 1 || shop.priced[0].SKU != "TEE" {
		t.Fatalf("priced %+v, want TEE only", shop.priced)
	}
}

// countingMetrics records what the activities count.
type countingMetrics struct {
	synced, parked []string
	pushed         int
}

func (m *countingMetrics) OrderSynced(store, erp string, _ time.Time) {
	m.synced = append(m.synced, store+"/"+erp)
}

func (m *countingMetrics) OrderParked(store, erp, field string) {
	m.parked = append(m.parked, store+"/"+erp+"/"+field)
}

func (m *countingMetrics) StockLevelsPushed(_ string, n int) { m.pushed += n }

func TestOrderActivitiesCountSyncedAndParkedOrders(t *testing.T) {
	m := &countingMetrics{}
	acts := &Orders{Stores: map[string]store.Orders{"demo": &orderStore{}}, ERPName: "odoo",
		SyncLog: synclog.New(pgtest.Pool(t, pg)), Metrics: m, Logger: zap.NewNop()}
	env := activityEnv(acts)
	key := OrderKey{Store: "demo", OrderID: "7"}

	_, err := env.ExecuteActivity(acts.RecordStatus, StatusInput{Key: key,
		Status: synclog.StatusNeedsAttention, Reason: "lines[0].sku: unknown", Field: "lines[0].sku"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.ExecuteActivity(acts.WriteBack, WriteBackInput{Key: key,
		Ref: erp.SalesOrderRef{ID: "42"}, PlacedAt: time.Now().Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.parked) != 1 || m.parked[0] != "demo/odoo/lines[0].sku" ||
		len(m.synced) != 1 || m.synced[0] != "demo/odoo" {
		t.Fatalf("counted parked %v and synced %v", m.parked, m.synced)
	}
}
