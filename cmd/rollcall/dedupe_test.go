package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"rollcall/internal/registry"
)

// Two lists about the same people, one in Cyrillic and one in Latin
// script; Yerlan's pair is one the model cannot decide on its own.
const (
	cyrillicList = "source,record,name,sex,birth_year,region,status,date,verification\n" +
		"vol,1,Лалагул Каллыханова,f,1987,Нукус,detained,2022-07-02,verified\n" +
		"vol,2,Даулет Сапаров,m,1990,Нукус,missing,2022-07-01,corroborated\n" +
		"vol,3,Азамат Курбанов,m,1985,Чимбай,detained,2022-07-03,corroborated\n" +
		"vol,4,Бекзод Мамбетов,m,1979,Ходжейли,killed,2022-07-01,corroborated\n" +
		"vol,5,Ерлан Досжанов,m,,Нукус,detained,2022-07-02,corroborated\n"
	latinList = "source,record,name,sex,birth_year,region,status,date,verification,note\n" +
		"press,a,Lolagul Kallykhanova,f,1987,Nukus,detained,2022-07-02,corroborated,secret note\n" +
		"press,b,Daulet Saparov,m,1990,Nukus,missing,2022-07-01,corroborated,\n" +
		"press,c,Azamat Kurbanov,m,1985,Chimbay,detained,2022-07-03,corroborated,\n" +
		"press,e,Yerlan Doszhanov,m,1991,Muynak,detained,2022-07-05,corroborated,\n"
)

// thresholds keep the test about the command, not about how linkage
// picks its thresholds for an input this small.
var thresholds = []string{"--upper", "11", "--lower", "4"}

func statsJSON(t *testing.T, env []string, args ...string) registry.Counts {
	t.Helper()
	r := rollcall(t, env, append([]string{"stats", "--as-of", "2022-08-03", "--json"}, args...)...)
	var out statsOutput
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("stats: %v\n%s%s", err, r.stdout, r.stderr)
	}
	return out.Counts
}

func TestDedupeAndReview(t *testing.T) {
	eachDatabase(t, func(t *testing.T, env []string) {
		for _, list := range []string{cyrillicList, latinList} {
			if r := rollcall(t, env, "import", writeFile(t, "list.csv", list)); r.code != 0 {
				t.Fatal(r.stderr)
			}
		}
		before := time.Now().UTC().Format(time.RFC3339Nano)
		wantBefore := registry.Counts{MissingNow: 2, DetainedNow: 6, Killed: 1, DetainedEver: 6, MissingEver: 2}
		if got := statsJSON(t, env); got != wantBefore {
			t.Fatalf("before dedupe %+v, want %+v", got, wantBefore)
		}

		r := rollcall(t, env, append([]string{"dedupe"}, thresholds...)...)
		if r.code != 0 || !strings.Contains(r.stdout, "records:          9") || !strings.Contains(r.stdout, "persons before:   9") ||
			!strings.Contains(r.stdout, "Nothing was changed") {
			t.Fatalf("dedupe without --auto: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if got := statsJSON(t, env); got != wantBefore {
			t.Errorf("dedupe without --auto changed the counts: %+v", got)
		}
		if r := rollcall(t, env, "review", "--json"); !strings.Contains(r.stdout, `"open": 0`) {
			t.Errorf("dedupe without --auto queued pairs:\n%s", r.stdout)
		}

		r = rollcall(t, env, append([]string{"dedupe", "--auto", "--explain"}, thresholds...)...)
		if r.code != 0 {
			t.Fatalf("dedupe --auto: exit %d\n%s", r.code, r.stderr)
		}
		for _, want := range []string{"links applied:", "records moved", "pairs queued:", "Fellegi–Sunter model", "Evidence of the links applied", "Lolagul Kallykhanova"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("dedupe --auto --explain lacks %q:\n%s", want, r.stdout)
			}
		}
		wantAfter := registry.Counts{MissingNow: 1, DetainedNow: 4, Killed: 1, DetainedEver: 4, MissingEver: 1}
		if got := statsJSON(t, env); got != wantAfter {
			t.Errorf("after dedupe --auto %+v, want %+v (each person once)", got, wantAfter)
		}
		if got := statsJSON(t, env, "--known-at", before); got != wantBefore {
			t.Errorf("as known before dedupe %+v, want %+v", got, wantBefore)
		}

		r = rollcall(t, env, "review", "--json")
		var queue reviewOutput
		if err := json.Unmarshal([]byte(r.stdout), &queue); err != nil {
			t.Fatalf("review --json: %v\n%s", err, r.stdout)
		}
		var yerlan *reviewPairJSON
		for i, p := range queue.Pairs {
			if p.A.Source+p.A.Record+p.B.Source+p.B.Record == "vol5presse" || p.A.Source+p.A.Record+p.B.Source+p.B.Record == "presseevol5" {
				yerlan = &queue.Pairs[i]
			}
			if p.Weight == 0 || len(p.Evidence) == 0 || p.Evidence[0].Field == "" {
				t.Errorf("pair %s without weight or evidence", p.Pair)
			}
		}
		if yerlan == nil {
			t.Fatalf("the Yerlan pair is not queued:\n%s", r.stdout)
		}
		if strings.Contains(r.stdout, "secret note") || strings.Contains(r.stdout, "note") {
			t.Errorf("review --json shows notes")
		}
		if r := rollcall(t, env, "review"); r.code != 0 || !strings.Contains(r.stdout, "pair "+yerlan.Pair) || !strings.Contains(r.stdout, "Ерлан Досжанов") {
			t.Errorf("review: exit %d\n%s", r.code, r.stdout)
		}

		if r := rollcall(t, env, "review", "decide", yerlan.Pair, "perhaps", "--by", "editor"); r.code == 0 || !strings.Contains(r.stderr, "want same, different or unsure") {
			t.Errorf("decide with a bad verdict: exit %d %s", r.code, r.stderr)
		}
		if r := rollcall(t, env, "review", "decide", "0123456789abcdef", "same", "--by", "editor"); r.code == 0 || !strings.Contains(r.stderr, "not in the review queue") {
			t.Errorf("decide an unknown pair: exit %d %s", r.code, r.stderr)
		}
		r = rollcall(t, env, "review", "decide", yerlan.Pair, "same", "--by", "editor", "--why", "same photo")
		if r.code != 0 || !strings.Contains(r.stdout, "same person; 1 records moved") {
			t.Fatalf("decide same: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		wantAfter.DetainedNow, wantAfter.DetainedEver = 3, 3
		if got := statsJSON(t, env); got != wantAfter {
			t.Errorf("after deciding Yerlan's records are one person %+v, want %+v", got, wantAfter)
		}
		// The decision is in the audit log, by who took it; undone and
		// taken again, both are there too.
		decision := regexp.MustCompile(`decision ([0-9a-f-]+) `).FindStringSubmatch(r.stdout)
		if decision == nil {
			t.Fatalf("decide does not say the decision's id:\n%s", r.stdout)
		}
		if r := rollcall(t, env, "review", "undo", decision[1], "--by", "editor"); r.code != 0 || !strings.Contains(r.stdout, "undone") {
			t.Fatalf("undo: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if r := rollcall(t, env, "review", "decide", yerlan.Pair, "same", "--by", "editor"); r.code != 0 {
			t.Fatalf("decide again after the undo: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		audit := rollcall(t, env, "audit", "list", "--limit", "1000").stdout
		for _, want := range []string{"editor  review.decide  " + decision[1], "editor  review.undo    " + decision[1]} {
			if !strings.Contains(audit, want) {
				t.Errorf("audit list lacks %q:\n%s", want, audit)
			}
		}
		if got := statsJSON(t, env); got != wantAfter {
			t.Errorf("after undo and decide again %+v, want %+v", got, wantAfter)
		}
		// Later runs keep the decision.
		if r := rollcall(t, env, append([]string{"dedupe", "--auto"}, thresholds...)...); r.code != 0 || !strings.Contains(r.stdout, "links applied:    0") {
			t.Errorf("dedupe after the decision:\n%s%s", r.stdout, r.stderr)
		}
		if got := statsJSON(t, env); got != wantAfter {
			t.Errorf("a run after the decision changed the counts: %+v", got)
		}
	})
}
