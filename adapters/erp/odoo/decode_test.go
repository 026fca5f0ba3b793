package odoo

import (
	"encoding/json"
	"testing"
)

func TestManyToOneReadsWhatJSONReads(t *testing.T) {
	tests := []struct {
		in   string
		want many2one
		bad  bool
	}{
		{in: `[7, "WH/Stock"]`, want: many2one{7, "WH/Stock"}},
		{in: `[7,"WH/Stock"]`, want: many2one{7, "WH/Stock"}},
		{in: `[ 12 , "Caf\u00e9 \"Lisboa\"" ]`, want: many2one{12, `Café "Lisboa"`}},
		{in: `[3, "Tab\there"]`, want: many2one{3, "Tab\there"}},
		{in: `[4, "Çà"]`, want: many2one{4, "Çà"}},
		{in: `false`, want: many2one{}},
		{in: `null`, want: many2one{}},
		{in: `[1.5, "x"]`, bad: true},
		{in: `[1]`, bad: true},
		{in: `[1, "x", 2]`, bad: true},
		{in: `"x"`, bad: true},
	}
	for _, tt := range tests {
		var m many2one
		err := json.Unmarshal([]byte(tt.in), &m)
		if (err != nil) != tt.bad || err == nil && m != tt.want {
			t.Errorf("decode %s = %+v, %v; want %+v (error %v)", tt.in, m, err, tt.want, tt.bad)
		}
	}
}

func TestTextReadsWhatJSONReads(t *testing.T) {
	for _, in := range []string{`"plain"`, `"esc\"aped"`, `"\u00e9t\u00e9"`, `""`,
		`"caf` + "\xff" + `"`} {
		var got text
		var want string
		errGot, errWant := json.Unmarshal([]byte(in), &got), json.Unmarshal([]byte(in), &want)
		if (errGot != nil) != (errWant != nil) || string(got) != want {
			t.Errorf("decode %q = %q, %v; json reads %q, %v", in, got, errGot, want, errWant)
		}
	}
}
