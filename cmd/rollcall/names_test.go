package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// formsCSV writes Temirbek as Демирбек in the Cyrillic list: a form the
// equivalents table lacks, shown by three persons.
const formsCSV = "source,record,name,sex,birth_year,region,status,date,verification\n" +
	"vol,1,Реймов Демирбек Бахтиярович,m,1971,Нукус,detained,2022-07-02,corroborated\n" +
	"press,a,Reymov Temirbek Bakhtiyar uli,m,1971,Nukus,detained,2022-07-02,corroborated\n" +
	"vol,2,Сейтов Демирбек Оразович,m,1980,Нукус,detained,2022-07-02,corroborated\n" +
	"press,b,Seytov Temirbek Oraz uli,m,1980,Nukus,detained,2022-07-02,corroborated\n" +
	"vol,3,Алламов Демирбек Каримович,m,1990,Нукус,missing,2022-07-02,corroborated\n" +
	"press,c,Allamov Temirbek Karim uli,m,1990,Nukus,missing,2022-07-02,corroborated\n" +
	"vol,4,Демирбек Досов,m,,Нукус,detained,2022-07-03,corroborated\n" +
	"press,d,Temirbek Dosov,m,,Nukus,detained,2022-07-03,corroborated\n"

func TestNamesLearnedAcceptedAndUsedByDedupe(t *testing.T) {
	eachDatabase(t, func(t *testing.T, env []string) {
		if r := rollcall(t, env, "import", writeFile(t, "forms.csv", formsCSV)); r.code != 0 {
			t.Fatalf("import: %s%s", r.stdout, r.stderr)
		}
		if r := rollcall(t, env, "names"); r.code != 0 || !strings.Contains(r.stdout, "No name forms") {
			t.Fatalf("names before dedupe: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		r := rollcall(t, env, append([]string{"dedupe", "--auto"}, thresholds...)...)
		if r.code != 0 || !strings.Contains(r.stdout, "1 name forms learned") {
			t.Fatalf("dedupe: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		r = rollcall(t, env, "names", "--json")
		var forms []struct {
			ID, Kind, ShownA, ShownB, Status string
			Support                          int
			Pairs                            [][2]string
		}
		if err := json.Unmarshal([]byte(r.stdout), &forms); err != nil || len(forms) != 1 {
			t.Fatalf("names --json: %v\n%s%s", err, r.stdout, r.stderr)
		}
		f := forms[0]
		if f.Kind != "given" || f.Support != 3 || len(f.Pairs) != 3 || f.Status != "proposed" || !strings.Contains(f.ShownA+f.ShownB, "Демирбек") {
			t.Fatalf("form %+v", f)
		}
		if r := rollcall(t, env, "names", "--status", "maybe"); r.code == 0 {
			t.Error("names --status maybe: exit 0")
		}
		if r := rollcall(t, env, "names", "accept", "nosuchform", "--by", "editor1"); r.code == 0 || !strings.Contains(r.stderr, "nosuchform") {
			t.Errorf("accept of an unknown form: exit %d %s", r.code, r.stderr)
		}
		if r := rollcall(t, env, "names", "accept", f.ID, "--by", "editor1", "--why", "the Turkmen form"); r.code != 0 {
			t.Fatalf("accept: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if r := rollcall(t, env, "names", "--status", "accepted"); !strings.Contains(r.stdout, f.ID) || !strings.Contains(r.stdout, "by editor1") {
			t.Errorf("accepted forms:\n%s", r.stdout)
		}
		before := personsOf(t, env)
		if r := rollcall(t, env, "dedupe", "--explain"); !strings.Contains(r.stdout, "Temirbek Dosov") || !strings.Contains(r.stdout, "(equivalent forms)") {
			t.Errorf("with the form accepted, Temirbek and Демирбек are not compared as one name:\n%s", r.stdout)
		}
		if r := rollcall(t, env, append([]string{"dedupe", "--auto"}, thresholds...)...); r.code != 0 {
			t.Fatalf("dedupe: %s%s", r.stdout, r.stderr)
		}
		if after := personsOf(t, env); after != 4 || after > before {
			t.Errorf("persons %d before, %d after accepting the form; want 4 (each Temirbek with his Демирбек)", before, after)
		}
		if r := rollcall(t, env, "audit", "verify"); r.code != 0 {
			t.Errorf("audit verify: %s%s", r.stdout, r.stderr)
		}
	})
}

// personsOf counts the distinct persons of the export.
func personsOf(t *testing.T, env []string) int {
	t.Helper()
	r := rollcall(t, env, "export", "--format", "csv")
	if r.code != 0 {
		t.Fatalf("export: %s", r.stderr)
	}
	persons := map[string]bool{}
	for i, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if i > 0 {
			persons[strings.SplitN(line, ",", 2)[0]] = true
		}
	}
	return len(persons)
}
