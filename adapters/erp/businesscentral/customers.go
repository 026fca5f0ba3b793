package businesscentral

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// maxCustomerNumber is the length of a customer's number, the "No." of
// Business Central's customer table, which holds the external id.
const maxCustomerNumber = 20

// maxUpdateAttempts bounds the re-reads of a customer whose ETag went stale
// while it was being updated.
const maxUpdateAttempts = 3

// customer is a customers entity as the adapter reads and writes it.
type customer struct {
	ETag                 string `json:"@odata.etag,omitempty"`
	ID                   string `json:"id,omitempty"`
	Number               string `json:"number,omitempty"`
	DisplayName          string `json:"displayName,omitempty"`
	Email                string `json:"email,omitempty"`
	PhoneNumber          string `json:"phoneNumber,omitempty"`
	AddressLine1         string `json:"addressLine1,omitempty"`
	AddressLine2         string `json:"addressLine2,omitempty"`
	City                 string `json:"city,omitempty"`
	State                string `json:"state,omitempty"`
	Country              string `json:"country,omitempty"`
	PostalCode           string `json:"postalCode,omitempty"`
	LastModifiedDateTime string `json:"lastModifiedDateTime,omitempty"`

	CreditLimit    *numeric `json:"creditLimit,omitempty"`
	PaymentTermsID string   `json:"paymentTermsId,omitempty"`
}

// FindCustomer looks a customer up by q.ExternalID, which the adapter keeps
// in the customer's number, when set, else by q.Email. Business Central
// compares both without regard to case. When several match, the first in
// Business Central's order (by number) wins.
func (c *Client) FindCustomer(ctx context.Context, q erp.CustomerQuery) (
	rec erp.CustomerRecord, found bool, err error) {
	defer syncerr.Wrap(&err, "find business central customer")

	var filter string
	switch {
	case q.ExternalID != "":
		if utf8.RuneCountInString(q.ExternalID) > maxCustomerNumber {
			return erp.CustomerRecord{}, false, nil // it could never have been stored
		}
		filter = "number eq " + quote(q.ExternalID)
	case q.Email != "":
		filter = "email eq " + quote(q.Email)
	default:
		return erp.CustomerRecord{}, false, syncerr.Invalid("customer",
			"the query names neither an external id nor an e-mail")
	}

	cust, ok, err := c.findCustomer(ctx, filter)
	if err != nil || !ok {
		return erp.CustomerRecord{}, false, err
	}
	rec, err = c.customerRecord(ctx, cust)
	return rec, err == nil, err
}

// findCustomer returns the first customer matching filter.
func (c *Client) findCustomer(ctx context.Context, filter string) (customer, bool, error) {
	var col collection[customer]
	err := c.do(ctx, request{method: http.MethodGet, url: c.entityURL("customers",
		url.Values{"$filter": {filter}, "$top": {"1"}})}, &col)
	if err != nil || len(col.Value) == 0 {
		return customer{}, false, err
	}
	return col.Value[0], true, nil
}

// CreateCustomer creates cust, storing cust.ExternalID as its number (so
// the number series of customers must allow manual numbers), with the terms
// it sets. An external id longer than 20 characters is an InvalidError on
// "customer.external_id", and so is a payment terms code that Business
// Central does not hold, on "customer.terms.payment_terms".
func (c *Client) CreateCustomer(ctx context.Context, cust erp.Customer) (
	rec erp.CustomerRecord, err error) {
	defer syncerr.Wrap(&err, "create business central customer")
	if n := utf8.RuneCountInString(cust.ExternalID); n > maxCustomerNumber {
		return erp.CustomerRecord{}, syncerr.Invalid("customer.external_id",
			"has %d characters; business central's customer number holds at most %d",
			n, maxCustomerNumber)
	}

	created, err := c.createCustomer(ctx, cust)
	if err != nil {
		return erp.CustomerRecord{}, err
	}
	return c.customerRecord(ctx, created)
}

func (c *Client) createCustomer(ctx context.Context, cust erp.Customer) (customer, error) {
	body := customerBody(cust)
	body.Number = cust.ExternalID
	if body.DisplayName == "" {
		body.DisplayName = cust.Email
	}
	if err := c.writeTerms(ctx, &body, cust.Terms); err != nil {
		return customer{}, err
	}

	var created customer
	err := c.do(ctx, request{method: http.MethodPost, url: c.entityURL("customers", nil),
		body: body}, &created)
	return created, err
}

// customerBody maps the fields of cust that are set; empty ones are left
// out, so that an update keeps what Business Central holds.
func customerBody(cust erp.Customer) customer {
	a := cust.Address
	return customer{
		DisplayName: cust.Name, Email: cust.Email, PhoneNumber: cust.Phone,
		AddressLine1: a.Line1, AddressLine2: a.Line2, City: a.City, State: a.Region,
		Country: a.CountryCode, PostalCode: a.PostalCode,
	}
}

// UpdateCustomer patches the fields of customer id that cust sets, contact
// fields and terms alike, with the ETag just read in If-Match. When the
// customer changed in between (412), it reads it again and retries, a few
// times.
func (c *Client) UpdateCustomer(ctx context.Context, id string, cust erp.Customer) (
	rec erp.CustomerRecord, err error) {
	defer syncerr.Wrap(&err, "update business central customer %s", id)
	if !guidPattern.MatchString(id) {
		return erp.CustomerRecord{}, syncerr.Invalid("id", "%q is not a GUID", id)
	}
	body := customerBody(cust)
	if err := c.writeTerms(ctx, &body, cust.Terms); err != nil {
		return erp.CustomerRecord{}, err
	}

	entityURL := c.company + "/customers(" + id + ")"
	for attempt := 1; ; attempt++ {
		var current customer
		err := c.do(ctx, request{method: http.MethodGet, url: entityURL}, &current)
		if nf := (*notFoundError)(nil); errors.As(err, &nf) {
			return erp.CustomerRecord{}, fmt.Errorf("%w: %w", syncerr.ErrNotFound, nf.api)
		}
		if err != nil {
			return erp.CustomerRecord{}, err
		}

		var updated customer
		err = c.do(ctx, request{method: http.MethodPatch, url: entityURL,
			body: body, ifMatch: current.ETag}, &updated)
		if errors.Is(err, errEntityChanged) && attempt < maxUpdateAttempts {
			continue
		}
		if errors.Is(err, errEntityChanged) {
			return erp.CustomerRecord{}, fmt.Errorf("%w: %w", syncerr.ErrUnavailable, err)
		}
		if err != nil {
			return erp.CustomerRecord{}, err
		}
		return c.customerRecord(ctx, updated)
	}
}

// ChangedCustomers lists the customers modified at or after q.Since, oldest
// first, a page of at most q.PageSize() by Business Central's paging.
func (c *Client) ChangedCustomers(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.CustomerRecord], err error) {
	defer syncerr.Wrap(&err, "list changed business central customers")
	col, err := changedPage[customer](ctx, c, "customers", q, nil)
	if err != nil {
		return page, err
	}
	for _, cust := range col.Value {
		rec, err := c.customerRecord(ctx, cust)
		if err != nil {
			return erp.Page[erp.CustomerRecord]{}, err
		}
		page.Items = append(page.Items, rec)
	}
	page.Next = col.NextLink
	return page, nil
}

// customerRecord maps a customers entity with its terms. Its number is
// reported as the external id: it is one for customers the adapter created,
// and Business Central's own number, upper-case, for the others.
func (c *Client) customerRecord(ctx context.Context, cust customer) (erp.CustomerRecord,
	error) {
	terms, err := c.readTerms(ctx, cust)
	if err != nil {
		return erp.CustomerRecord{}, fmt.Errorf("customer %s: %w", cust.ID, err)
	}
	rec := cust.record()
	rec.Terms = terms
	return rec, nil
}

// record maps the contact fields of a customers entity.
func (cust customer) record() erp.CustomerRecord {
	return erp.CustomerRecord{
		ID: cust.ID,
		Customer: erp.Customer{
			ExternalID: cust.Number, Email: cust.Email, Name: cust.DisplayName,
			Phone: cust.PhoneNumber,
			Address: erp.Address{
				Line1: cust.AddressLine1, Line2: cust.AddressLine2, City: cust.City,
				PostalCode: cust.PostalCode, Region: cust.State,
				CountryCode: strings.ToUpper(cust.Country),
			},
		},
		Modified: parseTime(cust.LastModifiedDateTime),
	}
}
