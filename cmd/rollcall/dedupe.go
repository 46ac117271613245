package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"rollcall/internal/linkage"
	"rollcall/internal/store"
)

func init() {
	register("dedupe", "link records that describe the same person into one person", runDedupe)
}

const dedupeHelp = `Without --auto, dedupe changes nothing at all (not even the review queue):
it says what --auto would do. With --auto, in one transaction, it moves the
records linked above the upper threshold into one person (keeping the person
id most of them have already), and replaces the review queue with the pairs
between the thresholds. People's decisions ('rollcall review decide') always
win over the model. An interrupted run changes nothing.`

func runDedupe(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "dedupe", "dedupe [--auto] [--explain] [--upper W --lower W]\n\n"+dedupeHelp, stderr)
	auto := fs.Bool("auto", false, "apply the links above the upper threshold and queue the uncertain pairs for review")
	explain := fs.Bool("explain", false, "print the learned model and the evidence of every link applied")
	upper := fs.Float64("upper", 0, "link pairs at or above this match weight (0: linkage chooses; give both or neither)")
	lower := fs.Float64("lower", 0, "queue pairs at or above this match weight for review (0: linkage chooses)")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if (*upper == 0) != (*lower == 0) {
		return errors.New("give both --upper and --lower, or neither")
	}
	run, err := dedupe(ctx, st, *auto, linkage.Options{Upper: *upper, Lower: *lower, Progress: linkageProgress(stderr)})
	if err != nil {
		return err
	}
	run.print(stdout)
	if *auto {
		if proposed, err := st.NameForms(ctx, store.FormProposed); err == nil && len(proposed) > 0 {
			fmt.Fprintf(stdout, "\n%d name forms learned from the records wait for an editor: see 'rollcall names'.\n", len(proposed))
		}
	}
	if *explain {
		run.explain(stdout)
	}
	return nil
}

// dedupe is the command's run; serve --demo calls it too. A conflict
// between stored decisions gets advice on what to do.
func dedupe(ctx context.Context, st *store.Store, apply bool, opt linkage.Options) (*dedupeRun, error) {
	run, err := st.DedupeAll(ctx, "", apply, opt)
	var conflict *linkage.DecisionConflictError
	if errors.As(err, &conflict) {
		return nil, fmt.Errorf("%w; decide those pairs again with 'rollcall review decide'", err)
	}
	return (*dedupeRun)(run), err
}

// dedupeRun prints a store.DedupeRun.
type dedupeRun store.DedupeRun

func (r *dedupeRun) print(w io.Writer) {
	m := r.Result.Model
	fmt.Fprintf(w, "records:          %d\n", len(r.Input.Records))
	fmt.Fprintf(w, "persons before:   %d\n", r.Plan.PersonsBefore)
	fmt.Fprintf(w, "persons after:    %d\n", r.Plan.PersonsAfter)
	verb, queued := "links applied:   ", "pairs queued:    "
	if !r.Applied {
		verb, queued = "links to apply:  ", "pairs to queue:  "
	}
	fmt.Fprintf(w, "%s %d (weight >= %.1f; %d records moved)\n", verb, len(r.Plan.NewLinks), m.Upper, len(r.Plan.Moves))
	fmt.Fprintf(w, "%s %d (weight %.1f to %.1f)\n", queued, len(r.Result.Review), m.Lower, m.Upper)
	if r.Result.ReviewDropped > 0 {
		fmt.Fprintf(w, "not queued:       %d lighter pairs beyond the queue's %d (decide the queue, then run dedupe again)\n", r.Result.ReviewDropped, linkage.MaxReview)
	}
	fmt.Fprintf(w, "pairs compared:   %d\n", r.Result.Compared)
	if n := len(r.Result.Undecidable); n > 0 {
		fmt.Fprintf(w, "\n%d records have names the model cannot judge (initials only, or a script it cannot read); a person must decide them:\n", n)
		byID := r.recordsByID()
		const shown = 100
		for i, id := range r.Result.Undecidable {
			if i == shown {
				fmt.Fprintf(w, "  … and %d more\n", n-shown)
				break
			}
			rec := byID[id]
			fmt.Fprintf(w, "  %s  %s  %s\n", id, rec.Source, rec.Names[0])
		}
	}
	if !r.Applied {
		fmt.Fprintf(w, "\nNothing was changed. Run 'rollcall dedupe --auto' to apply the links and queue the pairs for review.\n")
	} else if len(r.Result.Review) > 0 {
		fmt.Fprintf(w, "\nSee the queue with 'rollcall review'.\n")
	}
}

// explain prints the model and, for every link applied, its evidence.
func (r *dedupeRun) explain(w io.Writer) {
	fmt.Fprintf(w, "\n%s\n", r.Result.Model)
	if len(r.Plan.NewLinks) == 0 {
		return
	}
	fmt.Fprintf(w, "Evidence of the links %s:\n", map[bool]string{true: "applied", false: "that --auto would apply"}[r.Applied])
	byID := r.recordsByID()
	for _, p := range r.Plan.NewLinks {
		a, b := byID[p.A], byID[p.B]
		pair := linkage.Explain(*a, *b, r.Result.Model)
		fmt.Fprintf(w, "\n%s (%s) — %s (%s): weight %.1f\n", a.Names[0], a.Source, b.Names[0], b.Source, pair.Weight)
		printEvidence(w, pair.Evidence)
	}
}

func printEvidence(w io.Writer, evidence []linkage.Evidence) {
	for _, e := range evidence {
		fmt.Fprintf(w, "  %-11s %+6.1f  %s\n", e.Field, e.Weight, e.Comparison)
	}
}

func (r *dedupeRun) recordsByID() map[string]*linkage.Record {
	m := make(map[string]*linkage.Record, len(r.Input.Records))
	for i := range r.Input.Records {
		m[r.Input.Records[i].ID] = &r.Input.Records[i]
	}
	return m
}

// linkageProgress draws a progress bar when stderr is a terminal.
func linkageProgress(stderr io.Writer) func(done, total int) {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("linking"),
				progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		}
		bar.Set(done)
	}
}
