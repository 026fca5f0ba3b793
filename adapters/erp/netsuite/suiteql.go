package netsuite

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/erpsync/erpsync/internal/syncerr"
)

// maxSuiteQLLimit is the largest page SuiteQL serves.
const maxSuiteQLLimit = 1000

// suiteQLTime is how queries pin datetimes, with TO_CHAR and TO_TIMESTAMP,
// so that the user's date format preference cannot change them.
const (
	suiteQLTime   = "YYYY-MM-DD HH24:MI:SS"
	goSuiteQLTime = "2006-01-02 15:04:05"
)

// row is one SuiteQL result row. NetSuite leaves out the columns that are
// null and writes values as strings; numbers are accepted too.
type row map[string]json.RawMessage

// str returns column name as a string, "" when it is null.
func (r row) str(name string) string {
	raw, ok := r[name]
	if !ok || string(raw) == "null" {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	return string(raw) // a JSON number, kept as written
}

// int returns column name as an integer, 0 when it is null.
func (r row) int(name string) (int64, error) {
	n, err := wholeNumber(r.str(name))
	if err != nil {
		return 0, fmt.Errorf("column %s: %w", name, err)
	}
	return n, nil
}

// wholeNumber reads s as an integer; quantities can come as decimals such
// as "12.0". "" is 0.
func wholeNumber(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || strings.Trim(frac, "0") != "" {
		return 0, fmt.Errorf("%q is not a whole number: %w", s, syncerr.ErrUnavailable)
	}
	return n, nil
}

// suiteQLPage is SuiteQL's answer.
type suiteQLPage struct {
	Items   []row `json:"items"`
	HasMore bool  `json:"hasMore"`
	Count   int   `json:"count"`
	Offset  int   `json:"offset"`
	Total   int   `json:"totalResults"`
}

// query runs one page of a SuiteQL query, limit rows from offset.
func (c *Client) query(ctx context.Context, q string, limit, offset int) (suiteQLPage, error) {
	limit = min(max(limit, 1), maxSuiteQLLimit)
	resp, err := c.do(ctx, request{
		method: http.MethodPost, path: "/query/v1/suiteql",
		query: url.Values{"limit": {strconv.Itoa(limit)},
			"offset": {strconv.Itoa(offset)}},
		body:       map[string]string{"q": q},
		header:     http.Header{"Prefer": {"transient"}},
		idempotent: true,
	})
	if err != nil {
		return suiteQLPage{}, fmt.Errorf("suiteql: %w", err)
	}

	var page suiteQLPage
	if err := json.Unmarshal(resp.body, &page); err != nil {
		return suiteQLPage{}, fmt.Errorf("suiteql: unreadable answer: %w", syncerr.ErrUnavailable)
	}
	return page, nil
}

// queryAll runs q and reads every page, at most maxRows rows.
func (c *Client) queryAll(ctx context.Context, q string, maxRows int) ([]row, error) {
	var rows []row
	for offset := 0; ; {
		page, err := c.query(ctx, q, maxSuiteQLLimit, offset)
		if err != nil {
			return nil, err
		}
		rows = append(rows, page.Items...)
		if !page.HasMore || len(page.Items) == 0 || len(rows) >= maxRows {
			return rows, nil
		}
		offset += len(page.Items)
	}
}

// quote writes s as a SuiteQL string literal.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// quoteAll writes a parenthesised list of string literals.
func quoteAll(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = quote(v)
	}
	return "(" + strings.Join(quoted, ", ") + ")"
}

// numbers writes a parenthesised list of internal ids, which must be
// decimal digits.
func numbers(ids []string) (string, error) {
	for _, id := range ids {
		if _, err := strconv.ParseUint(id, 10, 63); err != nil {
			return "", fmt.Errorf("internal id %q is not a number: %w", id, syncerr.ErrUnavailable)
		}
	}
	return "(" + strings.Join(ids, ", ") + ")", nil
}

// timestamp writes t as a SuiteQL timestamp in the user's time zone.
func (c *Client) timestamp(t time.Time) string {
	return "TO_TIMESTAMP(" + quote(t.In(c.tz).Format(goSuiteQLTime)) + ", " +
		quote(suiteQLTime) + ")"
}

// modifiedColumn selects lastmodifieddate of table alias in a fixed form.
func modifiedColumn(col string) string {
	return "TO_CHAR(" + col + ", " + quote(suiteQLTime) + ") AS modified"
}

// parseModified reads the modified column of a row.
func (c *Client) parseModified(r row) (time.Time, error) {
	s := r.str("modified")
	t, err := time.ParseInLocation(goSuiteQLTime, s, c.tz)
	if err != nil {
		return time.Time{}, fmt.Errorf("modified %q: %w", s, syncerr.ErrUnavailable)
	}
	return t.UTC(), nil
}
