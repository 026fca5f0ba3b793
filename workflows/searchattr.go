package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

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
// namespace must have registered, by name, with their type.
func SearchAttributes() map[string]enumspb.IndexedValueType {
	keyword := enumspb.INDEXED_VALUE_TYPE_KEYWORD
	return map[string]enumspb.IndexedValueType{
		StatusKey.GetName(): keyword,
		ReasonKey.GetName(): enumspb.INDEXED_VALUE_TYPE_TEXT,
		StoreKey.GetName():  keyword,
		OrderKey.GetName():  keyword,
		ERPKey.GetName():    keyword,
	}
}
