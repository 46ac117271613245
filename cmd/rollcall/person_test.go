package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

// personIDs maps each record's name to its person id, from the full export.
func personIDs(t *testing.T, env []string) map[string]string {
	t.Helper()
	r := rollcall(t, env, "export")
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || r.code != 0 {
		t.Fatalf("export: %v %s", err, r.stderr)
	}
	out := map[string]string{}
	for _, row := range rows[1:] {
		out[row[3]] = row[0]
	}
	return out
}

// personMarkAudits counts the person.mark entries of the audit log per person.
func personMarkAudits(t *testing.T, env []string) map[string]int {
	t.Helper()
	r := rollcall(t, env, "audit", "list", "--json", "--limit", "10000")
	var entries []struct{ Action, Object, Actor string }
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil {
		t.Fatalf("audit list: %v %s", err, r.stderr)
	}
	out := map[string]int{}
	for _, e := range entries {
		if e.Action == "person.mark" {
			out[e.Object]++
		}
	}
	return out
}

// `person mark --from FILE` marks every listed person with one reason, one
// audit entry each; without a reason, or with an id that names nobody,
// nothing is stored.
func TestPersonMarkFromFile(t *testing.T) {
	dir := t.TempDir()
	env := []string{"ROLLCALL_DATA=" + dir}
	list := "source,record,name,sex,birth_year,region,status,date,verification\n" +
		"court,1,Aybek Turdiev,m,1980,Nukus,sentenced,2022-09-01,verified\n" +
		"court,2,Bahadir Allanazarov,m,1982,Nukus,sentenced,2022-09-01,verified\n" +
		"court,3,Daulet Saparov,m,1990,Nukus,detained,2022-07-02,verified\n"
	if r := rollcall(t, env, "import", writeFile(t, "court.csv", list)); r.code != 0 {
		t.Fatalf("import: %s", r.stderr)
	}
	ids := personIDs(t, env)
	file := writeFile(t, "ids.txt", "# named in the verdict of 2023-01-31\n"+ids["Aybek Turdiev"]+"\n\n"+ids["Bahadir Allanazarov"]+"\n")
	publicNames := func() string {
		r := rollcall(t, env, "export", "--public")
		if r.code != 0 {
			t.Fatalf("export --public: %s", r.stderr)
		}
		return r.stdout
	}

	if r := rollcall(t, env, "person", "mark", "--from", file, "public"); r.code == 0 || !strings.Contains(r.stderr, "reason") {
		t.Errorf("a mark without a reason: exit %d %s", r.code, r.stderr)
	}
	bad := writeFile(t, "bad.txt", ids["Aybek Turdiev"]+"\nno-such-person\n")
	if r := rollcall(t, env, "person", "mark", "--from", bad, "public", "--reason", "named in the verdict"); r.code == 0 || !strings.Contains(r.stderr, "no-such-person") {
		t.Errorf("a file with an unknown id: exit %d %s", r.code, r.stderr)
	}
	if got := personMarkAudits(t, env); len(got) != 0 {
		t.Fatalf("refused marks were stored: %v", got)
	}
	if out := publicNames(); strings.Contains(out, "Aybek") {
		t.Fatal("a person was public before any decision")
	}

	r := rollcall(t, env, "person", "mark", "--from", file, "public", "--reason", "named in the verdict of 2023-01-31", "--by", "editor-7")
	if r.code != 0 || !strings.Contains(r.stdout, "2 persons marked public") {
		t.Fatalf("mark --from: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	audits := personMarkAudits(t, env)
	if audits[ids["Aybek Turdiev"]] != 1 || audits[ids["Bahadir Allanazarov"]] != 1 || audits[ids["Daulet Saparov"]] != 0 {
		t.Errorf("audit entries per person: %v", audits)
	}
	out := publicNames()
	if !strings.Contains(out, "Aybek Turdiev") || !strings.Contains(out, "Bahadir Allanazarov") || strings.Contains(out, "Daulet Saparov") {
		t.Errorf("after the marks the public export is:\n%s", out)
	}
	// One person, by a consent rather than a reason.
	if r := rollcall(t, env, "person", "mark", ids["Daulet Saparov"], "public", "--consent-by", "his mother", "--consent-on", "2022-08-01", "--consent-how", "in writing"); r.code != 0 {
		t.Fatalf("mark with a consent: %s", r.stderr)
	}
	if out := publicNames(); !strings.Contains(out, "Daulet Saparov") {
		t.Error("a person marked public with a consent is not public")
	}
	// One person goes through the same audited path as a file of them.
	if got := personMarkAudits(t, env)[ids["Daulet Saparov"]]; got != 1 {
		t.Errorf("audit entries for the one person marked: %d, want 1", got)
	}
	if r := rollcall(t, env, "person", "mark", ids["Daulet Saparov"], "public"); r.code == 0 || !strings.Contains(r.stderr, "reason") {
		t.Errorf("one person marked public with neither reason nor consent: exit %d %s", r.code, r.stderr)
	}
}

// FuzzParsePersonIDs: any input either is refused or gives ids that are
// each one word (no space, comma or semicolon, not a comment), in order,
// and that read back the same when written one a line.
func FuzzParsePersonIDs(f *testing.F) {
	for _, seed := range []string{
		"01a23b2c-4a36-7c7d-ba7d-de479ddb6e61\n",
		"# from the verdict\n\nA\r\nB\n  C  \n",
		"A B\n", "A,B\n", "\n\n# only comments\n", "", "\xff\xfe\n", "x\x00y\n", "a\u00a0b\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ids, err := parsePersonIDs(strings.NewReader(in), "ids.txt")
		if err != nil {
			if ids != nil {
				t.Fatalf("refused, yet ids %q", ids)
			}
			return
		}
		if len(ids) == 0 {
			t.Fatal("accepted a file of no id")
		}
		for _, id := range ids {
			if id == "" || strings.HasPrefix(id, "#") || strings.ContainsAny(id, " \t\r\n,;") || strings.TrimSpace(id) != id {
				t.Fatalf("id %q from %q", id, in)
			}
		}
		again, err := parsePersonIDs(strings.NewReader(strings.Join(ids, "\n")), "again")
		if err != nil || strings.Join(again, "\n") != strings.Join(ids, "\n") {
			t.Fatalf("ids %q read back as %q (%v)", ids, again, err)
		}
	})
}
