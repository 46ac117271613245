package archtest

import (
	"bufio"
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

// goFile is one non-test Go file of the module: its directory relative to
// the module root, every package it imports and its parsed syntax.
type goFile struct {
	path, dir string
	imports   []string
	syntax    *ast.File
}

// sourceFiles parses every non-test Go file of the module (testdata and
// hidden directories skipped).
func sourceFiles(t *testing.T) []goFile {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var out []goFile
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		g := goFile{path: filepath.ToSlash(rel), dir: filepath.ToSlash(filepath.Dir(rel)), syntax: f}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			g.imports = append(g.imports, p)
		}
		out = append(out, g)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 100 {
		t.Fatalf("found only %d Go files; is the walk looking at the module?", len(out))
	}
	return out
}

// storageOrWeb tells whether an import is storage or web code: our store,
// the packages that stand on it (auth, intake, publish, openrosa) or the
// web, a database driver, database/sql, or net/http.
func storageOrWeb(imp string) bool {
	for _, ours := range []string{"internal/store", "internal/web", "internal/auth", "internal/intake", "internal/publish", "internal/openrosa"} {
		if imp == module+ours || strings.HasPrefix(imp, module+ours+"/") {
			return true
		}
	}
	for _, outside := range []string{"database/sql", "net/http", "html/template", "modernc.org/sqlite", "github.com/jackc/pgx"} {
		if imp == outside || strings.HasPrefix(imp, outside+"/") {
			return true
		}
	}
	return false
}

// The domain (the registry's rules, names, linkage, the ledger's rules)
// is tested without a database or a server, so it imports neither.
// publish is not among them: it is what goes out, made from the store
// (docs/architecture.md); it may not reach the web or the database
// directly either.
func TestDomainImportsNoStorageOrWeb(t *testing.T) {
	domain := []string{"internal/registry", "internal/names", "internal/linkage", "internal/funds"}
	seen := map[string]bool{}
	for _, f := range sourceFiles(t) {
		for _, pkg := range domain {
			if f.dir != pkg {
				continue
			}
			seen[pkg] = true
			for _, imp := range f.imports {
				if storageOrWeb(imp) {
					t.Errorf("%s imports %s: the domain imports no storage or web code", f.path, imp)
				}
			}
		}
		if f.dir == "internal/publish" {
			for _, imp := range f.imports {
				if imp == module+"internal/web" || strings.HasPrefix(imp, "database/sql") || imp == "modernc.org/sqlite" || strings.HasPrefix(imp, "github.com/jackc/pgx") {
					t.Errorf("%s imports %s: publish reaches the database through store and the web through the handler it is given", f.path, imp)
				}
			}
		}
	}
	for _, pkg := range domain {
		if !seen[pkg] {
			t.Errorf("no Go file found in %s: the list of domain packages is out of date", pkg)
		}
	}
	if !storageOrWeb(module+"internal/store") || !storageOrWeb("database/sql") || !storageOrWeb("net/http/httptest") || storageOrWeb(module+"internal/names") {
		t.Error("storageOrWeb does not tell storage and web code from the rest")
	}
}

// sqlText matches SQL statements as the store writes them: keywords in
// capitals, a table name where one belongs.
var sqlText = regexp.MustCompile(`\bSELECT\s.*\bFROM\b|\bINSERT\s+INTO\s|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\s|\b(CREATE|ALTER|DROP)\s+(TABLE|INDEX|TRIGGER)\b`)

// All SQL lives in internal/store (its migrations are .sql files there);
// tests elsewhere may look at the database directly.
func TestNoSQLOutsideStore(t *testing.T) {
	inStore := 0
	for _, f := range sourceFiles(t) {
		ast.Inspect(f.syntax, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !sqlText.MatchString(s) {
				return true
			}
			if f.dir == "internal/store" || strings.HasPrefix(f.dir, "internal/store/") {
				inStore++
				return true
			}
			t.Errorf("%s: SQL outside internal/store: %.60q", f.path, s)
			return true
		})
	}
	// The store's own statements must be found, or the pattern is wrong.
	if inStore < 100 {
		t.Errorf("found only %d SQL statements in internal/store: the pattern misses SQL", inStore)
	}
}

// maxLines is the longest a non-test Go file under internal/ may be: a
// longer one holds more than one concern.
const maxLines = 600

func TestNoLongFiles(t *testing.T) {
	longest, longestPath := 0, ""
	for _, f := range sourceFiles(t) {
		if !strings.HasPrefix(f.dir, "internal/") && f.dir != "internal" {
			continue
		}
		n := countLines(t, filepath.Join("../..", f.path))
		if n > longest {
			longest, longestPath = n, f.path
		}
		if n > maxLines {
			t.Errorf("%s has %d lines, more than %d: split it by concern", f.path, n, maxLines)
		}
	}
	if longest == 0 {
		t.Fatal("no file under internal/ counted")
	}
	t.Logf("longest non-test Go file under internal/: %s, %d lines", longestPath, longest)
}

func countLines(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}
