package web

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"rollcall/internal/registry"
)

// Adding a status is one row of registry.StatusTable and its words: every
// row's public name is in every public catalogue, and every state (what
// the public filter and the report form offer) has its report-form
// wording too; the forms that agree with a person's sex (Russian's) come
// in pairs: of a woman and of someone whose sex is not known (of a man is
// the plain word).
func TestStatusWords(t *testing.T) {
	cats := testCatalogs(t)
	if len(registry.StatusTable) < 13 || len(registry.States) < 8 {
		t.Fatalf("status table of %d rows, %d states: is it read?", len(registry.StatusTable), len(registry.States))
	}
	for _, lang := range publicLanguages {
		c := cats[lang]
		if c == nil {
			t.Fatalf("no catalogue for %s", lang)
		}
		for _, row := range registry.StatusTable {
			if !strings.HasPrefix(row.Wording, "people.status.") {
				t.Errorf("%s: wording key %q is not of the public catalogue", row.Status, row.Wording)
			}
			if c.messages[row.Wording] == "" {
				t.Errorf("%s: no words for status %s (%q)", lang, row.Status, row.Wording)
			}
			forms := 0
			for _, sex := range []string{".f", ".unknown"} {
				if c.messages[row.Wording+sex] != "" {
					forms++
				}
			}
			if forms == 1 {
				t.Errorf("%s: status %s has %d of the two forms by sex", lang, row.Status, forms)
			}
			if row.Stage > 0 && c.messages["report.status."+string(row.Status)] == "" {
				t.Errorf("%s: the report form has no words for state %s", lang, row.Status)
			}
		}
	}
	// The words the pages show come from the table's key.
	p := page{catalog: cats["en"]}
	if got := p.State(registry.DiedInCustody, ""); got != cats["en"].messages["people.status.died_in_custody"] {
		t.Errorf("State(died_in_custody) = %q", got)
	}
}

// The API's description offers exactly the states of the status table.
func TestOpenAPIStates(t *testing.T) {
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name   string `json:"name"`
				Schema struct {
					Enum []string `json:"enum"`
				} `json:"schema"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, s := range registry.States {
		want = append(want, string(s))
	}
	found := 0
	for path, ops := range doc.Paths {
		for _, p := range ops["get"].Parameters {
			if p.Name == "state" {
				found++
				if !slices.Equal(p.Schema.Enum, want) {
					t.Errorf("%s: state enum %v, want registry.States %v", path, p.Schema.Enum, want)
				}
			}
		}
	}
	if found == 0 {
		t.Error("no state parameter in openapi.json")
	}
}
