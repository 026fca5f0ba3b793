package odoo

import (
	"context"
	"fmt"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// partnerFields are the res.partner fields a customer is read from.
var partnerFields = []string{"id", "name", "email", "phone", "street", "street2", "city",
	"zip", "ref", "country_code", "write_date"}

// partnerRow is a res.partner as the adapter reads it.
type partnerRow struct {
	ID          int64 `json:"id"`
	Name        text  `json:"name"`
	Email       text  `json:"email"`
	Phone       text  `json:"phone"`
	Street      text  `json:"street"`
	Street2     text  `json:"street2"`
	City        text  `json:"city"`
	Zip         text  `json:"zip"`
	Ref         text  `json:"ref"`
	CountryCode text  `json:"country_code"`
	WriteDate   stamp `json:"write_date"`
}

func (p partnerRow) key() key { return key{written: timeOf(p.WriteDate), id: p.ID} }

func (p partnerRow) record() erp.CustomerRecord {
	return erp.CustomerRecord{
		ID: formatID(p.ID),
		Customer: erp.Customer{
			ExternalID: string(p.Ref), Email: string(p.Email), Name: string(p.Name),
			Phone: string(p.Phone),
			Address: erp.Address{Line1: string(p.Street), Line2: string(p.Street2),
				City: string(p.City), PostalCode: string(p.Zip),
				CountryCode: string(p.CountryCode)},
		},
		Modified: timeOf(p.WriteDate),
	}
}

// FindCustomer looks a res.partner up by its internal reference (ref) when
// q.ExternalID is set, else by e-mail ignoring case. The lowest id wins
// when several match.
func (c *Client) FindCustomer(ctx context.Context, q erp.CustomerQuery) (
	rec erp.CustomerRecord, found bool, err error) {
	defer syncerr.Wrap(&err, "find customer res.partner")

	var dom []arg
	switch {
	case q.ExternalID != "":
		dom = domain([]any{"ref", "=", q.ExternalID})
	case q.Email != "":
		dom = domain([]any{"email", "=ilike", escapeLike(q.Email)})
	default:
		return erp.CustomerRecord{}, false, syncerr.Invalid("query",
			"needs an external id or an e-mail")
	}

	var rows []partnerRow
	err = c.searchRead(ctx, "res.partner", dom,
		map[string]any{"fields": partnerFields, "order": "id asc", "limit": 1}, &rows)
	if err != nil || len(rows) == 0 {
		return erp.CustomerRecord{}, false, err
	}
	return rows[0].record(), true, nil
}

// CreateCustomer creates cust as a res.partner, its ExternalID in ref, and
// returns it as stored. A customer needs an e-mail or a name.
func (c *Client) CreateCustomer(ctx context.Context, cust erp.Customer) (
	rec erp.CustomerRecord, err error) {
	defer syncerr.Wrap(&err, "create customer res.partner")
	if cust.Email == "" && cust.Name == "" {
		return erp.CustomerRecord{}, syncerr.Invalid("customer.email", "is empty, and so is "+
			"the name")
	}

	id, err := c.create(ctx, "res.partner", partnerVals(cust))
	if err != nil {
		return erp.CustomerRecord{}, err
	}
	return c.readPartner(ctx, id)
}

// UpdateCustomer writes the fields that cust sets onto res.partner id and
// returns it as stored.
func (c *Client) UpdateCustomer(ctx context.Context, customerID string, cust erp.Customer) (
	rec erp.CustomerRecord, err error) {
	defer syncerr.Wrap(&err, "update customer res.partner %s", customerID)
	pid, err := parseID("id", customerID)
	if err != nil {
		return erp.CustomerRecord{}, err
	}

	if vals := partnerFieldVals(cust); len(vals) > 0 {
		err = c.exec.execute(ctx, call{model: "res.partner", method: "write",
			ids: []int64{pid}, args: []arg{{name: "vals", value: vals}}}, nil)
		if err != nil {
			return erp.CustomerRecord{}, err
		}
	}
	return c.readPartner(ctx, pid)
}

// ChangedCustomers lists the res.partner records written since q.Since.
//
// TODO: every partner is listed, vendors and contacts of companies too;
// customer_rank > 0 would leave out customers created here who have not
// ordered yet, so telling customers apart needs a partner category.
func (c *Client) ChangedCustomers(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.CustomerRecord], err error) {
	defer syncerr.Wrap(&err, "list changed customers res.partner")
	rows, next, err := listChanges(ctx, q, partnerRow.key,
		searchChanged[partnerRow](c, "res.partner", partnerFields))
	if err != nil {
		return page, err
	}

	page.Items, page.Next = make([]erp.CustomerRecord, len(rows)), next
	for i, r := range rows {
		page.Items[i] = r.record()
	}
	return page, nil
}

func (c *Client) readPartner(ctx context.Context, pid int64) (erp.CustomerRecord, error) {
	var rows []partnerRow
	err := c.exec.execute(ctx, call{model: "res.partner", method: "read", ids: []int64{pid},
		kwargs: map[string]any{"fields": partnerFields}}, &rows)
	if err != nil {
		return erp.CustomerRecord{}, fmt.Errorf("read res.partner %d: %w", pid, err)
	}
	if len(rows) != 1 {
		return erp.CustomerRecord{}, fmt.Errorf("read res.partner %d: %d records: %w", pid,
			len(rows), syncerr.ErrUnavailable)
	}
	return rows[0].record(), nil
}
