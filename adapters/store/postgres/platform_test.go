package postgres

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store"
)

// catalog seeds a store with a product on promotion and one not, stocked.
func catalog(t *testing.T) *Store {
	t.Helper()
	s, _ := newStore(t)
	err := s.UpsertProducts(t.Context(), []Product{
		{SKU: "MUG", Name: "Mug", PriceMinor: 1250, Currency: "EUR"},
		{SKU: "TEE", Name: "Tee", PriceMinor: 2400, SalePriceMinor: 1900, Currency: "EUR"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SeedStock(t.Context(), []StockLevel{{"MUG", "WH-EAST", 4}}); err != nil {
		t.Fatal(err)
	}
	return s
}

func ptr(n int64) *int64 { return &n }

func TestSetStockComparesAndReportsRefusals(t *testing.T) {
	s := catalog(t)
	u := store.StockUpdate{Key: "k1", Levels: []store.StockLevel{
		{SKU: "MUG", Location: "WH-EAST", Available: 9, Previous: ptr(4)},
		{SKU: "MUG", Location: "WH-WEST", Available: 3, Previous: ptr(0)},
		{SKU: "NOPE", Location: "WH-EAST", Available: 1},
		{SKU: "TEE", Location: "WH-EAST", Available: 5, Previous: ptr(8)},
		{SKU: "TEE", Location: "WH-WEST", Available: -1},
	}}

	err := s.SetStock(t.Context(), u)
	var partial *store.PartialError
	if !errors.As(err, &partial) || len(partial.Items) != 3 || partial.Items[0].Index != 2 ||
		partial.Items[1].Index != 3 || partial.Items[2].Index != 4 {
		t.Fatalf("SetStock error = %v, want items 2, 3 and 4 refused", err)
	}
	checkLevels(t, s, map[string]int64{"MUG@WH-EAST": 9, "MUG@WH-WEST": 3})

	// The same update again, as a retry after a lost answer, changes
	// nothing and refuses only what it refused before.
	err = s.SetStock(t.Context(), u)
	if !errors.As(err, &partial) || len(partial.Items) != 3 {
		t.Errorf("retried SetStock error = %v, want the same three refusals", err)
	}
	checkLevels(t, s, map[string]int64{"MUG@WH-EAST": 9, "MUG@WH-WEST": 3})
}

// checkLevels compares the stored levels, by "sku@location", with want.
func checkLevels(t *testing.T, s *Store, want map[string]int64) {
	t.Helper()
	rows, err := s.pool.Query(t.Context(), `
SELECT p.sku || '@' || l.location, l.quantity
FROM storefront.stock_levels l JOIN storefront.products p ON p.id = l.product_id`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for rows.Next() {
		var k string
		var q int64
		if err := rows.Scan(&k, &q); err != nil {
			t.Fatal(err)
		}
		got[k] = q
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("stock levels %v, want %v", got, want)
	}
}

func TestSetPricesLeavesPromotionsAlone(t *testing.T) {
	s := catalog(t)
	report, err := s.SetPrices(t.Context(), []store.Price{
		{SKU: "MUG", PriceMinor: 1350, Currency: "EUR"},
		{SKU: "TEE", PriceMinor: 2600, Currency: "EUR"},
		{SKU: "NOPE", PriceMinor: 100, Currency: "EUR"},
		{SKU: "MUG", PriceMinor: 1400, Currency: "USD"},
	})

	var partial *store.PartialError
	if !errors.As(err, &partial) || len(partial.Items) != 2 || partial.Items[0].Index != 2 ||
		partial.Items[1].Index != 3 {
		t.Fatalf("SetPrices error = %v, want items 2 and 3 refused", err)
	}
	if report.Updated != 1 || len(report.Promoted) != 1 || report.Promoted[0] != "TEE" {
		t.Errorf("report %+v, want MUG updated and TEE left on promotion", report)
	}
	var mug, tee, teeSale int64
	err = s.pool.QueryRow(t.Context(), `
SELECT (SELECT price_minor FROM storefront.products WHERE sku = 'MUG'),
       price_minor, sale_price_minor FROM storefront.products WHERE sku = 'TEE'`).Scan(
		&mug, &tee, &teeSale)
	if err != nil || mug != 1350 || tee != 2400 || teeSale != 1900 {
		t.Errorf("prices MUG %d, TEE %d on sale at %d (%v), want 1350, 2400 at 1900",
			mug, tee, teeSale, err)
	}
}

func TestChangedOrdersPagesWithoutGapsOrRepeats(t *testing.T) {
	s, pool := newStore(t)
	var want []string
	for i := range 7 {
		id, err := s.CreateOrder(t.Context(), sampleOrder(fmt.Sprintf("#%d", 2000+i),
			"ada@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	// The last three share one later modification time, which paging must
	// not lose.
	touched := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	_, err := pool.Exec(t.Context(), `UPDATE storefront.orders SET updated_at = $1
WHERE id = ANY($2::bigint[])`, touched, want[4:])
	if err != nil {
		t.Fatal(err)
	}

	var got []string
	q := store.Changes{Since: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Limit: 2}
	for range 10 {
		page, err := s.ChangedOrders(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Items {
			got = append(got, o.ID)
		}
		if q.Cursor = page.Next; q.Cursor == "" {
			break
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("listed %v, want %v", got, want)
	}

	late, err := s.ChangedOrders(t.Context(), store.Changes{Since: touched})
	if err != nil || len(late.Items) != 3 || late.Next != "" {
		t.Errorf("changed since %s = %+v, %v; want the three touched orders", touched, late,
			err)
	}
	_, err = s.ChangedOrders(t.Context(), store.Changes{Cursor: "yesterday"})
	checkInvalid(t, err, "cursor")
}

func TestVerifyWebhook(t *testing.T) {
	s := New(nil, WithWebhookSecret("s3cret"))
	body := []byte(`{"id":1042}`)
	header := func(sig, delivery string) http.Header {
		h := http.Header{}
		h.Set(HeaderSignature, sig)
		h.Set(HeaderDelivery, delivery)
		return h
	}

	wh, err := s.VerifyWebhook(store.WebhookDelivery{Header: header(Sign("s3cret", body), "d-1"),
		Body: body})
	if err != nil || wh.OrderID != "1042" || wh.ID != "d-1" {
		t.Errorf("good delivery = %+v, %v; want order 1042, id d-1", wh, err)
	}
	_, err = s.VerifyWebhook(store.WebhookDelivery{Header: header(Sign("other", body), ""),
		Body: body})
	if !errors.Is(err, store.ErrBadSignature) {
		t.Errorf("forged delivery error = %v, want ErrBadSignature", err)
	}
	bad := []byte(`{"id":`)
	_, err = s.VerifyWebhook(store.WebhookDelivery{Header: header(Sign("s3cret", bad), ""),
		Body: bad})
	if !errors.Is(err, store.ErrMalformed) {
		t.Errorf("malformed delivery error = %v, want ErrMalformed", err)
	}
}

func TestVerifyWebhookTopics(t *testing.T) {
	s := New(nil, WithWebhookSecret("s3cret"))
	body := []byte(`{"id":"77"}`)
	tests := []struct {
		topic string
		want  store.Webhook
	}{
		{"", store.Webhook{Topic: "orders/create", OrderID: "77"}},
		{"orders/create", store.Webhook{Topic: "orders/create", OrderID: "77"}},
		{"orders/updated", store.Webhook{Topic: "orders/updated", OrderID: "77",
			OrderChanged: true}},
		{"orders/cancelled", store.Webhook{Topic: "orders/cancelled", OrderID: "77",
			OrderChanged: true}},
		{"orders/edited", store.Webhook{Topic: "orders/edited", OrderID: "77",
			OrderChanged: true}},
		{"refunds/create", store.Webhook{Topic: "refunds/create", OrderID: "77",
			OrderChanged: true}},
		{"customers/create", store.Webhook{Topic: "customers/create", CustomerID: "77"}},
		{"customers/update", store.Webhook{Topic: "customers/update", CustomerID: "77"}},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			h := http.Header{}
			h.Set(HeaderSignature, Sign("s3cret", body))
			h.Set(HeaderDelivery, "d-"+tt.topic)
			h.Set(HeaderTopic, tt.topic)
			got, err := s.VerifyWebhook(store.WebhookDelivery{Header: h, Body: body})
			tt.want.ID = "d-" + tt.topic
			if err != nil || got != tt.want {
				t.Errorf("VerifyWebhook = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}

	h := http.Header{}
	h.Set(HeaderSignature, Sign("s3cret", body))
	h.Set(HeaderTopic, "products/delete")
	_, err := s.VerifyWebhook(store.WebhookDelivery{Header: h, Body: body})
	if !errors.Is(err, store.ErrMalformed) || !strings.Contains(err.Error(), "products/delete") {
		t.Errorf("unknown topic error = %v, want ErrMalformed naming it", err)
	}
	h.Set(HeaderSignature, Sign("other", body))
	if _, err := s.VerifyWebhook(store.WebhookDelivery{Header: h, Body: body}); !errors.Is(err,
		store.ErrBadSignature) {
		t.Errorf("forged delivery of an unknown topic = %v, want ErrBadSignature first", err)
	}
}
