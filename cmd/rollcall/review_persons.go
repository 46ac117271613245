package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"rollcall/internal/store"
)

const decidePersonHelp = `Persons whose records conflict (birth years more than a year apart, fates
that exclude each other, two records of one list, different sex) are queued
beside the pairs, with the split the model would make.
'review decide-person PERSON VERDICT' records the decision and applies it:
  keep   the records stay one person; it is not queued again while its
         records are the same
  split  the records are parted into the proposed groups, kept as pair
         decisions, so that no later dedupe run joins them again`

type reviewPersonJSON struct {
	Person    string         `json:"person"`
	Impact    int            `json:"impact"`
	Changes   []string       `json:"changes"`
	Conflicts []conflictJSON `json:"conflicts"`
	Split     [][]string     `json:"split"`
	Records   []recordJSON   `json:"records"`
}

type conflictJSON struct {
	Kind   string `json:"kind"`
	A      string `json:"a"`
	B      string `json:"b"`
	Detail string `json:"detail"`
}

func personJSON(p store.PersonReview) reviewPersonJSON {
	out := reviewPersonJSON{Person: p.PersonID, Impact: p.Impact, Changes: splitChanges(p.ImpactReason), Split: p.Split,
		Conflicts: []conflictJSON{}, Records: []recordJSON{}}
	for _, c := range p.Conflicts {
		out.Conflicts = append(out.Conflicts, conflictJSON(c))
	}
	for _, r := range p.Records {
		out.Records = append(out.Records, recordOf(r))
	}
	return out
}

// splitChanges turns a stored impact reason into its parts.
func splitChanges(reason string) []string {
	if reason == "" {
		return []string{}
	}
	return strings.Split(reason, ",")
}

// impactText says what a decision changes, for a person reading the queue.
func impactText(reason string) string {
	parts := splitChanges(reason)
	if len(parts) == 0 {
		return "(changes no count)"
	}
	var counts []string
	public := false
	for _, p := range parts {
		if p == store.ImpactPublic {
			public = true
		} else {
			counts = append(counts, p)
		}
	}
	var out []string
	if public {
		out = append(out, "changes the public list")
	}
	if len(counts) > 0 {
		out = append(out, "moves "+strings.Join(counts, ", "))
	}
	return "(" + strings.Join(out, "; ") + ")"
}

func printPersonReviews(w io.Writer, persons []store.PersonReview, open int) {
	if open == 0 {
		return
	}
	fmt.Fprintf(w, "%d persons have records that conflict; the first %d:\n", open, len(persons))
	for _, p := range persons {
		fmt.Fprintf(w, "\nperson %s  %s\n", p.PersonID, impactText(p.ImpactReason))
		for _, c := range p.Conflicts {
			fmt.Fprintf(w, "  why: %s (%s, %s)\n", c.Detail, c.A, c.B)
		}
		for _, r := range p.Records {
			fmt.Fprintf(w, "  %s  %s/%s  %s  %s %s  %s %s\n", r.ID, r.SourceKey, r.Key, r.Name, r.Sex, birth(r), r.Region, r.Locality)
		}
		for i, g := range p.Split {
			fmt.Fprintf(w, "  split %d: %s\n", i+1, strings.Join(g, " "))
		}
	}
	fmt.Fprintf(w, "\nDecide with: rollcall review decide-person PERSON keep|split --by NAME --why TEXT\n\n")
}

func runDecidePerson(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "review", "review decide-person PERSON keep|split [--by NAME] [--why TEXT]\n\n"+decidePersonHelp, stderr)
	d := deciderFlags(fs)
	rest, err := parseDecision(fs, d, args, 2)
	if err != nil {
		return err
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	moved, err := st.DecidePerson(ctx, rest[0], rest[1], *d.by, *d.why)
	if err != nil {
		return err
	}
	if _, err := st.RefreshPublic(ctx); err != nil {
		return fmt.Errorf("the decision is stored, but the public list was not refreshed: %w", err)
	}
	if rest[1] == store.PersonSplit {
		fmt.Fprintf(stdout, "person %s: split; %d records moved out\n", rest[0], moved)
	} else {
		fmt.Fprintf(stdout, "person %s: kept as one person\n", rest[0])
	}
	return nil
}
