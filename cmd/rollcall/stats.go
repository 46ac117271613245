package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"rollcall/internal/registry"
)

func init() {
	register("stats", "print the counts as of a date, as known at a moment", runStats)
}

// statsOutput is the JSON shape of the command-line contract.
type statsOutput struct {
	AsOf            string          `json:"as_of"`
	KnownAt         string          `json:"known_at"`
	MinVerification string          `json:"min_verification"`
	Counts          registry.Counts `json:"counts"`
}

func runStats(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "stats", "stats --as-of YYYY-MM-DD [--known-at RFC3339] [--min-verification LEVEL] [--json]", stderr)
	asOf := fs.String("as-of", "", "count as of this day (YYYY-MM-DD); required")
	knownAt := fs.String("known-at", "", "count as it was known at this moment (RFC 3339, e.g. 2022-08-03T18:00:00Z); default now")
	minVer := fs.String("min-verification", registry.DefaultMinVerification.String(), "lowest verification level counted: unverified, corroborated or verified")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	if *asOf == "" {
		fs.Usage()
		return fmt.Errorf("--as-of is required")
	}
	q, err := parseQuery(*asOf, *knownAt, *minVer)
	if err != nil {
		return err
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if *knownAt == "" {
		q.KnownAt = st.Now().UTC()
	}
	counts, err := st.Counts(ctx, q)
	if err != nil {
		return err
	}
	out := statsOutput{AsOf: q.AsOf.String(), KnownAt: q.KnownAt.UTC().Format(time.RFC3339Nano), MinVerification: q.MinVerification.String(), Counts: counts}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "as of %s, as known at %s, counting claims %s or better\n\n", out.AsOf, out.KnownAt, out.MinVerification)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, name := range registry.CountNames {
		n, _ := counts.Get(name)
		fmt.Fprintf(tw, "%s\t%d\t\n", name, n)
	}
	return tw.Flush()
}

// parseQuery reads the three options that say what a count means.
func parseQuery(asOf, knownAt, minVerification string) (registry.Query, error) {
	var q registry.Query
	var err error
	if q.AsOf, err = registry.ParseDay(asOf); err != nil {
		return q, fmt.Errorf("--as-of: %w", err)
	}
	q.KnownAt = time.Now().UTC()
	if knownAt != "" {
		if q.KnownAt, err = time.Parse(time.RFC3339Nano, knownAt); err != nil {
			return q, fmt.Errorf("--known-at %q: want an RFC 3339 time such as 2022-08-03T18:00:00Z", knownAt)
		}
	}
	if q.MinVerification, err = registry.ParseVerification(minVerification); err != nil {
		return q, fmt.Errorf("--min-verification: %w", err)
	}
	return q, nil
}
