package netsuitesandbox

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A value is what a column or an expression holds: nil (null), a string,
// an int64, a number (a decimal literal or amount) or a time.Time.
type value any

// number is a decimal written as a string, such as "19.99".
type number string

// tableRow is one row of a table, by lower-case column name.
type tableRow map[string]value

// column resolves a column reference of q, with or without the table's
// alias, in row.
func (q query) column(name string, row tableRow) (value, error) {
	if prefix, col, ok := strings.Cut(name, "."); ok {
		if prefix != q.alias && prefix != q.table {
			return nil, fmt.Errorf("unknown identifier %q", name)
		}
		name = col
	}
	v, ok := row[name]
	if !ok {
		return nil, fmt.Errorf("unknown identifier %q on %s", name, q.table)
	}
	return v, nil
}

// eval computes e on row.
func (q query) eval(e expr, row tableRow) (value, error) {
	if e.isLit {
		return e.lit, nil
	}
	if e.fn == "" {
		return q.column(e.column, row)
	}
	args := make([]value, len(e.args))
	for i, a := range e.args {
		v, err := q.eval(a, row)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	return call(e.fn, args)
}

// call applies the function fn.
func call(fn string, args []value) (value, error) {
	switch fn {
	case "LOWER", "UPPER":
		if len(args) != 1 {
			return nil, fmt.Errorf("%s takes one argument", fn)
		}
		s, ok := args[0].(string)
		if !ok {
			return args[0], nil
		}
		if fn == "LOWER" {
			return strings.ToLower(s), nil
		}
		return strings.ToUpper(s), nil
	case "BUILTIN.DF":
		if len(args) != 1 {
			return nil, fmt.Errorf("%s takes one argument", fn)
		}
		return args[0], nil
	case "TO_TIMESTAMP", "TO_DATE":
		return toTimestamp(fn, args)
	case "TO_CHAR":
		return toChar(args)
	}
	return nil, fmt.Errorf("unknown function %s", fn)
}

// layout turns an Oracle datetime format into a Go layout.
func layout(format string) string {
	return strings.NewReplacer("YYYY", "2006", "HH24", "15", "MI", "04", "SS", "05",
		"MM", "01", "DD", "02").Replace(strings.ToUpper(format))
}

func toTimestamp(fn string, args []value) (value, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("%s takes a string and a format", fn)
	}
	s, ok1 := args[0].(string)
	f, ok2 := args[1].(string)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("%s takes a string and a format", fn)
	}
	t, err := time.ParseInLocation(layout(f), s, time.UTC)
	if err != nil {
		return nil, fmt.Errorf("%s: %q does not match the format %q", fn, s, f)
	}
	return t, nil
}

func toChar(args []value) (value, error) {
	if len(args) == 1 {
		return render(args[0]), nil
	}
	if len(args) != 2 {
		return nil, fmt.Errorf("TO_CHAR takes a value and a format")
	}
	f, ok := args[1].(string)
	t, isTime := args[0].(time.Time)
	if !ok || !isTime {
		return render(args[0]), nil
	}
	return t.UTC().Format(layout(f)), nil
}

// compare orders a and b, converting strings to numbers to compare with
// numbers. ok is false when either is null or they cannot be compared.
func compare(a, b value) (int, bool) {
	if a == nil || b == nil {
		return 0, false
	}
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		if !ok {
			return 0, false
		}
		return ta.Compare(tb), true
	}
	sa, aStr := a.(string)
	sb, bStr := b.(string)
	if aStr && bStr {
		return strings.Compare(sa, sb), true
	}
	ra, okA := rat(a)
	rb, okB := rat(b)
	if !okA || !okB {
		return 0, false
	}
	return ra.Cmp(rb), true
}

// rat reads a number from an int64, a number or a numeric string.
func rat(v value) (*big.Rat, bool) {
	switch x := v.(type) {
	case int64:
		return new(big.Rat).SetInt64(x), true
	case number:
		return new(big.Rat).SetString(string(x))
	case string:
		return new(big.Rat).SetString(x)
	}
	return nil, false
}

// test evaluates c on row.
func (q query) test(c cond, row tableRow) (bool, error) {
	switch c.op {
	case "AND", "OR":
		return q.testBoth(c, row)
	case "NOT":
		ok, err := q.test(c.subs[0], row)
		return !ok, err
	}

	left, err := q.eval(c.left, row)
	if err != nil {
		return false, err
	}
	switch c.op {
	case "NULL":
		return (left == nil) != c.not, nil
	case "IN":
		in, err := q.in(left, c.list, row)
		return in != c.not && left != nil, err
	case "LIKE":
		right, err := q.eval(c.right, row)
		return like(left, right) != c.not && left != nil, err
	}
	right, err := q.eval(c.right, row)
	if err != nil {
		return false, err
	}
	n, ok := compare(left, right)
	return ok && holds(c.op, n), nil
}

func (q query) testBoth(c cond, row tableRow) (bool, error) {
	l, err := q.test(c.subs[0], row)
	if err != nil {
		return false, err
	}
	if (c.op == "AND" && !l) || (c.op == "OR" && l) {
		return l, nil
	}
	return q.test(c.subs[1], row)
}

func (q query) in(left value, list []expr, row tableRow) (bool, error) {
	for _, e := range list {
		v, err := q.eval(e, row)
		if err != nil {
			return false, err
		}
		if n, ok := compare(left, v); ok && n == 0 {
			return true, nil
		}
	}
	return false, nil
}

// like matches SQL LIKE patterns with % and _.
func like(v, pattern value) bool {
	s, ok1 := v.(string)
	p, ok2 := pattern.(string)
	if !ok1 || !ok2 {
		return false
	}
	if p == "" {
		return s == ""
	}
	switch p[0] {
	case '%':
		for i := 0; i <= len(s); i++ {
			if like(s[i:], p[1:]) {
				return true
			}
		}
		return false
	case '_':
		return s != "" && like(s[1:], p[1:])
	}
	return s != "" && s[0] == p[0] && like(s[1:], p[1:])
}

func holds(op string, n int) bool {
	switch op {
	case "=":
		return n == 0
	case "<>", "!=":
		return n != 0
	case "<":
		return n < 0
	case "<=":
		return n <= 0
	case ">":
		return n > 0
	}
	return n >= 0 // ">="
}

// run filters, orders and projects rows. Ordering may name a column or an
// alias of the select list.
func (q query) run(rows []tableRow) ([]map[string]string, error) {
	var kept []tableRow
	for _, r := range rows {
		ok := true
		var err error
		if q.where != nil {
			ok, err = q.test(*q.where, r)
		}
		if err != nil {
			return nil, err
		}
		if ok {
			kept = append(kept, r)
		}
	}

	projected, err := q.project(kept)
	if err != nil {
		return nil, err
	}
	if err := q.sort(kept, projected); err != nil {
		return nil, err
	}
	out := make([]map[string]string, len(projected))
	for i, p := range projected {
		out[i] = p.rendered
	}
	if q.fetch > 0 && len(out) > q.fetch {
		out = out[:q.fetch]
	}
	return out, nil
}

// projectedRow is a row of the result with the values of its aliases.
type projectedRow struct {
	values   map[string]value
	rendered map[string]string
}

func (q query) project(rows []tableRow) ([]projectedRow, error) {
	out := make([]projectedRow, len(rows))
	for i, r := range rows {
		p := projectedRow{values: map[string]value{}, rendered: map[string]string{}}
		if q.star {
			for k, v := range r {
				p.values[k] = v
			}
		}
		for _, item := range q.items {
			v, err := q.eval(item.e, r)
			if err != nil {
				return nil, err
			}
			p.values[item.alias] = v
		}
		for k, v := range p.values {
			if v != nil {
				p.rendered[k] = render(v)
			}
		}
		out[i] = p
	}
	return out, nil
}

// sort orders projected (and rows, in step) by the ORDER BY of q.
func (q query) sort(rows []tableRow, projected []projectedRow) error {
	if len(q.order) == 0 {
		return nil
	}
	keys := make([][]value, len(rows))
	for i, r := range rows {
		for _, o := range q.order {
			v, err := q.eval(o.e, r)
			if err != nil && o.e.fn == "" {
				v, err = projected[i].values[o.e.column], nil
			}
			if err != nil {
				return err
			}
			keys[i] = append(keys[i], v)
		}
	}

	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		return q.less(keys[idx[a]], keys[idx[b]])
	})
	sorted := make([]projectedRow, len(idx))
	for i, j := range idx {
		sorted[i] = projected[j]
	}
	copy(projected, sorted)
	return nil
}

// less orders two sort keys; nulls come last.
func (q query) less(a, b []value) bool {
	for k, o := range q.order {
		if a[k] == nil || b[k] == nil {
			if (a[k] == nil) != (b[k] == nil) {
				return b[k] == nil
			}
			continue
		}
		n, _ := compare(a[k], b[k])
		if n != 0 {
			return (n < 0) != o.desc
		}
	}
	return false
}

// render writes a value as SuiteQL answers it: every value a string, a
// datetime in the default date format of a user's preferences.
func render(v value) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case number:
		return string(x)
	case time.Time:
		return x.UTC().Format("1/2/2006")
	case bool:
		if x {
			return "T"
		}
		return "F"
	}
	return fmt.Sprint(v)
}
