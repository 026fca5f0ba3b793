package erps

import (
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/config"
)

// erpEnv holds settings that each ERP's adapter accepts.
var erpEnv = map[string]map[string]string{
	config.ERPOdoo: {config.EnvOdooURL: "http://odoo.test", config.EnvOdooDB: "db",
		config.EnvOdooLogin: "admin", config.EnvOdooPassword: "pw"},
	config.ERPNetSuite: {config.EnvNSURL: "http://netsuite.test",
		config.EnvNSAccount: "1234567_SB1", config.EnvNSConsumerKey: "ck",
		config.EnvNSConsumerSecret: "cs", config.EnvNSTokenID: "tid",
		config.EnvNSTokenSecret: "ts", config.EnvNSTimeZone: "Europe/Madrid"},
	config.ERPSAP: {config.EnvSAPURL: "http://sap.test", config.EnvSAPUser: "USER",
		config.EnvSAPPassword: "pw"},
	config.ERPBusinessCentral: {
		config.EnvBCURL:      "http://bc.test/v2.0/tenant/Production/api/v2.0",
		config.EnvBCTokenURL: "http://login.test/tenant/oauth2/v2.0/token",
		config.EnvBCClientID: "client", config.EnvBCClientSecret: "secret",
		config.EnvBCCompanyID: "5f3c1a2b-0d4e-4f6a-8b9c-1d2e3f4a5b6c"},
}

// configFor reads the configuration of erpName with its settings, changed
// by change.
func configFor(t *testing.T, erpName string, change map[string]string) config.Config {
	t.Helper()
	vars := map[string]string{config.EnvERP: erpName}
	for k, v := range erpEnv[erpName] {
		vars[k] = v
	}
	for k, v := range change {
		vars[k] = v
	}

	cfg, err := config.FromEnv(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatalf("read the %s configuration: %v", erpName, err)
	}
	return cfg
}

func TestOpenBuildsEveryAdapter(t *testing.T) {
	for _, name := range config.ERPs {
		if _, err := Open(configFor(t, name, nil), zap.NewNop()); err != nil {
			t.Errorf("Open(%s) error = %v", name, err)
		}
	}
}

func TestOpenRefusesBadSettings(t *testing.T) {
	tests := []struct {
		erp    string
		change map[string]string
		want   string
	}{
		{config.ERPOdoo, map[string]string{config.EnvOdooURL: "odoo.test"}, "url"},
		{config.ERPNetSuite, map[string]string{config.EnvNSTimeZone: "Mars/Olympus"},
			config.EnvNSTimeZone},
		{config.ERPSAP, map[string]string{config.EnvSAPURL: "ftp://sap.test"}, "url"},
		{config.ERPBusinessCentral, map[string]string{config.EnvBCCompanyID: "cronus"},
			"company id"},
	}
	for _, tt := range tests {
		_, err := Open(configFor(t, tt.erp, tt.change), zap.NewNop())
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%s with %v) error = %v, want one naming %s", tt.erp, tt.change,
				err, tt.want)
		}
	}
}
