package odoo

import (
	"context"
	"fmt"
	"maps"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// partnerFields are the res.partner fields a customer is read from.
var partnerFields = append([]string{"id", "name", "email", "phone", "street", "street2",
	"city", "zip", "ref", "country_code", "write_date"}, termFields...)

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
	termsRow
}

func (p partnerRow) key() key { return key{written: timeOf(p.WriteDate), id: p.ID} }

// record returns p as a customer, its terms named by names.
func (p partnerRow) record(names termNames) (erp.CustomerRecord, error) {
	terms, err := names.terms(p.termsRow)
	if err != nil {
		return erp.CustomerRecord{}, fmt.Errorf("res.partner %d: %w", p.ID, err)
	}
	return erp.CustomerRecord{
		ID: formatID(p.ID),
		Customer: erp.Customer{
			ExternalID: string(p.Ref), Email: string(p.Email), Name: string(p.Name),
			Phone: string(p.Phone),
			Address: erp.Address{Line1: string(p.Street), Line2: string(p.Street2),
				City: string(p.City), PostalCode: string(p.Zip),
				CountryCode: string(p.CountryCode)},
			Terms: terms,
		},
		Modified: timeOf(p.WriteDate),
	}, nil
}

// customers returns rows as customers, reading the names of their terms.
func (c *Client) customers(ctx context.Context, rows []partnerRow) (
	[]erp.CustomerRecord, error) {
	terms := make([]termsRow, len(rows))
	for i, r := range rows {
		terms[i] = r.termsRow
	}
	names, err := c.namesOf(ctx, terms)
	if err != nil {
		return nil, err
	}

	out := make([]erp.CustomerRecord, len(rows))
	for i, r := range rows {
		if out[i], err = r.record(names); err != nil {
			return nil, err
		}
	}
	return out, nil
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
	recs, err := c.customers(ctx, rows)
	if err != nil {
		return erp.CustomerRecord{}, false, err
	}
	return recs[0], true, nil
}

// CreateCustomer creates cust as a res.partner, its ExternalID in ref and
// its terms as [Client.UpdateCustomer] writes them, and returns it as
// stored. A customer needs an e-mail or a name.
func (c *Client) CreateCustomer(ctx context.Context, cust erp.Customer) (
	rec erp.CustomerRecord, err error) {
	defer syncerr.Wrap(&err, "create customer res.partner")
	if cust.Email == "" && cust.Name == "" {
		return erp.CustomerRecord{}, syncerr.Invalid("customer.email", "is empty, and so is "+
			"the name")
	}

	vals, err := c.termsVals(ctx, cust.Terms)
	if err != nil {
		return erp.CustomerRecord{}, err
	}
	maps.Copy(vals, partnerVals(cust))

	id, err := c.create(ctx, "res.partner", vals)
	if err != nil {
		return erp.CustomerRecord{}, err
	}
	return c.readPartner(ctx, id)
}

// UpdateCustomer writes the fields that cust sets onto res.partner id and
// returns it as stored: name, e-mail, phone, street, street2, city, zip and
// ref, and of the terms a credit limit (credit_limit in the company
// currency, with use_partner_credit_limit), the payment terms
// (property_payment_term_id) and the pricelist (property_product_pricelist),
// which are resolved by name and must exist. A nil credit limit or an empty
// code leaves that term as it is.
func (c *Client) UpdateCustomer(ctx context.Context, customerID string, cust erp.Customer) (
	rec erp.CustomerRecord, err error) {
	defer syncerr.Wrap(&err, "update customer res.partner %s", customerID)
	pid, err := parseID("id", customerID)
	if err != nil {
		return erp.CustomerRecord{}, err
	}

	vals, err := c.termsVals(ctx, cust.Terms)
	if err != nil {
		return erp.CustomerRecord{}, err
	}
	maps.Copy(vals, partnerFieldVals(cust))

	if len(vals) > 0 {
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

	page.Next = next
	page.Items, err = c.customers(ctx, rows)
	return page, err
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
	recs, err := c.customers(ctx, rows)
	if err != nil {
		return erp.CustomerRecord{}, err
	}
	return recs[0], nil
}
