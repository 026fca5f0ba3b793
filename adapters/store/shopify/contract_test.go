package shopify_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/shopify"
	"github.com/erpsync/erpsync/adapters/store/shopify/shopifysandbox"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
	"github.com/erpsync/erpsync/internal/syncerr"
	"github.com/erpsync/erpsync/internal/testclock"
)

var creds = shopifysandbox.Credentials{ShopDomain: "erpsync-test.myshopify.com",
	AccessToken: "shpat_test_token", ClientID: "test-client-id",
	ClientSecret: "test-client-secret"}

// shop is a sandbox on loopback with a seeded model, and an adapter of it.
type shop struct {
	model     *storesandbox.Model
	clock     *testclock.Clock
	faults    *erpsandbox.Faults
	sandbox   *shopifysandbox.Sandbox
	url       string
	store     *shopify.Store
	throttled atomic.Int64
}

// newShop serves a sandbox with MUG (12.50 EUR), TEE (24.00, on sale at
// 19.00) and CAP (8.00), and the locations WH-EAST and WH-WEST.
func newShop(t *testing.T, opts ...shopifysandbox.Option) *shop {
	t.Helper()
	c := testclock.New(time.Now().UTC().Add(-time.Hour).Truncate(time.Second))
	s := &shop{model: storesandbox.NewModel(c.Now), clock: c}
	for _, p := range []storesandbox.Product{
		{SKU: "MUG", Name: "Mug", PriceMinor: 1250, Currency: "EUR"},
		{SKU: "TEE", Name: "Tee", PriceMinor: 2400, SalePriceMinor: 1900, Currency: "EUR"},
		{SKU: "CAP", Name: "Cap", PriceMinor: 800, Currency: "EUR"},
	} {
		if _, err := s.model.CreateProduct(p); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"WH-EAST", "WH-WEST"} {
		if _, err := s.model.AddLocation(name); err != nil {
			t.Fatal(err)
		}
	}

	var err error
	if s.faults, err = erpsandbox.NewFaults(erpsandbox.Config{}); err != nil {
		t.Fatal(err)
	}
	s.sandbox = shopifysandbox.New(s.model, s.faults, creds, opts...)
	t.Cleanup(s.sandbox.Close)
	srv := httptest.NewServer(s.countThrottled(s.sandbox))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	s.store = s.adapter(t, creds.AccessToken)
	return s
}

// countThrottled counts the THROTTLED answers of h.
func (s *shop) countThrottled(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if strings.Contains(rec.Body.String(), `"THROTTLED"`) {
			s.throttled.Add(1)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// adapter returns an adapter of the shop that calls with token.
func (s *shop) adapter(t *testing.T, token string) *shopify.Store {
	t.Helper()
	st, err := shopify.New(shopify.Config{URL: s.url, AccessToken: token,
		WebhookSecret: creds.ClientSecret}, nil, nil)
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	return st
}

// order places an order of a registered customer: two mugs with 1.00 off
// the line, a tee, 2.50 off the order, 4.95 shipping and 8.00 tax.
func (s *shop) order(t *testing.T) storesandbox.Order {
	t.Helper()
	o, err := s.model.CreateOrder(storesandbox.Order{
		Currency: "EUR",
		Customer: storesandbox.Customer{ID: 77, Email: "ana@example.test", FirstName: "Ana",
			LastName: "Lima", Phone: "+351 21 000 0000", Line1: "1 Rua Augusta",
			Line2: "2º", City: "Lisboa", PostalCode: "1100-048", Region: "11",
			Country: "PT"},
		Lines: []storesandbox.Line{
			{SKU: "MUG", Name: "Mug", Quantity: 2, UnitPriceMinor: 1250, DiscountMinor: 100},
			{SKU: "TEE", Name: "Tee", Quantity: 1, UnitPriceMinor: 1900, TaxMinor: 400},
		},
		DiscountMinor: 250, ShippingMinor: 495, TaxMinor: 800,
	})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// bulkOrder places an order of n lines of SKU-0, SKU-1, ….
func (s *shop) bulkOrder(t *testing.T, n int) storesandbox.Order {
	t.Helper()
	var lines []storesandbox.Line
	for i := range n {
		lines = append(lines, storesandbox.Line{SKU: "SKU-" + strconv.Itoa(i), Name: "Part",
			Quantity: 1, UnitPriceMinor: 100})
	}
	o, err := s.model.CreateOrder(storesandbox.Order{Currency: "EUR", Lines: lines,
		Customer: storesandbox.Customer{Email: "bulk@example.test"}})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func id(o storesandbox.Order) string { return strconv.FormatInt(o.ID, 10) }

func TestNewRefusesIncompleteConfig(t *testing.T) {
	good := shopify.Config{URL: "https://x.myshopify.com", AccessToken: "t",
		WebhookSecret: "s"}
	tests := []struct {
		name   string
		change func(*shopify.Config)
		want   string
	}{
		{"no url", func(c *shopify.Config) { c.URL = "" }, "url"},
		{"url with a path", func(c *shopify.Config) { c.URL += "/admin" }, "without a path"},
		{"no token", func(c *shopify.Config) { c.AccessToken = "" }, "access token"},
		{"no secret", func(c *shopify.Config) { c.WebhookSecret = "" }, "webhook secret"},
		{"bad version", func(c *shopify.Config) { c.APIVersion = "2026-5" }, "api version"},
		{"old version", func(c *shopify.Config) { c.APIVersion = "2025-10" }, "older"},
		{"negative age", func(c *shopify.Config) { c.WebhookMaxAge = -1 }, "max age"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			if _, err := shopify.New(cfg, nil, nil); err == nil ||
				!strings.Contains(err.Error(), tt.want) {
				t.Errorf("New() error = %v, want one naming %q", err, tt.want)
			}
		})
	}
	if _, err := shopify.New(good, nil, nil); err != nil {
		t.Errorf("New(good config) error = %v", err)
	}
}

func TestWrongTokenIsAnAuthError(t *testing.T) {
	s := newShop(t)
	o := s.order(t)

	_, err := s.adapter(t, "shpat_wrong").LoadOrder(t.Context(), id(o))
	var auth *syncerr.AuthError
	if !errors.As(err, &auth) || !strings.Contains(auth.Reason, "Invalid API key") {
		t.Errorf("LoadOrder with a wrong token: error = %v, want an AuthError with "+
			"Shopify's message", err)
	}
}

func TestClientCredentialsGrantIsUsedAndRenewed(t *testing.T) {
	sandboxClock := testclock.New(time.Now())
	s := newShop(t, shopifysandbox.WithClock(sandboxClock.Now))
	o := s.order(t)
	st, err := shopify.New(shopify.Config{URL: s.url, ClientID: creds.ClientID,
		WebhookSecret: creds.ClientSecret}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := st.LoadOrder(t.Context(), id(o)); err != nil {
		t.Fatalf("LoadOrder() with a granted token: error = %v", err)
	}
	sandboxClock.Advance(48 * time.Hour) // the shop lets the token expire early
	if _, err := st.LoadOrder(t.Context(), id(o)); err != nil {
		t.Errorf("LoadOrder() once the shop refuses the token: error = %v, want a new "+
			"token asked for", err)
	}

	wrong, err := shopify.New(shopify.Config{URL: s.url, ClientID: creds.ClientID,
		WebhookSecret: "wrong-secret"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var auth *syncerr.AuthError
	if _, err := wrong.LoadOrder(t.Context(), id(o)); !errors.As(err, &auth) ||
		!strings.Contains(auth.Reason, "invalid_client") {
		t.Errorf("LoadOrder() with a wrong client secret: error = %v, want invalid_client", err)
	}
}

func TestLoadOrderMapsLinesDiscountsShippingTaxAndCustomer(t *testing.T) {
	s := newShop(t)
	o := s.order(t)

	got, err := s.store.LoadOrder(t.Context(), id(o))
	if err != nil {
		t.Fatalf("LoadOrder() error = %v", err)
	}
	want := store.Order{
		ID: id(o), Number: "1001", Currency: "EUR", PlacedAt: o.Created,
		UpdatedAt: o.Modified, TotalMinor: o.TotalMinor, ShippingMinor: 495,
		DiscountMinor: 350, TaxMinor: 800, Status: store.OrderOpen,
		Customer: store.Customer{ID: strconv.FormatInt(o.Customer.ID, 10),
			Email: "ana@example.test", FirstName: "Ana",
			LastName: "Lima", Phone: "+351 21 000 0000", Line1: "1 Rua Augusta",
			Line2: "2º", City: "Lisboa", PostalCode: "1100-048", Region: "11",
			Country: "PT"},
		Lines: []store.Line{{SKU: "MUG", Name: "Mug", Quantity: 2, UnitPriceMinor: 1250},
			{SKU: "TEE", Name: "Tee", Quantity: 1, UnitPriceMinor: 1900}},
	}
	if !equalOrders(got, want) {
		t.Errorf("LoadOrder() =\n%+v\nwant\n%+v", got, want)
	}
	sum := got.ShippingMinor - got.DiscountMinor + got.TaxMinor
	for _, l := range got.Lines {
		sum += l.Quantity * l.UnitPriceMinor
	}
	if sum != got.TotalMinor {
		t.Errorf("lines, discounts, shipping and tax add up to %d, total %d", sum,
			got.TotalMinor)
	}
}

// equalOrders compares orders, their times as instants.
func equalOrders(a, b store.Order) bool {
	if !a.PlacedAt.Equal(b.PlacedAt) || !a.UpdatedAt.Equal(b.UpdatedAt) ||
		!slices.Equal(a.Lines, b.Lines) {
		return false
	}
	a.PlacedAt, a.UpdatedAt, a.Lines = time.Time{}, time.Time{}, nil
	b.PlacedAt, b.UpdatedAt, b.Lines = time.Time{}, time.Time{}, nil
	return reflect.DeepEqual(a, b)
}

func TestLoadOrderOfAGuestTakesTheNameFromTheAddress(t *testing.T) {
	s := newShop(t)
	o, err := s.model.CreateOrder(storesandbox.Order{Currency: "EUR", Guest: true,
		Customer: storesandbox.Customer{Email: "guest@example.test", FirstName: "Gil",
			LastName: "Sá", Line1: "Rua 1", City: "Porto", Country: "PT"},
		Lines: []storesandbox.Line{{SKU: "CAP", Name: "Cap", Quantity: 1, UnitPriceMinor: 800}},
	})
	if err != nil {
		t.Fatal(err)
	}

	got, err := s.store.LoadOrder(t.Context(), id(o))
	c := got.Customer
	if err != nil || c.ID != "" || c.FirstName != "Gil" || c.LastName != "Sá" ||
		c.Email != "guest@example.test" || c.City != "Porto" || got.TotalMinor != 800 {
		t.Errorf("LoadOrder(guest) = %+v, %v; want the buyer from the address", got, err)
	}
}

func TestLoadOrderReadsEveryPageOfLines(t *testing.T) {
	s := newShop(t)
	o := s.bulkOrder(t, 230)

	got, err := s.store.LoadOrder(t.Context(), id(o))
	if err != nil || len(got.Lines) != 230 || got.Lines[229].SKU != "SKU-229" {
		t.Errorf("LoadOrder() = %d lines, %v; want 230 in order", len(got.Lines), err)
	}
}

func TestLoadOrderOfAnUnknownOrBadID(t *testing.T) {
	s := newShop(t)
	if _, err := s.store.LoadOrder(t.Context(), "424242"); !errors.Is(err, syncerr.ErrNotFound) {
		t.Errorf("LoadOrder(unknown) error = %v, want ErrNotFound", err)
	}
	var invalid *syncerr.InvalidError
	if _, err := s.store.LoadOrder(t.Context(), "#1001"); !errors.As(err, &invalid) ||
		invalid.Field != "order_id" {
		t.Errorf("LoadOrder(#1001) error = %v, want InvalidError on order_id", err)
	}
}

func TestSetERPIDIsIdempotent(t *testing.T) {
	s := newShop(t)
	o := s.order(t)
	var updates atomic.Int64
	s.model.Watch(func(ev storesandbox.Event) {
		if ev.Topic == storesandbox.TopicOrderUpdated {
			updates.Add(1)
		}
	})

	for range 2 {
		if err := s.store.SetERPID(t.Context(), id(o), "S00042"); err != nil {
			t.Fatalf("SetERPID() error = %v", err)
		}
	}
	got, err := s.store.LoadOrder(t.Context(), id(o))
	if err != nil || got.ERPID != "S00042" || updates.Load() != 1 {
		t.Errorf("after two writes: ERPID %q, %v, %d updates; want S00042 written once",
			got.ERPID, err, updates.Load())
	}

	var invalid *syncerr.InvalidError
	if err := s.store.SetERPID(t.Context(), id(o), "S00043"); !errors.As(err, &invalid) ||
		!strings.Contains(err.Error(), "S00042") {
		t.Errorf("SetERPID(another id) error = %v, want InvalidError naming S00042", err)
	}
	if err := s.store.SetERPID(t.Context(), "424242", "S1"); !errors.Is(err,
		syncerr.ErrNotFound) {
		t.Errorf("SetERPID(unknown order) error = %v, want ErrNotFound", err)
	}
}

func TestChangedOrdersPagesByUpdateTimeWithTies(t *testing.T) {
	s := newShop(t)
	old := s.order(t)
	s.clock.Advance(time.Minute)
	since := s.clock.Now()
	var want []string
	for i := range 5 {
		if i == 3 {
			s.clock.Advance(time.Second)
		}
		want = append(want, id(s.order(t)))
	}
	s.clock.Advance(time.Minute)
	if _, err := s.model.TouchOrder(old.ID); err != nil {
		t.Fatal(err)
	}
	want = append(want, id(old))

	var got []string
	q := store.Changes{Since: since.Add(500 * time.Millisecond), Limit: 2}
	for range 10 {
		page, err := s.store.ChangedOrders(t.Context(), q)
		if err != nil {
			t.Fatalf("ChangedOrders(%+v) error = %v", q, err)
		}
		for _, c := range page.Items {
			got = append(got, c.ID)
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("listed %v, want %v (ties in id order, the edited order last)", got, want)
	}

	var invalid *syncerr.InvalidError
	_, err := s.store.ChangedOrders(t.Context(), store.Changes{Cursor: "nonsense"})
	if !errors.As(err, &invalid) || invalid.Field != "cursor" {
		t.Errorf("ChangedOrders(bad cursor) error = %v, want InvalidError on cursor", err)
	}
}

func TestSetStockComparesAndRefusesWhatItCannotSet(t *testing.T) {
	s := newShop(t)
	if _, err := s.model.SetStock("TEE", "WH-EAST", 4, nil); err != nil {
		t.Fatal(err)
	}
	four, three := int64(4), int64(3)
	u := store.StockUpdate{Key: "update-1", Levels: []store.StockLevel{
		{SKU: "MUG", Location: "WH-EAST", Available: 7},
		{SKU: "TEE", Location: "WH-EAST", Available: 9, Previous: &four},
		{SKU: "CAP", Location: "WH-WEST", Available: 5, Previous: &three},
		{SKU: "NOPE", Location: "WH-EAST", Available: 1},
		{SKU: "MUG", Location: "WH-NORTH", Available: 1},
		{SKU: "MUG", Location: "WH-EAST", Available: 2},
	}}

	for attempt := range 2 {
		err := s.store.SetStock(t.Context(), u)
		if got := refusedIndexes(err); got != "2,3,4,5" {
			t.Errorf("attempt %d: SetStock() error = %v, want items 2,3,4,5 refused",
				attempt, err)
		}
	}
	for _, c := range []struct {
		sku, location string
		want          int64
	}{{"MUG", "WH-EAST", 7}, {"TEE", "WH-EAST", 9}, {"CAP", "WH-WEST", 0}} {
		if got, _ := s.model.Stock(c.sku, c.location); got != c.want {
			t.Errorf("stock of %s at %s = %d, want %d", c.sku, c.location, got, c.want)
		}
	}

	stale := store.StockUpdate{Key: "update-2", Levels: []store.StockLevel{
		{SKU: "TEE", Location: "WH-EAST", Available: 1, Previous: &four}}}
	var invalid *syncerr.InvalidError
	err := s.store.SetStock(t.Context(), stale)
	var partial *store.PartialError
	if !errors.As(err, &partial) || !errors.As(partial.Items[0].Err, &invalid) ||
		invalid.Field != "previous" {
		t.Errorf("SetStock(stale previous) error = %v, want the level refused on previous", err)
	}
	if err := s.store.SetStock(t.Context(), store.StockUpdate{Levels: u.Levels}); !errors.As(
		err, &invalid) || invalid.Field != "key" {
		t.Errorf("SetStock(no key) error = %v, want InvalidError on key", err)
	}
}

// refusedIndexes lists the indexes of a PartialError's items.
func refusedIndexes(err error) string {
	var partial *store.PartialError
	if !errors.As(err, &partial) {
		return "not a partial error"
	}
	var idx []string
	for _, it := range partial.Items {
		idx = append(idx, strconv.Itoa(it.Index))
	}
	return strings.Join(idx, ",")
}

func TestSetPricesSparesPromotions(t *testing.T) {
	s := newShop(t)
	report, err := s.store.SetPrices(t.Context(), []store.Price{
		{SKU: "MUG", PriceMinor: 1350, Currency: "EUR"},
		{SKU: "TEE", PriceMinor: 2600, Currency: "EUR"},
		{SKU: "NOPE", PriceMinor: 100, Currency: "EUR"},
		{SKU: "CAP", PriceMinor: 900, Currency: "USD"},
		{SKU: "CAP", PriceMinor: 800, Currency: "EUR"},
	})

	if got := refusedIndexes(err); got != "2,3" {
		t.Errorf("SetPrices() error = %v, want items 2 and 3 refused", err)
	}
	if report.Updated != 2 || len(report.Promoted) != 1 || report.Promoted[0] != "TEE" {
		t.Errorf("SetPrices() report = %+v, want 2 updated and TEE promoted", report)
	}
	mug, _ := s.model.ProductBySKU("MUG")
	tee, _ := s.model.ProductBySKU("TEE")
	if mug.PriceMinor != 1350 || tee.PriceMinor != 2400 || tee.SalePriceMinor != 1900 {
		t.Errorf("prices after: MUG %d, TEE %d/%d; want MUG 1350, TEE untouched",
			mug.PriceMinor, tee.PriceMinor, tee.SalePriceMinor)
	}
}

func TestThrottledAnswersAreWaitedOutThenMapped(t *testing.T) {
	s := newShop(t)
	o := s.order(t)

	queue(t, s, erpsandbox.Shot{Op: "graphql/order", Kind: erpsandbox.KindRateLimit,
		RetryAfterSeconds: 1})
	began := time.Now()
	if _, err := s.store.LoadOrder(t.Context(), id(o)); err != nil {
		t.Fatalf("LoadOrder() after one THROTTLED answer: error = %v", err)
	}
	if waited := time.Since(began); waited < 900*time.Millisecond {
		t.Errorf("LoadOrder() sent again after %s, want the second the bucket needs", waited)
	}

	queue(t, s, erpsandbox.Shot{Op: "graphql/order", Kind: erpsandbox.KindRateLimit,
		RetryAfterSeconds: 30})
	_, err := s.store.LoadOrder(t.Context(), id(o))
	var limited *syncerr.RateLimitedError
	if !errors.As(err, &limited) || limited.RetryAfter < 29*time.Second {
		t.Errorf("LoadOrder() throttled for 30s: error = %v, want RateLimitedError of ~30s", err)
	}

	queue(t, s, erpsandbox.Shot{Op: "graphql/order", Kind: erpsandbox.KindRateLimit,
		RetryAfterSeconds: 1, Count: 3})
	_, err = s.adapter(t, creds.AccessToken).LoadOrder(t.Context(), id(o))
	if !errors.As(err, &limited) || limited.RetryAfter > 2*time.Second {
		t.Errorf("LoadOrder() throttled three times: error = %v, want RateLimitedError of "+
			"~1s", err)
	}
}

func TestRequestsArePacedByTheCostBucket(t *testing.T) {
	s := newShop(t, shopifysandbox.WithCostBucket(500, 250))
	o := s.bulkOrder(t, 100)

	began := time.Now()
	for range 3 {
		if _, err := s.store.LoadOrder(t.Context(), id(o)); err != nil {
			t.Fatalf("LoadOrder() error = %v", err)
		}
	}
	if n := s.throttled.Load(); n != 0 || time.Since(began) < time.Second {
		t.Errorf("three costly loads took %s with %d THROTTLED answers; want them paced "+
			"to fit the bucket", time.Since(began), n)
	}
}

func TestServerErrorsAreUnavailable(t *testing.T) {
	s := newShop(t)
	o := s.order(t)
	queue(t, s, erpsandbox.Shot{Op: "graphql/*", Kind: erpsandbox.KindServerError, Count: 5})

	if _, err := s.store.LoadOrder(t.Context(), id(o)); !errors.Is(err,
		syncerr.ErrUnavailable) {
		t.Errorf("LoadOrder() on a 503: error = %v, want ErrUnavailable", err)
	}
}

func queue(t *testing.T, s *shop, shots ...erpsandbox.Shot) {
	t.Helper()
	if err := s.faults.Enqueue(shots...); err != nil {
		t.Fatal(err)
	}
}
