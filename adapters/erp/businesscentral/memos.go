package businesscentral

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// creditMemo is the part of a salesCreditMemos entity the adapter reads.
type creditMemo struct {
	ID     string `json:"id"`
	Number string `json:"number"`
}

// CreateCreditMemo books m as a salesCreditMemos entity for the customer of
// sales order m.SalesOrderID, with its lines in one deep insert: Item lines
// by item number, products and the refund service item alike. Its
// externalDocumentNumber carries m.ExternalRef (shortened when it is longer
// than the field's 35 characters, see [documentRef]), which makes the call
// idempotent: a memo with that reference is looked up first and returned
// when there is one, and looked up again when the answer to the create is
// lost.
//
// TODO: the memo is left a draft, for the accountant to review and post
// (Microsoft.NAV.post), and it is not applied to the order's posted invoice;
// posting it from here needs a setting per store, and the invoice a look-up
// of salesInvoices by orderId.
func (c *Client) CreateCreditMemo(ctx context.Context, m erp.CreditMemo) (
	ref erp.CreditMemoRef, err error) {
	defer syncerr.Wrap(&err, "create business central credit memo for %q", m.ExternalRef)
	if err := validateMemo(m); err != nil {
		return erp.CreditMemoRef{}, err
	}
	docRef := documentRef(m.ExternalRef)
	if ref, found, err := c.findCreditMemo(ctx, docRef); err != nil || found {
		return ref, err
	}

	order, err := c.memoOrder(ctx, m)
	if err != nil {
		return erp.CreditMemoRef{}, err
	}
	items, err := c.itemNumbers(ctx, m.Lines)
	if err != nil {
		return erp.CreditMemoRef{}, err
	}

	return c.postCreditMemo(ctx, m, docRef, memoBody(m, docRef, order.CustomerID, items))
}

// validateMemo checks m as every adapter does, and its order id as a GUID.
func validateMemo(m erp.CreditMemo) error {
	if err := m.Check(); err != nil {
		return err
	}
	if !guidPattern.MatchString(m.SalesOrderID) {
		return syncerr.Invalid("sales_order_id", "%q is not a GUID", m.SalesOrderID)
	}
	return nil
}

// documentRef fits ref into an externalDocumentNumber: a longer reference
// keeps its first 22 characters and gets "~" and 12 hex digits of its
// SHA-256 in place of the rest, so that it stays unique and is the same on
// every call.
func documentRef(ref string) string {
	if utf8.RuneCountInString(ref) <= maxExternalRef {
		return ref
	}
	sum := sha256.Sum256([]byte(ref))
	return string([]rune(ref)[:22]) + "~" + hex.EncodeToString(sum[:6])
}

// findCreditMemo looks up the salesCreditMemos entity whose
// externalDocumentNumber is docRef.
func (c *Client) findCreditMemo(ctx context.Context, docRef string) (erp.CreditMemoRef,
	bool, error) {
	var col collection[creditMemo]
	err := c.do(ctx, request{method: http.MethodGet, url: c.entityURL("salesCreditMemos",
		url.Values{"$filter": {"externalDocumentNumber eq " + quote(docRef)},
			"$select": {"id,number"}, "$top": {"1"}})}, &col)
	if err != nil || len(col.Value) == 0 {
		return erp.CreditMemoRef{}, false, err
	}
	return erp.CreditMemoRef{ID: col.Value[0].ID, Number: col.Value[0].Number}, true, nil
}

// memoOrder reads the sales order m credits, which must be in m's currency.
func (c *Client) memoOrder(ctx context.Context, m erp.CreditMemo) (salesOrder, error) {
	order, found, err := c.salesOrderByID(ctx, strings.ToLower(m.SalesOrderID))
	switch {
	case err != nil:
		return salesOrder{}, fmt.Errorf("read sales order: %w", err)
	case !found:
		return salesOrder{}, fmt.Errorf("%w: business central holds no sales order %s",
			syncerr.ErrNotFound, m.SalesOrderID)
	case order.CurrencyCode != "" && !strings.EqualFold(order.CurrencyCode, m.Currency):
		return salesOrder{}, syncerr.Invalid("currency", "%s is not the currency of sales "+
			"order %s, %s", m.Currency, order.Number, order.CurrencyCode)
	}
	return order, nil
}

// memoBody builds the deep insert of a credit memo.
func memoBody(m erp.CreditMemo, docRef, customerID string,
	items map[string]string) map[string]any {
	body := map[string]any{
		"customerId":             customerID,
		"externalDocumentNumber": docRef,
		"currencyCode":           m.Currency,
		"salesCreditMemoLines":   itemLines(m.Lines, m.Currency, items),
	}
	if !m.RefundedAt.IsZero() {
		body["creditMemoDate"] = m.RefundedAt.UTC().Format("2006-01-02")
	}
	return body
}

// postCreditMemo creates the credit memo of body. When the answer is lost,
// the memo may have been created all the same, so it is looked up again.
func (c *Client) postCreditMemo(ctx context.Context, m erp.CreditMemo, docRef string,
	body map[string]any) (erp.CreditMemoRef, error) {
	var created creditMemo
	err := c.do(ctx, request{method: http.MethodPost, url: c.entityURL("salesCreditMemos", nil),
		body: body}, &created)
	if errors.Is(err, syncerr.ErrUnavailable) {
		if ref, found, findErr := c.findCreditMemo(ctx, docRef); findErr == nil && found {
			created, err = creditMemo{ID: ref.ID, Number: ref.Number}, nil
		}
	}
	if err != nil {
		return erp.CreditMemoRef{}, err
	}

	c.log.Info("business central credit memo created",
		zap.String(fieldExternalRef, m.ExternalRef), zap.String(fieldMemoID, created.ID))
	return erp.CreditMemoRef{ID: created.ID, Number: created.Number}, nil
}
