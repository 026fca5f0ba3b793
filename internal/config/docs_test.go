package config

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// variables returns the names of the environment variables this package
// reads: the values of its Env constants.
func variables(t *testing.T) map[string]bool {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]bool{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range spec.Names {
				lit, ok := valueAt(spec, i).(*ast.BasicLit)
				if strings.HasPrefix(name.Name, "Env") && ok && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					vars[v] = true
				}
			}
			return true
		})
	}
	return vars
}

func valueAt(spec *ast.ValueSpec, i int) ast.Expr {
	if i < len(spec.Values) {
		return spec.Values[i]
	}
	return nil
}

// TestEveryVariableIsDocumented checks that the README's configuration
// names every variable the code reads.
func TestEveryVariableIsDocumented(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	vars := variables(t)
	if len(vars) < 40 {
		t.Fatalf("found %d variables; the parse missed some", len(vars))
	}
	for v := range vars {
		if !strings.Contains(string(readme), "`"+v+"`") {
			t.Errorf("README.md does not name %s", v)
		}
	}
}

// storeVariable matches a store's own setting, ERPSYNC_STORE_<NAME>_<SETTING>.
var storeVariable = regexp.MustCompile(`^ERPSYNC_STORE_[A-Z0-9_]+$`)

// TestComposeSetsOnlyVariablesTheCodeReads checks the environment that
// docker-compose.yml gives erpsync's services: every variable in it is one
// the code reads, so that a renamed setting cannot linger there unnoticed.
func TestComposeSetsOnlyVariablesTheCodeReads(t *testing.T) {
	compose, err := os.ReadFile(filepath.Join("..", "..", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	vars := variables(t)
	key := regexp.MustCompile(`^\s+([A-Z][A-Z0-9_]*):`)
	in, seen := false, 0
	for _, line := range strings.Split(string(compose), "\n") {
		switch {
		case strings.Contains(line, "&erpsync-env"):
			in = true
			continue
		case in && strings.TrimSpace(line) != "" && indent(line) <= 4:
			in = false
		}
		m := key.FindStringSubmatch(line)
		if !in || m == nil {
			continue
		}
		seen++
		if !vars[m[1]] && !storeVariable.MatchString(m[1]) {
			t.Errorf("docker-compose.yml sets %s, which erpsync does not read", m[1])
		}
	}
	if seen < 5 {
		t.Fatalf("found %d variables in the erpsync-env block; the scan missed it", seen)
	}
}

func indent(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }
