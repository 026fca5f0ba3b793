package odoo

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/erpsync/erpsync/internal/syncerr"
)

// domain returns the domain argument of a search made of terms: leaves
// such as []any{"state", "=", "cancel"} and the operators "&", "|", "!".
func domain(terms ...any) []arg {
	if terms == nil {
		terms = []any{}
	}
	return []arg{{name: "domain", value: terms}}
}

// create creates one record of model with vals and returns its id. JSON-RPC
// answers the id of a record created from one dictionary, JSON-2 the list of
// ids of the recordset; both are read.
func (c *Client) create(ctx context.Context, model string, vals map[string]any) (int64, error) {
	var raw json.RawMessage
	err := c.exec.execute(ctx, call{model: model, method: "create",
		args: []arg{{name: "vals_list", value: vals}}}, &raw)
	if err != nil {
		return 0, err
	}

	var id int64
	if json.Unmarshal(raw, &id) == nil && id > 0 {
		return id, nil
	}
	var ids []int64
	if json.Unmarshal(raw, &ids) == nil && len(ids) == 1 && ids[0] > 0 {
		return ids[0], nil
	}
	return 0, fmt.Errorf("%s/create answered %.40q, not one record id: %w", model, raw,
		syncerr.ErrUnavailable)
}

// searchRead runs search_read on model with kwargs such as fields, order and
// limit, decoding the records into out.
func (c *Client) searchRead(ctx context.Context, model string, dom []arg,
	kwargs map[string]any, out any) error {
	return c.exec.execute(ctx, call{model: model, method: "search_read", args: dom,
		kwargs: kwargs}, out)
}
