package erpsandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// maxAdminBody bounds the JSON bodies the admin API reads.
const maxAdminBody = 1 << 20

// Stats is what GET /_sandbox/stats reports.
type Stats struct {
	RequestsServed int64          `json:"requests_served"`
	FaultsInjected map[Kind]int64 `json:"faults_injected"`
	FaultsQueued   int            `json:"faults_queued"`
	SalesOrders    OrderStats     `json:"sales_orders"`
}

// OrderStats summarises the sales orders by external reference. Duplicates
// lists the references that more than one order carries.
type OrderStats struct {
	Total        int            `json:"total"`
	ExternalRefs int            `json:"external_refs"`
	Duplicates   map[string]int `json:"duplicates"`
}

// CollectStats gathers the statistics of model and faults.
func CollectStats(model *Model, faults *Faults) Stats {
	s := Stats{
		RequestsServed: model.RequestsServed(),
		FaultsInjected: faults.Injected(),
		FaultsQueued:   len(faults.Queued()),
		SalesOrders:    OrderStats{Duplicates: map[string]int{}},
	}

	s.SalesOrders.Total = len(model.SalesOrders())
	for ref, n := range model.SalesOrdersByExternalRef() {
		s.SalesOrders.ExternalRefs++
		if n > 1 {
			s.SalesOrders.Duplicates[ref] = n
		}
	}
	return s
}

// AdminHandler returns the admin API of a sandbox, to be mounted at
// "/_sandbox/" of the sandbox's server:
//
//	GET  /_sandbox/faults       the fault configuration in force
//	PUT  /_sandbox/faults       replace it with a JSON [Config]
//	POST /_sandbox/faults/next  queue a JSON [Shot], or a list of them
//	GET  /_sandbox/stats        requests served, faults injected, orders by reference
//
// Bodies that are not valid JSON for these types get HTTP 400 with the
// reason as {"error": "..."}.
func AdminHandler(model *Model, faults *Faults) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sandbox/faults", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, faults.Config())
	})
	mux.HandleFunc("PUT /_sandbox/faults", func(w http.ResponseWriter, r *http.Request) {
		putFaults(w, r, faults)
	})
	mux.HandleFunc("POST /_sandbox/faults/next", func(w http.ResponseWriter, r *http.Request) {
		queueShots(w, r, faults)
	})
	mux.HandleFunc("GET /_sandbox/stats", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, CollectStats(model, faults))
	})
	return mux
}

func putFaults(w http.ResponseWriter, r *http.Request, faults *Faults) {
	var cfg Config
	if err := decodeStrict(r, &cfg); err != nil {
		writeError(w, fmt.Errorf("fault config: %w", err))
		return
	}

	if err := faults.SetConfig(cfg); err != nil {
		writeError(w, fmt.Errorf("fault config: %w", err))
		return
	}
	writeJSON(w, http.StatusOK, faults.Config())
}

func queueShots(w http.ResponseWriter, r *http.Request, faults *Faults) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAdminBody+1))
	if err != nil || len(body) > maxAdminBody {
		writeError(w, errors.New("one-shot faults: body unreadable or over 1 MiB"))
		return
	}

	shots, err := decodeShots(body)
	if err != nil {
		writeError(w, fmt.Errorf("one-shot faults: %w", err))
		return
	}
	if err := faults.Enqueue(shots...); err != nil {
		writeError(w, fmt.Errorf("one-shot faults: %w", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"queued": len(faults.Queued())})
}

// decodeShots reads one shot or a list of shots.
func decodeShots(body []byte) ([]Shot, error) {
	var shots []Shot
	if err := unmarshalStrict(body, &shots); err == nil {
		return shots, nil
	}

	var one Shot
	if err := unmarshalStrict(body, &one); err != nil {
		return nil, err
	}
	return []Shot{one}, nil
}

// decodeStrict reads r's body as exactly one JSON value of v's type with no
// unknown fields.
func decodeStrict(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAdminBody+1))
	if err != nil || len(body) > maxAdminBody {
		return errors.New("body unreadable or over 1 MiB")
	}
	return unmarshalStrict(body, v)
}

func unmarshalStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if dec.More() {
		return errors.New("invalid JSON: data after the first value")
	}
	return nil
}

func writeError(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client may be gone; nothing to do then
}
