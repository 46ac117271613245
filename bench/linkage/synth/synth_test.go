package synth_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"rollcall/bench/linkage/eval"
	"rollcall/bench/linkage/synth"
	"rollcall/internal/linkage"
)

func TestGenerateIsReproducibleAndWritesInterchangeCSV(t *testing.T) {
	a := synth.Generate(synth.Config{Persons: 50, Seed: 7})
	b := synth.Generate(synth.Config{Persons: 50, Seed: 7})
	var ca, cb, truth bytes.Buffer
	if err := a.WriteCSV(&ca); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteCSV(&cb); err != nil {
		t.Fatal(err)
	}
	if ca.String() != cb.String() {
		t.Fatalf("same seed, different data")
	}
	rows, err := csv.NewReader(&ca).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows[0]) != len(synth.Columns) || rows[0][0] != "source" || rows[0][10] != "status" {
		t.Fatalf("header %v", rows[0])
	}
	if err := a.WriteTruth(&truth); err != nil {
		t.Fatal(err)
	}
	scripts := map[bool]int{}
	for _, e := range a.Entries {
		cyr := false
		for _, r := range e.Names[0] {
			if r >= 0x400 && r < 0x500 {
				cyr = true
			}
		}
		scripts[cyr]++
	}
	if scripts[true] == 0 || scripts[false] == 0 {
		t.Errorf("lists should mix Cyrillic and Latin: %v", scripts)
	}
}

func TestSmallSyntheticF1(t *testing.T) {
	d := synth.Generate(synth.Config{Persons: 400, Seed: 3})
	res, err := linkage.Link(d.Records(), nil, linkage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	truth := d.Truth()
	s := eval.Pairwise(res.Clusters, truth)
	t.Logf("%d records, all: %s", len(d.Entries), s)
	// Records with initials only or one word are, by rule, never linked
	// automatically; score the rest on their own too.
	decidable := map[string]string{}
	for id, p := range truth {
		decidable[id] = p
	}
	for _, id := range res.Undecidable {
		delete(decidable, id)
	}
	var kept [][]string
	for _, c := range res.Clusters {
		var k []string
		for _, id := range c {
			if _, ok := decidable[id]; ok {
				k = append(k, id)
			}
		}
		kept = append(kept, k)
	}
	sd := eval.Pairwise(kept, decidable)
	t.Logf("%d decidable records: %s", len(decidable), sd)
	if sd.F1 < 0.95 {
		t.Errorf("F1 on decidable records %.3f < 0.95", sd.F1)
	}
	if s.F1 < 0.95 { // 0.976 when written; the benchmark's target is 0.97 on 2,000 persons
		t.Errorf("F1 %.3f < 0.95", s.F1)
	}
}

func TestEMConvergesOnGeneratedSet(t *testing.T) {
	d := synth.Generate(synth.Config{Persons: 300, Seed: 5})
	res, err := linkage.Link(d.Records(), nil, linkage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Model
	if !m.Converged {
		t.Fatalf("EM did not converge in %d iterations", m.Iterations)
	}
	for _, f := range m.Fields {
		best := f.Levels[1]
		worst := f.Levels[len(f.Levels)-1]
		if best.Weight <= 0 || worst.Weight > 0 {
			t.Errorf("%s: agreement weight %.2f, disagreement weight %.2f", f.Field, best.Weight, worst.Weight)
		}
	}
	if m.MatchShare <= 0 || m.MatchShare >= 1 {
		t.Errorf("match share %.3f", m.MatchShare)
	}
}

// The name pool must be large enough for a million people: few persons
// may share a full name by chance.
func TestNamePoolIsLarge(t *testing.T) {
	d := synth.Generate(synth.Config{Persons: 20000, Seed: 9, SiblingRate: 1e-9, NamesakeRate: 1e-9})
	names := map[string]int{}
	for _, p := range d.Persons {
		names[p.Surname+" "+p.Given+" "+p.Sex]++
	}
	if share := float64(len(names)) / float64(len(d.Persons)); share < 0.85 {
		t.Errorf("only %d distinct names for %d persons (%.2f)", len(names), len(d.Persons), share)
	}
}
