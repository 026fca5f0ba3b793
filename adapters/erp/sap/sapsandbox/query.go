package sapsandbox

import (
	"fmt"
	"strconv"
	"strings"
)

// query holds the system query options of a read.
type query struct {
	filter      predicate
	orderBy     []orderTerm
	skip        int
	top         int // -1 when there is no $top
	inlineCount bool
	expand      expandTree
	sel         map[string]bool // nil selects everything
}

type orderTerm struct {
	field string
	desc  bool
}

// expandTree is a parsed $expand: each navigation property with what to
// expand below it.
type expandTree map[string]expandTree

// parseQuery reads and checks the query options against t.
func (s *Server) parseQuery(req request, t *entityType) (query, error) {
	q := query{top: -1}
	var err error
	if q.filter, err = parseFilter(req.query.Get("$filter"), t); err != nil {
		return query{}, err
	}
	if q.orderBy, err = parseOrderBy(req.query.Get("$orderby"), t); err != nil {
		return query{}, err
	}
	if q.skip, err = parseCount("$skip", req.query.Get("$skip"), 0); err != nil {
		return query{}, err
	}
	if q.top, err = parseCount("$top", req.query.Get("$top"), -1); err != nil {
		return query{}, err
	}
	switch ic := req.query.Get("$inlinecount"); ic {
	case "", "none":
	case "allpages":
		q.inlineCount = true
	default:
		return query{}, fmt.Errorf("invalid value %q of $inlinecount", ic)
	}
	if q.expand, err = s.parseExpand(req.query.Get("$expand"), t); err != nil {
		return query{}, err
	}
	q.sel, err = parseSelect(req.query.Get("$select"), t)
	return q, err
}

func parseCount(name, v string, fallback int) (int, error) {
	if v == "" {
		return fallback, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid value %q of %s", v, name)
	}
	return n, nil
}

func parseOrderBy(v string, t *entityType) ([]orderTerm, error) {
	var terms []orderTerm
	for _, part := range splitList(v) {
		field, dir, _ := strings.Cut(part, " ")
		dir = strings.TrimSpace(dir)
		if _, ok := t.property(field); !ok {
			return nil, fmt.Errorf("property %s not found in type %s", field, t.name)
		}
		if dir != "" && dir != "asc" && dir != "desc" {
			return nil, fmt.Errorf("invalid sort order %q in $orderby", dir)
		}
		terms = append(terms, orderTerm{field: field, desc: dir == "desc"})
	}
	return terms, nil
}

// parseExpand reads paths such as "to_Item,to_Item/to_PricingElement".
func (s *Server) parseExpand(v string, t *entityType) (expandTree, error) {
	tree := expandTree{}
	for _, path := range splitList(v) {
		node, typ := tree, t
		for _, name := range strings.Split(path, "/") {
			nav, ok := typ.navigation(name)
			if !ok {
				return nil, fmt.Errorf("navigation property %s not found in type %s",
					name, typ.name)
			}
			if node[name] == nil {
				node[name] = expandTree{}
			}
			node, typ = node[name], s.sets[nav.target].typ
		}
	}
	return tree, nil
}

func parseSelect(v string, t *entityType) (map[string]bool, error) {
	names := splitList(v)
	if len(names) == 0 || (len(names) == 1 && names[0] == "*") {
		return nil, nil
	}
	sel := map[string]bool{}
	for _, name := range names {
		_, isProp := t.property(name)
		_, isNav := t.navigation(name)
		if !isProp && !isNav {
			return nil, fmt.Errorf("property %s not found in type %s", name, t.name)
		}
		sel[name] = true
	}
	return sel, nil
}

func splitList(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
