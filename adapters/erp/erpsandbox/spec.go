package erpsandbox

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseSpec reads a fault configuration written as comma-separated
// key=value pairs, the form command lines take:
//
//	5xx=0.1          answer 10% of requests with HTTP 503
//	429=0.1          answer 10% with HTTP 429 and a Retry-After
//	lost=0.05        apply 5% and drop their answer
//	latency=20ms     delay every request by 20 ms
//	retry-after=2s   the Retry-After of injected 429s (1s when absent)
//	capacity=20      serve at most 20 requests a second, answering the rest
//	                 with HTTP 429 and the wait until there is room
//
// The empty spec and "none" inject nothing. Keys may repeat; the last wins.
func ParseSpec(spec string) (Config, error) {
	var cfg Config
	spec = strings.TrimSpace(spec)
	if spec == "" || spec == "none" {
		return cfg, nil
	}

	for _, pair := range strings.Split(spec, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok {
			return Config{}, fmt.Errorf("fault spec %q: %q is not key=value", spec, pair)
		}
		if err := cfg.setSpec(key, value); err != nil {
			return Config{}, fmt.Errorf("fault spec %q: %s: %w", spec, key, err)
		}
	}
	return cfg, cfg.validate()
}

// setSpec applies one key=value pair of a fault spec to c.
func (c *Config) setSpec(key, value string) error {
	switch key {
	case "5xx":
		return parseProbability(value, &c.ServerError.Probability)
	case "429":
		return parseProbability(value, &c.RateLimit.Probability)
	case "lost":
		return parseProbability(value, &c.DropResponse.Probability)
	case "latency":
		d, err := time.ParseDuration(value)
		c.Latency.FixedMS = int(d.Milliseconds())
		return err
	case "retry-after":
		d, err := time.ParseDuration(value)
		c.RateLimit.RetryAfterSeconds = int(d.Round(time.Second).Seconds())
		return err
	case "capacity":
		r, err := strconv.ParseFloat(value, 64)
		if err != nil || r <= 0 {
			return fmt.Errorf("%q is not a positive number of requests a second", value)
		}
		c.Capacity.RequestsPerSecond = r
		return nil
	default:
		return fmt.Errorf("unknown fault (want 5xx, 429, lost, latency, retry-after or " +
			"capacity)")
	}
}

func parseProbability(value string, p *float64) error {
	f, err := strconv.ParseFloat(value, 64)
	if err != nil || f < 0 || f > 1 {
		return fmt.Errorf("%q is not a probability between 0 and 1", value)
	}
	*p = f
	return nil
}
