package businesscentral

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// quote writes s as an OData string literal, doubling its quotes.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// anyOf is the filter "field eq v1 or field eq v2 ...".
func anyOf(field string, values []string) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = field + " eq " + quote(v)
	}
	return strings.Join(parts, " or ")
}

// dateTimeLiteral writes t as an OData DateTimeOffset literal, in UTC.
func dateTimeLiteral(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// collection is one page of an entity set.
type collection[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"@odata.nextLink"`
}

// entityURL returns the URL of a company-scoped entity set with query.
func (c *Client) entityURL(set string, query url.Values) string {
	u := c.company + "/" + set
	if len(query) > 0 {
		// OData reads "$" and "," literally; escaping them is allowed but
		// makes URLs in logs hard to read.
		u += "?" + strings.NewReplacer("%24", "$", "%2C", ",").Replace(query.Encode())
	}
	return u
}

// getAll reads every page of a listing whose first page is at first.
func getAll[T any](ctx context.Context, c *Client, first string) ([]T, error) {
	var all []T
	next := first
	for page := 0; next != ""; page++ {
		if page >= maxPages {
			return all, fmt.Errorf("list %s: more than %d pages: %w", first, maxPages,
				syncerr.ErrUnavailable)
		}
		var col collection[T]
		if err := c.do(ctx, request{method: http.MethodGet, url: next}, &col); err != nil {
			return all, err
		}
		all = append(all, col.Value...)
		next = col.NextLink
	}
	return all, nil
}

// maxPages bounds the pages getAll follows, so that a server answering a
// nextLink to itself cannot loop forever.
const maxPages = 1000

// changedPage reads one page of the entities of set modified at or after
// q.Since, oldest first, with Business Central's server-driven paging: the
// cursor is the @odata.nextLink of the previous page, which carries the
// filter, so q.Since only applies to a listing's first page.
func changedPage[T any](ctx context.Context, c *Client, set string, q erp.Changes,
	extra url.Values) (collection[T], error) {
	link := q.Cursor
	if link == "" {
		query := url.Values{
			"$filter":  {"lastModifiedDateTime ge " + dateTimeLiteral(q.Since)},
			"$orderby": {"lastModifiedDateTime asc"},
		}
		for k, v := range extra {
			query[k] = v
		}
		link = c.entityURL(set, query)
	} else if !strings.HasPrefix(link, c.company+"/"+set) {
		return collection[T]{}, syncerr.Invalid("cursor",
			"is not a next link of %s in the configured company", set)
	}

	var col collection[T]
	err := c.do(ctx, request{method: http.MethodGet, url: link,
		prefer: "odata.maxpagesize=" + strconv.Itoa(q.PageSize())}, &col)
	return col, err
}

// parseTime reads an Edm.DateTimeOffset.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// parseDate reads an Edm.Date as midnight UTC.
func parseDate(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// numeric is an Edm.Decimal read as its exact text.
type numeric = json.Number

// wholeUnits reads a decimal quantity as whole units, dropping a fraction.
func wholeUnits(n numeric) int64 {
	whole, _, _ := strings.Cut(n.String(), ".")
	q, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0
	}
	return q
}
