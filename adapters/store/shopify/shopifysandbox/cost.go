package shopifysandbox

import (
	"math"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
)

// Costs of Shopify's calculated query cost: every mutation field costs a
// flat amount, and no single query may cost more than maxQueryCost.
const (
	mutationCost = 10
	maxQueryCost = 1000
)

// Defaults of the cost bucket: the Standard plan's.
const (
	DefaultBucketSize  = 2000
	DefaultRestoreRate = 100
)

// requestedCost estimates what op may cost before it runs, as Shopify
// does: scalars cost nothing, an object one, a connection two plus its
// page size times the cost of one of its nodes, and a mutation field a
// flat amount. Fields of every fragment count, whatever their type.
func requestedCost(schema *ast.Schema, op *ast.OperationDefinition,
	vars map[string]any) int {
	if op.Operation == ast.Mutation {
		return mutationCost * len(flatten(op.SelectionSet))
	}
	return selectionCost(schema, op.SelectionSet, vars)
}

func selectionCost(schema *ast.Schema, set ast.SelectionSet, vars map[string]any) int {
	sum := 0
	for _, f := range flatten(set) {
		if f.Definition == nil {
			continue
		}
		named := f.Definition.Type.Name()
		def := schema.Types[named]
		if def == nil || def.Kind == ast.Scalar || def.Kind == ast.Enum {
			continue
		}

		children := selectionCost(schema, f.SelectionSet, vars)
		if strings.HasSuffix(named, "Connection") {
			sum += 2 + pageSize(f, vars)*children
			continue
		}
		sum += objectCost(named) + children
	}
	return sum
}

// flatten lists the fields of set and of its fragments.
func flatten(set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			out = append(out, s)
		case *ast.InlineFragment:
			out = append(out, flatten(s.SelectionSet)...)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				out = append(out, flatten(s.Definition.SelectionSet)...)
			}
		}
	}
	return out
}

// pageSize is the first argument of a connection field, or 0.
func pageSize(f *ast.Field, vars map[string]any) int {
	args, err := argumentMap(f, vars)
	if err != nil {
		return 0
	}
	n, _ := toInt(args["first"])
	return int(max(0, min(n, maxPage)))
}

// bucket is the leaky bucket of query cost of one app on one shop.
type bucket struct {
	size    float64
	restore float64
	level   float64
	at      time.Time
}

func newBucket(size, restore float64, now time.Time) bucket {
	return bucket{size: size, restore: restore, level: size, at: now}
}

// refill adds what was restored since the last look.
func (b *bucket) refill(now time.Time) {
	if now.After(b.at) {
		b.level = math.Min(b.size, b.level+now.Sub(b.at).Seconds()*b.restore)
		b.at = now
	}
}

// take removes cost from the bucket, or reports false and removes nothing
// when it does not hold that much.
func (b *bucket) take(cost int, now time.Time) bool {
	b.refill(now)
	if float64(cost) > b.level {
		return false
	}
	b.level -= float64(cost)
	return true
}

// refund gives back what a query was charged but did not use.
func (b *bucket) refund(n int) {
	b.level = math.Min(b.size, b.level+float64(n))
}

// throttleStatus is extensions.cost.throttleStatus of an answer.
type throttleStatus struct {
	MaximumAvailable   float64 `json:"maximumAvailable"`
	CurrentlyAvailable int     `json:"currentlyAvailable"`
	RestoreRate        float64 `json:"restoreRate"`
}

func (b *bucket) status() throttleStatus {
	return throttleStatus{MaximumAvailable: b.size, CurrentlyAvailable: int(b.level),
		RestoreRate: b.restore}
}

// queryCost is extensions.cost of an answer. ActualQueryCost is null for
// a query that did not run.
type queryCost struct {
	RequestedQueryCost int            `json:"requestedQueryCost"`
	ActualQueryCost    *int           `json:"actualQueryCost"`
	ThrottleStatus     throttleStatus `json:"throttleStatus"`
}
