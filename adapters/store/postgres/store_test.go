package postgres

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/devenv"
	"github.com/erpsync/erpsync/internal/schema"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// pg is the cluster the tests share; each test gets a database of its own.
var pg *devenv.Postgres

func TestMain(m *testing.M) {
	os.Exit(devenv.RunWithPostgres(m, func(p *devenv.Postgres) { pg = p }))
}

// newStore returns a Store on a new, migrated database named after the test.
func newStore(t *testing.T) (*Store, *pgxpool.Pool) {
	t.Helper()
	name := strings.ToLower(strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
	url, err := pg.CreateDatabase(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return migratedStore(t, url)
}

func migratedStore(t *testing.T, url string) (*Store, *pgxpool.Pool) {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)

	if err := schema.Migrate(t.Context(), pool); err != nil {
		t.Fatal(err)
	}
	return New(pool), pool
}

// sampleOrder returns a valid order for number, bought by email.
func sampleOrder(number, email string) store.Order {
	return store.Order{
		Number:   number,
		Currency: "EUR",
		PlacedAt: time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC),
		Customer: store.Customer{
			Email: email, FirstName: "Ada", LastName: "Lovelace", Phone: "+44 20 7946 0000",
			Line1: "12 St James's Square", Line2: "Flat 2", City: "London",
			PostalCode: "SW1Y 4JH", Region: "Greater London", Country: "GB",
		},
		Lines: []store.Line{
			{SKU: "WIDGET-1", Name: "Widget", Quantity: 3, UnitPriceMinor: 1999},
			// Above 2^53: a float anywhere on the way would change it.
			{SKU: "GADGET-9", Name: "Gadget", Quantity: 1, UnitPriceMinor: 9007199254740993},
			{SKU: "FREE-GIFT", Name: "Gift", Quantity: 2, UnitPriceMinor: 0},
		},
		ShippingMinor: 495,
		DiscountMinor: 500,
		TaxMinor:      1200,
		TotalMinor:    9007199254747485 - 500 + 1200,
	}
}

func TestCreateAndLoadOrder(t *testing.T) {
	s, _ := newStore(t)
	in := sampleOrder("#1001", "ada@example.com")

	id, err := s.CreateOrder(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadOrder(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}

	if got.Customer.ID == "" || got.UpdatedAt.IsZero() {
		t.Errorf("LoadOrder(%s) customer id %q, updated_at %v; want both set", id,
			got.Customer.ID, got.UpdatedAt)
	}
	want := in
	want.ID, want.Customer.ID, want.UpdatedAt = id, got.Customer.ID, got.UpdatedAt
	want.Status = store.OrderOpen
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadOrder(%s) =\n%+v\nwant\n%+v", id, got, want)
	}
}

func TestLoadOrderBadIDs(t *testing.T) {
	s, _ := newStore(t)
	tests := []struct {
		name    string
		id      string
		invalid bool
	}{
		{"unknown", "424242", false},
		{"letters", "abc", true},
		{"empty", "", true},
		{"zero", "0", true},
		{"negative", "-3", true},
		{"leading zero", "007", true},
		{"plus sign", "+5", true},
		{"fraction", "1.5", true},
		{"too large", "99999999999999999999", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.LoadOrder(t.Context(), tt.id)
			if tt.invalid {
				checkInvalid(t, err, "order_id")
			} else if !errors.Is(err, syncerr.ErrNotFound) {
				t.Errorf("LoadOrder(%q) = %v, want ErrNotFound", tt.id, err)
			}
		})
	}
}

func TestSetERPID(t *testing.T) {
	s, pool := newStore(t)
	ctx := t.Context()
	id, err := s.CreateOrder(ctx, sampleOrder("#2001", "grace@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	updatedBefore := timestamps(t, pool, id)[0]

	if err := s.SetERPID(ctx, id, "SO-1"); err != nil {
		t.Fatalf("SetERPID(%s, SO-1) = %v", id, err)
	}
	after := timestamps(t, pool, id)
	if !after[0].Equal(updatedBefore) || after[1].IsZero() {
		t.Errorf("updated_at %v -> %v, erp_synced_at %v; want updated_at kept, synced set",
			updatedBefore, after[0], after[1])
	}

	if err := s.SetERPID(ctx, id, "SO-1"); err != nil {
		t.Errorf("SetERPID with the same id again = %v, want nil", err)
	}
	if again := timestamps(t, pool, id); !again[1].Equal(after[1]) {
		t.Errorf("erp_synced_at moved from %v to %v on a repeated SetERPID", after[1], again[1])
	}

	err = s.SetERPID(ctx, id, "SO-2")
	checkInvalid(t, err, "erp_order_id")
	if err != nil && !strings.Contains(err.Error(), "SO-1") {
		t.Errorf("SetERPID(%s, SO-2) = %v, want it to name the existing id SO-1", id, err)
	}
	checkERPIDs(t, s, map[string]string{id: "SO-1"})
}

func TestSetERPIDBadInput(t *testing.T) {
	s, _ := newStore(t)
	id, err := s.CreateOrder(t.Context(), sampleOrder("#2101", "grace@example.com"))
	if err != nil {
		t.Fatal(err)
	}

	if err := s.SetERPID(t.Context(), "515151", "SO-1"); !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("SetERPID on an unknown order = %v, want ErrNotFound", err)
	}
	checkInvalid(t, s.SetERPID(t.Context(), "x1", "SO-1"), "order_id")
	checkInvalid(t, s.SetERPID(t.Context(), id, ""), "erp_order_id")
	checkERPIDs(t, s, map[string]string{})
}

func TestSetERPIDConcurrently(t *testing.T) {
	s, _ := newStore(t)
	id, err := s.CreateOrder(t.Context(), sampleOrder("#2201", "grace@example.com"))
	if err != nil {
		t.Fatal(err)
	}

	const writers = 8
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() { errs[i] = s.SetERPID(t.Context(), id, fmt.Sprintf("SO-%d", i)) })
	}
	wg.Wait()

	winner := ""
	for i, err := range errs {
		var invalid *syncerr.InvalidError
		switch {
		case err == nil && winner == "":
			winner = fmt.Sprintf("SO-%d", i)
		case err == nil:
			t.Errorf("SO-%d and %s were both accepted", i, winner)
		case !errors.As(err, &invalid):
			t.Errorf("SetERPID(SO-%d) = %v, want an InvalidError", i, err)
		}
	}
	checkERPIDs(t, s, map[string]string{id: winner})
}

func TestCustomerUpsertByEmail(t *testing.T) {
	s, pool := newStore(t)
	ctx := t.Context()
	first := sampleOrder("#3001", "Ann.Buyer@Example.com")
	firstID, err := s.CreateOrder(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	stamp := customerUpdatedAt(t, pool)

	second := sampleOrder("#3002", "ann.buyer@EXAMPLE.COM")
	second.Customer = store.Customer{Email: second.Customer.Email, Phone: "+44 20 7946 0999",
		Line1: "1 New Street", City: "Leeds", PostalCode: "LS1 1AA", Country: "GB"}
	secondID, err := s.CreateOrder(ctx, second)
	if err != nil {
		t.Fatal(err)
	}

	a, b := loadOrder(t, s, firstID).Customer, loadOrder(t, s, secondID).Customer
	want := store.Customer{ID: a.ID, Email: first.Customer.Email, FirstName: "Ada",
		LastName: "Lovelace", Phone: "+44 20 7946 0999", Line1: "1 New Street", City: "Leeds",
		PostalCode: "LS1 1AA", Country: "GB"}
	if b != want {
		t.Errorf("customer after a second order =\n%+v\nwant\n%+v", b, want)
	}
	if n := count(t, pool, "storefront.customers"); n != 1 {
		t.Errorf("customers after two orders by one e-mail = %d, want 1", n)
	}
	if again := customerUpdatedAt(t, pool); !again.After(stamp) {
		t.Errorf("customer updated_at %v -> %v after a change, want it later", stamp, again)
	}

	stamp = customerUpdatedAt(t, pool)
	third := second
	third.Number = "#3003"
	if _, err := s.CreateOrder(ctx, third); err != nil {
		t.Fatal(err)
	}
	if again := customerUpdatedAt(t, pool); !again.Equal(stamp) {
		t.Errorf("customer updated_at %v -> %v after an order changing nothing", stamp, again)
	}
}

func TestCreateOrderInvalid(t *testing.T) {
	s, pool := newStore(t)
	if _, err := s.CreateOrder(t.Context(), sampleOrder("#4001", "a@example.com")); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		edit  func(o *store.Order)
		field string
	}{
		{"number taken", func(o *store.Order) { o.Number = "#4001" }, "number"},
		{"no number", func(o *store.Order) { o.Number = "" }, "number"},
		{"lowercase currency", func(o *store.Order) { o.Currency = "eur" }, "currency"},
		{"no e-mail", func(o *store.Order) { o.Customer.Email = "" }, "customer.email"},
		{"no lines", func(o *store.Order) { o.Lines = nil }, "lines"},
		{"zero quantity", func(o *store.Order) { o.Lines[1].Quantity = 0 }, "lines[1].quantity"},
		{"negative price", func(o *store.Order) { o.Lines[0].UnitPriceMinor = -1 },
			"lines[0].unit_price_minor"},
		{"no sku", func(o *store.Order) { o.Lines[2].SKU = "" }, "lines[2].sku"},
		{"negative total", func(o *store.Order) { o.TotalMinor = -5 }, "total_minor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := sampleOrder("#4002", "b@example.com")
			tt.edit(&o)
			_, err := s.CreateOrder(t.Context(), o)
			checkInvalid(t, err, tt.field)
		})
	}

	if n := count(t, pool, "storefront.orders"); n != 1 {
		t.Errorf("orders after refused creates = %d, want 1", n)
	}
	if n := count(t, pool, "storefront.customers"); n != 1 {
		t.Errorf("customers after refused creates = %d, want 1", n)
	}
}

func TestProductsAndStock(t *testing.T) {
	s, pool := newStore(t)
	ctx := t.Context()
	products := []Product{
		{SKU: "WIDGET-1", Name: "Widget", PriceMinor: 1999, Currency: "EUR"},
		{SKU: "GADGET-9", Name: "Gadget", PriceMinor: 9007199254740993, Currency: "EUR"},
	}
	if err := s.UpsertProducts(ctx, products); err != nil {
		t.Fatal(err)
	}
	products[0].PriceMinor = 2499
	if err := s.UpsertProducts(ctx, products[:1]); err != nil {
		t.Fatal(err)
	}

	var price int64
	err := pool.QueryRow(ctx, "SELECT price_minor FROM storefront.products WHERE sku = $1",
		"GADGET-9").Scan(&price)
	if err != nil || price != 9007199254740993 {
		t.Errorf("GADGET-9 price = %d (%v), want 9007199254740993", price, err)
	}
	if n := count(t, pool, "storefront.products WHERE price_minor = 2499"); n != 1 {
		t.Errorf("products repriced to 2499 = %d, want 1", n)
	}

	levels := []StockLevel{
		{"WIDGET-1", "main", 7}, {"WIDGET-1", "outlet", 0}, {"GADGET-9", "main", 2},
	}
	if err := s.SeedStock(ctx, levels); err != nil {
		t.Fatal(err)
	}
	if err := s.SeedStock(ctx, []StockLevel{{"WIDGET-1", "main", 5}}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, pool, "storefront.stock_levels WHERE quantity = 5"); n != 1 {
		t.Errorf("stock levels set to 5 = %d, want 1", n)
	}

	err = s.SeedStock(ctx, []StockLevel{{"GADGET-9", "main", 9}, {"NOPE-1", "main", 1}})
	if !errors.Is(err, syncerr.ErrNotFound) || !strings.Contains(err.Error(), "NOPE-1") {
		t.Errorf("SeedStock with an unknown SKU = %v, want ErrNotFound naming NOPE-1", err)
	}
	if n := count(t, pool, "storefront.stock_levels WHERE quantity = 9"); n != 0 {
		t.Errorf("stock levels written by a refused SeedStock = %d, want 0", n)
	}
	checkInvalid(t, s.SeedStock(ctx, []StockLevel{{"WIDGET-1", "main", -1}}), "levels[0].quantity")
	checkInvalid(t, s.UpsertProducts(ctx, append(products, products[0])), "products[2].sku")
}

func TestCountOrders(t *testing.T) {
	s, _ := newStore(t)
	for i := range 25 {
		email := fmt.Sprintf("buyer%d@example.com", i%4)
		o := sampleOrder(fmt.Sprintf("#5%03d", i), email)
		if _, err := s.CreateOrder(t.Context(), o); err != nil {
			t.Fatal(err)
		}
	}

	n, err := s.CountOrders(t.Context())
	if err != nil || n != 25 {
		t.Errorf("CountOrders() = %d, %v; want 25, nil", n, err)
	}
}

func TestDatabaseDownIsUnavailable(t *testing.T) {
	own, err := devenv.StartPostgres(t.Context(), devenv.PostgresOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := own.Stop(); err != nil {
			t.Error(err)
		}
	})
	s, _ := migratedStore(t, own.URL())
	id, err := s.CreateOrder(t.Context(), sampleOrder("#6001", "a@example.com"))
	if err != nil {
		t.Fatal(err)
	}

	if err := own.StopServer(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadOrder(t.Context(), id); !errors.Is(err, syncerr.ErrUnavailable) {
		t.Errorf("LoadOrder with the database down = %v, want ErrUnavailable", err)
	}

	if err := own.StartServer(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := loadOrder(t, s, id); got.Number != "#6001" {
		t.Errorf("LoadOrder after the database came back = %q, want #6001", got.Number)
	}
}

func checkInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var invalid *syncerr.InvalidError
	if !errors.As(err, &invalid) || invalid.Field != field {
		t.Errorf("error = %v, want an InvalidError for field %q", err, field)
	}
}

func checkERPIDs(t *testing.T, s *Store, want map[string]string) {
	t.Helper()
	got, err := s.ERPIDs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ERPIDs() = %v, want %v", got, want)
	}
}

func loadOrder(t *testing.T, s *Store, id string) store.Order {
	t.Helper()
	o, err := s.LoadOrder(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// timestamps returns updated_at and erp_synced_at (zero when null) of an order.
func timestamps(t *testing.T, pool *pgxpool.Pool, id string) [2]time.Time {
	t.Helper()
	var updated time.Time
	var synced *time.Time
	err := pool.QueryRow(t.Context(), `SELECT updated_at, erp_synced_at
		FROM storefront.orders WHERE id = $1::bigint`, id).Scan(&updated, &synced)
	if err != nil {
		t.Fatal(err)
	}
	if synced == nil {
		return [2]time.Time{updated}
	}
	return [2]time.Time{updated, *synced}
}

// customerUpdatedAt returns updated_at of the only customer.
func customerUpdatedAt(t *testing.T, pool *pgxpool.Pool) time.Time {
	t.Helper()
	var at time.Time
	err := pool.QueryRow(t.Context(), "SELECT updated_at FROM storefront.customers").Scan(&at)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// count returns the number of rows of from, a table and optional condition.
func count(t *testing.T, pool *pgxpool.Pool, from string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(t.Context(), "SELECT count(*) FROM "+from).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
