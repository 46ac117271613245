package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"rollcall/internal/store"
)

// runUndoDecision takes a pair decision back: its records return to the
// persons they were in and the pair to the queue; refused while later
// decisions or moves depend on it (they are named).
func runUndoDecision(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "review", "review undo DECISION [--by NAME]\n\nTakes a decision back (its id is printed by 'review decide' and in 'audit list').", stderr)
	d := deciderFlags(fs)
	rest, err := parseDecision(fs, d, args, 1)
	if err != nil {
		return err
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	undone, err := st.UndoDecision(ctx, rest[0], *d.by)
	var blocked *store.UndoBlockedError
	if errors.As(err, &blocked) {
		for _, l := range blocked.Later {
			fmt.Fprintf(stderr, "later decision %s: %s %s %s, by %s at %s\n", l.ID, l.RecordA, l.Verdict, l.RecordB, l.By, l.At.Format("2006-01-02 15:04"))
		}
		for _, r := range blocked.Moved {
			fmt.Fprintf(stderr, "record %s was moved since\n", r)
		}
	}
	if err != nil {
		return err
	}
	if _, err := st.RefreshPublic(ctx); err != nil {
		return fmt.Errorf("the undo is stored, but the public list was not refreshed: %w", err)
	}
	fmt.Fprintf(stdout, "decision %s (%s) undone; the pair is queued again\n", undone.ID, undone.Verdict)
	return nil
}
