package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// bigList is an interchange file of n one-claim records of source "big".
func bigList(t *testing.T, n int) string {
	var b strings.Builder
	b.WriteString("source,record,name,status,date\n")
	for i := 0; i < n; i++ {
		b.WriteString("big,")
		b.WriteString(strings.Repeat("r", 1+i%5))
		b.WriteString(time.Duration(i).String())
		b.WriteString(",Some Name,detained,2022-07-01\n")
	}
	return writeFile(t, "big.csv", b.String())
}

// sqliteJournalMode reads the journal mode SQLite keeps in the database
// file's header: bytes 18 and 19 are 2 in WAL mode, 1 under a rollback
// journal.
func sqliteJournalMode(t *testing.T, dir string) string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "rollcall.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	header := make([]byte, 20)
	if _, err := f.ReadAt(header, 0); err != nil {
		t.Fatal(err)
	}
	switch {
	case header[18] == 2 && header[19] == 2:
		return "wal"
	case header[18] == 1 && header[19] == 1:
		return "rollback"
	}
	return "unknown"
}

// A bulk import writes straight into the database file under a rollback
// journal. Killed while it writes there, it must leave the database as it
// was, and in WAL mode, once the database is next opened.
func TestImportKilledWhileWritingTheFileLeavesDatabaseAsBefore(t *testing.T) {
	dir, _ := storetest.Fresh(t, store.SQLite)
	env := []string{"ROLLCALL_DATA=" + dir}
	first := writeFile(t, "first.csv", "source,record,name,status,date,verification\nw,1,D,detained,2022-07-01,verified\n")
	if r := rollcall(t, env, "import", first); r.code != 0 {
		t.Fatal(r.stderr)
	}
	big := bigList(t, 300000)
	db := filepath.Join(dir, "rollcall.db")
	before, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "import", big)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// The file grows once the import writes its pages into it: at commit,
	// or earlier when its page cache fills. Kill it then.
	sawJournal := false
	for grown := false; !grown; {
		select {
		case err := <-exited:
			t.Fatalf("the import ended (%v) before it wrote into the database file", err)
		default:
		}
		if _, err := os.Stat(db + "-journal"); err == nil {
			sawJournal = true
		}
		if st, err := os.Stat(db); err == nil && st.Size() > before.Size() {
			grown = true
		}
		time.Sleep(100 * time.Microsecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	if err := <-exited; err == nil {
		t.Fatal("the import finished before it was killed")
	}
	if !sawJournal {
		t.Error("the import wrote into the database file without a rollback journal")
	}
	r := rollcall(t, env, "export")
	if got := strings.Count(r.stdout, "\n"); got != 2 || strings.Contains(r.stdout, ",big,") {
		t.Errorf("after a killed import the export has %d lines:\n%.500s", got, r.stdout)
	}
	if _, err := os.Stat(db + "-journal"); err == nil {
		t.Error("the rollback journal is still there after the database was opened again")
	}
	if mode := sqliteJournalMode(t, dir); mode != "wal" {
		t.Errorf("after recovery the database is in %s mode, want wal", mode)
	}
	// And the whole file imports after all.
	if r := rollcall(t, env, "import", big); r.code != 0 || !strings.Contains(r.stdout, "300000 new claims") {
		t.Errorf("import after recovery: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if mode := sqliteJournalMode(t, dir); mode != "wal" {
		t.Errorf("after a bulk import the database is in %s mode, want wal", mode)
	}
}

// With a server holding the database, an import cannot have it to itself:
// it runs through the write-ahead log as any other write, and the server
// answers throughout.
func TestImportBesideARunningServer(t *testing.T) {
	dir, _ := storetest.Fresh(t, store.SQLite)
	env := []string{"ROLLCALL_DATA=" + dir}
	base := startServe(t, dir)
	big := bigList(t, 20000)
	done := make(chan result, 1)
	start := time.Now()
	go func() { done <- rollcall(t, env, "import", big) }()
	var r result
	sawJournal := false
	for waiting := true; waiting; {
		select {
		case r = <-done:
			waiting = false
		case <-time.After(20 * time.Millisecond):
			if _, code := get(t, base+"/en/"); code != 200 {
				t.Errorf("the server answered %d while the import ran", code)
			}
			if _, err := os.Stat(filepath.Join(dir, "rollcall.db-journal")); err == nil {
				sawJournal = true
			}
		}
	}
	if sawJournal {
		t.Error("the import beside a server wrote under a rollback journal")
	}
	if r.code != 0 || !strings.Contains(r.stdout, "20000 new claims") {
		t.Fatalf("import beside a server: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Waiting for the server's connections to go away would take the busy
	// timeout (10 s); the import must not have waited for them.
	if took := time.Since(start); took > 8*time.Second {
		t.Errorf("the import beside a server took %s", took)
	}
	if mode := sqliteJournalMode(t, dir); mode != "wal" {
		t.Errorf("with a server running the database went to %s mode", mode)
	}
}
