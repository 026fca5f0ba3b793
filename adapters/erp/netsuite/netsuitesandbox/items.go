package netsuitesandbox

// Item types, as item.itemtype holds them, that the sandbox gives items.
const (
	itemInventory   = "InvtPart"
	itemOtherCharge = "OthCharge"
	itemDiscount    = "Discount"
)

// itemTypeNames are the labels of the item types a line's itemType shows.
var itemTypeNames = map[string]string{itemInventory: "Inventory Item",
	itemOtherCharge: "Other Charge Item", itemDiscount: "Discount Item"}

// defaultItemTypes are the types of the service items that erpsync's
// stack seeds: shipping, tax and refunds are other-charge items, the
// discount a discount item. Every other item is an inventory item.
var defaultItemTypes = map[string]string{"SHIPPING": itemOtherCharge, "TAX": itemOtherCharge,
	"REFUND": itemOtherCharge, "DISCOUNT": itemDiscount}

// WithItemTypes sets the NetSuite item type of items by SKU, such as
// "OthCharge", "Service" or "Discount", replacing the default (SHIPPING,
// TAX and REFUND other-charge items, DISCOUNT a discount item). Items not
// named are inventory items. A line on a discount item has no quantity
// and its rate, usually negative, is the amount of the line.
func WithItemTypes(types map[string]string) Option {
	return func(s *sandbox) {
		s.itemTypes = map[string]string{}
		for sku, t := range types {
			s.itemTypes[sku] = t
		}
	}
}

// itemType returns the item type of the item with sku.
func (s *sandbox) itemType(sku string) string {
	if t, ok := s.itemTypes[sku]; ok {
		return t
	}
	return itemInventory
}
