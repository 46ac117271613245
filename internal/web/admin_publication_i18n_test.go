package web_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"rollcall/internal/registry"
)

// Every message of the publication pages (the banner, marking many, the
// publish preview, the pair's merge preview) is in English and Russian,
// a plural with every form Russian needs.
func TestPublicationMessagesInEnglishAndRussian(t *testing.T) {
	files := []string{"templates/admin_publication_parts.html", "templates/admin_edit_publish.html", "templates/admin_edit_people.html",
		"templates/admin_edit_person.html", "templates/admin_review_pair.html", "admin_people.go", "admin_publish.go", "publication_view.go"}
	used := map[string]bool{}
	keyRE := regexp.MustCompile(`"((?:admin\.pub|review\.merge)\.[a-z_.]*[a-z])"`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	for _, g := range registry.Grounds {
		used["admin.pub.ground."+string(g)] = true
	}
	for _, l := range []string{"enter", "leave", "named", "withheld"} {
		used["admin.pub.preview.list_"+l] = true
	}
	used["review.merge.person_a"], used["review.merge.person_b"] = true, true
	if len(used) < 40 {
		t.Fatalf("found only %d message ids: the search is broken", len(used))
	}
	forms := map[string][]string{"en": {"one", "other"}, "ru": {"one", "few", "many", "other"}}
	for lang, need := range forms {
		b, err := os.ReadFile(filepath.Join("i18n", lang, "admin_publication.json"))
		if err != nil {
			t.Fatal(err)
		}
		var cat map[string]any
		if err := json.Unmarshal(b, &cat); err != nil {
			t.Fatal(err)
		}
		for key := range used {
			switch v := cat[key].(type) {
			case string:
				if v == "" {
					t.Errorf("%s: %q is empty", lang, key)
				}
			case map[string]any:
				for _, f := range need {
					if s, _ := v[f].(string); s == "" {
						t.Errorf("%s: plural %q lacks the %q form", lang, key, f)
					}
				}
			default:
				t.Errorf("%s: no message %q", lang, key)
			}
		}
	}
}
