package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A mark of a person merged away goes to the person it was merged into,
// and the command says so.
func TestPersonMarkOfAMergedAwayID(t *testing.T) {
	dir := t.TempDir()
	env := []string{"ROLLCALL_DATA=" + dir}
	first := "source,record,name,sex,birth_year,region,status,date,verification\n" +
		"vol,1,Даулет Сапаров,m,1990,Нукус,detained,2022-07-02,verified\n"
	second := "source,record,name,sex,birth_year,region,status,date,verification\n" +
		"press,a,Daulet Saparov,m,1990,Nukus,detained,2022-07-02,verified\n"
	// Each list is shown on the site once an editor records that its
	// source published it.
	for _, l := range []struct{ source, list string }{{"vol", first}, {"press", second}} {
		source, list := l.source, l.list
		if r := rollcall(t, env, "import", writeFile(t, "list.csv", list)); r.code != 0 {
			t.Fatalf("import: %s", r.stderr)
		}
		if r := rollcall(t, env, "source", "set", source, "--public-basis", "published the list itself"); r.code != 0 {
			t.Fatalf("source set: %s", r.stderr)
		}
	}
	ids := personIDs(t, env)
	shownFirst, later := ids["Даулет Сапаров"], ids["Daulet Saparov"]
	if shownFirst == later {
		t.Fatal("the two records are one person before dedupe")
	}
	if r := rollcall(t, env, "dedupe", "--auto"); r.code != 0 {
		t.Fatalf("dedupe: %s", r.stderr)
	}
	if now := personIDs(t, env); now["Daulet Saparov"] != shownFirst {
		t.Fatalf("after dedupe the records are in %s and %s; want both in %s, the id shown first", now["Даулет Сапаров"], now["Daulet Saparov"], shownFirst)
	}
	// The static mirror keeps the old address: a page leading to the survivor.
	out := filepath.Join(t.TempDir(), "mirror")
	if r := rollcall(t, env, "mirror", "--out", out); r.code != 0 {
		t.Fatalf("mirror: %s", r.stderr)
	}
	moved := map[string]string{"en": "This address has moved", "ru": "Этот адрес изменился"}
	for _, lang := range []string{"en", "ru"} {
		page, err := os.ReadFile(filepath.Join(out, lang, "people", later+".html"))
		if err != nil {
			t.Fatal(err)
		}
		// It says what happened in the language of its path, names the
		// survivor canonical and leads there at once.
		for _, want := range []string{`<html lang="` + lang + `">`, moved[lang], `<link rel="canonical" href="` + shownFirst + `.html">`,
			`<meta http-equiv="refresh" content="0; url=` + shownFirst + `.html">`, `href="` + shownFirst + `.html"`} {
			if !strings.Contains(string(page), want) {
				t.Errorf("the mirror's page for the merged-away id in %s lacks %q:\n%s", lang, want, page)
			}
		}
		if _, err := os.Stat(filepath.Join(out, lang, "people", shownFirst+".html")); err != nil {
			t.Errorf("the mirror lacks the survivor's page: %v", err)
		}
	}
	// Maps for a web server that can answer 301: the file and the
	// address without .html both lead to the survivor's file.
	redirects, err := os.ReadFile(filepath.Join(out, "_redirects"))
	if err != nil {
		t.Fatal(err)
	}
	nginx, err := os.ReadFile(filepath.Join(out, "redirects.nginx.map"))
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "ru"} {
		old, to := "/"+lang+"/people/"+later, "/"+lang+"/people/"+shownFirst+".html"
		for _, want := range []string{old + ".html " + to + " 301!\n", old + " " + to + " 301!\n"} {
			if !strings.Contains(string(redirects), want) {
				t.Errorf("_redirects lacks %q:\n%s", want, redirects)
			}
		}
		if want := `"` + old + `.html" "` + to + `";`; !strings.Contains(string(nginx), want) {
			t.Errorf("the nginx map lacks %q:\n%s", want, nginx)
		}
	}
	if strings.Contains(string(redirects), shownFirst+".html "+"/") {
		t.Errorf("_redirects moves the survivor:\n%s", redirects)
	}
	r := rollcall(t, env, "person", "mark", later, "withheld", "--reason", "the family asked")
	if r.code != 0 {
		t.Fatalf("mark: %s", r.stderr)
	}
	for _, want := range []string{"person " + later + " was merged into " + shownFirst, "person " + shownFirst + " marked withheld"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("mark output lacks %q:\n%s", want, r.stdout)
		}
	}
	if audits := personMarkAudits(t, env); audits[shownFirst] != 1 || audits[later] != 0 {
		t.Errorf("marks audited %v; want one on the survivor %s", audits, shownFirst)
	}
	if r := rollcall(t, env, "person", "mark", "no-such-person", "withheld", "--reason", "x"); r.code == 0 {
		t.Error("a mark of a person that never existed was accepted")
	}
}
