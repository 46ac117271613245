package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"rollcall/internal/store/storetest"
)

// Issue 14, item 7, through the commands: a report whose content an older
// release left in the clear columns is sealed by the first command that
// opens the data key (here 'key status'), on both databases, and reads
// back whole.
func TestOlderReportsSealedWhenTheKeyOpens(t *testing.T) {
	eachDatabase(t, func(t *testing.T, env []string) {
		if r := rollcall(t, env, "import", writeFile(t, "list.csv", list)); r.code != 0 {
			t.Fatal(r.stderr)
		}
		st := openStore(t, env)
		relation, _ := st.Keys().SealString("reports.relation:r-cli", "")
		st.Close()
		storetest.OldExec(t, envValue(env, "ROLLCALL_DATA"), envValue(env, "ROLLCALL_DB"), storetest.Stmt{
			SQL: `INSERT INTO reports (id, reference, lang, name, name_alt, birth_year, age, region, locality, status, date_start, precision, place,
				relation_sealed, contact_sealed, text_sealed, created_at) VALUES (?, ?, 'ru', 'Clearname Olderreport', '', 1990, 0, 'Nukus', '', 'missing', 0, 'unknown', '', ?, ?, ?, ?)`,
			Args: []any{"r-cli", "CLIREF1", relation, relation, relation, int64(1756000000123456)}})
		if r := rollcall(t, env, "key", "status"); r.code != 0 {
			t.Fatalf("key status: %d %s", r.code, r.stderr)
		}
		st = openStore(t, env)
		defer st.Close()
		var name, sealed string
		driver, source := "sqlite", "file:"+filepath.Join(envValue(env, "ROLLCALL_DATA"), "rollcall.db")+"?mode=ro"
		if dsn := envValue(env, "ROLLCALL_DB"); dsn != "" {
			driver, source = "pgx", dsn
		}
		raw, err := sql.Open(driver, source)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		if err := raw.QueryRow(`SELECT name, content_sealed FROM reports WHERE id = 'r-cli'`).Scan(&name, &sealed); err != nil {
			t.Fatal(err)
		}
		if name != "" || sealed == "" {
			t.Errorf("after the key was opened the clear column holds %q, sealed %d bytes", name, len(sealed))
		}
		rep, err := st.Report(context.Background(), "r-cli")
		if err != nil || rep.Name != "Clearname Olderreport" || rep.Region != "Nukus" || rep.Status != "missing" {
			t.Errorf("read back %+v %v", rep, err)
		}
	})
}
