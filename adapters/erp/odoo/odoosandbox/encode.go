package odoosandbox

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// A projection is records as search_read and read answer them: the id and
// the named fields of each. It writes itself as encoding/json writes the
// projected maps (keys sorted, a missing field as null) without building
// them and without reflection, which is most of the time a large page takes
// to serve.
type projection struct {
	records []record
	fields  []string
}

// projectAll returns the projection of records on fields.
func projectAll(records []record, fields []string) projection {
	keys := append([]string{"id"}, fields...)
	slices.Sort(keys)
	return projection{records: records, fields: slices.Compact(keys)}
}

// MarshalJSON writes the records as a JSON array of objects.
func (p projection) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 64+len(p.records)*24*len(p.fields))
	b = append(b, '[')
	for i, r := range p.records {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		for j, f := range p.fields {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendText(b, f)
			b = append(b, ':')
			var err error
			if b, err = appendValue(b, r[f]); err != nil {
				return nil, err
			}
		}
		b = append(b, '}')
	}
	return append(b, ']'), nil
}

// appendValue appends the JSON of a field value, as encoding/json writes
// it: the kinds records hold directly, anything else through encoding/json.
func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case string:
		return appendText(b, v), nil
	case many2one:
		if v.id == 0 {
			return append(b, "false"...), nil
		}
		b = strconv.AppendInt(append(b, '['), v.id, 10)
		return append(appendText(append(b, ','), v.name), ']'), nil
	case json.Number:
		if plainNumber(string(v)) {
			return append(b, v...), nil
		}
	}
	data, err := json.Marshal(v)
	return append(b, data...), err
}

// appendText appends s as a JSON string. Printable ASCII that encoding/json
// writes as it is goes straight in; anything else goes through
// encoding/json, which escapes it.
func appendText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			data, _ := json.Marshal(s) // a string always encodes
			return append(b, data...)
		}
	}
	return append(append(append(b, '"'), s...), '"')
}

// plainNumber reports whether s is a JSON number without an exponent:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?, which encoding/json writes as it is.
func plainNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if !digits(intPart) || (len(intPart) > 1 && intPart[0] == '0') {
		return false
	}
	return !hasFrac || digits(frac)
}

// digits reports whether s is one or more decimal digits.
func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
