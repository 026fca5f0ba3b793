package sapsandbox

import (
	"fmt"
	"strconv"
	"strings"
)

// The EDM types of the properties the sandbox serves.
const (
	edmString         = "Edm.String"
	edmDateTime       = "Edm.DateTime"
	edmDateTimeOffset = "Edm.DateTimeOffset"
	edmTime           = "Edm.Time"
	edmDecimal        = "Edm.Decimal"
	edmBoolean        = "Edm.Boolean"
)

// property is one structural property of an entity type.
type property struct {
	name      string
	edm       string
	maxLength int
}

// navigation is a navigation property: to one entity or to a collection of
// entities of the entity set target.
type navigation struct {
	name   string
	target string
	many   bool
}

// entityType is an entity type with the entity set that holds it.
type entityType struct {
	name  string
	set   string
	keys  []string
	props []property
	navs  []navigation
}

func (t *entityType) property(name string) (property, bool) {
	for _, p := range t.props {
		if p.name == name {
			return p, true
		}
	}
	return property{}, false
}

func (t *entityType) navigation(name string) (navigation, bool) {
	for _, n := range t.navs {
		if n.name == name {
			return n, true
		}
	}
	return navigation{}, false
}

// newType builds an entity type from compact property specs "Name:Type",
// where Type is S<max length>, DT (Edm.DateTime), DTO (Edm.DateTimeOffset),
// T (Edm.Time), D (Edm.Decimal) or B (Edm.Boolean). The first nKeys
// properties are the key.
func newType(set string, nKeys int, specs []string, navs ...navigation) *entityType {
	t := &entityType{name: set + "Type", set: set, navs: navs}
	for i, spec := range specs {
		name, kind, _ := strings.Cut(spec, ":")
		p := property{name: name}
		switch {
		case strings.HasPrefix(kind, "S"):
			p.edm = edmString
			p.maxLength, _ = strconv.Atoi(kind[1:])
		case kind == "DT":
			p.edm = edmDateTime
		case kind == "DTO":
			p.edm = edmDateTimeOffset
		case kind == "T":
			p.edm = edmTime
		case kind == "D":
			p.edm = edmDecimal
		case kind == "B":
			p.edm = edmBoolean
		default:
			panic(fmt.Sprintf("sapsandbox: bad property spec %q", spec)) // a bug in the tables
		}
		t.props = append(t.props, p)
		if i < nKeys {
			t.keys = append(t.keys, name)
		}
	}
	return t
}

func many(name, target string) navigation { return navigation{name, target, true} }

func one(name, target string) navigation { return navigation{name, target, false} }

// Service names, as they appear in /sap/opu/odata/sap/<service>/.
const (
	serviceSalesOrder = "API_SALES_ORDER_SRV"
	servicePartner    = "API_BUSINESS_PARTNER"
	serviceProduct    = "API_PRODUCT_SRV"
	serviceStock      = "API_MATERIAL_STOCK_SRV"
	serviceDelivery   = "API_OUTBOUND_DELIVERY_SRV"
)

// schemas returns the entity types of each service the sandbox serves: the
// part of SAP's published services that erpsync reads and writes.
func schemas() map[string][]*entityType {
	return map[string][]*entityType{
		serviceSalesOrder: {
			newType("A_SalesOrder", 1, []string{"SalesOrder:S10", "SalesOrderType:S4",
				"SalesOrganization:S4", "DistributionChannel:S2", "OrganizationDivision:S2",
				"SoldToParty:S10", "PurchaseOrderByCustomer:S35",
				"CustomerPurchaseOrderDate:DT", "TransactionCurrency:S5", "TotalNetAmount:D",
				"OverallSDProcessStatus:S1", "OverallSDDocumentRejectionSts:S1",
				"OverallTotalDeliveryStatus:S1", "CreationDate:DT", "LastChangeDate:DT",
				"LastChangeDateTime:DTO"},
				many("to_Item", "A_SalesOrderItem")),
			newType("A_SalesOrderItem", 2, []string{"SalesOrder:S10", "SalesOrderItem:S6",
				"Material:S40", "SalesOrderItemText:S40", "RequestedQuantity:D",
				"RequestedQuantityUnit:S3", "NetAmount:D", "TransactionCurrency:S5",
				"SalesDocumentRjcnReason:S2", "SDProcessStatus:S1", "DeliveryStatus:S1"},
				many("to_PricingElement", "A_SalesOrderItemPrElement")),
			newType("A_SalesOrderItemPrElement", 4, []string{"SalesOrder:S10",
				"SalesOrderItem:S6", "PricingProcedureStep:S3", "PricingProcedureCounter:S3",
				"ConditionType:S4", "ConditionRateValue:D", "ConditionCurrency:S5",
				"ConditionQuantity:D"}),
		},
		servicePartner: {
			newType("A_BusinessPartner", 1, []string{"BusinessPartner:S10", "Customer:S10",
				"BusinessPartnerCategory:S1", "BusinessPartnerGrouping:S4",
				"BusinessPartnerFullName:S81", "FirstName:S40", "LastName:S40",
				"OrganizationBPName1:S40", "SearchTerm1:S20",
				"BusinessPartnerIDByExtSystem:S20", "CreationDate:DT", "CreationTime:T",
				"LastChangeDate:DT", "LastChangeTime:T"},
				many("to_AddressIndependentEmail", "A_BPAddressIndependentEmail"),
				many("to_AddressIndependentPhone", "A_BPAddressIndependentPhone"),
				many("to_BusinessPartnerAddress", "A_BusinessPartnerAddress"),
				many("to_BusinessPartnerRole", "A_BusinessPartnerRole"),
				one("to_Customer", "A_Customer")),
			newType("A_Customer", 1, []string{"Customer:S10", "CustomerName:S80",
				"DeletionIndicator:B"}, many("to_CustomerSalesArea", "A_CustomerSalesArea")),
			newType("A_CustomerSalesArea", 4, []string{"Customer:S10", "SalesOrganization:S4",
				"DistributionChannel:S2", "Division:S2", "Currency:S5",
				"CustomerPaymentTerms:S4", "CustomerPriceGroup:S2"}),
			newType("A_BPAddressIndependentEmail", 4, []string{"BusinessPartner:S10",
				"AddressID:S10", "Person:S10", "OrdinalNumber:S3", "EmailAddress:S241",
				"IsDefaultEmailAddress:B"}),
			newType("A_BPAddressIndependentPhone", 4, []string{"BusinessPartner:S10",
				"AddressID:S10", "Person:S10", "OrdinalNumber:S3", "PhoneNumber:S30",
				"IsDefaultPhoneNumber:B"}),
			newType("A_BusinessPartnerAddress", 2, []string{"BusinessPartner:S10",
				"AddressID:S10", "StreetName:S60", "StreetSuffixName:S40", "HouseNumber:S10",
				"CityName:S40", "PostalCode:S10", "Region:S3", "Country:S3"}),
			newType("A_BusinessPartnerRole", 2, []string{"BusinessPartner:S10",
				"BusinessPartnerRole:S6"}),
		},
		serviceProduct: {
			newType("A_Product", 1, []string{"Product:S40", "ProductType:S4", "BaseUnit:S3",
				"IsMarkedForDeletion:B", "CreationDate:DT", "LastChangeDate:DT",
				"LastChangeDateTime:DTO"},
				many("to_Description", "A_ProductDescription"),
				many("to_Valuation", "A_ProductValuation")),
			newType("A_ProductDescription", 2, []string{"Product:S40", "Language:S2",
				"ProductDescription:S40"}),
			newType("A_ProductValuation", 3, []string{"Product:S40", "ValuationArea:S4",
				"ValuationType:S10", "StandardPrice:D", "PriceUnitQty:D", "Currency:S5"}),
		},
		serviceStock: {
			newType("A_MatlStkInAcctMod", 11, []string{"Material:S40", "Plant:S4",
				"StorageLocation:S10", "Batch:S10", "Supplier:S10", "Customer:S10",
				"WBSElementInternalID:S24", "SDDocument:S10", "SDDocumentItem:S6",
				"InventorySpecialStockType:S1", "InventoryStockType:S2",
				"MaterialBaseUnit:S3", "MatlWrhsStkQtyInMatlBaseUnit:D"}),
		},
		serviceDelivery: {
			newType("A_OutbDeliveryHeader", 1, []string{"DeliveryDocument:S10",
				"DeliveryDocumentType:S4", "SDDocumentCategory:S4", "SoldToParty:S10",
				"ShipToParty:S10", "OverallGoodsMovementStatus:S1",
				"ActualGoodsMovementDate:DT", "ActualGoodsMovementTime:T",
				"BillOfLading:S35", "MeansOfTransport:S20", "CreationDate:DT",
				"CreationTime:T", "LastChangeDate:DT"},
				many("to_DeliveryDocumentItem", "A_OutbDeliveryItem")),
			newType("A_OutbDeliveryItem", 2, []string{"DeliveryDocument:S10",
				"DeliveryDocumentItem:S6", "Material:S40", "ActualDeliveryQuantity:D",
				"DeliveryQuantityUnit:S3", "ReferenceSDDocument:S10",
				"ReferenceSDDocumentItem:S6"}),
		},
	}
}
