package sapsandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The OData V2 value types the sandbox's records hold besides strings and
// booleans. Each encodes itself as SAP's JSON format writes it.
type (
	// dateTime is an Edm.DateTime: a UTC instant with no zone, written
	// "/Date(<ms>)/". The zero value is null.
	dateTime time.Time

	// dateTimeOffset is an Edm.DateTimeOffset, written "/Date(<ms>+0000)/".
	// The zero value is null.
	dateTimeOffset time.Time

	// timeOfDay is an Edm.Time, written as an ISO 8601 duration such as
	// "PT13H05M09S".
	timeOfDay time.Duration

	// decimal is an Edm.Decimal, written as a JSON string such as "12.50".
	decimal string
)

// MarshalJSON writes the instant as SAP does, or null.
func (d dateTime) MarshalJSON() ([]byte, error) {
	t := time.Time(d)
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(fmt.Sprintf("/Date(%d)/", t.UnixMilli()))
}

// MarshalJSON writes the instant as SAP does, or null.
func (d dateTimeOffset) MarshalJSON() ([]byte, error) {
	t := time.Time(d)
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(fmt.Sprintf("/Date(%d+0000)/", t.UnixMilli()))
}

// MarshalJSON writes the time of day as an ISO 8601 duration.
func (t timeOfDay) MarshalJSON() ([]byte, error) {
	return json.Marshal(formatTimeOfDay(time.Duration(t)))
}

func formatTimeOfDay(d time.Duration) string {
	s := int64(d / time.Second)
	return fmt.Sprintf("PT%02dH%02dM%02dS", s/3600, s/60%60, s%60)
}

// dayOf splits t, in UTC, into its day as an Edm.DateTime and its time of
// day, as ABAP stores a date and a time field.
func dayOf(t time.Time) (dateTime, timeOfDay) {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return dateTime(day), timeOfDay(t.Sub(day))
}

// lastChange is the change date and time of a record that SAP stamps only
// from its first change on: empty (null and midnight) while the record is
// as it was created.
func lastChange(created, modified time.Time) (dateTime, timeOfDay) {
	if !modified.After(created) {
		return dateTime{}, 0
	}
	return dayOf(modified)
}

// jsonDate reads "/Date(<ms>)/" or "/Date(<ms>+<offset>)/" as SAP writes
// them, and an ISO 8601 instant as some clients send them.
var jsonDate = regexp.MustCompile(`^/Date\((-?\d+)([+-]\d{4})?\)/$`)

func parseJSONDate(s string) (time.Time, error) {
	if m := jsonDate.FindStringSubmatch(s); m != nil {
		ms, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			return time.Time{}, err
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date", s)
}

// isoDuration reads the Edm.Time literals PT<h>H<m>M<s>S.
var isoDuration = regexp.MustCompile(`^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$`)

func parseTimeOfDay(s string) (timeOfDay, error) {
	m := isoDuration.FindStringSubmatch(s)
	if m == nil || s == "PT" {
		return 0, fmt.Errorf("%q is not an Edm.Time", s)
	}
	var d time.Duration
	for i, unit := range []time.Duration{time.Hour, time.Minute, time.Second} {
		if m[i+1] != "" {
			n, _ := strconv.Atoi(m[i+1])
			d += time.Duration(n) * unit
		}
	}
	return timeOfDay(d), nil
}

// parseQuantity reads a whole quantity sent as a decimal string or a JSON
// number ("2", "2.000", 2).
func parseQuantity(v any) (int64, error) {
	s := strings.TrimSpace(fmt.Sprint(v))
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e12 {
		return 0, fmt.Errorf("%q is not a whole quantity", s)
	}
	return int64(f), nil
}
