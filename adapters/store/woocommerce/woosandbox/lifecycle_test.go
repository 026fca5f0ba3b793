package woosandbox

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

func TestRefundsShowNegativeLines(t *testing.T) {
	f := newFixture(t, "")
	line := f.order.Lines[0]
	r, err := f.model.RefundOrder(f.order.ID, storesandbox.Refund{AmountMinor: 1250,
		Reason: "broken", Lines: []storesandbox.RefundLine{{LineID: line.ID, Quantity: 1,
			AmountMinor: 1250}}})
	if err != nil {
		t.Fatal(err)
	}
	path := "orders/" + strconv.FormatInt(f.order.ID, 10)

	order := f.get(t, path).body
	listed, _ := order["refunds"].([]any)
	if len(listed) != 1 || listed[0].(map[string]any)["total"] != "-12.50" {
		t.Errorf("order refunds %v, want one of -12.50", order["refunds"])
	}
	a := f.get(t, path+"/refunds")
	if a.status != 200 || len(a.list) != 1 || a.header.Get("X-WP-Total") != "1" {
		t.Fatalf("refunds answered %d %v", a.status, a.list)
	}
	got := a.list[0]
	items, _ := got["line_items"].([]any)
	if got["id"] != float64(r.ID) || got["amount"] != "12.50" || got["reason"] != "broken" ||
		len(items) != 1 {
		t.Fatalf("refund %v, want 12.50 for broken with one line", got)
	}
	item := items[0].(map[string]any)
	if item["quantity"] != float64(-1) || item["total"] != "-12.50" || item["sku"] != "MUG" {
		t.Errorf("refund line %v, want MUG, quantity -1, total -12.50", item)
	}
	f.get(t, "orders/999/refunds").wantError(t, 404, "woocommerce_rest_order_invalid_id",
		"Invalid order ID.")
}

func TestOrderStatusAndNotes(t *testing.T) {
	f := newFixture(t, "")
	path := "orders/" + strconv.FormatInt(f.order.ID, 10)

	f.send(t, "POST", path+"/notes", `{"customer_note":true}`).wantError(t, 400,
		"rest_missing_callback_param", "Missing parameter(s): note")
	for _, n := range []string{`{"note":"first"}`, `{"note":"to you","customer_note":true}`} {
		if a := f.send(t, "POST", path+"/notes", n); a.status != 201 {
			t.Fatalf("POST note answered %d %v", a.status, a.body)
		}
	}
	internal := f.get(t, path+"/notes?type=internal").list
	all := f.get(t, path+"/notes").list
	if len(internal) != 1 || internal[0]["note"] != "first" || len(all) != 2 ||
		all[0]["note"] != "to you" {
		t.Errorf("internal notes %v, all %v; want first, and both newest first", internal, all)
	}

	if a := f.send(t, "PUT", path, `{"status":"on-hold"}`); a.body["status"] != "on-hold" {
		t.Errorf("status after on-hold %v", a.body["status"])
	}
	if a := f.send(t, "PUT", path, `{"status":"cancelled"}`); a.body["status"] != "cancelled" {
		t.Errorf("status after cancelling %v", a.body["status"])
	}
	if o, _ := f.model.Order(f.order.ID); o.Status != storesandbox.StatusCancelled {
		t.Errorf("model status %q, want cancelled", o.Status)
	}
	f.send(t, "PUT", path, `{"status":"processing"}`).wantError(t, 400, "rest_invalid_param",
		"Invalid parameter(s): status")
}

func TestShipmentsMetaIsMirroredAsFulfillments(t *testing.T) {
	f := newFixture(t, "")
	path := "orders/" + strconv.FormatInt(f.order.ID, 10)
	meta := func(list string) string {
		return fmt.Sprintf(`{"meta_data":[{"key":%q,"value":%q}]}`, ShipmentsMetaKey, list)
	}

	f.send(t, "PUT", path, meta(`[{"id":"S1","lines":[{"sku":"MUG","quantity":2}]}]`)).
		wantError(t, 400, "rest_invalid_param", "Invalid parameter(s): meta_data")
	a := f.send(t, "PUT", path, meta(`[{"id":"S1","carrier":"DHL","lines":`+
		`[{"sku":"MUG","quantity":1}]}]`))
	if a.status != 200 {
		t.Fatalf("PUT shipments answered %d %v", a.status, a.body)
	}
	o, _ := f.model.Order(f.order.ID)
	if len(o.Fulfillments) != 1 || o.Fulfillments[0].Ref != "S1" ||
		o.Fulfillments[0].Carrier != "DHL" {
		t.Errorf("fulfillments %+v, want S1 by DHL", o.Fulfillments)
	}
	f.send(t, "PUT", path, meta("not json")).wantError(t, 400, "rest_invalid_param",
		"Invalid parameter(s): meta_data")
}

func TestBatchCreatesDraftsAndRefusesADuplicateSKU(t *testing.T) {
	f := newFixture(t, "")
	a := f.send(t, "POST", "products/batch", `{"create":[`+
		`{"name":"Lamp","sku":"LAMP","regular_price":"45.00","status":"draft"},`+
		`{"name":"Mug","sku":"MUG","regular_price":"1.00"},`+
		`{"name":"Vase","sku":"VASE","sale_price":"5.00",`+
		`"date_on_sale_from":"2999-01-01T00:00:00"}]}`)
	created, _ := a.body["create"].([]any)
	if a.status != 200 || len(created) != 3 {
		t.Fatalf("batch answered %d %v, want three answers", a.status, a.body)
	}
	lamp, dup, vase := created[0].(map[string]any), created[1].(map[string]any),
		created[2].(map[string]any)
	if lamp["status"] != "draft" || lamp["regular_price"] != "45.00" || lamp["sku"] != "LAMP" {
		t.Errorf("created %v, want a draft LAMP at 45.00", lamp)
	}
	e, _ := dup["error"].(map[string]any)
	if dup["id"] != float64(0) || e["code"] != "product_invalid_sku" {
		t.Errorf("duplicate answered %v, want id 0 and product_invalid_sku", dup)
	}
	if vase["on_sale"] != false || vase["price"] != "0.00" ||
		vase["date_on_sale_from_gmt"] != "2999-01-01T00:00:00" || vase["status"] != "publish" {
		t.Errorf("VASE %v, want a published product with a sale not started", vase)
	}
	if p, ok := f.model.ProductBySKU("LAMP"); !ok || !p.Draft || p.PriceMinor != 4500 {
		t.Errorf("model LAMP %+v, %v; want a draft at 45.00", p, ok)
	}
}

func TestCustomersByIDAndEmail(t *testing.T) {
	f := newFixture(t, "")
	a, _ := f.model.AccountByEmail("ana@example.test")
	path := "customers/" + strconv.FormatInt(a.ID, 10)

	list := f.get(t, "customers?email=ANA@example.test").list
	if len(list) != 1 || list[0]["id"] != float64(a.ID) {
		t.Errorf("customers by email %v, want %d", list, a.ID)
	}
	f.get(t, "customers?email=nope").wantError(t, 400, "rest_invalid_param",
		"Invalid parameter(s): email")
	f.get(t, "customers/999").wantError(t, 404, "woocommerce_rest_invalid_id",
		"Invalid resource ID.")
	f.send(t, "PUT", path, `{"username":"x"}`).wantError(t, 400,
		"woocommerce_rest_customer_invalid_argument", "Username isn't editable.")

	got := f.send(t, "PUT", path, `{"first_name":"Ana","billing":{"city":"Porto"},`+
		`"meta_data":[{"key":"erpsync_price_group","value":"VIP"}]}`).body
	billing, _ := got["billing"].(map[string]any)
	meta, _ := got["meta_data"].([]any)
	if got["first_name"] != "Ana" || billing["city"] != "Porto" || len(meta) != 1 {
		t.Fatalf("updated customer %v", got)
	}
	id := meta[0].(map[string]any)["id"]
	got = f.send(t, "PUT", path, fmt.Sprintf(`{"meta_data":[{"id":%v,"value":null}]}`, id)).body
	if meta, _ := got["meta_data"].([]any); len(meta) != 0 {
		t.Errorf("meta after deleting by id %v, want none", got["meta_data"])
	}
}
