package erpsandbox

import (
	"strings"
	"testing"
)

func TestParseSpec(t *testing.T) {
	cfg, err := ParseSpec("5xx=0.1, 429=0.2,lost=0.05,latency=20ms,retry-after=2s,capacity=25")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ServerError.Probability != 0.1 || cfg.RateLimit.Probability != 0.2 ||
		cfg.DropResponse.Probability != 0.05 || cfg.Latency.FixedMS != 20 ||
		cfg.RateLimit.RetryAfterSeconds != 2 || cfg.Capacity.RequestsPerSecond != 25 {
		t.Errorf("ParseSpec = %+v", cfg)
	}

	for _, none := range []string{"", "none", "  "} {
		if cfg, err := ParseSpec(none); err != nil || cfg.ServerError.Probability != 0 {
			t.Errorf("ParseSpec(%q) = %+v, %v; want no faults", none, cfg, err)
		}
	}
}

func TestParseSpecRefusesNonsense(t *testing.T) {
	for spec, want := range map[string]string{
		"5xx":           "not key=value",
		"5xx=2":         "probability",
		"5xx=often":     "probability",
		"latency=fast":  "latency",
		"teapot=0.1":    "unknown fault",
		"latency=-20ms": "latency",
		"capacity=0":    "requests a second",
	} {
		_, err := ParseSpec(spec)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSpec(%q) = %v, want an error about %s", spec, err, want)
		}
	}
}
