package web

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// workspaceTranslated are the workspace's catalogue files that every
// language of the site has in full: the frame (menu), signing in and the
// accounts, the triage of public reports, the review of duplicates
// (pairs and persons, the evidence in words, the list with its filters
// and undo), the editors' home, learned name forms, a record's history,
// evidence, the audit log, importing, publication, the treasury and
// editing records, sources, incidents and persons: every workspace file.
// A key added to one of them in English must come in Russian, Karakalpak
// and Uzbek too.
var workspaceTranslated = []string{"admin.json", "admin_signin.json", "admin_reports.json", "review.json", "review_words.json", "review_persons.json", "review_list.json", "admin_home.json", "names.json", "admin_history.json", "admin_evidence.json", "admin_audit.json", "admin_import.json", "admin_publication.json", "treasury.json", "admin_edit.json"}

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

func TestWorkspaceCataloguesComplete(t *testing.T) {
	cats := testCatalogs(t)
	// A new workspace file must join the list, or it could stay English
	// under another lang without this test noticing.
	enFiles, err := fs.ReadDir(files, "i18n/en")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range enFiles {
		n := f.Name()
		workspace := strings.HasPrefix(n, "admin") || strings.HasPrefix(n, "review") || n == "names.json" || n == "treasury.json"
		if workspace && !slices.Contains(workspaceTranslated, n) {
			t.Errorf("workspace catalogue %s is not in workspaceTranslated", n)
		}
	}
	for _, file := range workspaceTranslated {
		b, err := fs.ReadFile(files, "i18n/en/"+file)
		if err != nil {
			t.Fatal(err)
		}
		raw := map[string]json.RawMessage{}
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		en := map[string]string{}
		enPlurals := map[string]map[string]string{}
		for k, v := range raw {
			var m string
			if json.Unmarshal(v, &m) == nil {
				en[k] = m
				continue
			}
			forms := map[string]string{}
			if err := json.Unmarshal(v, &forms); err != nil || forms["other"] == "" {
				t.Fatalf("%s %q: neither a message nor plural forms with other", file, k)
			}
			enPlurals[k] = forms
		}
		if len(en)+len(enPlurals) < 10 {
			t.Fatalf("%s: only %d keys: is the file still there?", file, len(en)+len(enPlurals))
		}
		for _, lang := range []string{"ru", "kaa", "uz"} {
			for k, m := range en {
				got, ok := cats[lang].messages[k]
				switch {
				case !ok || got == "":
					t.Errorf("%s %s: no %q", lang, file, k)
				case !slices.Equal(sortedPlaceholders(got), sortedPlaceholders(m)):
					t.Errorf("%s %s: %q has placeholders %v, English %v", lang, file, k, sortedPlaceholders(got), sortedPlaceholders(m))
				case got == m && strings.Contains(m, " "): // one word ("administrator") may be the same
					t.Errorf("%s %s: %q is the English text", lang, file, k)
				}
			}
			// A plural needs every form of the language, each with the
			// placeholders of the English "other" and none in English.
			for k, enForms := range enPlurals {
				forms := cats[lang].plurals[k]
				if forms["other"] == "" {
					t.Errorf("%s %s: no plural %q", lang, file, k)
					continue
				}
				for form, got := range forms {
					switch {
					case !slices.Equal(sortedPlaceholders(got), sortedPlaceholders(enForms["other"])):
						t.Errorf("%s %s: %q (%s) has placeholders %v, English %v", lang, file, k, form, sortedPlaceholders(got), sortedPlaceholders(enForms["other"]))
					case got == enForms[form] || got == enForms["other"]:
						t.Errorf("%s %s: %q (%s) is the English text", lang, file, k, form)
					}
				}
			}
		}
	}
}

func sortedPlaceholders(m string) []string {
	p := placeholder.FindAllString(m, -1)
	sort.Strings(p)
	return p
}
