package bcsandbox

import (
	"net/http"
	"strings"
)

// apiRequest is one parsed API request.
type apiRequest struct {
	r       *http.Request
	body    []byte
	base    string // the API root URL, up to /api/v2.0
	company bool   // the path names the company
	set     *entitySet
	key     string
	hasKey  bool
	nav     string
	info    bool // companies({id})/companyInformation
}

// serveAPI answers a request under /v2.0/{tenant}/{environment}/api/v2.0/.
func (s *sandbox) serveAPI(w http.ResponseWriter, r *http.Request, tenant, env string,
	path []string) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	req, apiErr := s.parsePath(r, path)
	req.body = body
	req.base = origin(r) + "/v2.0/" + tenant + "/" + env + "/api/v2.0"

	s.model.CountRequest()
	s.faults.Serve(w, r, operation(req), func(w http.ResponseWriter) {
		if !s.authorize(w, r) {
			return
		}
		if !strings.EqualFold(tenant, s.creds.Tenant) || env != s.creds.Environment {
			writeError(w, http.StatusNotFound, "NoEnvironment",
				"The environment '"+env+"' does not exist for this tenant.")
			return
		}
		if apiErr != nil {
			writeError(w, apiErr.status, apiErr.code, apiErr.message)
			return
		}
		s.dispatch(w, req)
	})
}

// parsePath reads companies, companies({id}) and the entity set, key and
// navigation property below it.
func (s *sandbox) parsePath(r *http.Request, path []string) (apiRequest, *apiError) {
	req := apiRequest{r: r}
	if len(path) > 0 && path[len(path)-1] == "" {
		path = path[:len(path)-1]
	}
	if len(path) == 0 {
		return req, errorf(http.StatusNotFound, "BadRequest_NotFound",
			"No HTTP resource was found that matches the request URI.")
	}

	company, ok := parseSegment(path[0])
	if !ok || company.name != "companies" {
		return req, notFoundSegment(path[0])
	}
	if !company.hasKey {
		if len(path) > 1 {
			return req, notFoundSegment(path[1])
		}
		return req, nil
	}
	if !strings.EqualFold(strings.Trim(company.key, "{}"), s.creds.CompanyID) {
		return req, errorf(http.StatusNotFound, "BadRequest_NotFound",
			"The company '%s' does not exist.", company.key)
	}
	req.company = true
	return s.parseEntityPath(req, path[1:])
}

func (s *sandbox) parseEntityPath(req apiRequest, path []string) (apiRequest, *apiError) {
	if len(path) == 0 {
		return req, nil
	}
	if path[0] == "companyInformation" && len(path) == 1 {
		req.info = true
		return req, nil
	}
	seg, ok := parseSegment(path[0])
	if !ok || entitySets[seg.name] == nil || len(path) > 2 {
		return req, notFoundSegment(path[0])
	}
	req.set, req.key, req.hasKey = entitySets[seg.name], seg.key, seg.hasKey
	if len(path) == 2 {
		if !seg.hasKey || req.set.navs[path[1]] == nil {
			return req, notFoundSegment(path[1])
		}
		req.nav = path[1]
	}
	return req, nil
}

func notFoundSegment(seg string) *apiError {
	return errorf(http.StatusNotFound, "BadRequest_NotFound",
		"Resource not found for the segment '%s'.", seg)
}

// operation names a request for fault injection: "<entity set>/<verb>",
// such as "salesOrders/create" or "customers/list".
func operation(req apiRequest) string {
	name := "companies"
	switch {
	case req.info:
		name = "companyInformation"
	case req.set != nil:
		name = req.set.name
	}
	switch req.r.Method {
	case http.MethodPost:
		return name + "/create"
	case http.MethodPatch:
		return name + "/update"
	case http.MethodDelete:
		return name + "/delete"
	}
	if req.hasKey && req.nav == "" {
		return name + "/get"
	}
	return name + "/list"
}

// dispatch answers a parsed, authorized request.
func (s *sandbox) dispatch(w http.ResponseWriter, req apiRequest) {
	m := req.r.Method
	switch {
	case req.set == nil && m == http.MethodGet:
		s.serveCompanies(w, req)
	case req.set != nil && req.nav != "" && m == http.MethodGet:
		s.serveNav(w, req)
	case req.set != nil && !req.hasKey && m == http.MethodGet:
		s.serveList(w, req)
	case req.set != nil && req.hasKey && m == http.MethodGet:
		s.serveOne(w, req)
	case req.set != nil && !req.hasKey && m == http.MethodPost && req.nav == "":
		s.serveCreate(w, req)
	case req.set != nil && req.hasKey && m == http.MethodPatch && req.nav == "":
		s.serveUpdate(w, req)
	case req.set != nil && req.hasKey && m == http.MethodDelete && req.nav == "":
		s.serveDelete(w, req)
	default:
		writeError(w, http.StatusMethodNotAllowed, "BadRequest_MethodNotAllowed",
			"The '"+m+"' method is not allowed on this resource.")
	}
}

// serveCompanies answers companies, one company or its companyInformation.
func (s *sandbox) serveCompanies(w http.ResponseWriter, req apiRequest) {
	company := map[string]any{
		"id": s.creds.CompanyID, "systemVersion": "25.0.0.0", "name": s.creds.CompanyName,
		"displayName": s.creds.CompanyName, "businessProfileId": "",
	}
	switch {
	case req.info:
		writeJSON(w, http.StatusOK, map[string]any{
			"@odata.context": req.base + "/$metadata#companies(" + s.creds.CompanyID +
				")/companyInformation",
			"value": []map[string]any{{
				"id": s.creds.CompanyID, "displayName": s.creds.CompanyName,
				"currencyCode": s.currency,
			}},
		})
	case req.company:
		company["@odata.context"] = req.base + "/$metadata#companies/$entity"
		writeJSON(w, http.StatusOK, company)
	default:
		writeJSON(w, http.StatusOK, map[string]any{
			"@odata.context": req.base + "/$metadata#companies",
			"value":          []map[string]any{company},
		})
	}
}

// serveList answers a page of an entity set.
func (s *sandbox) serveList(w http.ResponseWriter, req apiRequest) {
	lq, apiErr := s.parseListQuery(req.r, req.set)
	if apiErr != nil {
		writeError(w, apiErr.status, apiErr.code, apiErr.message)
		return
	}
	s.writePage(w, req, lq, req.set.list(s), req.set.name)
}

// serveNav answers the lines of one document.
func (s *sandbox) serveNav(w http.ResponseWriter, req apiRequest) {
	parent, apiErr := s.find(req)
	if apiErr != nil {
		writeError(w, apiErr.status, apiErr.code, apiErr.message)
		return
	}
	lq, apiErr := s.parseListQuery(req.r, req.set.navs[req.nav])
	if apiErr != nil {
		writeError(w, apiErr.status, apiErr.code, apiErr.message)
		return
	}
	s.writePage(w, req, lq, parent.nav[req.nav], req.set.name+"("+req.key+")/"+req.nav)
}

func (s *sandbox) writePage(w http.ResponseWriter, req apiRequest, lq listQuery,
	entities []entity, context string) {
	page, next, total := lq.apply(entities)
	values := make([]map[string]any, 0, len(page))
	for _, e := range page {
		values = append(values, render(e, lq.selected, lq.expand))
	}

	out := map[string]any{
		"@odata.context": req.base + "/$metadata#companies(" + s.creds.CompanyID + ")/" + context,
		"value":          values,
	}
	if lq.count {
		out["@odata.count"] = total
	}
	if next != nil {
		out["@odata.nextLink"] = nextLink(req.r, *next)
	}
	if lq.pageSize < s.maxPageSize {
		w.Header().Set("Preference-Applied", "odata.maxpagesize="+itoa(lq.pageSize))
	}
	writeJSON(w, http.StatusOK, out)
}

// serveOne answers one entity by its key.
func (s *sandbox) serveOne(w http.ResponseWriter, req apiRequest) {
	e, apiErr := s.find(req)
	if apiErr == nil {
		var lq listQuery
		if apiErr = lq.parseSelect(req.r.URL.Query().Get("$select"),
			req.r.URL.Query().Get("$expand"), req.set); apiErr == nil {
			s.writeEntity(w, req, http.StatusOK, e, lq.selected, lq.expand)
			return
		}
	}
	writeError(w, apiErr.status, apiErr.code, apiErr.message)
}

func (s *sandbox) writeEntity(w http.ResponseWriter, req apiRequest, status int, e entity,
	selected, expand []string) {
	out := render(e, selected, expand)
	out["@odata.context"] = req.base + "/$metadata#companies(" + s.creds.CompanyID + ")/" +
		req.set.name + "/$entity"
	w.Header().Set("ETag", etagOf(e))
	writeJSON(w, status, out)
}

// find returns the entity that the request's key names.
func (s *sandbox) find(req apiRequest) (entity, *apiError) {
	id, ok := idOf(req.key)
	if ok {
		for _, e := range req.set.list(s) {
			if e.id == id {
				return e, nil
			}
		}
	}
	return entity{}, notFoundSegment(req.set.name)
}
