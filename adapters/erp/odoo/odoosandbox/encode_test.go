package odoosandbox

import (
	"encoding/json"
	"testing"
)

func TestProjectionWritesWhatEncodingJSONWrites(t *testing.T) {
	records := []record{
		{"id": int64(1), "name": "Plain name", "ref": many2one{7, "[W-1] Widget"},
			"qty": json.Number("-12.50"), "active": true, "lines": []int64{3, 4}},
		{"id": int64(2), "name": `Quote " and \ back`, "ref": many2one{},
			"qty": json.Number("1e3"), "active": false, "lines": []int64{}},
		{"id": int64(3), "name": "<b>Tom & Jerry</b>", "ref": many2one{9, "Café\u2028\n"},
			"qty": json.Number("007"), "active": nil, "lines": []int64(nil)},
		{"id": int64(4), "name": "\xff bad utf-8", "ref": many2one{1, ""},
			"qty": json.Number("0.5"), "other": map[string]any{"a": 1}},
	}
	fields := [][]string{
		{"name", "ref", "qty", "active", "lines"},
		{"ref", "name", "ref", "missing", "id"},
		{},
		{"other", "qty"},
	}
	for _, f := range fields {
		var want []record
		for _, r := range records {
			out := record{"id": r["id"]}
			for _, name := range f {
				out[name] = r[name]
			}
			want = append(want, out)
		}
		wantJSON, wantErr := json.Marshal(want)
		gotJSON, gotErr := json.Marshal(projectAll(records, f))
		if string(gotJSON) != string(wantJSON) || (gotErr == nil) != (wantErr == nil) {
			t.Errorf("fields %v:\n got %s %v\nwant %s %v", f, gotJSON, gotErr, wantJSON,
				wantErr)
		}
	}
}

func TestAnswersWithAProjectionAreWhatEncodingJSONWrites(t *testing.T) {
	p := projectAll([]record{{"id": int64(1), "name": "A & B"}}, []string{"name"})
	for _, id := range []string{`41`, `"call-1"`, `[1, 2]`, `null`} {
		a := answer{JSONRPC: "2.0", ID: json.RawMessage(id), Result: p}
		got, err := marshalAnswer(a)
		want, wantErr := json.Marshal(a)
		if err != nil || wantErr != nil || string(got) != string(want) {
			t.Errorf("marshalAnswer(id %s) = %s, %v; want %s", id, got, err, want)
		}
	}
}
