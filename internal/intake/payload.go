package intake

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/erpsync/erpsync/internal/config"
)

// orderPayload is the part of an order webhook that intake reads. Stores send
// the order id as a number or a string; the rest of the order is loaded from
// the store by the sync, so a stale or partial payload cannot be synced.
type orderPayload struct {
	ID json.RawMessage `json:"id"`
}

// parseOrderID returns the order id in body, or the reason it has none.
func parseOrderID(body []byte) (string, string) {
	var p orderPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return "", "malformed JSON: " + err.Error()
	}
	if len(p.ID) == 0 || bytes.Equal(p.ID, []byte("null")) {
		return "", `missing field "id"`
	}

	var id string
	if err := json.Unmarshal(p.ID, &id); err != nil {
		var n json.Number
		if err := json.Unmarshal(p.ID, &n); err != nil {
			return "", `field "id" must be a string or an integer`
		}
		id = n.String()
	}
	if !config.ValidName(id) {
		return "", fmt.Sprintf(`field "id": %q is not 1 to 64 letters, digits, - or _`, id)
	}
	return id, ""
}
