package shopify

import (
	"context"
	"fmt"
	"strings"

	"github.com/erpsync/erpsync/internal/syncerr"
)

const setERPIDMutation = `mutation SetERPID($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id }
    userErrors { field message code }
  }
}`

const readERPIDQuery = `query ReadERPID($id: ID!) {
  order(id: $id) { metafield(namespace: "erp", key: "sales_order_id") { value } }
}`

// userError is an entry of a mutation payload's userErrors.
type userError struct {
	Field   []string `json:"field"`
	Message string   `json:"message"`
	Code    string   `json:"code"`
}

// Codes of metafieldsSet's userErrors for a compare digest that no longer
// holds.
const (
	codeStale         = "STALE_OBJECT"
	codeInvalidDigest = "INVALID_COMPARE_DIGEST"
)

// SetERPID writes erpID into the order's metafield erp.sales_order_id,
// only if the order has none: the write carries a null compare digest.
// Writing the id the order already has changes nothing; an order that
// carries another ERP id gives a [*syncerr.InvalidError] naming it and is
// left unchanged; an unknown order gives an error wrapping
// [syncerr.ErrNotFound].
func (s *Store) SetERPID(ctx context.Context, orderID, erpID string) error {
	id, err := parseOrderID(orderID)
	if err != nil {
		return err
	}
	if strings.TrimSpace(erpID) == "" || strings.ContainsAny(erpID, "\r\n") {
		return syncerr.Invalid("erp_order_id", "order %s: %q is not a one-line ERP id",
			orderID, erpID)
	}

	var data struct {
		MetafieldsSet struct {
			UserErrors []userError `json:"userErrors"`
		} `json:"metafieldsSet"`
	}
	vars := map[string]any{"metafields": []map[string]any{{
		"ownerId": id, "namespace": erpNamespace, "key": erpKey,
		"type": "single_line_text_field", "value": erpID, "compareDigest": nil,
	}}}
	if err := s.query(ctx, "set erp id", setERPIDMutation, vars, &data); err != nil {
		return fmt.Errorf("set erp id of order %s: %w", orderID, err)
	}

	errs := data.MetafieldsSet.UserErrors
	if len(errs) == 0 {
		return nil
	}
	if err := s.checkExisting(ctx, id, erpID, errs[0]); err != nil {
		return fmt.Errorf("set erp id of order %s: %w", orderID, err)
	}
	return nil
}

// checkExisting explains a refused write: the order is unknown, it holds
// erpID already (no error), it holds another id, or the write was invalid.
func (s *Store) checkExisting(ctx context.Context, id, erpID string, ue userError) error {
	if len(ue.Field) > 0 && ue.Field[len(ue.Field)-1] == "ownerId" {
		return fmt.Errorf("%s: %w", ue.Message, syncerr.ErrNotFound)
	}
	if ue.Code != codeStale && ue.Code != codeInvalidDigest {
		return &syncerr.InvalidError{Field: "erp_order_id",
			Reason: "shopify refused the metafield: " + ue.Message}
	}

	var data struct {
		Order *struct {
			Metafield *struct {
				Value string `json:"value"`
			} `json:"metafield"`
		} `json:"order"`
	}
	if err := s.query(ctx, "read erp id", readERPIDQuery, map[string]any{"id": id},
		&data); err != nil {
		return err
	}
	switch {
	case data.Order == nil:
		return syncerr.ErrNotFound
	case data.Order.Metafield == nil:
		return fmt.Errorf("metafield changed while it was written: %w", syncerr.ErrUnavailable)
	case data.Order.Metafield.Value != erpID:
		return syncerr.Invalid("erp_order_id", "the order already has ERP id %q, not %q",
			data.Order.Metafield.Value, erpID)
	}
	return nil
}
