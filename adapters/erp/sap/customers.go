package sap

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

const (
	servicePartner = "API_BUSINESS_PARTNER"
	setPartner     = "A_BusinessPartner"
	setEmail       = "A_BPAddressIndependentEmail"
	setPhone       = "A_BPAddressIndependentPhone"
	setAddress     = "A_BusinessPartnerAddress"
	setSalesArea   = "A_CustomerSalesArea"

	// partnerExpand reads a partner with what a customer record needs.
	partnerExpand = "to_AddressIndependentEmail,to_AddressIndependentPhone," +
		"to_BusinessPartnerAddress,to_Customer/to_CustomerSalesArea"

	// Field lengths of A_BusinessPartner and A_CustomerSalesArea.
	maxExternalID   = 20
	maxNamePart     = 40
	maxPaymentTerms = 4
	maxPriceGroup   = 2
)

// customerRoles are the business partner roles of a customer: FLCU00
// (financial accounting) and FLCU01 (sales).
var customerRoles = []string{"FLCU00", "FLCU01"}

// partnerRow is an A_BusinessPartner with its e-mail, phone and addresses.
type partnerRow struct {
	Metadata                     metadata            `json:"__metadata"`
	BusinessPartner              string              `json:"BusinessPartner"`
	FirstName                    string              `json:"FirstName"`
	LastName                     string              `json:"LastName"`
	OrganizationBPName1          string              `json:"OrganizationBPName1"`
	BusinessPartnerIDByExtSystem string              `json:"BusinessPartnerIDByExtSystem"`
	CreationDate                 sapTime             `json:"CreationDate"`
	CreationTime                 sapDuration         `json:"CreationTime"`
	LastChangeDate               sapTime             `json:"LastChangeDate"`
	LastChangeTime               sapDuration         `json:"LastChangeTime"`
	Emails                       results[commRow]    `json:"to_AddressIndependentEmail"`
	Phones                       results[commRow]    `json:"to_AddressIndependentPhone"`
	Addresses                    results[addressRow] `json:"to_BusinessPartnerAddress"`
	Customer                     *customerRow        `json:"to_Customer"`
}

// customerRow is the A_Customer of a partner with its sales area data.
type customerRow struct {
	Customer   string                `json:"Customer"`
	SalesAreas results[salesAreaRow] `json:"to_CustomerSalesArea"`
}

// salesAreaRow is an A_CustomerSalesArea: the customer's data in one
// sales organization, distribution channel and division.
type salesAreaRow struct {
	Metadata             metadata `json:"__metadata"`
	Customer             string   `json:"Customer"`
	SalesOrganization    string   `json:"SalesOrganization"`
	DistributionChannel  string   `json:"DistributionChannel"`
	Division             string   `json:"Division"`
	CustomerPaymentTerms string   `json:"CustomerPaymentTerms"`
	CustomerPriceGroup   string   `json:"CustomerPriceGroup"`
}

// salesArea is the sales organization, distribution channel and division
// the adapter books in.
type salesArea struct {
	org, channel, division string
}

// String writes the area as SAP shows it, "1010/10/00".
func (a salesArea) String() string { return a.org + "/" + a.channel + "/" + a.division }

// salesArea returns the partner's customer data in area, when it has some.
func (r partnerRow) salesArea(area salesArea) (salesAreaRow, bool) {
	if r.Customer == nil {
		return salesAreaRow{}, false
	}
	for _, a := range r.Customer.SalesAreas.Results {
		if a.SalesOrganization == area.org && a.DistributionChannel == area.channel &&
			a.Division == area.division {
			return a, true
		}
	}
	return salesAreaRow{}, false
}

// commRow is an address-independent e-mail address or phone number.
type commRow struct {
	Metadata      metadata `json:"__metadata"`
	AddressID     string   `json:"AddressID"`
	Person        string   `json:"Person"`
	OrdinalNumber string   `json:"OrdinalNumber"`
	EmailAddress  string   `json:"EmailAddress"`
	PhoneNumber   string   `json:"PhoneNumber"`
}

// addressRow is an A_BusinessPartnerAddress.
type addressRow struct {
	Metadata         metadata `json:"__metadata"`
	AddressID        string   `json:"AddressID"`
	StreetName       string   `json:"StreetName"`
	StreetSuffixName string   `json:"StreetSuffixName"`
	CityName         string   `json:"CityName"`
	PostalCode       string   `json:"PostalCode"`
	Region           string   `json:"Region"`
	Country          string   `json:"Country"`
}

// modified is when the partner last changed, or its creation when SAP
// left the change date empty.
func (r partnerRow) modified() time.Time {
	if !r.LastChangeDate.Time().IsZero() {
		return at(r.LastChangeDate, r.LastChangeTime)
	}
	return at(r.CreationDate, r.CreationTime)
}

// record maps a partner to a customer record, with the payment terms and
// the price group of its customer data in area. The credit limit lives in
// SAP Credit Management, which the adapter does not read: it stays nil.
func (r partnerRow) record(area salesArea) erp.CustomerRecord {
	name := strings.TrimSpace(r.FirstName + " " + r.LastName)
	if r.OrganizationBPName1 != "" {
		name = r.OrganizationBPName1
	}
	rec := erp.CustomerRecord{ID: r.BusinessPartner, Customer: erp.Customer{
		ExternalID: r.BusinessPartnerIDByExtSystem, Name: name,
	}}
	rec.Modified = r.modified()
	if len(r.Emails.Results) > 0 {
		rec.Email = r.Emails.Results[0].EmailAddress
	}
	if len(r.Phones.Results) > 0 {
		rec.Phone = r.Phones.Results[0].PhoneNumber
	}
	if len(r.Addresses.Results) > 0 {
		a := r.Addresses.Results[0]
		rec.Address = erp.Address{Line1: a.StreetName, Line2: a.StreetSuffixName,
			City: a.CityName, PostalCode: a.PostalCode, Region: a.Region, CountryCode: a.Country}
	}
	if sa, ok := r.salesArea(area); ok {
		rec.Terms = erp.Terms{PaymentTerms: sa.CustomerPaymentTerms,
			PriceGroup: sa.CustomerPriceGroup}
	}
	return rec
}

// FindCustomer looks a business partner up by BusinessPartnerIDByExtSystem
// when q.ExternalID is set, else by its address-independent e-mail. An
// e-mail matches as given or in lower case, since OData V2 filters on SAP
// compare case-sensitively. The lowest partner number wins when several
// match.
func (c *Client) FindCustomer(ctx context.Context, q erp.CustomerQuery) (
	rec erp.CustomerRecord, found bool, err error) {
	defer syncerr.Wrap(&err, "find sap customer")

	var id string
	switch {
	case q.ExternalID != "":
		id, err = c.partnerByExternalID(ctx, q.ExternalID)
	case q.Email != "":
		id, err = c.partnerByEmail(ctx, q.Email)
	default:
		return erp.CustomerRecord{}, false, syncerr.Invalid("customer",
			"give an external id or an e-mail to look a customer up by")
	}
	if err != nil || id == "" {
		return erp.CustomerRecord{}, false, err
	}

	row, err := c.readPartner(ctx, id)
	if err != nil {
		return erp.CustomerRecord{}, false, err
	}
	return row.record(c.area), true, nil
}

func (c *Client) partnerByExternalID(ctx context.Context, externalID string) (string, error) {
	var page collection[partnerRow]
	err := c.odata.do(ctx, call{method: http.MethodGet, service: servicePartner,
		path: setPartner, query: []param{
			{"$filter", "BusinessPartnerIDByExtSystem eq " + quote(externalID)},
			{"$select", "BusinessPartner"}, {"$orderby", "BusinessPartner"}, {"$top", "1"},
		}}, &page)
	if err != nil || len(page.Results) == 0 {
		return "", err
	}
	return page.Results[0].BusinessPartner, nil
}

func (c *Client) partnerByEmail(ctx context.Context, email string) (string, error) {
	email = strings.TrimSpace(email)
	filter := "EmailAddress eq " + quote(email)
	if lower := strings.ToLower(email); lower != email {
		filter += " or EmailAddress eq " + quote(lower)
	}

	var page collection[struct {
		BusinessPartner string `json:"BusinessPartner"`
	}]
	err := c.odata.do(ctx, call{method: http.MethodGet, service: servicePartner,
		path: setEmail, query: []param{{"$filter", filter},
			{"$select", "BusinessPartner"}, {"$orderby", "BusinessPartner"}, {"$top", "1"},
		}}, &page)
	if err != nil || len(page.Results) == 0 {
		return "", err
	}
	return page.Results[0].BusinessPartner, nil
}

func (c *Client) readPartner(ctx context.Context, id string) (partnerRow, error) {
	var row partnerRow
	err := c.odata.do(ctx, call{method: http.MethodGet, service: servicePartner,
		path: keyPath(setPartner, id), query: []param{{"$expand", partnerExpand}}}, &row)
	if err != nil {
		return partnerRow{}, fmt.Errorf("read business partner %s: %w", id, err)
	}
	return row, nil
}

// partnerFor returns the business partner of an order's customer, found by
// e-mail or created, with currency in its sales area data. The store's
// customer id is kept when it fits the field. Two calls for one new
// customer at the same moment would both create it: the caller makes the
// calls for one e-mail take turns.
func (c *Client) partnerFor(ctx context.Context, cust erp.Customer, currency string) (
	string, error) {
	id, err := c.partnerByEmail(ctx, cust.Email)
	if err != nil {
		return "", fmt.Errorf("find customer business partner: %w", err)
	}
	if id != "" {
		return id, nil
	}

	if utf8.RuneCountInString(cust.ExternalID) > maxExternalID {
		cust.ExternalID = ""
	}
	rec, err := c.createPartner(ctx, cust, currency)
	if err != nil {
		return "", err
	}
	return rec.ID, nil
}

// CreateCustomer creates c as a business partner of category 1 (person)
// in the customer roles, with its e-mail and phone as address-independent
// communication data, its postal address, c.ExternalID in
// BusinessPartnerIDByExtSystem, and customer data for the configured sales
// area in the configured customer currency, with the customer's payment
// terms and price group when set. Names are split at the last space into
// first and last name. A credit limit is not written (see termsBody).
//
// TODO: the customer's company code data (to_CustomerCompany, with the
// reconciliation account) and the partner functions of the sales area are
// left to SAP's defaults; tenants without defaults need them configured.
func (c *Client) CreateCustomer(ctx context.Context, cust erp.Customer) (
	erp.CustomerRecord, error) {
	return c.createPartner(ctx, cust, c.customerCurrency)
}

// createPartner creates cust with currency, when not empty, in its sales
// area data.
func (c *Client) createPartner(ctx context.Context, cust erp.Customer, currency string) (
	rec erp.CustomerRecord, err error) {
	defer syncerr.Wrap(&err, "create sap business partner")
	body, err := c.partnerBody(cust, currency)
	if err != nil {
		return erp.CustomerRecord{}, err
	}

	var row partnerRow
	err = c.odata.do(ctx, call{method: http.MethodPost, service: servicePartner,
		path: setPartner, body: body}, &row)
	if err != nil {
		return erp.CustomerRecord{}, err
	}
	c.log.Info("sap business partner created", zap.String(fieldPartnerID, row.BusinessPartner))
	return row.record(c.area), nil
}

// partnerBody builds the deep insert of A_BusinessPartner, with the
// customer extended to the configured sales area.
func (c *Client) partnerBody(cust erp.Customer, currency string) (map[string]any, error) {
	first, last, err := nameParts(cust)
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(cust.ExternalID) > maxExternalID {
		return nil, syncerr.Invalid("external_id", "has more than %d characters, the length "+
			"of BusinessPartnerIDByExtSystem", maxExternalID)
	}

	roles := make([]map[string]any, len(customerRoles))
	for i, r := range customerRoles {
		roles[i] = map[string]any{"BusinessPartnerRole": r}
	}
	body := map[string]any{
		"BusinessPartnerCategory": "1",
		"FirstName":               first,
		"LastName":                last,
		"to_BusinessPartnerRole":  map[string]any{"results": roles},
		"to_BusinessPartnerAddress": map[string]any{"results": []map[string]any{
			addressBody(cust.Address)}},
	}
	if cust.ExternalID != "" {
		body["BusinessPartnerIDByExtSystem"] = cust.ExternalID
	}
	area, err := termsBody(cust.Terms)
	if err != nil {
		return nil, err
	}
	area["SalesOrganization"], area["DistributionChannel"], area["Division"] =
		c.area.org, c.area.channel, c.area.division
	if currency != "" {
		area["Currency"] = currency
	}
	body["to_Customer"] = map[string]any{"to_CustomerSalesArea": map[string]any{
		"results": []map[string]any{area}}}
	if cust.Email != "" {
		body["to_AddressIndependentEmail"] = map[string]any{"results": []map[string]any{
			{"EmailAddress": cust.Email}}}
	}
	if cust.Phone != "" {
		body["to_AddressIndependentPhone"] = map[string]any{"results": []map[string]any{
			{"PhoneNumber": cust.Phone}}}
	}
	return body, nil
}

// nameParts splits the customer's name at its last space. A customer with
// no name is named by e-mail.
func nameParts(cust erp.Customer) (string, string, error) {
	name := strings.TrimSpace(cust.Name)
	if name == "" {
		name = cust.Email
	}
	first, last := "", name
	if i := strings.LastIndex(name, " "); i > 0 {
		first, last = strings.TrimSpace(name[:i]), name[i+1:]
	}
	if last == "" {
		return "", "", syncerr.Invalid("customer.name", "is empty and there is no e-mail")
	}
	if utf8.RuneCountInString(first) > maxNamePart || utf8.RuneCountInString(last) > maxNamePart {
		return "", "", syncerr.Invalid("customer.name", "first or last name has more than "+
			"%d characters, the length of the business partner's name fields", maxNamePart)
	}
	return first, last, nil
}

// addressBody writes the address fields that a is set in.
func addressBody(a erp.Address) map[string]any {
	body := map[string]any{}
	fields := map[string]string{"StreetName": a.Line1, "StreetSuffixName": a.Line2,
		"CityName": a.City, "PostalCode": a.PostalCode, "Region": a.Region,
		"Country": strings.ToUpper(a.CountryCode)}
	for name, v := range fields {
		if v != "" {
			body[name] = v
		}
	}
	return body
}

// UpdateCustomer changes the fields of business partner id that c sets:
// names and external id on the partner, the e-mail and phone on their
// address-independent records (created when missing), the postal address
// on the first address, and the payment terms and price group on the
// customer data of the configured sales area. A credit limit is not
// written (see termsBody). Each change sends the ETag read before the
// changes.
func (c *Client) UpdateCustomer(ctx context.Context, id string, cust erp.Customer) (
	rec erp.CustomerRecord, err error) {
	defer syncerr.Wrap(&err, "update sap business partner %s", id)
	row, err := c.readPartner(ctx, id)
	if err != nil {
		return erp.CustomerRecord{}, err
	}
	terms, err := c.termsChange(row, cust.Terms)
	if err != nil {
		return erp.CustomerRecord{}, err
	}

	if err := c.updatePartnerFields(ctx, row, cust); err != nil {
		return erp.CustomerRecord{}, err
	}
	if err := c.updateComm(ctx, id, setEmail, "EmailAddress", cust.Email,
		row.Emails.Results); err != nil {
		return erp.CustomerRecord{}, err
	}
	if err := c.updateComm(ctx, id, setPhone, "PhoneNumber", cust.Phone,
		row.Phones.Results); err != nil {
		return erp.CustomerRecord{}, err
	}
	if err := c.updateAddress(ctx, id, cust.Address, row.Addresses.Results); err != nil {
		return erp.CustomerRecord{}, err
	}
	if err := terms.send(ctx, c); err != nil {
		return erp.CustomerRecord{}, err
	}

	if row, err = c.readPartner(ctx, id); err != nil {
		return erp.CustomerRecord{}, err
	}
	return row.record(c.area), nil
}

func (c *Client) updatePartnerFields(ctx context.Context, row partnerRow,
	cust erp.Customer) error {
	body := map[string]any{}
	if strings.TrimSpace(cust.Name) != "" {
		first, last, err := nameParts(cust)
		if err != nil {
			return err
		}
		body["FirstName"], body["LastName"] = first, last
	}
	if cust.ExternalID != "" {
		if utf8.RuneCountInString(cust.ExternalID) > maxExternalID {
			return syncerr.Invalid("external_id", "has more than %d characters", maxExternalID)
		}
		body["BusinessPartnerIDByExtSystem"] = cust.ExternalID
	}
	if len(body) == 0 {
		return nil
	}
	return c.odata.do(ctx, call{method: http.MethodPatch, service: servicePartner,
		path: keyPath(setPartner, row.BusinessPartner), body: body,
		ifMatch: row.Metadata.ifMatch()}, nil)
}

// updateComm sets the partner's e-mail or phone in set: a PATCH of the
// first record, or a POST of a new one when there is none.
func (c *Client) updateComm(ctx context.Context, id, set, field, value string,
	existing []commRow) error {
	if value == "" {
		return nil
	}
	if len(existing) == 0 {
		return c.odata.do(ctx, call{method: http.MethodPost, service: servicePartner,
			path: set, body: map[string]any{"BusinessPartner": id, field: value}}, nil)
	}

	r := existing[0]
	path := fmt.Sprintf("%s(BusinessPartner=%s,AddressID=%s,Person=%s,OrdinalNumber=%s)",
		set, quote(id), quote(r.AddressID), quote(r.Person), quote(r.OrdinalNumber))
	return c.odata.do(ctx, call{method: http.MethodPatch, service: servicePartner,
		path: path, body: map[string]any{field: value}, ifMatch: r.Metadata.ifMatch()}, nil)
}

// updateAddress changes the first postal address of the partner.
func (c *Client) updateAddress(ctx context.Context, id string, a erp.Address,
	existing []addressRow) error {
	body := addressBody(a)
	if len(body) == 0 {
		return nil
	}
	if len(existing) == 0 {
		return syncerr.Invalid("customer.address", "business partner %s has no address to "+
			"change", id)
	}
	r := existing[0]
	path := fmt.Sprintf("%s(BusinessPartner=%s,AddressID=%s)", setAddress, quote(id),
		quote(r.AddressID))
	return c.odata.do(ctx, call{method: http.MethodPatch, service: servicePartner,
		path: path, body: body, ifMatch: r.Metadata.ifMatch()}, nil)
}

// ChangedCustomers lists the business partners changed or created at or
// after q.Since, oldest first. SAP leaves the change date of a partner
// empty until its first change, so the listing merges two streams: the
// partners changed since, by LastChangeDate, LastChangeTime and number,
// and the partners created since and never changed, by CreationDate,
// CreationTime and number, each with keyset paging.
func (c *Client) ChangedCustomers(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.CustomerRecord], err error) {
	defer syncerr.Wrap(&err, "list changed sap customers")
	changed := func(pos cursor, top int) (collection[partnerRow], error) {
		return c.partners(ctx,
			dayTimeAfter("LastChangeDate", "LastChangeTime", "BusinessPartner", pos),
			"LastChangeDate,LastChangeTime,BusinessPartner", top)
	}
	created := func(pos cursor, top int) (collection[partnerRow], error) {
		return c.partners(ctx, "LastChangeDate eq null and "+
			dayTimeAfter("CreationDate", "CreationTime", "BusinessPartner", pos),
			"CreationDate,CreationTime,BusinessPartner", top)
	}

	rows, next, err := mergeStreams(q, [2]stream[partnerRow]{changed, created},
		func(r partnerRow) cursor { return cursor{Modified: r.modified(), ID: r.BusinessPartner} })
	if err != nil {
		return erp.Page[erp.CustomerRecord]{}, err
	}
	for _, r := range rows {
		page.Items = append(page.Items, r.record(c.area))
	}
	page.Next = next
	return page, nil
}

// partners reads the business partners that filter selects, in orderBy,
// at most top of them.
func (c *Client) partners(ctx context.Context, filter, orderBy string, top int) (
	collection[partnerRow], error) {
	var rows collection[partnerRow]
	err := c.odata.do(ctx, call{method: http.MethodGet, service: servicePartner,
		path: setPartner, query: []param{{"$filter", filter}, {"$expand", partnerExpand},
			{"$orderby", orderBy}, {"$top", fmt.Sprint(top)}}}, &rows)
	return rows, err
}
