package woosandbox

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// saleSchedule is when a product's sale price applies: from its start
// (open when nil) to its end (open when nil). WooCommerce keeps the sale
// price and its dates apart, so a sale may be scheduled before it starts.
type saleSchedule struct {
	from, to scheduleEnd
}

// scheduleEnd is one end of a sale's schedule; the zero value is open.
type scheduleEnd struct {
	at *time.Time
}

// text returns the end as WooCommerce writes it, or nil when it is open.
func (e scheduleEnd) text() *string {
	if e.at == nil {
		return nil
	}
	s := e.at.Format(dateLayout)
	return &s
}

// running reports whether the schedule holds at now.
func (s saleSchedule) running(now time.Time) bool {
	return (s.from.at == nil || !now.Before(*s.from.at)) &&
		(s.to.at == nil || !now.After(*s.to.at))
}

// dateChange sets one end of a schedule: to a date, or open when at is nil.
type dateChange struct {
	at *time.Time
}

// readDate reads a date of a product's sale as WooCommerce takes it: a
// date-time without a zone (the site's time zone, UTC here, or GMT), or
// null or "" to clear it.
func readDate(raw json.RawMessage) (*dateChange, error) {
	var v *string
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, errors.New("is not a string")
	}
	if v == nil || *v == "" {
		return &dateChange{}, nil
	}
	if !restDate.MatchString(*v) {
		return nil, errors.New("is not a date")
	}
	text := strings.Replace(strings.ToUpper(*v), " ", "T", 1)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.ParseInLocation(layout, text, time.UTC); err == nil {
			t = t.UTC().Truncate(time.Second)
			return &dateChange{at: &t}, nil
		}
	}
	return nil, errors.New("is not a date")
}

// schedule applies the changes of a product's sale schedule that are not
// nil.
func (s *Sandbox) schedule(productID int64, from, to *dateChange) {
	if from == nil && to == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	sale := s.sales[productID]
	if from != nil {
		sale.from = scheduleEnd(*from)
	}
	if to != nil {
		sale.to = scheduleEnd(*to)
	}
	s.sales[productID] = sale
}

// saleOf returns the sale schedule of a product.
func (s *Sandbox) saleOf(productID int64) saleSchedule {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sales[productID]
}
