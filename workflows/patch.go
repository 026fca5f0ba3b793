package workflows

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/erpsync/erpsync/activities"
	"github.com/erpsync/erpsync/adapters/erp"
)

// SignalPatch carries an operator's correction of a parked order's data,
// in a [Decision] with Patch set, written against the store's version of
// the order in Version.
const SignalPatch = "patch"

// PatchFields lists the fields a patch may set, with i a line's index.
var PatchFields = []string{"lines[i].sku", "lines[i].quantity", "customer.email",
	"customer.name", "customer.phone"}

var lineField = regexp.MustCompile(`^lines\[(\d+)\]\.(sku|quantity)$`)

// CheckPatch reports the first field of p that a patch cannot set, or a
// value it cannot take.
func CheckPatch(p map[string]string) error {
	if len(p) == 0 {
		return fmt.Errorf("a patch sets at least one field (%s)", strings.Join(PatchFields, ", "))
	}
	for _, field := range sortedKeys(p) {
		value := p[field]
		m := lineField.FindStringSubmatch(field)
		switch {
		case m != nil && m[2] == "quantity":
			if n, err := strconv.ParseInt(value, 10, 64); err != nil || n <= 0 {
				return fmt.Errorf("patch %s: %q is not a positive whole number", field, value)
			}
		case m != nil, field == "customer.name", field == "customer.phone":
		case field == "customer.email":
			if !strings.Contains(value, "@") {
				return fmt.Errorf("patch %s: not an e-mail address", field)
			}
		default:
			return fmt.Errorf("patch field %q: want one of %s", field,
				strings.Join(PatchFields, ", "))
		}
	}
	return nil
}

// applyPatch returns so with the fields of p set. A line index beyond the
// order's lines is an error naming the field.
func applyPatch(so erp.SalesOrder, p map[string]string) (erp.SalesOrder, error) {
	so.Lines = append([]erp.Line(nil), so.Lines...)
	for _, field := range sortedKeys(p) {
		value := p[field]
		if m := lineField.FindStringSubmatch(field); m != nil {
			i, _ := strconv.Atoi(m[1])
			if i >= len(so.Lines) || so.Lines[i].Kind != erp.LineProduct {
				return so, fmt.Errorf("patch %s: the order has no product line %d", field, i)
			}
			if m[2] == "sku" {
				so.Lines[i].SKU = value
			} else {
				so.Lines[i].Quantity, _ = strconv.ParseInt(value, 10, 64)
			}
			continue
		}
		switch field {
		case "customer.email":
			so.Customer.Email = value
		case "customer.name":
			so.Customer.Name = value
		case "customer.phone":
			so.Customer.Phone = value
		}
	}
	return so, nil
}

// patched applies the sync's patch, if any, to the loaded order. A patch
// written against another version of the store's order is refused: the
// operator looked at data the store has changed since.
func patched(s *SyncState, loaded activities.LoadedOrder) (erp.SalesOrder, error) {
	if len(s.Patch) == 0 {
		return loaded.SalesOrder, nil
	}
	if loaded.Version != s.PatchVersion {
		stale := s.PatchVersion
		s.Patch, s.PatchVersion = nil, ""
		return erp.SalesOrder{}, patchRefused{fmt.Sprintf("patch refused: it was written for "+
			"version %s of the store's order, which is now at version %s; show the sync "+
			"again and patch what it shows", stale, loaded.Version)}
	}
	so, err := applyPatch(loaded.SalesOrder, s.Patch)
	if err != nil {
		s.Patch, s.PatchVersion = nil, ""
		return erp.SalesOrder{}, patchRefused{err.Error()}
	}
	return so, nil
}

// patchRefused is a patch the sync could not apply; it parks with the
// reason.
type patchRefused struct{ reason string }

func (e patchRefused) Error() string { return e.reason }

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
