package netsuitesandbox

import (
	"net/http"
	"strconv"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// fulfillmentJSON renders a shipment as an itemFulfillment record in
// status shipped, with its package (the tracking number) and item lines.
func (s *sandbox) fulfillmentJSON(r *http.Request, key string) (any, bool) {
	id, ok := internalID(key)
	if !ok {
		return nil, false
	}
	for _, sh := range s.model.Shipments() {
		if sh.ID != id {
			continue
		}
		rec := map[string]any{
			"links": recordLinks(r, "itemFulfillment", sh.ID),
			"id":    strconv.FormatInt(sh.ID, 10), "tranId": sh.Number,
			"tranDate":    sh.ShippedAt.UTC().Format("2006-01-02"),
			"createdFrom": ref{ID: strconv.FormatInt(sh.OrderID, 10)},
			"shipStatus":  ref{ID: "C", RefName: "Shipped"},
			"createdDate": restTime(sh.Created), "lastModifiedDate": restTime(sh.Modified),
			"package": map[string]any{"items": packages(sh.TrackingNumber, sh.TrackingURL)},
			"item":    map[string]any{"items": s.shippedLines(sh)},
		}
		if sh.Carrier != "" {
			rec["shipMethod"] = ref{RefName: sh.Carrier}
		}
		return rec, true
	}
	return nil, false
}

func packages(tracking, url string) []map[string]any {
	if tracking == "" {
		return []map[string]any{}
	}
	return []map[string]any{{"packageTrackingNumber": tracking, "packageDescr": url}}
}

func (s *sandbox) shippedLines(sh erpsandbox.Shipment) []map[string]any {
	lines := []map[string]any{}
	for _, l := range sh.Lines {
		p, _ := s.model.Product(l.ProductID)
		lines = append(lines, map[string]any{
			"item":     ref{ID: strconv.FormatInt(l.ProductID, 10), RefName: p.SKU},
			"quantity": l.Quantity, "itemReceive": true,
		})
	}
	return lines
}
