package odoosandbox

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
)

// callArgs are the positional and keyword arguments of a model method.
type callArgs struct {
	method string
	args   []any
	kwargs map[string]any
}

// params names the parameters of the ORM methods the sandbox serves, in
// positional order. Methods called on records take the ids first.
var params = map[string][]string{
	"search":       {"domain", "offset", "limit", "order"},
	"search_read":  {"domain", "fields", "offset", "limit", "order"},
	"search_count": {"domain", "limit"},
	"read":         {"ids", "fields", "load"},
	"create":       {"vals_list"},
	"write":        {"ids", "vals"},
	"action":       {"ids"},
}

// bind matches the arguments to the names of the method's parameters, as
// Python would, and refuses extra or doubled ones. "context" is accepted
// and ignored.
func (c callArgs) bind(names []string) (map[string]any, error) {
	if len(c.args) > len(names) {
		return nil, typeError("%s() takes %d positional arguments but %d were given",
			c.method, len(names), len(c.args))
	}

	bound := make(map[string]any, len(names))
	for i, v := range c.args {
		bound[names[i]] = v
	}
	for _, k := range sortedKeys(c.kwargs) {
		if k == "context" {
			continue
		}
		if !slices.Contains(names, k) {
			return nil, typeError("%s() got an unexpected keyword argument '%s'", c.method, k)
		}
		if _, dup := bound[k]; dup {
			return nil, typeError("%s() got multiple values for argument '%s'", c.method, k)
		}
		bound[k] = c.kwargs[k]
	}
	return bound, nil
}

// execute runs one ORM method of def.
func (s *sandbox) execute(def *modelDef, c callArgs) (any, error) {
	if act, ok := def.actions[c.method]; ok {
		a, err := c.bind(params["action"])
		if err != nil {
			return nil, err
		}
		ids, err := requiredIDs(c.method, a)
		if err != nil {
			return nil, err
		}
		ctx, _ := c.kwargs["context"].(map[string]any)
		return act(s, ids, ctx)
	}

	names, ok := params[c.method]
	if !ok || c.method == "action" {
		return nil, newError(nameAttributeErr, "The method '%s' does not exist on the model '%s'",
			c.method, def.name)
	}
	a, err := c.bind(names)
	if err != nil {
		return nil, err
	}
	return s.runORM(def, c.method, a)
}

// runORM runs one of the generic ORM methods with bound arguments.
func (s *sandbox) runORM(def *modelDef, method string, a map[string]any) (any, error) {
	switch method {
	case "search":
		return s.search(def, a)
	case "search_read":
		return s.searchRead(def, a)
	case "search_count":
		found, err := s.find(def, a)
		return int64(len(found)), err
	case "read":
		return s.read(def, a)
	case "create":
		return s.create(def, a)
	}
	return s.write(def, a)
}

func (s *sandbox) search(def *modelDef, a map[string]any) (any, error) {
	found, err := s.find(def, a)
	if err != nil {
		return nil, err
	}

	ids := make([]int64, len(found))
	for i, r := range found {
		ids[i] = r["id"].(int64)
	}
	return ids, nil
}

func (s *sandbox) searchRead(def *modelDef, a map[string]any) (any, error) {
	fields, err := fieldList(def, a["fields"])
	if err != nil {
		return nil, err
	}

	found, err := s.find(def, a)
	if err != nil {
		return nil, err
	}
	return projectAll(found, fields), nil
}

func (s *sandbox) read(def *modelDef, a map[string]any) (any, error) {
	ids, err := requiredIDs("read", a)
	if err != nil {
		return nil, err
	}
	fields, err := fieldList(def, a["fields"])
	if err != nil {
		return nil, err
	}

	found, err := byID(def, s.candidates(def, ids), ids)
	if err != nil {
		return nil, err
	}
	return projectAll(found, fields), nil
}

// create takes one dictionary of values, returning one id, or a list of
// them, returning a list of ids. Every dictionary is checked before any
// record is created.
func (s *sandbox) create(def *modelDef, a map[string]any) (any, error) {
	if def.create == nil {
		return nil, readOnly(def, "create")
	}
	raw, ok := a["vals_list"]
	if !ok {
		return nil, typeError("create() missing 1 required positional argument: 'vals_list'")
	}

	list, isList := raw.([]any)
	_, single := raw.(map[string]any)
	switch {
	case single:
		list = []any{raw}
	case !isList:
		return nil, typeError("create() takes a dictionary of values or a list of them")
	}
	valsList := make([]map[string]any, 0, len(list))
	for _, item := range list {
		vals, err := dictValue("create() values", item)
		if err != nil {
			return nil, err
		}
		if err := def.checkVals(vals); err != nil {
			return nil, err
		}
		valsList = append(valsList, vals)
	}

	ids := make([]int64, 0, len(valsList))
	for _, vals := range valsList {
		id, err := def.create(s, vals)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if single {
		return ids[0], nil
	}
	return ids, nil
}

func (s *sandbox) write(def *modelDef, a map[string]any) (any, error) {
	if def.write == nil {
		return nil, readOnly(def, "write")
	}
	ids, err := requiredIDs("write", a)
	if err != nil {
		return nil, err
	}
	vals, err := dictValue("write() values", a["vals"])
	if err != nil {
		return nil, err
	}
	if err := def.checkVals(vals); err != nil {
		return nil, err
	}

	if _, err := byID(def, s.candidates(def, ids), ids); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if err := def.write(s, id, vals); err != nil {
			return nil, err
		}
	}
	return true, nil
}

// find returns the records matching the bound domain, ordered, offset and
// limited. Models with an "active" field hide archived records unless the
// domain names "active", as Odoo does. When the model's indexes can narrow
// the search, only their candidates are read and matched.
//
// TODO: models without indexes (res.partner, sale.order, sale.order.line,
// stock.picking, stock.move) still read and convert all their records on
// every search, which slows a benchmark with many thousands of orders.
func (s *sandbox) find(def *modelDef, a map[string]any) ([]record, error) {
	cond, err := parseDomain(def, a["domain"])
	if err != nil {
		return nil, err
	}
	keys, err := parseOrder(def, orderClause(a["order"]))
	if err != nil {
		return nil, err
	}
	offset, err := count("offset", a["offset"], 0)
	if err != nil {
		return nil, err
	}
	limit, err := count("limit", a["limit"], -1)
	if err != nil {
		return nil, err
	}

	activeOnly := hasField(def, "active") && !mentions(a["domain"], "active")
	keep := func(r record) bool { return cond.match(r) && (!activeOnly || r["active"] == true) }
	if src, ok := s.narrow(def, newQuery(cond, keys, wanted(offset, limit))); ok {
		return src.collect(keep, keys, offset, limit), nil
	}

	var found []record
	for _, r := range def.records(s) {
		if keep(r) {
			found = append(found, r)
		}
	}
	sortRecords(found, keys)
	return page(found, offset, limit), nil
}

// narrow returns the candidates that def's indexes offer q, if any.
func (s *sandbox) narrow(def *modelDef, q query) (source, bool) {
	if def.narrow == nil {
		return source{}, false
	}
	return def.narrow(s, q)
}

// candidates returns records of def that include those with ids: the
// records that the model's indexes find by id, or else all of them.
func (s *sandbox) candidates(def *modelDef, ids []int64) []record {
	list := make([]any, len(ids))
	for i, id := range ids {
		list[i] = id
	}
	leaf := leafCond{field: "id", op: "in", value: list}
	src, ok := s.narrow(def, newQuery(leaf, []orderKey{{field: "id"}}, -1))
	if !ok {
		return def.records(s)
	}
	return src.collect(func(record) bool { return true }, nil, 0, -1)
}

// wanted returns how many matches a search needs: offset plus limit, or -1
// for all of them.
func wanted(offset, limit int) int {
	if limit < 0 || offset > math.MaxInt-limit {
		return -1
	}
	return offset + limit
}

func page(records []record, offset, limit int) []record {
	if offset >= len(records) {
		return []record{}
	}
	records = records[offset:]
	if limit >= 0 && limit < len(records) {
		records = records[:limit]
	}
	return records
}

// fieldList reads the fields argument: nil or false for all fields, or a
// list of known field names.
func fieldList(def *modelDef, raw any) ([]string, error) {
	if isEmpty(raw) {
		return def.fieldNames(), nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, typeError("fields must be a list of field names")
	}

	fields := make([]string, 0, len(list))
	for _, item := range list {
		name, ok := item.(string)
		if !ok {
			return nil, typeError("fields must be a list of field names")
		}
		if _, known := def.field(name); !known {
			return nil, invalidField(def.name, name)
		}
		fields = append(fields, name)
	}
	return fields, nil
}

// requiredIDs reads the ids a record method is called on.
func requiredIDs(method string, a map[string]any) ([]int64, error) {
	raw, ok := a["ids"]
	if !ok {
		return nil, typeError("%s() missing the record ids", method)
	}
	return idsValue(raw)
}

// count reads offset or limit: a whole non-negative number, or false/null
// for the default.
func count(name string, raw any, def int) (int, error) {
	if isEmpty(raw) {
		return def, nil
	}
	n, ok := raw.(json.Number)
	if ok {
		if v, err := strconv.Atoi(n.String()); err == nil && v >= 0 {
			return v, nil
		}
	}
	return 0, valueError("Invalid %s %v: expected a whole number of records", name, raw)
}

func orderClause(raw any) string {
	s, _ := raw.(string)
	return s
}

// mentions reports whether a domain has a leaf on field.
func mentions(domain any, field string) bool {
	items, _ := domain.([]any)
	for _, item := range items {
		if leaf, ok := item.([]any); ok && len(leaf) == 3 && leaf[0] == field {
			return true
		}
	}
	return false
}

func hasField(def *modelDef, name string) bool {
	_, ok := def.fields[name]
	return ok
}

func readOnly(def *modelDef, method string) error {
	return newError(nameAccessError, "You are not allowed to %s '%s' records through this "+
		"sandbox's external API.", method, def.name)
}
