package sap

import (
	"context"
	"fmt"
	"net/http"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/money"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// summaryRow is the part of an A_SalesOrder that the drift report counts.
type summaryRow struct {
	SalesOrder                    string  `json:"SalesOrder"`
	PurchaseOrderByCustomer       string  `json:"PurchaseOrderByCustomer"`
	TransactionCurrency           string  `json:"TransactionCurrency"`
	TotalNetAmount                string  `json:"TotalNetAmount"`
	OverallSDDocumentRejectionSts string  `json:"OverallSDDocumentRejectionSts"`
	CustomerPurchaseOrderDate     sapTime `json:"CustomerPurchaseOrderDate"`
	CreationDate                  sapTime `json:"CreationDate"`
	LastChangeDateTime            sapTime `json:"LastChangeDateTime"`
}

// summaryFields is the $select of a sales order listing.
const summaryFields = "SalesOrder,PurchaseOrderByCustomer,TransactionCurrency," +
	"TotalNetAmount,OverallSDDocumentRejectionSts,CustomerPurchaseOrderDate,CreationDate," +
	"LastChangeDateTime"

// ChangedSalesOrders lists the sales orders whose LastChangeDateTime is at
// or after q.Since, oldest first, with keyset paging on
// (LastChangeDateTime, SalesOrder). The total is SAP's TotalNetAmount, the
// net value of the items, service items included; SAP leaves rejected items
// out of it, so a cancelled order (all items rejected,
// OverallSDDocumentRejectionSts C) totals zero. OrderedAt is the day of the
// customer's purchase order date, or of the creation date when there is
// none: SAP keeps both as days.
func (c *Client) ChangedSalesOrders(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.SalesOrderSummary], err error) {
	defer syncerr.Wrap(&err, "list changed sap sales orders")
	filter, err := keysetFilter("LastChangeDateTime", "SalesOrder", q)
	if err != nil {
		return erp.Page[erp.SalesOrderSummary]{}, err
	}

	var rows collection[summaryRow]
	err = c.odata.do(ctx, call{method: http.MethodGet, service: serviceSalesOrder,
		path: setSalesOrder, query: []param{{"$filter", filter},
			{"$select", summaryFields},
			{"$orderby", "LastChangeDateTime,SalesOrder"},
			{"$top", fmt.Sprint(q.PageSize())}}}, &rows)
	if err != nil {
		return erp.Page[erp.SalesOrderSummary]{}, err
	}

	for _, r := range rows.Results {
		s, err := r.summary()
		if err != nil {
			return erp.Page[erp.SalesOrderSummary]{}, err
		}
		page.Items = append(page.Items, s)
	}
	if rows.more(q.PageSize()) {
		last := rows.Results[len(rows.Results)-1]
		page.Next = cursor{Modified: last.LastChangeDateTime.Time(), ID: last.SalesOrder}.encode()
	}
	return page, nil
}

// summary maps a sales order. An amount that is not a decimal of its
// currency is SAP answering nonsense, which a retry may not see again.
func (r summaryRow) summary() (erp.SalesOrderSummary, error) {
	total, err := money.ParseMinor(r.TotalNetAmount, r.TransactionCurrency)
	if err != nil || !money.ValidCurrency(r.TransactionCurrency) {
		return erp.SalesOrderSummary{}, fmt.Errorf("sales order %s: net amount %q %s: %w",
			r.SalesOrder, r.TotalNetAmount, r.TransactionCurrency, syncerr.ErrUnavailable)
	}
	ordered := r.CustomerPurchaseOrderDate.Time()
	if ordered.IsZero() {
		ordered = r.CreationDate.Time()
	}
	return erp.SalesOrderSummary{
		ID: r.SalesOrder, Number: r.SalesOrder, ExternalRef: r.PurchaseOrderByCustomer,
		Currency: r.TransactionCurrency, TotalMinor: total,
		Cancelled: r.OverallSDDocumentRejectionSts == "C", OrderedAt: ordered,
		Modified: r.LastChangeDateTime.Time(),
	}, nil
}
