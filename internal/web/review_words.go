package web

import (
	"fmt"
	"strings"

	"rollcall/internal/linkage"
	"rollcall/internal/names"
	"rollcall/internal/registry"
	"rollcall/internal/store"
)

// evidenceRow is one line of a pair's evidence as the page says it.
type evidenceRow struct {
	Field, Words string
	Weight       float64
}

// EvidenceRows says a pair's evidence in plain words of the page's
// language ("same surname in another script", "born 1996 / not given")
// instead of the model's notation ("surname jw=0.67"). A field that has
// nothing to compare in one record (no birth year) is said too, with no
// weight: editors ask about it first.
func (p reviewPairPage) EvidenceRows() []evidenceRow {
	a, b := p.Pair.A, p.Pair.B
	var rows []evidenceRow
	seen := map[string]bool{}
	for _, ev := range p.Pair.Evidence {
		seen[ev.Field] = true
		rows = append(rows, evidenceRow{Field: p.T("evidence." + ev.Field), Words: p.evidenceWords(ev, a, b), Weight: ev.Weight})
	}
	if !seen["birth"] && (birthOf(a.Record) == "" || birthOf(b.Record) == "") {
		rows = append(rows, evidenceRow{Field: p.T("evidence.birth"), Words: p.Tf("evidence.words.birth.missing", "values", p.pairValues(birthOf(a.Record), birthOf(b.Record)))})
	}
	if !seen["sex"] && (a.Sex == "" || b.Sex == "") {
		rows = append(rows, evidenceRow{Field: p.T("evidence.sex"), Words: p.Tf("evidence.words.sex.missing", "values", p.pairValues(p.sexWord(a.Sex), p.sexWord(b.Sex)))})
	}
	return rows
}

// evidenceWords is one piece of evidence in words: what the level means
// for the field, and the two records' values where they help.
func (p adminPage) evidenceWords(ev linkage.Evidence, a, b store.ReviewRecord) string {
	key := fmt.Sprintf("evidence.words.%s.%d", ev.Field, ev.Level)
	switch ev.Field {
	case "surname", "given":
		if ev.Field == "given" && strings.Contains(ev.Comparison, "(equivalent forms)") {
			key += ".equivalent"
		} else if ev.Field == "given" && strings.Contains(ev.Comparison, "(initial only)") {
			key += ".initial"
		}
		words := p.T(key)
		if ev.Level < 4 && names.DetectScript(a.Name) != names.DetectScript(b.Name) {
			words = p.Tf("evidence.words.other_script", "what", words)
		}
		if strings.Contains(ev.Comparison, "word order swapped") {
			words = p.Tf("evidence.words.swapped", "what", words)
		}
		return words
	case "birth":
		return p.T(key) + " (" + p.pairValues(birthOf(a.Record), birthOf(b.Record)) + ")"
	case "sex":
		return p.T(key) + " (" + p.pairValues(p.sexWord(a.Sex), p.sexWord(b.Sex)) + ")"
	case "place":
		return p.T(key) + " (" + p.pairValues(placeOf(a), placeOf(b)) + ")"
	case "frequency":
		if ev.Weight < 0 {
			return p.T("evidence.words.frequency.common")
		}
		return p.T("evidence.words.frequency.rare")
	case "claims":
		return p.T("evidence.words.claims")
	}
	if m := p.T(key); m != key {
		return m
	}
	return ev.Comparison // a field this page does not know yet: the model's own words
}

// pairValues says two records' values of a field, "not given" for none.
func (p adminPage) pairValues(a, b string) string {
	if a == "" {
		a = p.T("evidence.words.not_given")
	}
	if b == "" {
		b = p.T("evidence.words.not_given")
	}
	return a + " / " + b
}

func (p adminPage) sexWord(sex string) string {
	switch sex {
	case "m", "f":
		return p.T("review.sex." + sex)
	}
	return ""
}

func birthOf(r registry.Record) string {
	if r.BirthDate != "" {
		return r.BirthDate
	}
	if r.BirthYear != 0 {
		return fmt.Sprint(r.BirthYear)
	}
	return ""
}

func placeOf(r store.ReviewRecord) string {
	return strings.TrimSpace(strings.Join(strings.Fields(r.Region+" "+r.Locality), " "))
}

// ConflictWords says a queued person's conflict in the page's language,
// from the two records it is between (linkage's Detail is English).
func (p adminPage) ConflictWords(person store.PersonReview, c linkage.Conflict) string {
	var a, b registry.Record
	for _, r := range person.Records {
		switch r.ID {
		case c.A:
			a = r.Record
		case c.B:
			b = r.Record
		}
	}
	return p.conflictText(c, a, b)
}

// MergeConflictWords says a conflict the merge would join, in words.
func (p reviewPairPage) MergeConflictWords(c linkage.Conflict) string {
	var a, b registry.Record
	for _, side := range []store.WholePerson{p.Merge.A, p.Merge.B} {
		for _, r := range side.Records {
			switch r.ID {
			case c.A:
				a = r.Record
			case c.B:
				b = r.Record
			}
		}
	}
	return p.conflictText(c, a, b)
}

func (p adminPage) conflictText(c linkage.Conflict, a, b registry.Record) string {
	kind := p.T("review.conflict." + c.Kind)
	switch c.Kind {
	case linkage.ConflictBirth:
		return kind + ": " + p.Tf("review.conflict.words.birth", "a", birthOf(a), "b", birthOf(b))
	case linkage.ConflictFate:
		return kind + ": " + p.T("evidence.words.claims")
	case linkage.ConflictSource:
		return kind + ": " + p.Tf("review.conflict.words.one_list", "source", a.SourceKey)
	case linkage.ConflictSex:
		return kind + ": " + p.pairValues(p.sexWord(a.Sex), p.sexWord(b.Sex))
	}
	return kind + ": " + c.Detail
}

// recordViewIn is a record's fields in the page's language: the sex as a
// word, each claim's state agreeing with the record's sex.
func recordViewIn(p adminPage, r store.ReviewRecord) recordView {
	v := recordView{SourceKey: r.SourceKey, Key: r.Key, Name: r.Name, NameAlt: strings.Join(r.NameAlt, "; "), Sex: p.sexWord(r.Sex),
		Region: r.Region, Locality: r.Locality, Birth: birthOf(r.Record)}
	for _, c := range r.Claims {
		v.Claims = append(v.Claims, strings.TrimSpace(p.State(c.Status, r.Sex)+" "+c.Date.String()+" "+c.Place))
	}
	return v
}
