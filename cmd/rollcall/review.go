package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"rollcall/internal/linkage"
	"rollcall/internal/store"
)

func init() {
	register("review", "list the pairs queued for people to decide, or decide one", runReview)
}

const decideHelp = `'review decide PAIR VERDICT' records the decision and applies it at once:
  same       every record of B's person moves into A's person
  different  if A and B are in one person, B leaves it for a new person,
             together with the records people decided are the same as B;
             records the model linked to B stay until the next dedupe run
  unsure     nothing moves; the pair stays queued, listed apart as unsure
A decision that contradicts earlier decisions is refused. Every later
dedupe run keeps the decisions. Each decision is an audit entry
('rollcall audit list'); 'review undo DECISION' takes one back (refused,
naming them, while later decisions depend on it).`

func runReview(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "decide" {
		return runDecide(ctx, g, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "undo" {
		return runUndoDecision(ctx, g, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "decide-person" {
		return runDecidePerson(ctx, g, args[1:], stdout, stderr)
	}
	fs := newFlags(g, "review", "review [--json] [--limit N]\n       rollcall review decide PAIR same|different|unsure [--by NAME] [--why TEXT]\n       rollcall review undo DECISION [--by NAME]\n       rollcall review decide-person PERSON keep|split [--by NAME] [--why TEXT]\n\n"+decideHelp+"\n\n"+decidePersonHelp, stderr)
	asJSON := fs.Bool("json", false, "print JSON: each pair with its match weight and the evidence per field (no notes)")
	limit := fs.Int("limit", 50, "list at most this many pairs, heaviest first; 0 lists all")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	pairs, total, err := st.ReviewQueue(ctx, *limit)
	if err != nil {
		return err
	}
	persons, openPersons, err := st.PersonReviews(ctx, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		out := reviewOutput{Open: total, Pairs: []reviewPairJSON{}, OpenPersons: openPersons, Persons: []reviewPersonJSON{}}
		for _, p := range pairs {
			out.Pairs = append(out.Pairs, pairJSON(p))
		}
		for _, p := range persons {
			out.Persons = append(out.Persons, personJSON(p))
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	printPersonReviews(stdout, persons, openPersons)
	if total == 0 {
		fmt.Fprintln(stdout, "No pairs are waiting for review.")
		return nil
	}
	fmt.Fprintf(stdout, "%d pairs are waiting for review; the first %d, those whose decision changes most first:\n", total, len(pairs))
	for _, p := range pairs {
		fmt.Fprintf(stdout, "\npair %s  weight %.1f  %s\n", p.ID, p.Weight, impactText(p.ImpactReason))
		for _, r := range []store.ReviewRecord{p.A, p.B} {
			fmt.Fprintf(stdout, "  %s/%s  %s", r.SourceKey, r.Key, r.Name)
			if len(r.NameAlt) > 0 {
				fmt.Fprintf(stdout, " (%s)", strings.Join(r.NameAlt, "; "))
			}
			fmt.Fprintf(stdout, "  %s %s  %s %s\n", r.Sex, birth(r), r.Region, r.Locality)
			for _, c := range r.Claims {
				fmt.Fprintf(stdout, "      %s %s %s\n", c.Status, c.Date, c.Place)
			}
		}
		if len(p.Evidence) == 0 {
			fmt.Fprintln(stdout, "  (evidence kept only for the heaviest pairs)")
		}
		printEvidence(stdout, p.Evidence)
	}
	fmt.Fprintf(stdout, "\nDecide with: rollcall review decide PAIR same|different|unsure --by NAME --why TEXT\n")
	return nil
}

func birth(r store.ReviewRecord) string {
	if r.BirthDate != "" {
		return r.BirthDate
	}
	if r.BirthYear != 0 {
		return fmt.Sprint(r.BirthYear)
	}
	return ""
}

func runDecide(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "review", "review decide PAIR same|different|unsure [--by NAME] [--why TEXT]\n\n"+decideHelp, stderr)
	d := deciderFlags(fs)
	rest, err := parseDecision(fs, d, args, 2)
	if err != nil {
		return err
	}
	pair, verdict := rest[0], rest[1]
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	out, err := st.DecideQueued(ctx, pair, verdict, *d.by, *d.why)
	if err != nil {
		return err
	}
	if _, err := st.RefreshPublic(ctx); err != nil {
		return fmt.Errorf("the decision is stored, but the public list was not refreshed: %w", err)
	}
	fmt.Fprintf(stdout, "decision %s (undo with 'rollcall review undo %s')\n", out.Decision.ID, out.Decision.ID)
	switch verdict {
	case linkage.Same:
		fmt.Fprintf(stdout, "pair %s: same person; %d records moved into person %s\n", pair, out.Moved, out.Person)
	case linkage.Different:
		fmt.Fprintf(stdout, "pair %s: different persons; %d records moved out into a new person\n", pair, out.Moved)
	default:
		fmt.Fprintf(stdout, "pair %s: unsure; nothing moved\n", pair)
	}
	return nil
}

// The JSON shape of 'review --json'. Notes are left out: they are private.
type (
	reviewOutput struct {
		Open        int                `json:"open"`
		Pairs       []reviewPairJSON   `json:"pairs"`
		OpenPersons int                `json:"open_persons"`
		Persons     []reviewPersonJSON `json:"persons"`
	}
	reviewPairJSON struct {
		Pair     string         `json:"pair"`
		Weight   float64        `json:"weight"`
		Impact   int            `json:"impact"`
		Changes  []string       `json:"changes"`
		A        recordJSON     `json:"a"`
		B        recordJSON     `json:"b"`
		Evidence []evidenceJSON `json:"evidence"`
	}
	recordJSON struct {
		ID        string      `json:"id"`
		Person    string      `json:"person"`
		Source    string      `json:"source"`
		Record    string      `json:"record"`
		Name      string      `json:"name"`
		NameAlt   []string    `json:"name_alt"`
		Sex       string      `json:"sex"`
		BirthYear int         `json:"birth_year,omitempty"`
		BirthDate string      `json:"birth_date,omitempty"`
		Region    string      `json:"region"`
		Locality  string      `json:"locality"`
		Claims    []claimJSON `json:"claims"`
	}
	claimJSON struct {
		Status       string `json:"status"`
		Date         string `json:"date"`
		Verification string `json:"verification"`
		Place        string `json:"place"`
	}
	evidenceJSON struct {
		Field      string  `json:"field"`
		Comparison string  `json:"comparison"`
		Level      int     `json:"level"`
		Weight     float64 `json:"weight"`
	}
)

func pairJSON(p store.ReviewPair) reviewPairJSON {
	out := reviewPairJSON{Pair: p.ID, Weight: p.Weight, Impact: p.Impact, Changes: splitChanges(p.ImpactReason), A: recordOf(p.A), B: recordOf(p.B), Evidence: []evidenceJSON{}}
	for _, e := range p.Evidence {
		out.Evidence = append(out.Evidence, evidenceJSON(e))
	}
	return out
}

func recordOf(r store.ReviewRecord) recordJSON {
	out := recordJSON{ID: r.ID, Person: r.PersonID, Source: r.SourceKey, Record: r.Key, Name: r.Name, NameAlt: r.NameAlt,
		Sex: r.Sex, BirthYear: r.BirthYear, BirthDate: r.BirthDate, Region: r.Region, Locality: r.Locality, Claims: []claimJSON{}}
	if out.NameAlt == nil {
		out.NameAlt = []string{}
	}
	for _, c := range r.Claims {
		out.Claims = append(out.Claims, claimJSON{Status: string(c.Status), Date: c.Date.String(), Verification: c.Verification.String(), Place: c.Place})
	}
	return out
}

// decider holds the --by and --why flags every review decision takes.
type decider struct{ by, why *string }

func deciderFlags(fs *flag.FlagSet) decider {
	return decider{
		by:  fs.String("by", os.Getenv("USER"), "who decides (default: $USER)"),
		why: fs.String("why", "", "why, in a few words"),
	}
}

// parseDecision parses a decision's flags; it wants exactly n arguments
// and someone who decides.
func parseDecision(fs *flag.FlagSet, d decider, args []string, n int) ([]string, error) {
	rest, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if len(rest) != n {
		fs.Usage()
		return nil, errUsage
	}
	if *d.by == "" {
		return nil, errors.New("--by is required: say who decides")
	}
	return rest, nil
}
