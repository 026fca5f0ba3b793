package bcsandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/internal/money"
)

// Field lengths of the Business Central tables behind the API.
const (
	maxExternalDocumentNumber = 35
	maxCustomerNumber         = 20
)

// decodeObject reads a JSON object, keeping numbers exact.
func decodeObject(body []byte) (map[string]any, *apiError) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, errorf(http.StatusBadRequest, "BadRequest",
			"The request body is not a valid JSON object.")
	}
	return obj, nil
}

// checkProps refuses properties that the entity type does not define.
func checkProps(obj map[string]any, typeName string, allowed ...string) *apiError {
	for name := range obj {
		if strings.HasPrefix(name, "@odata.") {
			continue
		}
		ok := false
		for _, a := range allowed {
			ok = ok || a == name
		}
		if !ok {
			return errorf(http.StatusBadRequest, "BadRequest",
				"The property '%s' does not exist on type 'Microsoft.NAV.%s'. Make sure to "+
					"only use property names that are defined by the type.", name, typeName)
		}
	}
	return nil
}

// text reads an optional string property.
func text(obj map[string]any, name string) (string, *apiError) {
	v, ok := obj[name]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", errorf(http.StatusBadRequest, "BadRequest",
			"Cannot convert a primitive value to the expected type 'Edm.String' for '%s'.", name)
	}
	return s, nil
}

// checkLength refuses a value longer than the field it goes into.
func checkLength(value string, max int) *apiError {
	if n := utf8.RuneCountInString(value); n > max {
		return errorf(http.StatusBadRequest, "Application_StringExceededLength",
			"The length of the string is %d, but it must be less than or equal to %d "+
				"characters. Value: %s", n, max, value)
	}
	return nil
}

// serveCreate answers POST on salesOrders, salesCreditMemos and customers.
func (s *sandbox) serveCreate(w http.ResponseWriter, req apiRequest) {
	obj, apiErr := decodeObject(req.body)
	if apiErr == nil {
		var e entity
		switch req.set.name {
		case "salesOrders":
			e, apiErr = s.createSalesOrder(obj)
		case "customers":
			e, apiErr = s.createCustomer(obj)
		case "salesCreditMemos":
			e, apiErr = s.createCreditMemo(obj)
		default:
			apiErr = errorf(http.StatusMethodNotAllowed, "BadRequest_MethodNotAllowed",
				"The 'POST' method is not allowed on '%s'.", req.set.name)
		}
		if apiErr == nil {
			expand := splitList(req.r.URL.Query().Get("$expand"))
			s.writeEntity(w, req, http.StatusCreated, e, nil, expand)
			return
		}
	}
	writeError(w, apiErr.status, apiErr.code, apiErr.message)
}

// insertedLines reads the lines deep inserted with a document, under the
// property entity + "s" (salesOrderLines, salesCreditMemoLines), in
// currency.
func (s *sandbox) insertedLines(obj map[string]any, entity, currency string) (
	[]erpsandbox.OrderLine, *apiError) {
	prop := entity + "s"
	raw, _ := obj[prop].([]any)
	if _, ok := obj[prop]; ok && raw == nil {
		return nil, errorf(http.StatusBadRequest, "BadRequest",
			"The property '%s' must be an array.", prop)
	}
	var lines []erpsandbox.OrderLine
	for i, l := range raw {
		line, apiErr := s.documentLine(l, currency, entity)
		if apiErr != nil {
			apiErr.message = fmt.Sprintf("%s[%d]: %s", prop, i, apiErr.message)
			return nil, apiErr
		}
		lines = append(lines, line)
	}
	return lines, nil
}

// createSalesOrder books a sales order with its lines, deep inserted.
func (s *sandbox) createSalesOrder(obj map[string]any) (entity, *apiError) {
	if e := checkProps(obj, "salesOrder", "customerId", "customerNumber",
		"externalDocumentNumber", "orderDate", "currencyCode", "salesOrderLines"); e != nil {
		return entity{}, e
	}
	o, apiErr := s.orderHeader(obj)
	if apiErr != nil {
		return entity{}, apiErr
	}
	if o.Lines, apiErr = s.insertedLines(obj, "salesOrderLine", o.Currency); apiErr != nil {
		return entity{}, apiErr
	}

	created, err := s.model.CreateSalesOrder(o)
	if err == nil {
		created, err = s.model.ConfirmSalesOrder(created.ID)
	}
	if err != nil {
		return entity{}, fromModel(err)
	}
	return s.salesOrder(created), nil
}

// orderHeader reads the customer, reference, date and currency of an order.
func (s *sandbox) orderHeader(obj map[string]any) (erpsandbox.SalesOrder, *apiError) {
	var o erpsandbox.SalesOrder
	ref, e1 := text(obj, "externalDocumentNumber")
	date, e2 := text(obj, "orderDate")
	currency, e3 := text(obj, "currencyCode")
	for _, e := range []*apiError{e1, e2, e3, checkLength(ref, maxExternalDocumentNumber)} {
		if e != nil {
			return o, e
		}
	}

	c, apiErr := s.orderCustomer(obj)
	if apiErr != nil {
		return o, apiErr
	}
	o.CustomerID, o.ExternalRef = c.ID, ref
	if o.Currency, apiErr = s.documentCurrency(currency, "Sales Header"); apiErr != nil {
		return o, apiErr
	}
	o.OrderedAt, apiErr = parseDate(date)
	return o, apiErr
}

// documentCurrency returns the currency of a document: code in upper case,
// or the local currency when code is empty. A code missing from the
// Currency table is refused as Business Central refuses it on table.
func (s *sandbox) documentCurrency(code, table string) (string, *apiError) {
	c := strings.ToUpper(code)
	if c == "" {
		c = s.currency
	}
	if c != s.currency && !s.currencies[c] {
		return "", errorf(http.StatusBadRequest, "Application_DialogException",
			"The field Currency Code of table %s contains a value (%s) that cannot "+
				"be found in the related table (Currency).", table, code)
	}
	return c, nil
}

// parseDate reads an optional Edm.Date; the empty text is the zero time.
func parseDate(date string) (time.Time, *apiError) {
	if date == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return time.Time{}, errorf(http.StatusBadRequest, "BadRequest",
			"Cannot convert the literal '%s' to the expected type 'Edm.Date'.", date)
	}
	return t, nil
}

// orderCustomer finds the customer of an order by customerId or
// customerNumber.
func (s *sandbox) orderCustomer(obj map[string]any) (erpsandbox.Customer, *apiError) {
	id, apiErr := text(obj, "customerId")
	if apiErr != nil {
		return erpsandbox.Customer{}, apiErr
	}
	number, apiErr := text(obj, "customerNumber")
	if apiErr != nil {
		return erpsandbox.Customer{}, apiErr
	}
	if id == "" && number == "" {
		return erpsandbox.Customer{}, errorf(http.StatusBadRequest,
			"Application_DialogException", "You must specify a customer ID or a customer "+
				"number to create a sales order.")
	}
	for _, c := range s.model.Customers() {
		if (id != "" && strings.EqualFold(guidOf(c.ID), strings.Trim(id, "{}"))) ||
			(id == "" && strings.EqualFold(customerNumber(c), number)) {
			return c, nil
		}
	}
	return erpsandbox.Customer{}, errorf(http.StatusNotFound, "Internal_RecordNotFound",
		"The Customer does not exist. Identification fields and values: No.='%s'", number+id)
}

// documentLine reads one line of a deep insert of a document whose line
// type is typeName: an item by number or id, a whole quantity and a unit
// price (the item's when none is given), which may be negative, as on a
// discount line.
func (s *sandbox) documentLine(v any, currency, typeName string) (erpsandbox.OrderLine,
	*apiError) {
	var l erpsandbox.OrderLine
	obj, ok := v.(map[string]any)
	if !ok {
		return l, errorf(http.StatusBadRequest, "BadRequest", "A line is not a JSON object.")
	}
	if e := checkProps(obj, typeName, "lineType", "lineObjectNumber", "itemId",
		"description", "quantity", "unitPrice", "sequence"); e != nil {
		return l, e
	}
	lineType, _ := text(obj, "lineType")
	if lineType != "" && lineType != "Item" {
		return l, errorf(http.StatusBadRequest, "Application_DialogException",
			"The sandbox books lines of type Item only, not '%s'.", lineType)
	}

	p, apiErr := s.lineItem(obj)
	if apiErr != nil {
		return l, apiErr
	}
	l.ProductID = p.ID
	l.Description, _ = text(obj, "description")
	if l.Quantity, apiErr = wholeNumber(obj["quantity"]); apiErr != nil {
		return l, apiErr
	}
	l.UnitPriceMinor = p.PriceMinor
	if n, ok := obj["unitPrice"].(json.Number); ok {
		minor, err := money.ParseMinor(n.String(), currency)
		if err != nil {
			return l, errorf(http.StatusBadRequest, "Application_DialogException",
				"The unit price %s has more decimals than %s allows.", n, currency)
		}
		l.UnitPriceMinor = minor
	}
	return l, nil
}

// lineItem finds the item of a line by itemId or lineObjectNumber.
func (s *sandbox) lineItem(obj map[string]any) (erpsandbox.Product, *apiError) {
	number, _ := text(obj, "lineObjectNumber")
	itemID, _ := text(obj, "itemId")
	if number == "" && itemID == "" {
		return erpsandbox.Product{}, errorf(http.StatusBadRequest,
			"Application_DialogException", "You must specify an item ID or a line object "+
				"number for a line of type Item.")
	}
	for _, p := range s.model.Products() {
		if (itemID != "" && strings.EqualFold(guidOf(p.ID), strings.Trim(itemID, "{}"))) ||
			(itemID == "" && strings.EqualFold(p.SKU, number)) {
			return p, nil
		}
	}
	return erpsandbox.Product{}, errorf(http.StatusNotFound, "Internal_RecordNotFound",
		"The Item does not exist. Identification fields and values: No.='%s'", number+itemID)
}

// wholeNumber reads a positive whole quantity.
func wholeNumber(v any) (int64, *apiError) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, errorf(http.StatusBadRequest, "Application_DialogException",
			"The line needs a quantity.")
	}
	q, err := strconv.ParseInt(strings.TrimSuffix(n.String(), ".0"), 10, 64)
	if err != nil || q <= 0 {
		return 0, errorf(http.StatusBadRequest, "Application_DialogException",
			"The quantity %s is not a positive whole number of the base unit.", n)
	}
	return q, nil
}

// customerProps are the customer properties a client may write.
var customerProps = []string{"displayName", "email", "phoneNumber", "addressLine1",
	"addressLine2", "city", "state", "country", "postalCode", "creditLimit", "paymentTermsId"}

// createCustomer creates a customer; number, when given, is its "No.".
func (s *sandbox) createCustomer(obj map[string]any) (entity, *apiError) {
	if e := checkProps(obj, "customer", append(customerProps, "number", "type")...); e != nil {
		return entity{}, e
	}
	number, apiErr := text(obj, "number")
	if apiErr == nil {
		apiErr = checkLength(number, maxCustomerNumber)
	}
	if apiErr != nil {
		return entity{}, apiErr
	}
	for _, c := range s.model.Customers() {
		if number != "" && strings.EqualFold(customerNumber(c), number) {
			return entity{}, errorf(http.StatusBadRequest, "Internal_EntityWithSameKeyExists",
				"The record in table Customer already exists. Identification fields and "+
					"values: No.='%s'", strings.ToUpper(number))
		}
	}

	c := erpsandbox.Customer{ExternalRef: number}
	if apiErr := s.setCustomer(&c, obj); apiErr != nil {
		return entity{}, apiErr
	}
	created, err := s.model.CreateCustomer(c)
	if err != nil {
		return entity{}, fromModel(err)
	}
	return s.customerEntity(created), nil
}

// setCustomer copies the writable properties of obj onto c.
func (s *sandbox) setCustomer(c *erpsandbox.Customer, obj map[string]any) *apiError {
	dst := map[string]*string{
		"displayName": &c.Name, "email": &c.Email, "phoneNumber": &c.Phone,
		"addressLine1": &c.Address.Line1, "addressLine2": &c.Address.Line2,
		"city": &c.Address.City, "state": &c.Address.Region,
		"country": &c.Address.CountryCode, "postalCode": &c.Address.PostalCode,
	}
	for name, p := range dst {
		if _, ok := obj[name]; !ok {
			continue
		}
		v, apiErr := text(obj, name)
		if apiErr != nil {
			return apiErr
		}
		*p = v
	}
	return s.setTerms(c, obj)
}

// serveUpdate answers PATCH on customers, which needs an If-Match header
// that matches the customer's ETag (or is "*").
func (s *sandbox) serveUpdate(w http.ResponseWriter, req apiRequest) {
	if req.set.name != "customers" {
		writeError(w, http.StatusMethodNotAllowed, "BadRequest_MethodNotAllowed",
			"The 'PATCH' method is not allowed on '"+req.set.name+"'.")
		return
	}
	e, apiErr := s.find(req)
	if apiErr == nil {
		apiErr = checkIfMatch(req.r, e, true)
	}
	var obj map[string]any
	if apiErr == nil {
		obj, apiErr = decodeObject(req.body)
	}
	if apiErr == nil {
		apiErr = checkProps(obj, "customer", customerProps...)
	}
	if apiErr != nil {
		writeError(w, apiErr.status, apiErr.code, apiErr.message)
		return
	}

	var patchErr *apiError
	updated, err := s.model.UpdateCustomer(e.id, func(c *erpsandbox.Customer) error {
		if patchErr = s.setCustomer(c, obj); patchErr != nil {
			return patchErr
		}
		return nil
	})
	switch {
	case patchErr != nil:
		writeError(w, patchErr.status, patchErr.code, patchErr.message)
	case err != nil:
		me := fromModel(err)
		writeError(w, me.status, me.code, me.message)
	default:
		s.writeEntity(w, req, http.StatusOK, s.customerEntity(updated), nil, nil)
	}
}

// checkIfMatch compares the If-Match header with the entity's ETag.
func checkIfMatch(r *http.Request, e entity, required bool) *apiError {
	im := strings.TrimSpace(r.Header.Get("If-Match"))
	switch {
	case im == "" && required:
		return errorf(http.StatusBadRequest, "BadRequest",
			"An If-Match header is required to change this entity.")
	case im == "" || im == "*" || im == etagOf(e):
		return nil
	}
	return errorf(http.StatusPreconditionFailed, "Request_EntityChanged",
		"Another user has already changed the record.")
}

// serveDelete answers DELETE on salesOrders. Business Central cancels a
// sales order by deleting it; the model keeps it as cancelled. An order
// with a posted shipment is refused as Business Central refuses to delete
// a line shipped and not invoiced.
func (s *sandbox) serveDelete(w http.ResponseWriter, req apiRequest) {
	if req.set.name != "salesOrders" {
		writeError(w, http.StatusMethodNotAllowed, "BadRequest_MethodNotAllowed",
			"The 'DELETE' method is not allowed on '"+req.set.name+"'.")
		return
	}
	e, apiErr := s.find(req)
	if apiErr == nil {
		apiErr = checkIfMatch(req.r, e, false)
	}
	if apiErr == nil {
		_, err := s.model.CancelSalesOrder(e.id, "deleted")
		switch {
		case errors.Is(err, erpsandbox.ErrShipped):
			apiErr = s.shippedError(e.id)
		case err != nil:
			apiErr = fromModel(err)
		}
	}
	if apiErr != nil {
		writeError(w, apiErr.status, apiErr.code, apiErr.message)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// shippedError is Business Central's refusal to delete sales order id
// whose first shipped line still awaits its invoice.
func (s *sandbox) shippedError(id int64) *apiError {
	o, _ := s.model.SalesOrder(id)
	shipped := map[int64]int64{}
	for _, sh := range s.model.Shipments() {
		for _, l := range sh.Lines {
			if sh.OrderID == id {
				shipped[l.ProductID] += l.Quantity
			}
		}
	}
	for i, l := range o.Lines {
		if q := shipped[l.ProductID]; q > 0 {
			return errorf(http.StatusBadRequest, "Application_FieldValidationException",
				"Qty. Shipped Not Invoiced must be equal to '0'  in Sales Line: Document "+
					"Type=Order, Document No.=%s, Line No.=%d. Current value is '%d'.",
				o.Number, (i+1)*10000, min(q, l.Quantity))
		}
	}
	return errorf(http.StatusBadRequest, "Application_FieldValidationException",
		"Qty. Shipped Not Invoiced must be equal to '0'  in Sales Line: Document "+
			"Type=Order, Document No.=%s.", o.Number)
}

// fromModel maps an error of the model to an API error.
func fromModel(err error) *apiError {
	switch {
	case errors.Is(err, erpsandbox.ErrNotFound):
		return errorf(http.StatusNotFound, "Internal_RecordNotFound", "%s", err.Error())
	case errors.Is(err, erpsandbox.ErrInvalid), errors.Is(err, erpsandbox.ErrState):
		return errorf(http.StatusBadRequest, "Application_DialogException", "%s", err.Error())
	}
	return errorf(http.StatusInternalServerError, "Internal_ServerError",
		"An unexpected error occurred.")
}

func itoa(n int) string { return strconv.Itoa(n) }
