package shopifysandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// An obj is a resolved GraphQL object: its type name, and its fields, each
// a value or a [resolver].
type obj struct {
	typename string
	fields   map[string]any
}

// A resolver computes a field from the call's arguments.
type resolver func(c call) (any, error)

// A call is one field being resolved.
type call struct {
	args  map[string]any
	field *ast.Field
	vars  map[string]any
}

// directiveArg returns the value of argument arg of the field's directive
// name, and whether the directive is there.
func (c call) directiveArg(name, arg string) (any, bool) {
	d := c.field.Directives.ForName(name)
	if d == nil {
		return nil, false
	}
	a := d.Arguments.ForName(arg)
	if a == nil {
		return nil, true
	}
	v, err := a.Value.Value(c.vars)
	if err != nil {
		return nil, true
	}
	return v, true
}

// fieldError is an error of one field, answered in the errors list with
// the field's path and an extension code.
type fieldError struct {
	message string
	code    string
}

// Error returns the message.
func (e *fieldError) Error() string { return e.message }

func errorCode(code, format string, args ...any) *fieldError {
	return &fieldError{message: fmt.Sprintf(format, args...), code: code}
}

// gqlError is one entry of a GraphQL answer's errors list.
type gqlError struct {
	Message    string         `json:"message"`
	Locations  []location     `json:"locations,omitempty"`
	Path       []any          `json:"path,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

type location struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// jsonObject is a JSON object that keeps its members in the order of the
// query, as GraphQL answers do.
type jsonObject []member

type member struct {
	key   string
	value any
}

// MarshalJSON writes the members in order.
func (o jsonObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// executor runs one operation of a validated document over resolved
// objects, counting the actual cost of what it resolves.
type executor struct {
	schema   *ast.Schema
	vars     map[string]any
	mutation bool
	errs     []gqlError
	cost     int
}

// run resolves the operation's selection set on root.
func (e *executor) run(op *ast.OperationDefinition, root obj) jsonObject {
	e.mutation = op.Operation == ast.Mutation
	return e.selectFields(root, op.SelectionSet, nil, true)
}

// selectFields resolves the fields of set on o.
func (e *executor) selectFields(o obj, set ast.SelectionSet, path []any, root bool) jsonObject {
	out := jsonObject{}
	for _, f := range e.collect(o.typename, set) {
		key := f.Alias
		if key == "" {
			key = f.Name
		}
		at := append(append([]any(nil), path...), key)

		if f.Name == "__typename" {
			out = append(out, member{key, o.typename})
			continue
		}
		v, err := e.resolve(o, f)
		if err != nil {
			e.fail(f, at, err)
			out = append(out, member{key, nil})
			continue
		}
		if root && e.mutation {
			e.cost += mutationCost
		}
		out = append(out, member{key, e.complete(v, f, at)})
	}
	return out
}

// resolve reads field f of o, calling its resolver with the arguments.
func (e *executor) resolve(o obj, f *ast.Field) (any, error) {
	v, ok := o.fields[f.Name]
	if !ok {
		return nil, fmt.Errorf("field '%s' on type '%s' is not served by the sandbox", f.Name,
			o.typename)
	}
	r, ok := v.(resolver)
	if !ok {
		return v, nil
	}

	args, err := argumentMap(f, e.vars)
	if err != nil {
		return nil, err
	}
	return r(call{args: args, field: f, vars: e.vars})
}

// complete turns a resolved value into its answer, selecting the fields of
// objects.
func (e *executor) complete(v any, f *ast.Field, path []any) any {
	switch x := v.(type) {
	case obj:
		e.count(x.typename)
		return e.selectFields(x, f.SelectionSet, path, false)
	case []obj:
		list := make([]any, len(x))
		for i, item := range x {
			list[i] = e.complete(item, f, append(append([]any(nil), path...), i))
		}
		return list
	case []any: // a list whose entries may be null
		list := make([]any, len(x))
		for i, item := range x {
			list[i] = item
			if o, ok := item.(obj); ok {
				list[i] = e.complete(o, f, append(append([]any(nil), path...), i))
			}
		}
		return list
	}
	return v
}

// count adds the actual cost of an object of type typename: a connection
// costs two, its edges and page info nothing, any other object one, and
// nothing inside a mutation, which costs a flat amount.
func (e *executor) count(typename string) {
	if e.mutation {
		return
	}
	e.cost += objectCost(typename)
}

func objectCost(typename string) int {
	switch {
	case strings.HasSuffix(typename, "Connection"):
		return 2
	case strings.HasSuffix(typename, "Edge") || typename == "PageInfo":
		return 0
	}
	return 1
}

// fail records the error of field f at path.
func (e *executor) fail(f *ast.Field, path []any, err error) {
	ge := gqlError{Message: err.Error(), Path: path}
	if f.Position != nil {
		ge.Locations = []location{{Line: f.Position.Line, Column: f.Position.Column}}
	}
	var fe *fieldError
	if errors.As(err, &fe) && fe.code != "" {
		ge.Extensions = map[string]any{"code": fe.code}
	}
	e.errs = append(e.errs, ge)
}

// collect returns the fields of set that apply to an object of typename,
// through fragments, @skip and @include, merging fields of one response key.
func (e *executor) collect(typename string, set ast.SelectionSet) []*ast.Field {
	var fields []*ast.Field
	seen := map[string]int{}
	e.collectInto(typename, set, &fields, seen)
	return fields
}

func (e *executor) collectInto(typename string, set ast.SelectionSet, fields *[]*ast.Field,
	seen map[string]int) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if !e.included(s.Directives) {
				continue
			}
			e.addField(s, fields, seen)
		case *ast.InlineFragment:
			if e.included(s.Directives) && e.applies(s.TypeCondition, typename) {
				e.collectInto(typename, s.SelectionSet, fields, seen)
			}
		case *ast.FragmentSpread:
			def := s.Definition
			if def != nil && e.included(s.Directives) && e.applies(def.TypeCondition, typename) {
				e.collectInto(typename, def.SelectionSet, fields, seen)
			}
		}
	}
}

// addField appends f, or merges its selections into the field already
// collected under its response key.
func (e *executor) addField(f *ast.Field, fields *[]*ast.Field, seen map[string]int) {
	key := f.Alias
	if key == "" {
		key = f.Name
	}
	i, ok := seen[key]
	if !ok {
		seen[key] = len(*fields)
		*fields = append(*fields, f)
		return
	}
	merged := *(*fields)[i]
	merged.SelectionSet = append(append(ast.SelectionSet(nil), merged.SelectionSet...),
		f.SelectionSet...)
	(*fields)[i] = &merged
}

// applies reports whether a fragment on condition applies to an object of
// typename.
func (e *executor) applies(condition, typename string) bool {
	if condition == "" || condition == typename {
		return true
	}
	def := e.schema.Types[condition]
	if def == nil || (def.Kind != ast.Union && def.Kind != ast.Interface) {
		return false
	}
	for _, t := range e.schema.GetPossibleTypes(def) {
		if t.Name == typename {
			return true
		}
	}
	return false
}

// included evaluates @skip and @include.
func (e *executor) included(directives ast.DirectiveList) bool {
	if d := directives.ForName("skip"); d != nil && e.boolArg(d) {
		return false
	}
	if d := directives.ForName("include"); d != nil && !e.boolArg(d) {
		return false
	}
	return true
}

func (e *executor) boolArg(d *ast.Directive) bool {
	a := d.Arguments.ForName("if")
	if a == nil {
		return false
	}
	v, err := a.Value.Value(e.vars)
	b, ok := v.(bool)
	return err == nil && ok && b
}

// argumentMap evaluates the arguments of f with their defaults. An
// argument given as a variable that has no value is left out, so that
// resolvers can tell it from an explicit null.
func argumentMap(f *ast.Field, vars map[string]any) (map[string]any, error) {
	args := map[string]any{}
	if f.Definition == nil {
		return args, nil
	}
	for _, def := range f.Definition.Arguments {
		a := f.Arguments.ForName(def.Name)
		switch {
		case a != nil && a.Value.Kind == ast.Variable:
			if v, ok := vars[a.Value.Raw]; ok {
				args[def.Name] = v
				continue
			}
		case a != nil:
			v, err := a.Value.Value(vars)
			if err != nil {
				return nil, fmt.Errorf("argument %s: %w", def.Name, err)
			}
			args[def.Name] = v
			continue
		}
		if def.DefaultValue != nil {
			v, err := def.DefaultValue.Value(vars)
			if err != nil {
				return nil, fmt.Errorf("argument %s: %w", def.Name, err)
			}
			args[def.Name] = v
		}
	}
	return args, nil
}
