package customers

import (
	"reflect"
	"testing"
	"time"
)

var (
	early = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	late  = early.Add(time.Hour)
)

func TestMergeFollowsOwnershipAndTheLaterChange(t *testing.T) {
	last := Values{FieldEmail: "ann@example.com", FieldPhone: "111", FieldCreditLimit: "1000",
		FieldPaymentTerms: "NET30", FieldName: "Ann Lee"}

	cases := []struct {
		name      string
		store     Values
		erp       Values
		storeAt   time.Time
		erpAt     time.Time
		toStore   Values
		toERP     Values
		conflicts []Conflict
	}{{
		name:    "the owner's change flows to the other side",
		store:   with(last, FieldPhone, "222"),
		erp:     with(last, FieldCreditLimit, "5000"),
		storeAt: early, erpAt: late,
		toStore: Values{FieldCreditLimit: "5000"},
		toERP:   Values{FieldPhone: "222"},
	}, {
		name:    "a change by the side that does not own the field is put back",
		store:   with(last, FieldCreditLimit, "9999"),
		erp:     last,
		storeAt: late, erpAt: early,
		toStore: Values{FieldCreditLimit: "1000"},
		toERP:   Values{},
		conflicts: []Conflict{{Field: FieldCreditLimit, Rule: RuleOwner, Winner: ERP,
			Kept: "1000", Lost: "9999"}},
	}, {
		name:    "both changed: the later modification wins over the owner",
		store:   with(last, FieldPhone, "222"),
		erp:     with(last, FieldPhone, "333"),
		storeAt: early, erpAt: late,
		toStore: Values{FieldPhone: "333"},
		toERP:   Values{},
		conflicts: []Conflict{{Field: FieldPhone, Rule: RuleLater, Winner: ERP,
			Kept: "333", Lost: "222"}},
	}, {
		name:    "both changed at the same second: the owner wins",
		store:   with(last, FieldPaymentTerms, "NET60"),
		erp:     with(last, FieldPaymentTerms, "IMMEDIATE"),
		storeAt: early, erpAt: early,
		toStore: Values{FieldPaymentTerms: "IMMEDIATE"},
		toERP:   Values{},
		conflicts: []Conflict{{Field: FieldPaymentTerms, Rule: RuleLater, Winner: ERP,
			Kept: "IMMEDIATE", Lost: "NET60"}},
	}, {
		name:    "both changed to the same value: no conflict",
		store:   with(last, FieldName, "Ann Smith"),
		erp:     with(last, FieldName, "Ann Smith"),
		storeAt: early, erpAt: late,
		toStore: Values{},
		toERP:   Values{},
	}}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Merge(DefaultOwnership(), &Snapshot{Store: last, ERP: last},
				Version{c.store, c.storeAt}, Version{c.erp, c.erpAt})
			if !reflect.DeepEqual(got.ToStore, c.toStore) || !reflect.DeepEqual(got.ToERP, c.toERP) {
				t.Errorf("to store %v, to erp %v; want %v, %v", got.ToStore, got.ToERP,
					c.toStore, c.toERP)
			}
			if !reflect.DeepEqual(got.Conflicts, c.conflicts) {
				t.Errorf("conflicts = %+v, want %+v", got.Conflicts, c.conflicts)
			}
		})
	}
}

// An ERP that cannot hold a value (here, a country in the address) keeps
// holding what it held after the last sync: that is no change, and nothing
// is written or recorded again.
func TestMergeComparesEachSideWithWhatItHeld(t *testing.T) {
	last := &Snapshot{Store: Values{FieldAddress: "1 Main St\\nUS"},
		ERP: Values{FieldAddress: "1 Main St"}}
	store := Version{Values{FieldAddress: "1 Main St\\nUS"}, early}
	erp := Version{Values{FieldAddress: "1 Main St"}, late}

	got := Merge(DefaultOwnership(), last, store, erp)
	if len(got.ToStore)+len(got.ToERP)+len(got.Conflicts) != 0 {
		t.Fatalf("merge %+v, want nothing to do", got)
	}
}

func TestMergeWithoutSnapshotTakesTheOwnersValueOrFillsAGap(t *testing.T) {
	store := Values{FieldEmail: "a@example.com", FieldPhone: "111", FieldCreditLimit: "7"}
	erp := Values{FieldEmail: "a@example.com", FieldPhone: "999", FieldPaymentTerms: "NET30"}

	got := Merge(DefaultOwnership(), nil, Version{store, late}, Version{erp, early})
	wantStore := Values{FieldPaymentTerms: "NET30"}
	wantERP := Values{FieldPhone: "111", FieldCreditLimit: "7"}
	if !reflect.DeepEqual(got.ToStore, wantStore) || !reflect.DeepEqual(got.ToERP, wantERP) ||
		len(got.Conflicts) != 0 {
		t.Fatalf("merge %+v, want %v to the store and %v to the erp", got, wantStore, wantERP)
	}
}

func TestParseOwnership(t *testing.T) {
	own, err := ParseOwnership(" phone=erp , price_group=store")
	if err != nil {
		t.Fatal(err)
	}
	if own[FieldPhone] != ERP || own[FieldPriceGroup] != Store || own[FieldEmail] != Store {
		t.Fatalf("ownership = %v", own)
	}
	for _, bad := range []string{"phone", "fax=erp", "phone=both"} {
		if _, err := ParseOwnership(bad); err == nil {
			t.Errorf("ParseOwnership(%q) succeeded", bad)
		}
	}
}

func with(v Values, field, value string) Values {
	out := Values{}
	for k, x := range v {
		out[k] = x
	}
	out[field] = value
	return out
}
