package config

import (
	"strings"
	"testing"
)

func TestBudgetsOfTheERPAndEachStore(t *testing.T) {
	env := map[string]string{EnvERPRate: "2.5", EnvERPConcurrency: "4",
		EnvStores: "eu,us", "ERPSYNC_STORE_EU_RATE": "10", "DATABASE_URL": "postgres://x"}
	c, err := FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.ERPBudget != (Budget{PerSecond: 2.5, Concurrent: 4}) ||
		c.Stores["eu"].Budget != (Budget{PerSecond: 10}) || c.Stores["us"].Budget != (Budget{}) {
		t.Fatalf("budgets: erp %+v, eu %+v, us %+v", c.ERPBudget, c.Stores["eu"].Budget,
			c.Stores["us"].Budget)
	}

	for key, bad := range map[string]string{EnvERPRate: "-1", "ERPSYNC_STORE_EU_RATE": "fast",
		EnvERPConcurrency: "x"} {
		env := map[string]string{EnvStores: "eu", key: bad}
		_, err := FromEnv(func(k string) string { return env[k] })
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s=%s: error %v, want one naming the variable", key, bad, err)
		}
	}
}
