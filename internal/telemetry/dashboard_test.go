package telemetry

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// dashboardExprs returns every PromQL expression of the dashboard's panels.
func dashboardExprs(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "deploy", "grafana", "erpsync.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Templating struct {
			List []struct{ Name, Type, Query string }
		}
		Panels []struct {
			Title      string
			Datasource struct{ Type, UID string }
			Targets    []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("dashboard is not valid JSON: %v", err)
	}
	if len(d.Templating.List) == 0 || d.Templating.List[0].Type != "datasource" ||
		d.Templating.List[0].Query != "prometheus" {
		t.Fatal("dashboard lacks a Prometheus datasource variable")
	}
	var exprs []string
	for _, p := range d.Panels {
		if p.Datasource.UID != "${"+d.Templating.List[0].Name+"}" || len(p.Targets) == 0 {
			t.Errorf("panel %q does not query the datasource variable", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	if len(exprs) < 8 {
		t.Fatalf("dashboard has %d queries; the parse missed panels", len(exprs))
	}
	return exprs
}

// sdkMetricNames returns the metric names the Temporal SDK in go.mod
// reports, read from its source.
func sdkMetricNames(t *testing.T) map[string]bool {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "go.temporal.io/sdk").Output()
	if err != nil {
		t.Fatalf("find the temporal sdk: %v", err)
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)),
		"internal", "common", "metrics", "constants.go"))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	re := regexp.MustCompile(`TemporalMetricsPrefix \+ "([a-z_]+)"`)
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		names["temporal_"+m[1]] = true
	}
	if len(names) < 20 {
		t.Fatalf("found %d sdk metric names; the parse missed them", len(names))
	}
	return names
}

// metricRef matches a metric name in PromQL: erpsync_ or temporal_ words.
var metricRef = regexp.MustCompile(`\b(?:erpsync|temporal)_[a-z_]+\b`)

func TestDashboardQueriesOnlyMetricsTheCodeReports(t *testing.T) {
	known := sdkMetricNames(t)
	for _, n := range []string{MetricOrdersSynced, MetricOrdersParked, MetricStockLevelsPushed} {
		known[n] = true
	}
	histograms := []string{MetricSyncLag, MetricWebhookAnswer}
	for n := range sdkMetricNames(t) {
		if strings.HasSuffix(n, "_latency") {
			histograms = append(histograms, n)
		}
	}
	for _, n := range histograms {
		known[n+"_bucket"], known[n+"_count"], known[n+"_sum"] = true, true, true
	}

	used := map[string]bool{}
	for _, expr := range dashboardExprs(t) {
		for _, name := range metricRef.FindAllString(expr, -1) {
			used[name] = true
			if !known[name] {
				t.Errorf("dashboard queries %s, which nothing reports (in %q)", name, expr)
			}
		}
	}
	for _, n := range []string{MetricOrdersSynced, MetricOrdersParked, MetricSyncLag + "_bucket",
		MetricStockLevelsPushed, MetricWebhookAnswer + "_bucket"} {
		if !used[n] {
			t.Errorf("dashboard has no panel for %s", n)
		}
	}
}
