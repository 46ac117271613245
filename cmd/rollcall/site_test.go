package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSiteAppealAndFigures(t *testing.T) {
	env := []string{"ROLLCALL_DATA=" + t.TempDir()}
	appeal := writeFile(t, "appeal.txt", "Первый абзац <b>обращения</b>.\n\nВторой абзац.\n")
	if r := rollcall(t, env, "site", "appeal", "--lang", "ru", appeal); r.code != 0 || !strings.Contains(r.stdout, "2 paragraphs") {
		t.Fatalf("appeal: %+v", r)
	}
	if r := rollcall(t, env, "site", "appeal", "--lang", "ru", "--show"); r.stdout != "Первый абзац <b>обращения</b>.\n\nВторой абзац." {
		t.Fatalf("show: %q", r.stdout)
	}
	if r := rollcall(t, env, "site", "appeal", "--lang", "de", appeal); r.code != 1 || !strings.Contains(r.stderr, "en, kaa, ru, uz") {
		t.Fatalf("unknown language: %+v", r)
	}
	if r := rollcall(t, env, "site", "appeal", "--lang", "ru", writeFile(t, "empty.txt", " \n")); r.code != 1 {
		t.Fatalf("empty appeal accepted: %+v", r)
	}
	if r := rollcall(t, env, "site", "appeal", "--lang", "ru", "--reset"); r.code != 0 {
		t.Fatalf("reset: %+v", r)
	}
	if r := rollcall(t, env, "site", "appeal", "--lang", "ru", "--show"); r.stdout != "" || !strings.Contains(r.stderr, "built-in") {
		t.Fatalf("after reset: %+v", r)
	}

	add := rollcall(t, env, "site", "figure", "add", "--party", "Prosecutor General", "--what", "dead", "--value", "21",
		"--as-of", "2022-07-20", "--source", "Statement of 20 July", "--count", "killed", "--url", "https://example.org/s")
	if add.code != 0 {
		t.Fatalf("figure add: %+v", add)
	}
	id := strings.TrimSpace(add.stdout)
	for _, bad := range [][]string{
		{"--party", "P", "--what", "w", "--value", "1", "--as-of", "2022-13-01", "--source", "s"},
		{"--party", "P", "--what", "w", "--value", "1", "--as-of", "2022-07-01", "--source", "s", "--count", "dead"},
		{"--party", "P", "--what", "w", "--as-of", "2022-07-01", "--source", "s"},
		{"--party", "P", "--what", "w", "--value", "1", "--as-of", "2022-07-01", "--source", "s", "--url", "javascript:alert(1)"},
	} {
		if r := rollcall(t, env, append([]string{"site", "figure", "add"}, bad...)...); r.code == 0 {
			t.Errorf("bad figure accepted: %v", bad)
		}
	}
	list := rollcall(t, env, "site", "figure", "list", "--json")
	var figures []map[string]any
	if err := json.Unmarshal([]byte(list.stdout), &figures); err != nil || len(figures) != 1 || figures[0]["id"] != id || figures[0]["as_of"] != "2022-07-20" {
		t.Fatalf("list: %s %v", list.stdout, err)
	}
	if r := rollcall(t, env, "site", "figure", "remove", id); r.code != 0 {
		t.Fatalf("remove: %+v", r)
	}
	if r := rollcall(t, env, "site", "figure", "remove", id); r.code != 1 {
		t.Fatalf("second remove: %+v", r)
	}
}
