package store_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// databaseAloneList reads the list of docs/security.md: table → columns.
func databaseAloneList(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "security.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "## What a holder of the database alone learns")
	if !ok {
		t.Fatal("docs/security.md has no section on what the database alone tells")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	line := regexp.MustCompile("(?m)^- `([a-z0-9_]+)` \\(([a-z0-9_, ]+)\\): .+\\.$")
	list := map[string][]string{}
	for _, m := range line.FindAllStringSubmatch(section, -1) {
		cols := strings.Split(m[2], ", ")
		sort.Strings(cols)
		list[m[1]] = cols
	}
	return list
}

// Issue 14, item 7: docs/security.md says, table by table and column by
// column, what someone holding only the database learns; the list names
// every table and column of the actual schema, on both databases, and
// nothing that is not there.
func TestDatabaseAloneListMatchesSchema(t *testing.T) {
	documented := databaseAloneList(t)
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			_, dir, dsn := storetest.OpenIn(t, d)
			var db *sql.DB
			var err error
			query := `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
			if d == store.SQLite {
				db, err = sql.Open("sqlite", "file:"+filepath.Join(dir, "rollcall.db")+"?mode=ro")
			} else {
				db, err = sql.Open("pgx", dsn)
				query = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`
			}
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			rows, err := db.Query(query)
			if err != nil {
				t.Fatal(err)
			}
			actual := map[string][]string{}
			for rows.Next() {
				var table, column string
				if err := rows.Scan(&table, &column); err != nil {
					t.Fatal(err)
				}
				actual[table] = append(actual[table], column)
			}
			rows.Close()
			if len(actual) < 40 {
				t.Fatalf("only %d tables read from the schema", len(actual))
			}
			for table, cols := range actual {
				sort.Strings(cols)
				if got, ok := documented[table]; !ok {
					t.Errorf("table %s is not in docs/security.md's list", table)
				} else if strings.Join(got, ",") != strings.Join(cols, ",") {
					t.Errorf("table %s: the list names %v, the schema has %v", table, got, cols)
				}
			}
			for table := range documented {
				if _, ok := actual[table]; !ok {
					t.Errorf("docs/security.md lists %s, which the schema does not have", table)
				}
			}
		})
	}
}
