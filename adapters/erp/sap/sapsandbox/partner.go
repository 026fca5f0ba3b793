package sapsandbox

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// businessPartners lists every customer of the model as A_BusinessPartner
// of category 1 (person) with the customer roles. As in SAP, the change
// date and time stay empty until the first change.
func (s *Server) businessPartners() []entity {
	customers := s.model.Customers()
	out := make([]entity, 0, len(customers))
	for _, c := range customers {
		out = append(out, partnerEntity(c, s.currency))
	}
	return out
}

func partnerEntity(c erpsandbox.Customer, currency string) entity {
	id := strconv.FormatInt(c.ID, 10)
	first, last := splitName(c.Name)
	createdDay, createdTime := dayOf(c.Created)
	changedDay, changedTime := lastChange(c.Created, c.Modified)
	etag := etagOf(c.Modified)

	e := entity{etag: etag, props: map[string]any{
		"BusinessPartner":              id,
		"Customer":                     id,
		"BusinessPartnerCategory":      "1",
		"BusinessPartnerGrouping":      "BP02",
		"BusinessPartnerFullName":      c.Name,
		"FirstName":                    first,
		"LastName":                     last,
		"OrganizationBPName1":          "",
		"SearchTerm1":                  strings.ToUpper(truncate(last, 20)),
		"BusinessPartnerIDByExtSystem": c.ExternalRef,
		"CreationDate":                 createdDay,
		"CreationTime":                 createdTime,
		"LastChangeDate":               changedDay,
		"LastChangeTime":               changedTime,
	}}

	e.navs = partnerNavs(c, id, currency)
	return e
}

// partnerNavs builds the entities a partner's navigation properties lead
// to: its e-mail and phone (when set), its address, roles and customer.
func partnerNavs(c erpsandbox.Customer, id, currency string) map[string][]entity {
	comm := func(field, value, flag string) []entity {
		if value == "" {
			return []entity{}
		}
		return []entity{{props: map[string]any{"BusinessPartner": id,
			"AddressID": "", "Person": "", "OrdinalNumber": "1", field: value, flag: true}}}
	}
	a := c.Address
	return map[string][]entity{
		"to_AddressIndependentEmail": comm("EmailAddress", c.Email, "IsDefaultEmailAddress"),
		"to_AddressIndependentPhone": comm("PhoneNumber", c.Phone, "IsDefaultPhoneNumber"),
		"to_BusinessPartnerAddress": {{props: map[string]any{
			"BusinessPartner": id, "AddressID": id, "StreetName": a.Line1,
			"StreetSuffixName": a.Line2, "HouseNumber": "", "CityName": a.City,
			"PostalCode": a.PostalCode, "Region": a.Region, "Country": a.CountryCode,
		}}},
		"to_BusinessPartnerRole": {
			{props: map[string]any{"BusinessPartner": id, "BusinessPartnerRole": "FLCU00"}},
			{props: map[string]any{"BusinessPartner": id, "BusinessPartnerRole": "FLCU01"}},
		},
		"to_Customer": {customerEntity(c, currency)},
	}
}

// customerEntity is the customer master of a partner, extended to the
// sandbox's one sales area, as every model customer is. The sales area
// holds the customer's payment terms and price group.
func customerEntity(c erpsandbox.Customer, currency string) entity {
	id := strconv.FormatInt(c.ID, 10)
	area := entity{props: map[string]any{
		"Customer":             id,
		"SalesOrganization":    salesOrgSandbox,
		"DistributionChannel":  distChannelSandbox,
		"Division":             divisionSandbox,
		"Currency":             currency,
		"CustomerPaymentTerms": c.PaymentTerms,
		"CustomerPriceGroup":   c.PriceGroup,
	}}
	return entity{props: map[string]any{
		"Customer":          id,
		"CustomerName":      c.Name,
		"DeletionIndicator": false,
	}, navs: map[string][]entity{"to_CustomerSalesArea": {area}}}
}

// splitName splits a full name at its last space into a first and a last
// name; a single word is a last name.
func splitName(name string) (string, string) {
	name = strings.TrimSpace(name)
	if i := strings.LastIndex(name, " "); i > 0 {
		return strings.TrimSpace(name[:i]), name[i+1:]
	}
	return "", name
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// children lists the entities that the navigation nav of every business
// partner leads to, as the entity set of those entities.
func (s *Server) children(nav string) func() []entity {
	return func() []entity {
		var out []entity
		for _, bp := range s.businessPartners() {
			out = append(out, bp.navs[nav]...)
		}
		return out
	}
}

// createPartner books a deep insert of A_BusinessPartner with its e-mail,
// phone and first address, and the payment terms and price group of its
// customer data in the sandbox's sales area. Roles and the rest of the
// customer data are accepted and not kept: every partner of the sandbox is
// a customer in its sales area.
func (s *Server) createPartner(body map[string]any) (entity, error) {
	c := erpsandbox.Customer{ExternalRef: str(body["BusinessPartnerIDByExtSystem"])}
	switch str(body["BusinessPartnerCategory"]) {
	case "1":
		c.Name = strings.TrimSpace(str(body["FirstName"]) + " " + str(body["LastName"]))
		if str(body["LastName"]) == "" {
			return entity{}, partnerError("R11/002", "Enter a last name", "LastName")
		}
	case "2":
		c.Name = str(body["OrganizationBPName1"])
		if c.Name == "" {
			return entity{}, partnerError("R11/003", "Enter a name", "OrganizationBPName1")
		}
	default:
		return entity{}, partnerError("R11/001", "Enter a business partner category (1 or 2)",
			"BusinessPartnerCategory")
	}
	c.Email = firstValue(body["to_AddressIndependentEmail"], "EmailAddress")
	c.Phone = firstValue(body["to_AddressIndependentPhone"], "PhoneNumber")
	if addrs, _ := body["to_BusinessPartnerAddress"].([]any); len(addrs) > 0 {
		applyAddress(&c.Address, addrs[0].(map[string]any))
	}
	if area, ok := sandboxArea(body); ok {
		applyTerms(&c, area)
	}

	stored, err := s.model.CreateCustomer(c)
	if err != nil {
		return entity{}, modelError(err)
	}
	return partnerEntity(stored, s.currency), nil
}

func partnerError(code, message, target string) error {
	return &odataError{status: http.StatusBadRequest, code: code, message: message,
		target: target}
}

// firstValue reads field of the first entity of a deep-insert list.
func firstValue(list any, field string) string {
	items, _ := list.([]any)
	if len(items) == 0 {
		return ""
	}
	return str(items[0].(map[string]any)[field])
}

// applyAddress copies the address fields that body sets.
func applyAddress(a *erpsandbox.Address, body map[string]any) {
	fields := map[string]*string{"StreetName": &a.Line1, "StreetSuffixName": &a.Line2,
		"CityName": &a.City, "PostalCode": &a.PostalCode, "Region": &a.Region,
		"Country": &a.CountryCode}
	for name, dst := range fields {
		if v, ok := body[name]; ok {
			*dst = str(v)
		}
	}
}

// updatePartner merges the names and the external id of body.
func (s *Server) updatePartner(e entity, body map[string]any) error {
	return s.changeCustomer(e, func(c *erpsandbox.Customer) {
		first, last := splitName(c.Name)
		if v, ok := body["FirstName"]; ok {
			first = str(v)
		}
		if v, ok := body["LastName"]; ok {
			last = str(v)
		}
		c.Name = strings.TrimSpace(first + " " + last)
		if v := str(body["OrganizationBPName1"]); v != "" {
			c.Name = v
		}
		if v, ok := body["BusinessPartnerIDByExtSystem"]; ok {
			c.ExternalRef = str(v)
		}
	})
}

// changeCustomer applies change to the customer behind the business
// partner entity e or one of its children.
func (s *Server) changeCustomer(e entity, change func(*erpsandbox.Customer)) error {
	id, err := strconv.ParseInt(str(e.props["BusinessPartner"]), 10, 64)
	if err != nil {
		return notFound("Business partner %v not found", e.props["BusinessPartner"])
	}
	_, err = s.model.UpdateCustomer(id, func(c *erpsandbox.Customer) error {
		change(c)
		return nil
	})
	return modelError(err)
}

// createChild adds an e-mail, a phone number or an address to a business
// partner that has none, through the child's own entity set.
func (s *Server) createChild(nav string, apply func(*erpsandbox.Customer,
	map[string]any)) func(map[string]any) (entity, error) {
	return func(body map[string]any) (entity, error) {
		bp := str(body["BusinessPartner"])
		parent, err := s.find(s.sets["A_BusinessPartner"], map[string]string{"": bp})
		if err != nil {
			return entity{}, err
		}
		err = s.changeCustomer(parent, func(c *erpsandbox.Customer) { apply(c, body) })
		if err != nil {
			return entity{}, err
		}
		updated, err := s.find(s.sets["A_BusinessPartner"], map[string]string{"": bp})
		if err != nil || len(updated.navs[nav]) == 0 {
			return entity{}, badRequest("Business partner %s was not changed", bp)
		}
		return updated.navs[nav][0], nil
	}
}

// updateChild changes an e-mail, a phone number or an address.
func (s *Server) updateChild(apply func(*erpsandbox.Customer, map[string]any)) func(entity,
	map[string]any) error {
	return func(e entity, body map[string]any) error {
		return s.changeCustomer(e, func(c *erpsandbox.Customer) { apply(c, body) })
	}
}

func setEmail(c *erpsandbox.Customer, body map[string]any) {
	if v, ok := body["EmailAddress"]; ok {
		c.Email = str(v)
	}
}

func setPhone(c *erpsandbox.Customer, body map[string]any) {
	if v, ok := body["PhoneNumber"]; ok {
		c.Phone = str(v)
	}
}

func setAddress(c *erpsandbox.Customer, body map[string]any) {
	applyAddress(&c.Address, body)
}

// sandboxArea finds the sales area data of the sandbox's sales area in the
// customer data of a partner's deep insert. Areas that name no sales
// organization, channel or division are taken to mean the sandbox's.
func sandboxArea(body map[string]any) (map[string]any, bool) {
	customers, _ := body["to_Customer"].([]any)
	if len(customers) == 0 {
		return nil, false
	}
	areas, _ := customers[0].(map[string]any)["to_CustomerSalesArea"].([]any)
	for _, raw := range areas {
		area := raw.(map[string]any)
		if isSandboxArea(area) {
			return area, true
		}
	}
	return nil, false
}

func isSandboxArea(area map[string]any) bool {
	keys := map[string]string{"SalesOrganization": salesOrgSandbox,
		"DistributionChannel": distChannelSandbox, "Division": divisionSandbox}
	for name, want := range keys {
		if v, ok := area[name]; ok && str(v) != want {
			return false
		}
	}
	return true
}

// applyTerms copies the payment terms and price group that body sets.
func applyTerms(c *erpsandbox.Customer, body map[string]any) {
	if v, ok := body["CustomerPaymentTerms"]; ok {
		c.PaymentTerms = str(v)
	}
	if v, ok := body["CustomerPriceGroup"]; ok {
		c.PriceGroup = str(v)
	}
}

// updateSalesArea changes the payment terms and the price group of a
// customer's sales area data.
func (s *Server) updateSalesArea(e entity, body map[string]any) error {
	id, err := strconv.ParseInt(str(e.props["Customer"]), 10, 64)
	if err != nil {
		return notFound("Customer %v not found", e.props["Customer"])
	}
	_, err = s.model.UpdateCustomer(id, func(c *erpsandbox.Customer) error {
		applyTerms(c, body)
		return nil
	})
	return modelError(err)
}
