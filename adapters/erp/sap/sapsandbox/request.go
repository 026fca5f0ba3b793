package sapsandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox/odatafilter"
)

// resourceKind says what a request's path addresses.
type resourceKind int

const (
	resServiceDoc resourceKind = iota
	resMetadata
	resCollection
	resEntity
	resNavigation
	resUnknown
)

// request is the OData part of an HTTP request: the service, the resource
// path and the query options.
type request struct {
	method  string
	base    string
	service string
	kind    resourceKind
	set     string
	keys    map[string]string
	nav     string
	query   url.Values
	ifMatch string
}

// parseRequest splits the path /sap/opu/odata/sap/<service>/<resource>.
// A service name may carry a version, as in "API_OUTBOUND_DELIVERY_SRV;v=0002".
// POST with X-HTTP-Method tunnels MERGE, PATCH, PUT and DELETE.
func parseRequest(r *http.Request) request {
	req := request{
		method: r.Method, base: "http://" + r.Host + servicePrefix, query: r.URL.Query(),
		ifMatch: r.Header.Get("If-Match"),
	}
	if tunnel := r.Header.Get("X-HTTP-Method"); r.Method == http.MethodPost && tunnel != "" {
		req.method = strings.ToUpper(tunnel)
	}

	rest := strings.TrimPrefix(r.URL.Path, servicePrefix)
	service, resource, _ := strings.Cut(rest, "/")
	req.service, _, _ = strings.Cut(service, ";")
	resource = strings.TrimSuffix(resource, "/")

	switch {
	case resource == "":
		req.kind = resServiceDoc
	case resource == "$metadata":
		req.kind = resMetadata
	default:
		req.parseResource(resource)
	}
	return req
}

// parseResource reads <set>, <set>(<keys>) or <set>(<keys>)/<navigation>.
func (req *request) parseResource(resource string) {
	head, nav, hasNav := strings.Cut(resource, "/")
	set, keys, hasKeys := strings.Cut(head, "(")
	req.set, req.nav = set, nav

	switch {
	case !hasKeys && !hasNav:
		req.kind = resCollection
	case hasKeys && strings.HasSuffix(keys, ")"):
		parsed, err := parseKeys(strings.TrimSuffix(keys, ")"))
		if err != nil {
			req.kind = resUnknown
			return
		}
		req.keys = parsed
		req.kind = resEntity
		if hasNav {
			req.kind = resNavigation
		}
	default:
		req.kind = resUnknown
	}
}

// parseKeys reads a key predicate: 'v' for a single key, or k='v',k2='v2'.
// The single value is stored under the empty name.
func parseKeys(s string) (map[string]string, error) {
	keys := map[string]string{}
	for s != "" {
		name := ""
		if !strings.HasPrefix(s, "'") {
			var ok bool
			name, s, ok = strings.Cut(s, "=")
			if !ok {
				return nil, fmt.Errorf("bad key predicate")
			}
		}
		if !strings.HasPrefix(s, "'") {
			return nil, fmt.Errorf("key values must be quoted strings")
		}
		v, n, err := odatafilter.Unquote(s)
		if err != nil {
			return nil, err
		}
		keys[strings.TrimSpace(name)] = v
		s = strings.TrimPrefix(s[n:], ",")
	}
	return keys, nil
}

// operation names the request for fault injection.
func (req request) operation() string {
	switch req.kind {
	case resServiceDoc:
		return req.service + "/" + req.method
	case resMetadata:
		return req.service + "/$metadata/" + req.method
	}
	return req.service + "/" + req.set + "/" + req.method
}
