package sap

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// quote writes s as an OData string literal, doubling its quotes.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// keyPath writes set('key').
func keyPath(set, key string) string {
	return set + "(" + quote(key) + ")"
}

// dateTimeOffsetLiteral writes t as an Edm.DateTimeOffset literal.
func dateTimeOffsetLiteral(t time.Time) string {
	return "datetimeoffset'" + t.UTC().Format("2006-01-02T15:04:05Z") + "'"
}

// dateTimeLiteral writes the day of t, in UTC, as an Edm.DateTime literal.
func dateTimeLiteral(t time.Time) string {
	return "datetime'" + t.UTC().Format("2006-01-02") + "T00:00:00'"
}

// timeLiteral writes the time of day of t, in UTC, as an Edm.Time literal.
func timeLiteral(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("time'PT%02dH%02dM%02dS'", t.Hour(), t.Minute(), t.Second())
}

// jsonDate writes t as the V2 JSON form of an Edm.DateTime.
func jsonDate(t time.Time) string {
	return fmt.Sprintf("/Date(%d)/", t.UTC().UnixMilli())
}

// sapTime is an Edm.DateTime or Edm.DateTimeOffset read from V2 JSON:
// "/Date(<ms>)/" or "/Date(<ms>+<minutes>)/", or null.
type sapTime time.Time

var jsonDatePattern = regexp.MustCompile(`^/Date\((-?\d+)(?:[+-]\d+)?\)/$`)

// UnmarshalJSON reads the V2 form, an ISO 8601 instant, or null.
func (t *sapTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = sapTime{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if m := jsonDatePattern.FindStringSubmatch(s); m != nil {
		ms, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return fmt.Errorf("date %q: %w", s, err)
		}
		*t = sapTime(time.UnixMilli(ms).UTC())
		return nil
	}
	parsed, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("date %q is neither /Date(ms)/ nor RFC 3339", s)
	}
	*t = sapTime(parsed.UTC())
	return nil
}

// Time returns the instant.
func (t sapTime) Time() time.Time { return time.Time(t) }

// sapDuration is an Edm.Time read from V2 JSON, such as "PT13H05M09S".
type sapDuration time.Duration

var durationPattern = regexp.MustCompile(`^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.\d+)?S)?$`)

// UnmarshalJSON reads an ISO 8601 time of day, or null.
func (d *sapDuration) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = 0
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	m := durationPattern.FindStringSubmatch(s)
	if m == nil {
		return fmt.Errorf("time %q is not an ISO 8601 duration", s)
	}
	var total time.Duration
	for i, unit := range []time.Duration{time.Hour, time.Minute, time.Second} {
		if m[i+1] != "" {
			n, _ := strconv.Atoi(m[i+1])
			total += time.Duration(n) * unit
		}
	}
	*d = sapDuration(total)
	return nil
}

// at joins a day and a time of day as ABAP keeps them.
func at(day sapTime, tod sapDuration) time.Time {
	if day.Time().IsZero() {
		return time.Time{}
	}
	return day.Time().Add(time.Duration(tod))
}

// wholeUnits reads a quantity such as "12.000" as whole units, rounding
// fractions down so that stock is never overstated.
func wholeUnits(s string) (int64, error) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("quantity %q is not a decimal number", s)
	}
	if strings.Trim(frac, "0") != "" && strings.HasPrefix(whole, "-") {
		n-- // round down, not toward zero
	}
	return n, nil
}

// cursor continues a change listing after the record with Modified and ID.
type cursor struct {
	Modified time.Time `json:"m"`
	ID       string    `json:"i"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c) // a time and a string always marshal
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return cursor{}, fmt.Errorf("cursor %q was not made by this adapter", s)
	}
	return c, nil
}
