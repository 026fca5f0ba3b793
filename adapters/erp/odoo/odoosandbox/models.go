package odoosandbox

import (
	"cmp"
	"slices"
	"sort"
	"strings"
)

// fieldKind is the type of a field, which decides how it reads, compares and
// sorts.
type fieldKind int

const (
	kindChar fieldKind = iota
	kindInteger
	kindNumber // float and monetary fields, kept as exact JSON numbers
	kindBoolean
	kindSelection
	kindDatetime
	kindMany2one
	kindOne2many
)

// fieldDef describes one field of a model.
type fieldDef struct {
	kind     fieldKind
	readonly bool
}

// A modelDef is one Odoo model the sandbox serves: its fields, how to read
// all its records, and how to create and change them. A nil create or write
// makes the model read-only. narrow, when set, offers a search fewer
// candidates than all records, from the model's indexes, or reports false
// when the query names nothing it indexes. actions are the model's public
// record methods, called with the ids and the call's context.
type modelDef struct {
	name    string
	fields  map[string]fieldDef
	records func(s *sandbox) []record
	narrow  func(s *sandbox, q query) (source, bool)
	create  func(s *sandbox, vals map[string]any) (int64, error)
	write   func(s *sandbox, id int64, vals map[string]any) error
	actions map[string]action
}

// An action is a public record method such as action_confirm. ctx is the
// context of the call, empty when none was sent.
type action func(s *sandbox, ids []int64, ctx map[string]any) (any, error)

// field returns the definition of the named field. Every model has "id".
func (d *modelDef) field(name string) (fieldDef, bool) {
	if name == "id" {
		return fieldDef{kind: kindInteger, readonly: true}, true
	}
	f, ok := d.fields[name]
	return f, ok
}

// fieldNames returns the names of all fields, "id" first.
func (d *modelDef) fieldNames() []string {
	names := make([]string, 0, len(d.fields)+1)
	for name := range d.fields {
		names = append(names, name)
	}
	sort.Strings(names)
	return append([]string{"id"}, names...)
}

// checkVals refuses values for unknown or read-only fields, naming the
// first in alphabetical order so that errors are reproducible.
func (d *modelDef) checkVals(vals map[string]any) error {
	for _, name := range sortedKeys(vals) {
		f, ok := d.field(name)
		if !ok {
			return invalidField(d.name, name)
		}
		if f.readonly {
			return valueError("Field %q on model %q is read-only", name, d.name)
		}
	}
	return nil
}

// byID returns the records with the given ids, in the order of ids, or a
// MissingError naming the first that is not there.
func byID(def *modelDef, all []record, ids []int64) ([]record, error) {
	index := make(map[int64]record, len(all))
	for _, r := range all {
		index[r["id"].(int64)] = r
	}

	found := make([]record, 0, len(ids))
	for _, id := range ids {
		r, ok := index[id]
		if !ok {
			return nil, newError(nameMissingError, "Record does not exist or has been deleted.\n"+
				"(Record: %s(%d,), User: %d)", def.name, id, defaultUID)
		}
		found = append(found, r)
	}
	return found, nil
}

// orderKey is one "field [asc|desc]" term of an order clause.
type orderKey struct {
	field string
	desc  bool
}

// parseOrder parses an order clause such as "write_date asc, id asc".
// Records always end ordered by id among equals.
func parseOrder(def *modelDef, clause string) ([]orderKey, error) {
	var keys []orderKey
	for _, term := range strings.Split(clause, ",") {
		words := strings.Fields(term)
		if len(words) == 0 {
			continue
		}
		f, ok := def.field(words[0])
		if !ok || f.kind == kindOne2many || len(words) > 2 {
			return nil, valueError("Invalid \"order\" specified (%s)", clause)
		}

		key := orderKey{field: words[0]}
		if len(words) == 2 {
			switch strings.ToLower(words[1]) {
			case "asc":
			case "desc":
				key.desc = true
			default:
				return nil, valueError("Invalid \"order\" specified (%s)", clause)
			}
		}
		keys = append(keys, key)
	}
	return append(keys, orderKey{field: "id"}), nil
}

// sortRecords sorts records by keys. Empty values sort last going up.
func sortRecords(records []record, keys []orderKey) {
	sort.SliceStable(records, func(i, j int) bool {
		for _, k := range keys {
			c := sortCompare(records[i][k.field], records[j][k.field])
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c < 0
			}
		}
		return false
	})
}

// sortCompare orders two values of the same field.
func sortCompare(a, b any) int {
	ea, eb := isEmpty(a), isEmpty(b)
	switch {
	case ea && eb:
		return 0
	case ea:
		return 1
	case eb:
		return -1
	}

	ma, okA := a.(many2one)
	mb, okB := b.(many2one)
	if okA && okB {
		a, b = ma.name, mb.name
	}
	sa, okA := a.(string)
	sb, okB := b.(string)
	if okA && okB {
		return strings.Compare(sa, sb)
	}
	c, _ := compare(a, b) // both true booleans, or numbers
	return c
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sortByID sorts records by ascending id.
func sortByID(records []record) {
	slices.SortFunc(records, func(a, b record) int {
		return cmp.Compare(a["id"].(int64), b["id"].(int64))
	})
}
