package bcstoresandbox

import (
	"net/http"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
	"github.com/erpsync/erpsync/adapters/store/storesandbox"
)

// Stats is what GET /_sandbox/stats reports.
type Stats struct {
	RequestsServed int64                     `json:"requests_served"`
	FaultsInjected map[erpsandbox.Kind]int64 `json:"faults_injected"`
	Hooks          int                       `json:"hooks"`
	ActiveHooks    int                       `json:"active_hooks"`
	Webhooks       storesandbox.SenderStats  `json:"webhooks"`
}

// Stats returns what the sandbox served and delivered so far.
func (s *Sandbox) Stats() Stats {
	st := Stats{RequestsServed: s.served.Load(), FaultsInjected: s.faults.Injected(),
		Webhooks: s.hooks.sender.Stats()}
	for _, h := range s.hooks.snapshot() {
		st.Hooks++
		if h.IsActive {
			st.ActiveHooks++
		}
	}
	return st
}

// serveStats answers GET /_sandbox/stats.
func (s *Sandbox) serveStats(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Stats())
}
