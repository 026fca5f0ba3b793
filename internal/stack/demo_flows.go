package stack

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/activities"
	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/customers"
	"github.com/erpsync/erpsync/internal/drift"
	"github.com/erpsync/erpsync/internal/synclog"
	"github.com/erpsync/erpsync/workflows"
)

// FlowCounts are the counts that the demo's run of the flows beyond orders
// adds to its summary.
type FlowCounts struct {
	CustomersMerged   int `json:"customers_merged"`
	CustomerConflicts int `json:"customer_conflicts"`
	PricesUpdated     int `json:"prices_updated"`
	PromotionsKept    int `json:"promotions_kept"`
	DraftsCreated     int `json:"drafts_created"`
	Shipments         int `json:"shipments"`
	Cancellations     int `json:"cancellations"`
	Refunds           int `json:"refunds"`
	ChangesParked     int `json:"changes_parked"`
	Recovered         int `json:"recovered"`
	DriftReports      int `json:"drift_reports"`

	FlowSeconds float64 `json:"flow_seconds"`
}

// flowWait bounds each wait of the flows for a sync to land.
const flowWait = 60 * time.Second

// flowOrders are the synced demo orders each flow works on.
type flowOrders struct {
	customer, shipped, cancelled, refunded, erpCancelled string
}

// RunFlows works every flow beyond orders through the running stack, after
// the demo's orders settled: a customer edited on both sides, a price
// change during a running promotion and a new product, a partial shipment
// and the rest, a cancellation in the store before and after shipping and
// one in the ERP, a refund, an order whose webhook was dropped and that the
// reconcile sweep recovers, and a drift report. Each step checks its
// outcome in the sandboxes and fails when it is not what it must be.
func (s *Stack) RunFlows(ctx context.Context, ids []string) (FlowCounts, error) {
	var c FlowCounts
	orders, err := s.pickFlowOrders(ctx, ids)
	if err != nil {
		return c, err
	}
	steps := []struct {
		name string
		run  func(context.Context, flowOrders, *FlowCounts) error
	}{
		{"customer edited on both sides", s.flowCustomer},
		{"prices during a promotion", s.flowCatalog},
		{"partial shipment", s.flowShipment},
		{"cancellations", s.flowCancellations},
		{"refund", s.flowRefund},
		{"dropped webhook", s.flowReconcile},
		{"drift report", s.flowDrift},
	}
	for _, step := range steps {
		if err := step.run(ctx, orders, &c); err != nil {
			return c, fmt.Errorf("demo flow %s: %w", step.name, err)
		}
	}
	return c, nil
}

// pickFlowOrders picks five synced orders of ids with two units or more.
func (s *Stack) pickFlowOrders(ctx context.Context, ids []string) (flowOrders, error) {
	statuses, err := s.syncStatuses(ctx, ids)
	if err != nil {
		return flowOrders{}, err
	}
	var picked []string
	for _, id := range ids {
		if statuses[id] != synclog.StatusSynced {
			continue
		}
		o, err := s.shopOrder(ctx, id)
		if err != nil {
			return flowOrders{}, err
		}
		if units(o) >= 2 {
			picked = append(picked, id)
		}
		if len(picked) == 5 {
			return flowOrders{picked[0], picked[1], picked[2], picked[3], picked[4]}, nil
		}
	}
	return flowOrders{}, fmt.Errorf("the flows need 5 synced orders of 2 units or more; "+
		"%d orders gave %d", len(ids), len(picked))
}

func units(o store.Order) int64 {
	n := int64(0)
	for _, l := range o.Lines {
		n += l.Quantity
	}
	return n
}

// flowCustomer links a customer, edits its phone in the ERP with new terms,
// then its phone in the store a second later, and checks that the later
// phone won on both sides, the terms reached the store, and the conflict
// was recorded.
func (s *Stack) flowCustomer(ctx context.Context, o flowOrders, c *FlowCounts) error {
	order, err := s.shopOrder(ctx, o.customer)
	if err != nil {
		return err
	}
	storeID, email := order.Customer.ID, order.Customer.Email
	key := activities.CustomerKey{Store: StoreName, CustomerID: storeID}
	var res activities.CustomerResult
	err = s.runWorkflow(ctx, workflows.CustomerWorkflowID(StoreName, storeID)+"/link-"+stamp(),
		workflows.CustomerSyncName, key, &res)
	if err != nil {
		return err
	}
	links := customers.NewLinks(s.Pool, s.ERP.Name)
	before, err := links.Conflicts(ctx, StoreName, storeID)
	if err != nil {
		return err
	}

	run := time.Now().UnixNano()
	erpPhone, storePhone := fmt.Sprintf("+1 555 %04d", run%10000),
		fmt.Sprintf("+1 556 %04d", run%10000)
	limit := 100000 + run%1000*100
	if err := s.editERPCustomer(email, erpPhone, limit); err != nil {
		return err
	}
	time.Sleep(1100 * time.Millisecond) // the store's times have whole seconds
	if err := s.editShopCustomerPhone(ctx, storeID, storePhone); err != nil {
		return err
	}

	err = waitFlow(ctx, "the customer's conflict", func() (bool, error) {
		cs, err := links.Conflicts(ctx, StoreName, storeID)
		return len(cs) > len(before), err
	})
	if err != nil {
		return err
	}
	var pulled activities.CustomerPullResult
	err = s.runWorkflow(ctx, "customers/"+StoreName+"/demo-"+stamp(), workflows.CustomerPullName,
		activities.CustomerPullInput{Store: StoreName}, &pulled)
	if err != nil {
		return err
	}
	if err := s.checkCustomer(ctx, storeID, email, storePhone); err != nil {
		return err
	}
	after, err := links.Conflicts(ctx, StoreName, storeID)
	c.CustomersMerged, c.CustomerConflicts = 1, len(after)-len(before)
	return err
}

// editERPCustomer changes the phone and the terms of the ERP customer with
// email, as an accountant would.
func (s *Stack) editERPCustomer(email, phone string, limit int64) error {
	ec, ok := findERPCustomer(s.Model, email)
	if !ok {
		return fmt.Errorf("the erp has no customer for the order's e-mail")
	}
	_, err := s.Model.UpdateCustomer(ec.ID, func(ec *erpsandbox.Customer) error {
		ec.Phone, ec.CreditLimitMinor, ec.PaymentTerms = phone, &limit, "NET30"
		return nil
	})
	if err != nil {
		return fmt.Errorf("edit the erp customer: %w", err)
	}
	return nil
}

// checkCustomer checks both sides of the edited customer. Every ERP
// adapter carries payment terms; a credit limit only where the ERP keeps
// one with the customer, so it is not checked.
func (s *Stack) checkCustomer(ctx context.Context, storeID, email, phone string) error {
	shop, err := s.openStore()
	if err != nil {
		return err
	}
	sc, err := shop.LoadCustomer(ctx, storeID)
	if err != nil {
		return err
	}
	ec, ok := findERPCustomer(s.Model, email)
	switch {
	case !ok || ec.Phone != phone:
		return fmt.Errorf("the erp customer's phone is not the store's later one")
	case sc.Phone != phone:
		return fmt.Errorf("the store customer's phone changed")
	case sc.Terms.PaymentTerms != "NET30":
		return fmt.Errorf("the erp's payment terms did not reach the store customer")
	}
	return nil
}

// flowCatalog puts one SKU on sale in the store, raises the ERP's price of
// it and of another, adds a product to the ERP, runs catalog sync, and
// checks that the promotion kept its prices, the other SKU took the new
// price and the new product arrived as a draft.
func (s *Stack) flowCatalog(ctx context.Context, _ flowOrders, c *FlowCounts) error {
	items := catalog()
	onSale, plain := items[0].sku, items[1].sku
	if err := s.putOnSale(ctx, onSale, items[0].priceMinor-200); err != nil {
		return err
	}
	var plainPrice int64
	for _, sku := range []string{onSale, plain} {
		p, _ := s.Model.ProductBySKU(sku)
		p, err := s.Model.UpdateProduct(p.ID, func(p *erpsandbox.Product) error {
			p.PriceMinor += 300
			return nil
		})
		if err != nil {
			return err
		}
		plainPrice = p.PriceMinor
	}
	newSKU := "NEW-" + stamp()
	_, err := s.Model.CreateProduct(erpsandbox.Product{SKU: newSKU, Name: "Linen apron " + newSKU,
		PriceMinor: 3400, Currency: Currency})
	if err != nil {
		return err
	}

	var res activities.CatalogCounts
	err = s.runWorkflow(ctx, "catalog/"+StoreName+"/demo-"+stamp(), workflows.CatalogSyncName,
		activities.CatalogPassInput{Store: StoreName}, &res)
	if err != nil {
		return err
	}
	c.PricesUpdated, c.PromotionsKept, c.DraftsCreated = res.Priced, res.Promoted, res.Drafts
	return s.checkCatalog(ctx, onSale, plain, newSKU, items[0].priceMinor, plainPrice)
}

// flowShipment ships part of an order in the ERP, then the rest, runs
// fulfillment sync twice, and checks that the store holds two shipments.
func (s *Stack) flowShipment(ctx context.Context, o flowOrders, c *FlowCounts) error {
	so, err := s.erpOrderOf(ctx, o.shipped)
	if err != nil {
		return err
	}
	first, rest := splitShipment(s.Model, so)
	for i, lines := range [][]erpsandbox.ShipmentLine{first, rest} {
		_, err := s.Model.ShipSalesOrder(erpsandbox.Shipment{OrderID: so.ID, Carrier: "UPS",
			TrackingNumber: fmt.Sprintf("1Z%06d%d", so.ID, i), Lines: lines})
		if err != nil {
			return fmt.Errorf("ship sales order %d: %w", so.ID, err)
		}
	}

	for range 2 {
		var res activities.FulfillmentCounts
		err := s.runWorkflow(ctx, "fulfillment/"+StoreName+"/demo-"+stamp(),
			workflows.FulfillmentSyncName, activities.FulfillmentPassInput{Store: StoreName}, &res)
		if err != nil {
			return err
		}
		c.Shipments += res.Shipments
	}
	n, err := s.shopFulfillments(ctx, o.shipped)
	if err == nil && n != 2 {
		err = fmt.Errorf("order %s has %d shipments in the store, want 2", o.shipped, n)
	}
	return err
}

// splitShipment ships one unit of the order's first product line, then the
// rest of its product lines.
func splitShipment(m *erpsandbox.Model, so erpsandbox.SalesOrder) (first,
	rest []erpsandbox.ShipmentLine) {
	for _, l := range so.Lines {
		p, _ := m.Product(l.ProductID)
		if serviceSKUs[p.SKU] {
			continue
		}
		q := l.Quantity
		if first == nil {
			first = []erpsandbox.ShipmentLine{{ProductID: l.ProductID, Quantity: 1}}
			q--
		}
		if q > 0 {
			rest = append(rest, erpsandbox.ShipmentLine{ProductID: l.ProductID, Quantity: q})
		}
	}
	return first, rest
}

// flowCancellations cancels an order in the store before it ships and the
// shipped one after, cancels a third in the ERP, and checks that the first
// sales order is cancelled, the second parks, and the third store order is
// cancelled.
func (s *Stack) flowCancellations(ctx context.Context, o flowOrders, c *FlowCounts) error {
	for _, id := range []string{o.cancelled, o.shipped} {
		if err := s.cancelInShop(ctx, id); err != nil {
			return err
		}
	}
	so, err := s.erpOrderOf(ctx, o.cancelled)
	if err != nil {
		return err
	}
	err = waitFlow(ctx, "the sales order's cancellation", func() (bool, error) {
		got, _ := s.Model.SalesOrder(so.ID)
		return got.State == erpsandbox.OrderCancelled, nil
	})
	if err != nil {
		return err
	}
	c.Cancellations++
	if err := s.waitParked(ctx, o.shipped, "status"); err != nil {
		return err
	}
	c.ChangesParked++

	third, err := s.erpOrderOf(ctx, o.erpCancelled)
	if err != nil {
		return err
	}
	if _, err := s.Model.CancelSalesOrder(third.ID, "out of stock"); err != nil {
		return err
	}
	var res activities.FulfillmentCounts
	err = s.runWorkflow(ctx, "fulfillment/"+StoreName+"/demo-"+stamp(),
		workflows.FulfillmentSyncName, activities.FulfillmentPassInput{Store: StoreName}, &res)
	if err != nil {
		return err
	}
	c.Cancellations += res.Cancellations
	got, err := s.shopOrder(ctx, o.erpCancelled)
	if err != nil || got.Status == store.OrderCancelled {
		return err
	}
	if listed, err := s.erpListsCancellation(ctx, third); err != nil || listed {
		return errors.Join(err, fmt.Errorf("order %s cancelled in the erp is %q in the store",
			o.erpCancelled, got.Status))
	}
	return nil // the adapter cannot see the ERP's cancellations; its docs say so
}

// erpListsCancellation reports whether the worker's ERP adapter lists the
// cancellation of so.
func (s *Stack) erpListsCancellation(ctx context.Context, so erpsandbox.SalesOrder) (bool,
	error) {
	e, err := s.openERP()
	if err != nil {
		return false, err
	}
	q := erp.Changes{Since: so.Created.Add(-time.Minute)}
	for {
		page, err := e.ChangedCancellations(ctx, q)
		if err != nil {
			return false, err
		}
		for _, x := range page.Items {
			if strings.EqualFold(x.ExternalRef, so.ExternalRef) {
				return true, nil
			}
		}
		if q.Cursor = page.Next; q.Cursor == "" {
			return false, nil
		}
	}
}

// waitParked waits until the changes of an order need attention on field.
func (s *Stack) waitParked(ctx context.Context, orderID, field string) error {
	var st workflows.OrderChangesState
	err := waitFlow(ctx, "order "+orderID+"'s change to park", func() (bool, error) {
		st = s.changesState(ctx, orderID)
		return st.Status == synclog.StatusNeedsAttention && st.Field == field, nil
	})
	if err != nil {
		return fmt.Errorf("%w; it is %s on %q: %s", err, st.Status, st.Field, st.Reason)
	}
	return nil
}

// flowRefund refunds part of an order in the store and checks that the
// ERP holds a credit memo for it, or, for an ERP whose adapter cannot make
// one, that the change parks naming the refund.
func (s *Stack) flowRefund(ctx context.Context, o flowOrders, c *FlowCounts) error {
	order, err := s.shopOrder(ctx, o.refunded)
	if err != nil {
		return err
	}
	if err := s.refundInShop(ctx, o.refunded, order.Lines[0]); err != nil {
		return err
	}

	before := len(s.Model.CreditMemos())
	err = waitFlow(ctx, "the refund's credit memo or park", func() (bool, error) {
		if len(s.Model.CreditMemos()) > before {
			c.Refunds++
			return true, nil
		}
		parked := s.changesState(ctx, o.refunded).Status == synclog.StatusNeedsAttention
		if parked {
			c.ChangesParked++
		}
		return parked, nil
	})
	return err
}

// changesState returns the state of the sync of an order's changes; the
// zero state while it has not started.
func (s *Stack) changesState(ctx context.Context, orderID string) workflows.OrderChangesState {
	var st workflows.OrderChangesState
	id := workflows.OrderChangesWorkflowID(StoreName, orderID)
	if v, err := s.Client.QueryWorkflow(ctx, id, "", workflows.QueryState); err == nil {
		_ = v.Get(&st) // a state that cannot be read counts as not parked yet
	}
	return st
}

// flowReconcile places an order whose webhook is dropped, runs the
// reconcile sweep, and checks that the order synced.
func (s *Stack) flowReconcile(ctx context.Context, _ flowOrders, c *FlowCounts) error {
	id, err := s.placeQuietly(ctx)
	if err != nil {
		return err
	}
	var res activities.SweepResult
	err = s.runWorkflow(ctx, "reconcile/"+StoreName+"/demo-"+stamp(), workflows.ReconcileName,
		activities.SweepInput{Store: StoreName, Days: 1}, &res)
	if err != nil {
		return err
	}
	if err := s.waitSettled(ctx, []string{id}, flowWait); err != nil {
		return err
	}
	statuses, err := s.syncStatuses(ctx, []string{id})
	if err == nil && statuses[id] != synclog.StatusSynced {
		err = fmt.Errorf("order %s with a dropped webhook is %q", id, statuses[id])
	}
	c.Recovered = res.Started
	return err
}

// flowDrift runs the drift report and checks that it was stored.
func (s *Stack) flowDrift(ctx context.Context, _ flowOrders, c *FlowCounts) error {
	var r drift.Report
	err := s.runWorkflow(ctx, "drift/"+StoreName+"/demo-"+stamp(), workflows.DriftReportName,
		activities.DriftInput{Store: StoreName, Days: 1, Threshold: 0}, &r)
	if err != nil {
		return err
	}
	stored, err := drift.NewReports(s.Pool).Latest(ctx, StoreName)
	if err != nil {
		return err
	}
	if len(stored) != 1 || len(r.Orders) == 0 {
		return fmt.Errorf("drift report not stored or without orders")
	}
	c.DriftReports = len(stored)
	return nil
}

// erpOrderOf returns the ERP sales order of a synced store order.
func (s *Stack) erpOrderOf(ctx context.Context, orderID string) (erpsandbox.SalesOrder, error) {
	o, err := s.shopOrder(ctx, orderID)
	if err != nil {
		return erpsandbox.SalesOrder{}, err
	}
	ref := activities.ExternalRef(StoreName, o.Number)
	found := s.Model.FindSalesOrders(func(so erpsandbox.SalesOrder) bool {
		return so.ExternalRef == ref
	})
	if len(found) != 1 {
		return erpsandbox.SalesOrder{}, fmt.Errorf("%d sales orders for %s", len(found), ref)
	}
	return found[0], nil
}

func findERPCustomer(m *erpsandbox.Model, email string) (erpsandbox.Customer, bool) {
	found := m.FindCustomers(func(c erpsandbox.Customer) bool {
		return strings.EqualFold(c.Email, email)
	})
	if len(found) == 0 {
		return erpsandbox.Customer{}, false
	}
	return found[0], true
}

// waitFlow polls done until it reports true, fails, or flowWait passes.
func waitFlow(ctx context.Context, what string, done func() (bool, error)) error {
	deadline := time.Now().Add(flowWait)
	for {
		ok, err := done()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not happen within %s", what, flowWait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// stamp names one run of a workflow the demo starts by hand.
func stamp() string { return strconv.FormatInt(time.Now().UnixNano(), 36) }

// serviceSKUs are the ERP's service items the stack seeds.
var serviceSKUs = map[string]bool{"SHIPPING": true, "DISCOUNT": true, "TAX": true,
	"REFUND": true}
