package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// loadCompose loads a compose file's content as docker compose does,
// checking it against the Compose Specification's schema, with the
// variables its interpolations require.
func loadCompose(t *testing.T, content []byte) (*types.Project, error) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	details := types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: "docker-compose.yml", Content: content}},
		Environment: types.Mapping{
			"POSTGRES_PASSWORD": "pw", "ERPSYNC_WEBHOOK_SECRET": "s", "ODOO_URL": "http://odoo",
			"ODOO_DB": "db", "ODOO_LOGIN": "l", "ODOO_PASSWORD": "p",
			"ERPSYNC_CODEC_KEYS": "k1=ZXJwc3luYy1kZXZzdGFjay1zYW5kYm94LWtleS0zMmI=",
		},
	}
	return loader.LoadWithContext(t.Context(), details, func(o *loader.Options) {
		o.SetProjectName("erpsync", true)
	})
}

// TestComposeFollowsTheComposeSpecification validates docker-compose.yml
// against the Compose Specification, as docker compose would before it
// runs anything, and checks that a file breaking it is refused.
func TestComposeFollowsTheComposeSpecification(t *testing.T) {
	content, err := os.ReadFile(filepath.Join("..", "..", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	project, err := loadCompose(t, content)
	if err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	for _, name := range []string{"postgres", "temporal", "temporal-ui", "worker", "starter"} {
		if _, ok := project.Services[name]; !ok {
			t.Errorf("docker-compose.yml has no service %s", name)
		}
	}

	broken := strings.Replace(string(content), "services:",
		"services:\n  bad:\n    restart: sometimes", 1)
	if _, err := loadCompose(t, []byte(broken)); err == nil {
		t.Error("a service with restart: sometimes passed the schema")
	}
}
