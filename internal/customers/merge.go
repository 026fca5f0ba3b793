// Package customers decides how a customer's fields flow between a store and
// an ERP, and keeps in Postgres which store customer is which ERP customer,
// what each side held when they last synced, and the conflicts it resolved.
//
// Each field has an owner: the side whose changes win. A field changed on
// one side only is copied to the other when that side owns it, and put back
// to the owner's value when it does not. A field that both sides changed
// since they last synced goes to the later modification, whoever owns it.
// Every value that loses is recorded with the rule that decided.
package customers

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Side names the store or the ERP.
type Side string

// The two sides of a customer.
const (
	Store Side = "store"
	ERP   Side = "erp"
)

// Fields of a customer that sync compares, by name.
const (
	FieldEmail        = "email"
	FieldName         = "name"
	FieldPhone        = "phone"
	FieldAddress      = "address"
	FieldCreditLimit  = "credit_limit"
	FieldPaymentTerms = "payment_terms"
	FieldPriceGroup   = "price_group"
)

// Fields lists every field in a fixed order.
var Fields = []string{FieldEmail, FieldName, FieldPhone, FieldAddress, FieldCreditLimit,
	FieldPaymentTerms, FieldPriceGroup}

// Rules that decide a conflict.
const (
	// RuleLater gives a field that both sides changed to the later
	// modification.
	RuleLater = "later"

	// RuleOwner puts back a field that the side not owning it changed.
	RuleOwner = "owner"
)

// Ownership says which side owns each field.
type Ownership map[string]Side

// DefaultOwnership gives the store the contact fields and the ERP the
// commercial terms.
func DefaultOwnership() Ownership {
	return Ownership{
		FieldEmail: Store, FieldName: Store, FieldPhone: Store, FieldAddress: Store,
		FieldCreditLimit: ERP, FieldPaymentTerms: ERP, FieldPriceGroup: ERP,
	}
}

// ParseOwnership reads overrides of the default ownership, such as
// "phone=erp,price_group=store". An empty string gives the default.
func ParseOwnership(s string) (Ownership, error) {
	own := DefaultOwnership()
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		field, side, ok := strings.Cut(item, "=")
		field, side = strings.TrimSpace(field), strings.TrimSpace(side)
		if _, known := own[field]; !ok || !known {
			return nil, fmt.Errorf("ownership %q: want field=store or field=erp, with a field "+
				"of %s", item, strings.Join(Fields, ", "))
		}
		if Side(side) != Store && Side(side) != ERP {
			return nil, fmt.Errorf("ownership %q: owner must be store or erp", item)
		}
		own[field] = Side(side)
	}
	return own, nil
}

// String lists the ownership in field order, as ParseOwnership reads it.
func (o Ownership) String() string {
	parts := make([]string, 0, len(Fields))
	for _, f := range Fields {
		parts = append(parts, f+"="+string(o[f]))
	}
	return strings.Join(parts, ",")
}

// Values holds a customer's fields as comparable text, by field name. An
// absent field and an empty one are the same.
type Values map[string]string

// Snapshot is what each side held when the two last synced. Each side is
// compared with its own snapshot, so that a side that cannot hold a value
// (an adapter that does not write a country) does not look changed.
type Snapshot struct {
	Store Values `json:"store"`
	ERP   Values `json:"erp"`
}

// Version is one side's record: its values and when it last changed.
type Version struct {
	Values   Values
	Modified time.Time
}

// Conflict is a field on which one side's value lost.
type Conflict struct {
	Field  string `json:"field"`
	Rule   string `json:"rule"`
	Winner Side   `json:"winner"`
	Kept   string `json:"kept"`
	Lost   string `json:"lost"`
}

// Outcome is what a merge decided: the fields each side must be given, and
// the conflicts.
type Outcome struct {
	ToStore   Values
	ToERP     Values
	Conflicts []Conflict
}

// Merge decides each field from what both sides held when they last synced
// (nil when they never met) and their records now. Without a snapshot, a
// field that differs goes to its owner's value, or to the other side's when
// the owner's is empty, and no conflict is recorded.
func Merge(own Ownership, last *Snapshot, store, erp Version) Outcome {
	out := Outcome{ToStore: Values{}, ToERP: Values{}}
	for _, f := range Fields {
		s, e := store.Values[f], erp.Values[f]
		if s == e {
			continue
		}
		d := decide(own[f], f, last, s, e, store.Modified, erp.Modified)
		switch d.to {
		case Store:
			out.ToStore[f] = d.value
		case ERP:
			out.ToERP[f] = d.value
		}
		if d.conflict != nil {
			out.Conflicts = append(out.Conflicts, *d.conflict)
		}
	}
	return out
}

// decision is what to do with one field that the sides hold differently:
// write value to side to, if any, and record the conflict, if any.
type decision struct {
	to       Side
	value    string
	conflict *Conflict
}

// decide settles one field that the sides hold differently.
func decide(owner Side, f string, last *Snapshot, s, e string, sAt, eAt time.Time) decision {
	if last == nil {
		if first(owner, s, e) == s {
			return decision{to: ERP, value: s}
		}
		return decision{to: Store, value: e}
	}

	sChanged, eChanged := s != last.Store[f], e != last.ERP[f]
	switch {
	case !sChanged && !eChanged:
		return decision{} // as they were: one side cannot hold the other's value
	case sChanged && !eChanged:
		return settle(owner, f, Store, s, e)
	case eChanged && !sChanged:
		return settle(owner, f, ERP, e, s)
	}

	later := owner
	if sAt.After(eAt) {
		later = Store
	} else if eAt.After(sAt) {
		later = ERP
	}
	if later == Store {
		return decision{to: ERP, value: s, conflict: &Conflict{Field: f, Rule: RuleLater,
			Winner: Store, Kept: s, Lost: e}}
	}
	return decision{to: Store, value: e, conflict: &Conflict{Field: f, Rule: RuleLater,
		Winner: ERP, Kept: e, Lost: s}}
}

// settle handles a field that only side changed, to changed; the other
// side holds kept.
func settle(owner Side, f string, side Side, changed, kept string) decision {
	other := ERP
	if side == ERP {
		other = Store
	}
	if owner == side {
		return decision{to: other, value: changed}
	}
	return decision{to: side, value: kept, conflict: &Conflict{Field: f, Rule: RuleOwner,
		Winner: owner, Kept: kept, Lost: changed}}
}

// first is the value of a field that two sides hold differently when they
// first meet.
func first(owner Side, s, e string) string {
	mine, theirs := s, e
	if owner == ERP {
		mine, theirs = e, s
	}
	if mine == "" {
		return theirs
	}
	return mine
}

// Changed lists the fields of v in field order.
func (v Values) Changed() []string {
	return slices.Sorted(maps.Keys(v))
}
