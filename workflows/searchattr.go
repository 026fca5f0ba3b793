package workflows

import "go.temporal.io/sdk/temporal"

// Search attributes that every sync workflow carries, so that the Web UI can
// list what needs a human: filter on ErpSyncStatus="needs_attention" and add
// ErpSyncReason as a column.
var (
	StatusKey = temporal.NewSearchAttributeKeyKeyword("ErpSyncStatus")
	ReasonKey = temporal.NewSearchAttributeKeyString("ErpSyncReason")
	StoreKey  = temporal.NewSearchAttributeKeyKeyword("ErpSyncStore")
	OrderKey  = temporal.NewSearchAttributeKeyKeyword("ErpSyncOrder")
	ERPKey    = temporal.NewSearchAttributeKeyKeyword("ErpSyncErp")
)

// SearchAttributes returns the custom search attributes that the Temporal
// namespace must have registered, by name, with their Temporal type.
func SearchAttributes() map[string]string {
	return map[string]string{
		StatusKey.GetName(): "Keyword",
		ReasonKey.GetName(): "Text",
		StoreKey.GetName():  "Keyword",
		OrderKey.GetName():  "Keyword",
		ERPKey.GetName():    "Keyword",
	}
}
