package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/activities"
	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/drift"
	"github.com/erpsync/erpsync/internal/synclog"
	"github.com/erpsync/erpsync/workflows"
)

// checkFlows checks the counts of one demo run of the flows. Drafts count
// the ERP's new products of the earlier runs too, which a store of another
// platform sees for the first time. The SAP
// adapter books no credit memos, so there the refund parks instead; the
// Business Central adapter cannot see the ERP's cancellations.
func checkFlows(t *testing.T, erpName string, sum Summary) {
	t.Helper()
	c := sum.FlowCounts
	refunds, parked, cancellations := 1, 1, 2
	switch erpName {
	case config.ERPSAP:
		refunds, parked = 0, 2
	case config.ERPBusinessCentral:
		cancellations = 1 // Business Central deletes; its adapter cannot list that
	}
	if sum.Duplicates != 0 || sum.Lost != 0 ||
		c.CustomersMerged != 1 || c.CustomerConflicts < 1 ||
		c.PricesUpdated < 1 || c.PromotionsKept < 1 || c.DraftsCreated < 1 ||
		c.Shipments != 2 || c.Cancellations != cancellations || c.Refunds != refunds ||
		c.ChangesParked != parked || c.Recovered != 1 || c.DriftReports != 1 {
		t.Errorf("flows on %s: %+v", erpName, sum)
	}
}

func TestFlowsOnEveryERP(t *testing.T) {
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
			sum, _, err := st.Demo(t.Context(), DemoOptions{Orders: 12, Concurrency: 4,
				Timeout: 3 * time.Minute, Seed: 21, Flows: true})
			if err != nil {
				t.Fatal(err)
			}
			checkFlows(t, name, sum)
		})
	}
}

func TestFlowsOnEveryStorePlatform(t *testing.T) {
	t.Cleanup(func() { useHeadless(t) })

	for _, platform := range config.Platforms[1:] {
		t.Run(platform, func(t *testing.T) {
			if err := st.UseStore(t.Context(), platform); err != nil {
				t.Fatal(err)
			}
			sum, _, err := st.Demo(t.Context(), DemoOptions{Orders: 12, Timeout: 3 * time.Minute,
				Seed: 23, Flows: true})
			if err != nil {
				t.Fatal(err)
			}
			checkFlows(t, config.ERPOdoo, sum)
		})
	}
}

// TestReportDriftFindsAnOrderTheERPLacks places an order whose sync parks,
// runs the drift report, and reads it back from the starter.
func TestReportDriftFindsAnOrderTheERPLacks(t *testing.T) {
	_, ref := parkOrder(t, UnknownSKU)
	var r drift.Report
	err := st.runWorkflow(t.Context(), "drift/"+StoreName+"/test-"+stamp(),
		workflows.DriftReportName, activities.DriftInput{Store: StoreName, Days: 1}, &r)
	if err != nil {
		t.Fatal(err)
	}

	out, err := starterCmd(t, nil, "report", "drift", "-store", StoreName, "-json")
	var printed drift.Report
	if err == nil {
		err = json.Unmarshal([]byte(out), &printed)
	}
	number := strings.TrimPrefix(ref, StoreName+":")
	if err != nil || printed.Store != StoreName || printed.MissingInERP < 1 ||
		!slices.Contains(printed.Missing, number) || len(printed.Orders) == 0 {
		t.Fatalf("report drift = %q, %v; want the parked order %s missing in the erp", out,
			err, number)
	}

	out, err = starterCmd(t, nil, "report", "drift")
	if err != nil || !strings.Contains(out, "missing in the erp") {
		t.Errorf("report drift for a person = %q, %v", out, err)
	}
}

// TestAGuestOrderIsBookedForTheCustomerWithItsEmail places a guest's order,
// spelling the e-mail of a customer the ERP knows in upper case, and checks
// that the sales order is that customer's and no customer was added.
func TestAGuestOrderIsBookedForTheCustomerWithItsEmail(t *testing.T) {
	known := demoCustomer(3) // seeded in the ERP
	before := len(st.Model.Customers())
	o := demoOrder(orderSeq, 1, false)
	o.Number = fmt.Sprintf("G%d", orderSeq.Int64())
	o.Customer = known
	o.Customer.Email = strings.ToUpper(known.Email)
	id, err := st.Store.CreateGuestOrder(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}

	if code := webhook(t, id, "guest-"+id); code != 202 {
		t.Fatalf("webhook answered %d, want 202", code)
	}
	waitStatus(t, id, synclog.StatusSynced)

	so := st.Model.FindSalesOrders(func(so erpsandbox.SalesOrder) bool {
		return strings.EqualFold(so.ExternalRef, activities.ExternalRef(StoreName, o.Number))
	})
	ec, _ := findERPCustomer(st.Model, known.Email)
	if len(so) != 1 || so[0].CustomerID != ec.ID || len(st.Model.Customers()) != before {
		t.Fatalf("sales orders %+v for customer %d, %d customers after (was %d); want one "+
			"for the known customer and none added", so, ec.ID, len(st.Model.Customers()),
			before)
	}
}
