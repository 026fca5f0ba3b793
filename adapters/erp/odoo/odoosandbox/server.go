// Package odoosandbox serves Odoo's external API from an in-memory
// [erpsandbox.Model], so that the Odoo adapter and Odoo client libraries can
// be tested without an Odoo server.
//
// It answers POST /jsonrpc with the "common" service (version, login,
// authenticate) and the "object" service (execute_kw, execute), and POST
// /json/2/<model>/<method> as Odoo 19's JSON-2 API does (bearer API key,
// named arguments, bare results, error objects with HTTP statuses), with
// GET /web/version, as an Odoo 19 does. Both serve the models res.partner,
// product.product, sale.order, sale.order.line, res.currency, stock.quant,
// stock.location, stock.warehouse.orderpoint, stock.picking, stock.move,
// account.move (customer credit notes), account.payment.term,
// product.pricelist and res.company with Odoo's field names, value shapes
// and domains. Every call passes through [erpsandbox.Faults] under an
// operation name such as "sale.order/create" or "common/authenticate", and
// the admin API of [erpsandbox.AdminHandler] is mounted at /_sandbox/.
package odoosandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// defaultUID is the user id of the sandbox's only user, as the first
// administrator of an Odoo database has.
const defaultUID = 2

// maxBody bounds the JSON-RPC requests the sandbox reads.
const maxBody = 16 << 20

// Credentials are what the sandbox accepts: the database name, the login,
// and the password or the API key (either works wherever Odoo takes a
// password; an empty one is never accepted).
type Credentials struct {
	DB       string
	Login    string
	Password string `json:"-"`
	APIKey   string `json:"-"`
}

// An Option adjusts [New].
type Option func(*sandbox)

// WithCurrencies sets the company currency, which orders and products get
// when none is given, and the active currencies besides it. By default the
// company currency is USD and EUR, GBP and JPY are active too.
func WithCurrencies(company string, active ...string) Option {
	return func(s *sandbox) { s.currencies = newCurrencyTable(company, active) }
}

// sandbox is the state of one Odoo sandbox.
type sandbox struct {
	model      *erpsandbox.Model
	faults     *erpsandbox.Faults
	creds      Credentials
	currencies currencyTable
	models     map[string]*modelDef

	paymentTerms nameTable
	pricelists   nameTable

	// mu guards drafts: the credit notes (account.move) created and not
	// yet posted, by id, with the invoice dates of every credit note.
	mu     sync.Mutex
	drafts map[int64]bool
	dates  map[int64]string
}

// New returns an HTTP handler serving Odoo's JSON-RPC API at /jsonrpc and
// its JSON-2 API at /json/2/ over model, with faults injected by faults
// (none when nil), accepting creds. The admin API of faults and model is
// mounted at /_sandbox/.
func New(model *erpsandbox.Model, faults *erpsandbox.Faults, creds Credentials,
	opts ...Option) http.Handler {
	s := newSandbox(model, faults, creds, opts...)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /jsonrpc", s.serveJSONRPC)
	mux.HandleFunc("POST /json/2/{model}/{method}", s.serveJSON2)
	mux.HandleFunc("/json/2/", serveJSON2Elsewhere)
	mux.HandleFunc("GET /web/version", serveVersion)
	mux.Handle("/_sandbox/", erpsandbox.AdminHandler(model, s.faults))
	return mux
}

// newSandbox returns the state of a sandbox as [New] describes it.
func newSandbox(model *erpsandbox.Model, faults *erpsandbox.Faults, creds Credentials,
	opts ...Option) *sandbox {
	if faults == nil {
		// The zero configuration is always valid.
		faults, _ = erpsandbox.NewFaults(erpsandbox.Config{})
	}
	s := &sandbox{
		model:      model,
		faults:     faults,
		creds:      creds,
		currencies: newCurrencyTable("USD", []string{"EUR", "GBP", "JPY"}),
		models:     map[string]*modelDef{},

		paymentTerms: defaultPaymentTerms,
		pricelists:   defaultPricelists,
		drafts:       map[int64]bool{},
		dates:        map[int64]string{},
	}
	for _, opt := range opts {
		opt(s)
	}
	for _, def := range []*modelDef{partnerModel(), productModel(), orderModel(),
		orderLineModel(), currencyModel(), quantModel(), locationModel(), orderpointModel(),
		pickingModel(), moveModel(), paymentTermModel(), pricelistModel(), companyModel(),
		accountMoveModel()} {
		s.models[def.name] = def
	}
	return s
}

// rpcCall is one parsed JSON-RPC request.
type rpcCall struct {
	id      json.RawMessage
	service any
	method  any
	args    any
}

// serveJSONRPC reads one JSON-RPC request and answers it under the faults.
// Requests that are not JSON objects get HTTP 400 with a plain-text reason,
// as Odoo answers them.
func (s *sandbox) serveJSONRPC(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		http.Error(w, "Request body unreadable or too large", http.StatusBadRequest)
		return
	}
	call, reason := parseCall(body)
	if reason != "" {
		http.Error(w, reason, http.StatusBadRequest)
		return
	}

	s.model.CountRequest()
	s.faults.Serve(w, r, operation(call), func(w http.ResponseWriter) {
		result, err := s.dispatch(call)
		writeAnswer(w, call.id, result, err)
	})
}

// parseCall reads the envelope and its params, or returns the reason to
// refuse the request.
func parseCall(body []byte) (rpcCall, string) {
	if !json.Valid(body) {
		return rpcCall{}, "Invalid JSON data"
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return rpcCall{}, "Invalid JSON-RPC data"
	}

	call := rpcCall{id: top["id"]}
	raw, ok := top["params"]
	if !ok {
		return call, ""
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var params any
	if err := dec.Decode(&params); err != nil {
		return rpcCall{}, "Invalid JSON-RPC data"
	}
	p, ok := params.(map[string]any)
	if !ok {
		return rpcCall{}, "Invalid JSON-RPC data"
	}
	call.service, call.method, call.args = p["service"], p["method"], p["args"]
	return call, ""
}

// operation names a call for fault injection: "<model>/<method>" for model
// methods, "<service>/<method>" for the rest.
func operation(c rpcCall) string {
	service, _ := c.service.(string)
	method, _ := c.method.(string)
	args, _ := c.args.([]any)
	if service == "object" && len(args) >= 5 {
		model, okModel := args[3].(string)
		name, okName := args[4].(string)
		if okModel && okName {
			return model + "/" + name
		}
	}
	return service + "/" + method
}

// answer is a JSON-RPC answer.
type answer struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result,omitempty"`
	Error   *envelope       `json:"error,omitempty"`
}

func writeAnswer(w http.ResponseWriter, id json.RawMessage, result any, err error) {
	a := answer{JSONRPC: "2.0", ID: id}
	if err != nil {
		env := fromModel(err).toEnvelope()
		a.Error = &env
	} else {
		a.Result = result
	}
	if len(a.ID) == 0 {
		a.ID = json.RawMessage("null")
	}

	body, merr := marshalAnswer(a)
	if merr != nil {
		env := newError(nameGenericServer, "cannot encode the result").toEnvelope()
		body, _ = json.Marshal(answer{JSONRPC: "2.0", ID: a.ID, Error: &env})
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body) // the client may be gone; nothing to do then
}

// marshalAnswer encodes a as json.Marshal does, writing a projection
// result straight into the envelope rather than having encoding/json check
// and copy its many bytes again.
func marshalAnswer(a answer) ([]byte, error) {
	p, ok := a.Result.(projection)
	if !ok || a.Error != nil {
		return json.Marshal(a)
	}

	id, err := json.Marshal(a.ID)
	if err != nil {
		return nil, err
	}
	result, err := p.MarshalJSON()
	if err != nil {
		return nil, err
	}
	body := append([]byte(`{"jsonrpc":"2.0","id":`), id...)
	body = append(append(body, `,"result":`...), result...)
	return append(body, '}'), nil
}
