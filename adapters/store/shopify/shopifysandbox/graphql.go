package shopifysandbox

import (
	"bytes"
	_ "embed" // the schema of the served API
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

//go:embed schema.graphql
var schemaSDL string

// schema is the served part of the Admin API. It is embedded and checked
// by the tests, so a failure to load it is a broken build.
var schema = gqlparser.MustLoadSchema(&ast.Source{Name: "schema.graphql", Input: schemaSDL})

// validation holds GraphQL's validation rules, with Shopify's wording and
// code for a field that does not exist.
var validation = func() *rules.Rules {
	r := rules.NewDefaultRules()
	r.ReplaceRule(rules.FieldsOnCorrectTypeRule.Name, undefinedField)
	return r
}()

// undefinedField refuses fields that the parent type lacks, as Shopify's
// GraphQL server words it.
func undefinedField(observers *core.Events, addError core.AddErrFunc) {
	observers.OnField(func(_ *core.Walker, field *ast.Field) {
		if field.ObjectDefinition == nil || field.Definition != nil {
			return
		}
		typ := field.ObjectDefinition.Name
		addError(core.Message("Field '%s' doesn't exist on type '%s'", field.Name, typ),
			core.At(field.Position), func(err *gqlerror.Error) {
				err.Extensions = map[string]any{"code": "undefinedField", "typeName": typ,
					"fieldName": field.Name}
			})
	})
}

// gqlRequest is the body of a GraphQL request.
type gqlRequest struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

// plan is a request parsed, validated and costed before it runs.
type plan struct {
	op      *ast.OperationDefinition
	vars    map[string]any
	errs    []gqlError
	cost    int
	version string
	name    string // the first root field, for fault injection
}

// serveGraphQL answers POST /admin/api/{version}/graphql.json.
func (s *Sandbox) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	version, ok := apiVersion(w, r)
	if !ok {
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	req, err := decodeRequest(r, body)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": map[string]string{
			"query": "Required parameter missing or invalid"}})
		return
	}

	p := s.plan(req, version)
	s.faults.ServeLimited(w, r, op("graphql", p.name), s.throttled(p.cost),
		func(w http.ResponseWriter) {
			if s.authorized(w, r) {
				s.answer(w, p)
			}
		})
}

// decodeRequest reads a JSON body, or a bare document sent as
// application/graphql.
func decodeRequest(r *http.Request, body []byte) (gqlRequest, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/graphql") {
		return gqlRequest{Query: string(body)}, nil
	}
	var req gqlRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		return gqlRequest{}, err
	}
	if strings.TrimSpace(req.Query) == "" {
		return gqlRequest{}, errors.New("no query")
	}
	return req, nil
}

// plan parses and validates the document, picks the operation, coerces
// the variables and computes the requested cost.
func (s *Sandbox) plan(req gqlRequest, version string) plan {
	p := plan{version: version}
	doc, err := parser.ParseQuery(&ast.Source{Input: req.Query})
	if err != nil {
		p.errs = fromGQLErrors(gqlerror.List{gqlerror.WrapIfUnwrapped(err)})
		return p
	}
	if errs := validator.ValidateWithRules(schema, doc, validation); len(errs) > 0 {
		p.errs = fromGQLErrors(errs)
		return p
	}

	p.op = pickOperation(doc, req.OperationName)
	if p.op == nil {
		p.errs = []gqlError{{Message: "An operation name is required"}}
		return p
	}
	if fields := flatten(p.op.SelectionSet); len(fields) > 0 {
		p.name = fields[0].Name
	}
	vars, err := validator.VariableValues(schema, p.op, req.Variables)
	if err != nil {
		p.errs = fromGQLErrors(gqlerror.List{gqlerror.WrapIfUnwrapped(err)})
		return p
	}
	p.vars, p.cost = vars, requestedCost(schema, p.op, vars)
	return p
}

// pickOperation returns the operation named name, or the only one.
func pickOperation(doc *ast.QueryDocument, name string) *ast.OperationDefinition {
	if name != "" {
		return doc.Operations.ForName(name)
	}
	if len(doc.Operations) == 1 {
		return doc.Operations[0]
	}
	return nil
}

// answer runs the planned operation and writes its answer with the cost.
func (s *Sandbox) answer(w http.ResponseWriter, p plan) {
	if len(p.errs) > 0 {
		writeJSON(w, http.StatusOK, map[string]any{"errors": p.errs})
		return
	}
	if p.cost > maxQueryCost {
		writeJSON(w, http.StatusOK, map[string]any{"errors": []gqlError{{
			Message: fmt.Sprintf("Query cost is %d, which exceeds the single query max cost "+
				"limit (%d).", p.cost, maxQueryCost),
			Extensions: map[string]any{"code": "MAX_COST_EXCEEDED", "cost": p.cost,
				"maxCost": maxQueryCost},
		}}})
		return
	}

	s.mu.Lock()
	taken := s.bucket.take(p.cost, s.now())
	status := s.bucket.status()
	s.mu.Unlock()
	if !taken {
		writeThrottled(w, p.cost, status)
		return
	}

	e := &executor{schema: schema, vars: p.vars}
	data := e.run(p.op, s.root(p))
	s.mu.Lock()
	s.bucket.refund(p.cost - min(e.cost, p.cost))
	cost := queryCost{RequestedQueryCost: p.cost, ActualQueryCost: &e.cost,
		ThrottleStatus: s.bucket.status()}
	s.mu.Unlock()

	out := jsonObject{{"data", data}}
	if len(e.errs) > 0 {
		out = jsonObject{{"errors", e.errs}, {"data", data}}
	}
	writeJSON(w, http.StatusOK, append(out, member{"extensions",
		map[string]any{"cost": cost}}))
}

// throttled returns the writer of Shopify's answer to a query of cost that
// the fault injection refuses over the rate limit: an HTTP 200 with a
// THROTTLED error, and a bucket that fills up enough for the query in
// wait, reporting a slower restore rate when the query is too cheap to
// need that long at the bucket's own.
func (s *Sandbox) throttled(cost int) erpsandbox.LimitWriter {
	return func(w http.ResponseWriter, wait time.Duration) {
		wait = max(wait, time.Second)
		s.mu.Lock()
		status := s.bucket.status()
		s.mu.Unlock()
		cost = max(cost, 1)
		restored := wait.Seconds() * status.RestoreRate
		if restored > float64(cost) {
			status.RestoreRate = float64(cost) / wait.Seconds()
			restored = float64(cost)
		}
		status.CurrentlyAvailable = cost - int(restored)
		writeThrottled(w, cost, status)
	}
}

// writeThrottled answers a query that does not fit in the bucket.
func writeThrottled(w http.ResponseWriter, cost int, status throttleStatus) {
	writeJSON(w, http.StatusOK, map[string]any{
		"errors": []gqlError{{Message: "Throttled", Extensions: map[string]any{
			"code":          "THROTTLED",
			"documentation": "https://shopify.dev/api/usage/rate-limits",
		}}},
		"extensions": map[string]any{"cost": queryCost{RequestedQueryCost: cost,
			ThrottleStatus: status}},
	})
}

// fromGQLErrors converts parser and validation errors.
func fromGQLErrors(errs gqlerror.List) []gqlError {
	out := make([]gqlError, 0, len(errs))
	for _, e := range errs {
		ge := gqlError{Message: e.Message, Extensions: e.Extensions}
		for _, l := range e.Locations {
			ge.Locations = append(ge.Locations, location{Line: l.Line, Column: l.Column})
		}
		if len(e.Path) > 0 {
			for _, el := range e.Path {
				ge.Path = append(ge.Path, el)
			}
		}
		out = append(out, ge)
	}
	return out
}
