package safecsv

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Issue 14, item 2: "every CSV output" (exports, public downloads, the
// ledger's CSVs, the mirror's copies) holds because every CSV Rollcall
// writes goes through this package: no other Go file of the module makes
// an encoding/csv writer of its own.
// ownWriter finds encoding/csv's writer called by its package name (not
// safecsv.NewWriter).
var ownWriter = regexp.MustCompile(`(^|[^A-Za-z0-9_])csv\.NewWriter\(`)

func TestNoOtherCSVWriter(t *testing.T) {
	root := filepath.Join("..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal("the module's root is not two folders up:", err)
	}
	seen := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && p != root || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || filepath.Dir(p) == "." {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		seen++
		if ownWriter.Match(b) && filepath.Base(filepath.Dir(p)) != "safecsv" {
			t.Errorf("%s makes a CSV writer of its own: use safecsv.NewWriter", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 50 {
		t.Fatalf("only %d Go files looked at: the walk is broken", seen)
	}
}
