package netsuitesandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxLimit is the largest page of a SuiteQL query.
const maxLimit = 1000

// serveSuiteQL runs a query from the body {"q": "..."}, one page of limit
// rows from offset. It needs the header Prefer: transient, as NetSuite
// does.
func (s *sandbox) serveSuiteQL(w http.ResponseWriter, r *http.Request) {
	if !strings.EqualFold(strings.TrimSpace(r.Header.Get("Prefer")), "transient") {
		writeError(w, http.StatusBadRequest, "INVALID_HEADER", "",
			"SuiteQL requests need the header Prefer: transient.")
		return
	}
	limit, offset, ok := paging(w, r.URL.Query())
	if !ok {
		return
	}
	var body struct {
		Q string `json:"q"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Q == "" {
		writeError(w, http.StatusBadRequest, "INVALID_CONTENT", "q",
			"The request body must be a JSON object with the query in q.")
		return
	}

	rows, err := s.runQuery(body.Q)
	if err != nil {
		writeError(w, http.StatusBadRequest, "INVALID_PARAMETER", "",
			"Invalid search query. Detailed unprocessed description follows. "+err.Error()+".")
		return
	}
	writeJSON(w, http.StatusOK, collection(r, rows, limit, offset))
}

// paging reads limit (1 to 1000, 1000 by default) and offset (0 by
// default), or answers 400 and reports false.
func paging(w http.ResponseWriter, q url.Values) (int, int, bool) {
	limit, offset := maxLimit, 0
	var err error
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxLimit {
			writeError(w, http.StatusBadRequest, "INVALID_PARAMETER", "",
				"The value of the query parameter limit must be between 1 and 1000.")
			return 0, 0, false
		}
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			writeError(w, http.StatusBadRequest, "INVALID_PARAMETER", "",
				"The value of the query parameter offset must be a non-negative number.")
			return 0, 0, false
		}
	}
	return limit, offset, true
}

// runQuery parses and runs a query over the tables of the model.
func (s *sandbox) runQuery(sql string) ([]map[string]string, error) {
	q, err := parseQuery(sql)
	if err != nil {
		return nil, err
	}
	rows, err := s.table(q.table)
	if err != nil {
		return nil, err
	}
	return q.run(rows)
}

// link is a HATEOAS link.
type link struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

// collectionPage is a page of results as NetSuite answers it.
type collectionPage struct {
	Links        []link           `json:"links"`
	Count        int              `json:"count"`
	HasMore      bool             `json:"hasMore"`
	Items        []map[string]any `json:"items"`
	Offset       int              `json:"offset"`
	TotalResults int              `json:"totalResults"`
}

// collection cuts the page from offset out of rows, with links to the
// neighbouring pages.
func collection(r *http.Request, rows []map[string]string, limit, offset int) collectionPage {
	page := collectionPage{Offset: offset, TotalResults: len(rows), Items: []map[string]any{}}
	end := min(offset+limit, len(rows))
	for i := offset; i < end; i++ {
		item := map[string]any{"links": []link{}}
		for k, v := range rows[i] {
			item[k] = v
		}
		page.Items = append(page.Items, item)
	}
	page.Count = len(page.Items)
	page.HasMore = end < len(rows)

	self := baseURL(r) + r.URL.Path + "?limit=" + strconv.Itoa(limit) + "&offset="
	page.Links = append(page.Links, link{"self", self + strconv.Itoa(offset)})
	if page.HasMore {
		page.Links = append(page.Links, link{"next", self + strconv.Itoa(end)})
	}
	if offset > 0 {
		prev := strconv.Itoa(max(0, offset-limit))
		page.Links = append(page.Links, link{"previous", self + prev})
	}
	return page
}
