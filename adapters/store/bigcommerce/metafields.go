package bigcommerce

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/erpsync/erpsync/internal/syncerr"
)

// The order metafield that holds the ERP's id.
const (
	metaNamespace  = "erp"
	metaKey        = "sales_order_id"
	metaPermission = "app_only"
)

// metafield is an order metafield of the V3 API.
type metafield struct {
	ID            int64  `json:"id,omitempty"`
	PermissionSet string `json:"permission_set"`
	Namespace     string `json:"namespace"`
	Key           string `json:"key"`
	Value         string `json:"value"`
	Description   string `json:"description,omitempty"`
}

// SetERPID records erpID in the order's metafield erp.sales_order_id. It is
// idempotent: it reads the metafield first, writes nothing when it holds
// erpID, updates it when it holds another id, and creates it otherwise. A
// create that meets a metafield created meanwhile (409) updates that one.
func (s *Store) SetERPID(ctx context.Context, orderID, erpID string) (err error) {
	defer syncerr.Wrap(&err, "write erp id %q to bigcommerce order %s", erpID, orderID)
	id, err := parseOrderID(orderID)
	if err != nil {
		return err
	}
	if erpID == "" {
		return syncerr.Invalid("erp_id", "is empty")
	}

	cur, err := s.erpMetafield(ctx, id)
	if err != nil {
		return err
	}
	if cur.ID == 0 {
		if err = s.writeMetafield(ctx, id, 0, erpID); !isConflict(err) {
			return err
		}
		if cur, err = s.erpMetafield(ctx, id); err != nil {
			return err
		}
	}
	if cur.Value == erpID {
		return nil
	}
	return s.writeMetafield(ctx, id, cur.ID, erpID)
}

// erpMetafield reads the order's erp.sales_order_id metafield; its ID is 0
// when the order has none.
func (s *Store) erpMetafield(ctx context.Context, id string) (metafield, error) {
	var page struct {
		Data []metafield `json:"data"`
	}
	q := url.Values{"namespace": {metaNamespace}, "key": {metaKey}}
	_, err := s.do(ctx, call{method: http.MethodGet, path: "/v3/orders/" + id + "/metafields",
		query: q}, &page)
	if err != nil {
		return metafield{}, err
	}
	for _, m := range page.Data {
		if m.Namespace == metaNamespace && m.Key == metaKey {
			return m, nil
		}
	}
	return metafield{}, nil
}

// writeMetafield creates the metafield (mid 0) or updates metafield mid.
func (s *Store) writeMetafield(ctx context.Context, id string, mid int64, value string) error {
	c := call{method: http.MethodPost, path: "/v3/orders/" + id + "/metafields",
		body: metafield{PermissionSet: metaPermission, Namespace: metaNamespace, Key: metaKey,
			Value: value, Description: "the order's sales order in the ERP, set by erpsync"}}
	if mid != 0 {
		c.method, c.path = http.MethodPut, c.path+"/"+strconv.FormatInt(mid, 10)
	}
	_, err := s.do(ctx, c, nil)
	return err
}

// isConflict reports whether err is BigCommerce's 409 for a metafield that
// exists.
func isConflict(err error) bool {
	var e *apiError
	return errors.As(err, &e) && e.status == http.StatusConflict
}
