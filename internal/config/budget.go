package config

import (
	"fmt"
	"strconv"
)

// Budget is one system's share of requests. PerSecond caps the rate at
// which all workers together start the activities that call the system (0:
// no cap), through the Temporal task queue of those activities; Concurrent
// caps how many run at once in each worker (0: the SDK's default).
type Budget struct {
	PerSecond  float64
	Concurrent int
}

// Names of the variables of the ERP's budget. A store's are
// ERPSYNC_STORE_<NAME>_RATE and ERPSYNC_STORE_<NAME>_CONCURRENCY.
const (
	EnvERPRate        = "ERPSYNC_ERP_RATE"
	EnvERPConcurrency = "ERPSYNC_ERP_CONCURRENCY"
)

// readBudget reads a budget from the variables rateKey and concurrencyKey
// through get.
func readBudget(rateKey, concurrencyKey string, get func(key, fallback string) string) (
	Budget, error) {
	var b Budget
	rate := get(rateKey, "0")
	r, err := strconv.ParseFloat(rate, 64)
	if err != nil || r < 0 {
		return b, fmt.Errorf("%s: %q is not a rate of at least 0 per second", rateKey, rate)
	}
	b.PerSecond = r
	b.Concurrent, err = parseCount(concurrencyKey, get(concurrencyKey, "0"))
	return b, err
}
