package shopifysandbox

import (
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// TestLifecycleMutationsRefuseAsShopifyDoes sends each new mutation
// something it must refuse with a user error, and checks that the model
// is left as it was.
func TestLifecycleMutationsRefuseAsShopifyDoes(t *testing.T) {
	srv, model := serve(t)
	o := model.ChangedOrders(time.Time{}, time.Time{}, 0, 1)[0]
	fo := gid(typeFulfillmentOrder, fulfillmentOrderIDBase+o.ID)
	line := gid(typeFulfillmentOrderLineItem, foLineIDBase+o.Lines[0].ID)
	ship := `mutation($f: FulfillmentInput!) {
	  fulfillmentCreate(fulfillment: $f) { fulfillment { id } userErrors { field message } }
	}`
	draft := `mutation($p: ProductSetInput!) {
	  productSet(input: $p) { product { id } userErrors { code field message } }
	}`
	variant := func(sku string) []any {
		return []any{map[string]any{"sku": sku, "price": "1.00", "optionValues": []any{
			map[string]any{"optionName": "Title", "name": "Default Title"}}}}
	}
	options := []any{map[string]any{"name": "Title", "values": []any{
		map[string]any{"name": "Default Title"}}}}
	tests := []struct {
		name, query string
		vars        map[string]any
		want        string
	}{
		{"more units than left", ship, map[string]any{"f": map[string]any{
			"lineItemsByFulfillmentOrder": []any{map[string]any{"fulfillmentOrderId": fo,
				"fulfillmentOrderLineItems": []any{map[string]any{"id": line,
					"quantity": 3}}}}}}, "Invalid fulfillment order line item quantity"},
		{"unknown fulfillment order", ship, map[string]any{"f": map[string]any{
			"lineItemsByFulfillmentOrder": []any{map[string]any{
				"fulfillmentOrderId": gid(typeFulfillmentOrder, 1)}}}},
			`"field":["fulfillment","lineItemsByFulfillmentOrder","0","fulfillmentOrderId"]`},
		{"sku in use", draft, map[string]any{"p": map[string]any{"title": "Again",
			"productOptions": options, "variants": variant("CHECK-1")}}, "INVALID_VARIANT"},
		{"variants without options", draft, map[string]any{"p": map[string]any{
			"title": "Bare", "variants": variant("CHECK-9")}}, "INVALID_INPUT"},
		{"taken e-mail", `mutation($i: CustomerInput!) {
		  customerUpdate(input: $i) { customer { id } userErrors { field message } }
		}`, map[string]any{"i": map[string]any{"id": gid(typeCustomer, o.Customer.ID),
			"email": "taken@example.test"}}, "Email has already been taken"},
		{"order metafield deletion", `mutation($m: [MetafieldIdentifierInput!]!) {
		  metafieldsDelete(metafields: $m) { deletedMetafields { key } userErrors { message } }
		}`, map[string]any{"m": []any{map[string]any{"ownerId": gid(typeOrder, o.ID),
			"namespace": "erp", "key": "sales_order_id"}}}, "metafields of customers only"},
	}
	if _, err := model.CreateAccount(storesandbox.Account{Customer: storesandbox.Customer{
		Email: "taken@example.test"}}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		_, a, raw := post(t, srv, "2026-10", tt.query, tt.vars)
		if len(a.Errors) > 0 || !strings.Contains(raw, tt.want) {
			t.Errorf("%s: %s, want a user error with %s", tt.name, raw, tt.want)
		}
	}
	after, _ := model.Order(o.ID)
	if len(after.Fulfillments) != 0 || len(model.Products()) != 2 {
		t.Errorf("after refusals: %d fulfillments, %d products; want 0 and 2",
			len(after.Fulfillments), len(model.Products()))
	}
}

// TestOrderCancelRefundsOnlyWhenAsked cancels one order with a refund and
// another without, and then the first again.
func TestOrderCancelRefundsOnlyWhenAsked(t *testing.T) {
	srv, model := serve(t)
	orders := model.ChangedOrders(time.Time{}, time.Time{}, 0, 2)
	cancel := `mutation($id: ID!, $refund: Boolean) {
	  orderCancel(orderId: $id, reason: CUSTOMER, refund: $refund, restock: false) {
	    job { done } orderCancelUserErrors { code message }
	  }
	}`
	for i, refund := range []bool{true, false} {
		_, _, raw := post(t, srv, "2026-10", cancel, map[string]any{
			"id": gid(typeOrder, orders[i].ID), "refund": refund})
		if !strings.Contains(raw, `"job":{"done":true}`) {
			t.Errorf("cancel with refund %v: %s, want a done job", refund, raw)
		}
	}
	_, _, raw := post(t, srv, "2026-10", cancel, map[string]any{"id": gid(typeOrder,
		orders[0].ID)})
	if !strings.Contains(raw, `"code":"INVALID"`) {
		t.Errorf("second cancel: %s, want INVALID", raw)
	}

	refunded, _ := model.Order(orders[0].ID)
	kept, _ := model.Order(orders[1].ID)
	if refunded.Status != storesandbox.StatusCancelled || len(refunded.Refunds) != 1 ||
		refunded.Refunds[0].AmountMinor != refunded.TotalMinor ||
		kept.Status != storesandbox.StatusCancelled || len(kept.Refunds) != 0 {
		t.Errorf("orders %+v and %+v; want both cancelled, only the first refunded in full",
			refunded.Refunds, kept.Refunds)
	}
	_, _, raw = post(t, srv, "2026-10", `query($id: ID!) {
	  order(id: $id) { cancelReason totalRefundedSet { shopMoney { amount } } }
	}`, map[string]any{"id": gid(typeOrder, orders[0].ID)})
	total := decimal(refunded.TotalMinor, "EUR")
	if !strings.Contains(raw, `"cancelReason":"CUSTOMER"`) ||
		!strings.Contains(raw, `"amount":"`+total+`"`) {
		t.Errorf("cancelled order read %s, want CUSTOMER and %s refunded", raw, total)
	}
}
