// Package archtest holds the test that keeps the arrows of
// docs/architecture.md pointing the way they should.
package archtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "rollcall/"

// imports maps each package directory (relative to the module root) to
// the module's own packages its non-test files import, and tells which
// import database/sql.
func imports(t *testing.T) (map[string]map[string]bool, map[string]bool) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	ours := map[string]map[string]bool{}
	sqlUsers := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel(root, filepath.Dir(path))
		if ours[dir] == nil {
			ours[dir] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, module) {
				ours[dir][strings.TrimPrefix(p, module)] = true
			}
			if p == "database/sql" {
				sqlUsers[dir] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ours, sqlUsers
}

func TestImportsPointInwards(t *testing.T) {
	ours, sqlUsers := imports(t)
	if len(ours) < 10 {
		t.Fatalf("found only %d packages; is the walk looking at the module?", len(ours))
	}
	allowed := map[string][]string{
		"internal/registry": {"internal/names"},
		"internal/names":    {},
		"internal/seal":     {},
		"internal/safecsv":  {},
		"internal/evidence": {},
		"internal/field":    {},
		"internal/openrosa": {},
		"internal/linkage":  {"internal/names"},
	}
	for pkg, may := range allowed {
		for imp := range ours[pkg] {
			ok := false
			for _, m := range may {
				ok = ok || imp == m
			}
			if !ok {
				t.Errorf("%s imports %s; it may import only %v of ours", pkg, imp, may)
			}
		}
	}
	for pkg, imps := range ours {
		for imp := range imps {
			if (imp == "internal/web" || strings.HasPrefix(imp, "cmd/")) && !strings.HasPrefix(pkg, "cmd/") && !strings.HasPrefix(pkg, "bench/") {
				t.Errorf("%s imports %s: nothing but programs (cmd, bench) may import the web or a command", pkg, imp)
			}
		}
	}
	for _, below := range []string{"internal/web", "internal/publish", "internal/intake", "internal/auth"} {
		if ours["internal/store"][below] {
			t.Errorf("internal/store imports %s, which stands above it", below)
		}
	}
	for pkg := range sqlUsers {
		if !strings.HasPrefix(pkg, "internal/store") && !strings.HasPrefix(pkg, "bench/") {
			t.Errorf("%s imports database/sql: all SQL lives in internal/store", pkg)
		}
	}
}
