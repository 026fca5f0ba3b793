package odoosandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erpsync/erpsync/adapters/erp/erpsandbox"
)

// planClock is where the model of the plan tests starts.
var planClock = time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)

// planStamp writes the time sec seconds after planClock as Odoo does.
func planStamp(sec int) string {
	return planClock.Add(time.Duration(sec) * time.Second).Format(dateTimeLayout)
}

// newPlanSandbox returns a sandbox over a model whose records share write
// dates, some many to a second: 40 products (every fifth archived, one
// without a SKU), stock of them and of a SKU no product has at three
// locations, written over ten seconds and partly rewritten later, and safety
// stock on some levels.
func newPlanSandbox(t *testing.T) *sandbox {
	t.Helper()
	now := planClock
	model := erpsandbox.NewModel(func() time.Time { return now })
	var skus []string
	for i := range 40 {
		sku := fmt.Sprintf("P-%02d", i)
		if i == 7 {
			sku = ""
		}
		p, err := model.CreateProduct(erpsandbox.Product{SKU: sku, Name: "Product " +
			strconv.Itoa(i), PriceMinor: int64(100 + i), Currency: "USD", Archived: i%5 == 0})
		if err != nil {
			t.Fatal(err)
		}
		skus = append(skus, p.SKU)
		now = now.Add(time.Duration(i%2) * time.Second)
	}

	var levels []erpsandbox.StockLevel
	for i, sku := range append(skus, "ORPHAN") {
		for l, loc := range []string{"WH/Stock", "WH/Shop", "WH/Back"} {
			if sku != "" {
				levels = append(levels, erpsandbox.StockLevel{SKU: sku, Location: loc,
					OnHand: int64(i + l), SafetyStock: int64(i % 3)})
			}
		}
	}
	now = planClock
	for part := range 10 {
		from, to := part*len(levels)/10, (part+1)*len(levels)/10
		if err := model.SeedStock(levels[from:to]); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Second)
	}
	if _, err := model.UpdateStock([]string{"P-03", "P-11", "ORPHAN"},
		func(s *erpsandbox.StockLevel) error { s.OnHand++; return nil }); err != nil {
		t.Fatal(err)
	}
	return newSandbox(model, nil, testCreds)
}

// planArgs builds the bound arguments of a search.
func planArgs(t *testing.T, domain, order string, offset, limit int) map[string]any {
	t.Helper()
	a := map[string]any{"domain": decodeDomain(t, domain), "order": order}
	if offset >= 0 {
		a["offset"] = json.Number(strconv.Itoa(offset))
	}
	if limit >= 0 {
		a["limit"] = json.Number(strconv.Itoa(limit))
	}
	return a
}

// searchBoth runs a search with the model's indexes and without, and fails
// when the answers differ.
func searchBoth(t *testing.T, s *sandbox, model string, a map[string]any) []record {
	t.Helper()
	def := s.models[model]
	generic := *def
	generic.narrow = nil

	got, gotErr := s.find(def, a)
	want, wantErr := s.find(&generic, a)
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || string(gotJSON) != string(wantJSON) {
		t.Fatalf("%s search %v:\nindexed %s %v\ngeneric %s %v", model, a, gotJSON, gotErr,
			wantJSON, wantErr)
	}
	return got
}

// planDomains are domains of every shape the indexes recognise, and some
// they must leave to the generic search.
func planDomains(s *sandbox) []string {
	quant := s.model.StockOf("P-12")[1]
	product, _ := s.model.ProductBySKU("P-12")
	archived, _ := s.model.ProductBySKU("P-10")
	return []string{
		`[]`,
		`[["write_date", ">=", "` + planStamp(3) + `"]]`,
		`[["write_date", ">", "` + planStamp(3) + `"]]`,
		`[["write_date", "=", "` + planStamp(4) + `"]]`,
		`[["write_date", "<=", "` + planStamp(2) + `"]]`,
		`[["write_date", "<", "` + planStamp(2) + `"], ["write_date", ">=", "` +
			planStamp(1) + `"]]`,
		`[["write_date", ">=", "` + planStamp(4) + `"], ["write_date", "<", "` +
			planStamp(5) + `"], ["id", ">", ` + strconv.FormatInt(quant.ID, 10) + `]]`,
		`[["write_date", ">=", "` + planStamp(4) + `"], ["id", ">=", 5.5]]`,
		`[["write_date", ">=", "2024-05-01"]]`,
		`[["write_date", ">=", "` + planStamp(2) + `"], ["write_date", ">=", "` +
			planStamp(6) + `"], ["location_id", "in", [` +
			strconv.FormatInt(quant.LocationID, 10) + `]]]`,
		`["|", ["id", "=", ` + strconv.FormatInt(quant.ID, 10) + `], ["write_date", ">=", "` +
			planStamp(9) + `"]]`,
		`["!", ["write_date", "<", "` + planStamp(8) + `"]]`,
		`[["id", "in", [` + strconv.FormatInt(quant.ID, 10) + `, 999999, ` +
			strconv.FormatInt(product.ID, 10) + `]]]`,
		`[["id", "=", "` + strconv.FormatInt(quant.ID, 10) + `"]]`,
		`[["id", "in", []]]`,
		`[["product_id", "in", [` + strconv.FormatInt(product.ID, 10) + `, ` +
			strconv.FormatInt(archived.ID, 10) + `, 999999]], ["location_id", "in", [` +
			strconv.FormatInt(quant.LocationID, 10) + `, 5]]]`,
		`[["product_id", "=", ` + strconv.FormatInt(product.ID, 10) + `]]`,
		`[["product_id", "in", ["[P-12] Product 12"]]]`,
		`[["product_id", "in", [0]]]`,
		`[["product_id", "=", false]]`,
		`[["default_code", "in", ["P-12", "P-10", "NONE", ""]]]`,
		`[["default_code", "=", false]]`,
		`[["default_code", "in", ["P-12"]], ["id", "in", [` +
			strconv.FormatInt(archived.ID, 10) + `]]]`,
		`[["active", "in", [true, false]], ["write_date", ">=", "` + planStamp(5) + `"]]`,
		`[["active", "=", false]]`,
	}
}

func TestIndexedSearchesAnswerAsTheGenericSearch(t *testing.T) {
	s := newPlanSandbox(t)
	orders := []string{"", "write_date asc, id asc", "write_date", "id asc", "id desc",
		"write_date desc", "product_id, id", "name"}
	pages := [][2]int{{-1, -1}, {0, 1}, {3, 5}, {0, 0}, {200, 10}, {0, 70}}
	for _, model := range []string{"stock.quant", "stock.warehouse.orderpoint",
		"product.product"} {
		for _, domain := range planDomains(s) {
			for _, order := range orders {
				if _, ok := s.models[model].field(strings.Fields(order + " id")[0]); !ok {
					continue
				}
				for _, p := range pages {
					searchBoth(t, s, model, planArgs(t, domain, order, p[0], p[1]))
				}
			}
		}
	}
}

func TestWriteDatePagesTieInOneSecond(t *testing.T) {
	s := newPlanSandbox(t)
	var ids []int64
	after := int64(0)
	for range 20 {
		domain := `[["write_date", ">=", "` + planStamp(4) + `"], ["write_date", "<", "` +
			planStamp(5) + `"], ["id", ">", ` + strconv.FormatInt(after, 10) + `]]`
		page := searchBoth(t, s, "stock.quant", planArgs(t, domain, "id asc", -1, 4))
		for _, r := range page {
			ids = append(ids, r["id"].(int64))
		}
		if len(page) < 4 {
			break
		}
		after = ids[len(ids)-1]
	}

	var want []int64
	for _, l := range s.model.ChangedStock(planClock.Add(4*time.Second), erpsandbox.Key{}, 0) {
		if l.Modified.Equal(planClock.Add(4 * time.Second)) {
			want = append(want, l.ID)
		}
	}
	if len(want) < 5 || fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("pages of one second = %v, want %v (more than one page)", ids, want)
	}
}

func TestReadByIDsUsesTheIndexes(t *testing.T) {
	s := newPlanSandbox(t)
	level := s.model.StockOf("P-20")[0]
	tests := []struct {
		model   string
		ids     []any
		wantErr bool
	}{
		{"stock.quant", []any{json.Number(strconv.FormatInt(level.ID, 10))}, false},
		{"stock.quant", []any{json.Number("999999")}, true},
		{"stock.warehouse.orderpoint", []any{json.Number(strconv.FormatInt(level.ID, 10))},
			level.SafetyStock <= 0},
		{"product.product", []any{json.Number("2"), json.Number("1"), json.Number("2")}, false},
	}
	for _, tt := range tests {
		def := s.models[tt.model]
		generic := *def
		generic.narrow = nil
		a := map[string]any{"ids": tt.ids, "fields": []any{}}
		got, gotErr := s.read(def, a)
		want, wantErr := s.read(&generic, a)
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(want)
		if string(gotJSON) != string(wantJSON) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) ||
			(gotErr != nil) != tt.wantErr {
			t.Errorf("read(%s, %v) = %s, %v; generic %s, %v", tt.model, tt.ids, gotJSON,
				gotErr, wantJSON, wantErr)
		}
	}
}

func TestValueSetAgreesWithEqual(t *testing.T) {
	lists := []string{`[]`, `[5, "5", "Ada", false]`, `[5.0, 7e0, 0]`, `[5.5, null]`,
		`[true, "[W-1] Widget", -3]`, `[[5], {"a": 1}, 8]`}
	values := []any{int64(5), int64(0), int64(-3), int64(8), "5", "Ada", "", false, true, nil,
		many2one{5, "Ada"}, many2one{}, many2one{7, "[W-1] Widget"}, many2one{9, "5"},
		json.Number("5.5"), json.Number("5"), []int64{7, 1}, []int64{}}
	for _, l := range lists {
		list, _ := decodeDomain(t, l).([]any)
		set := newValueSet(list)
		for _, v := range values {
			if got, want := set.contains(v), anyEqual(v, list); got != want {
				t.Errorf("valueSet(%s).contains(%#v) = %v, want %v", l, v, got, want)
			}
		}
	}
}

func TestTheAdaptersSearchesUseIndexes(t *testing.T) {
	s := newPlanSandbox(t)
	places := `[["product_id", "in", [3, 4]], ["location_id", "in", [90, 91, 92]]]`
	tests := []struct {
		model, domain, order string
		sorted               bool
	}{
		{"stock.quant", `[["write_date", ">=", "` + planStamp(3) + `"], ` +
			`["location_id", "in", [90, 91]]]`, "write_date asc, id asc", true},
		{"stock.quant", `[["location_id", "in", [90, 91]]]`, "write_date asc, id asc", true},
		{"stock.quant", `[["write_date", ">=", "` + planStamp(3) + `"], ["write_date", "<", "` +
			planStamp(4) + `"], ["id", ">", 50], ["location_id", "in", [90]]]`, "id asc", true},
		{"stock.quant", places, "id asc", false},
		{"stock.warehouse.orderpoint", places, "", false},
		{"product.product", `[["id", "in", [3, 4]], ["active", "in", [true, false]]]`, "",
			false},
		{"product.product", `[["default_code", "in", ["P-01"]]]`, "id asc", false},
		{"product.product", `[["write_date", ">=", "` + planStamp(3) + `"], ` +
			`["active", "in", [true, false]]]`, "write_date asc, id asc", true},
	}
	for _, tt := range tests {
		def := s.models[tt.model]
		cond, err := parseDomain(def, decodeDomain(t, tt.domain))
		if err != nil {
			t.Fatal(err)
		}
		keys, err := parseOrder(def, tt.order)
		if err != nil {
			t.Fatal(err)
		}
		src, ok := s.narrow(def, newQuery(cond, keys, 101))
		if !ok || src.sorted != tt.sorted {
			t.Errorf("%s %s order %q: indexed %v sorted %v, want indexed, sorted %v",
				tt.model, tt.domain, tt.order, ok, src.sorted, tt.sorted)
		}
	}
}

func TestWholeNumbersCompareAsRationals(t *testing.T) {
	values := []any{int64(5), int64(-3), int64(math.MaxInt64), json.Number("5"),
		json.Number("5.0"), json.Number("-3"), json.Number("9223372036854775808"),
		json.Number("4.99"), json.Number("5e0")}
	for _, a := range values {
		for _, b := range values {
			x, _ := ratOf(a)
			y, _ := ratOf(b)
			if got, ok := compare(a, b); !ok || got != x.Cmp(y) {
				t.Errorf("compare(%v, %v) = %d, %v; want %d", a, b, got, ok, x.Cmp(y))
			}
			if got := sameNumber(a, b); got != (x.Cmp(y) == 0) {
				t.Errorf("sameNumber(%v, %v) = %v, want %v", a, b, got, x.Cmp(y) == 0)
			}
		}
	}
}
