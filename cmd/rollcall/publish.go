package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"rollcall/internal/publish"
	"rollcall/internal/registry"
	"rollcall/internal/store"
)

func init() {
	register("publish", "freeze the counts and the public list as of a date into a signed snapshot", runPublish)
}

func runPublish(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "publish", "publish --as-of YYYY-MM-DD [--note TEXT] [--dry-run]\n\n--dry-run prints what would be published (counts, who enters and leaves the list, the counts that change against the last snapshot, warnings) and stores nothing", stderr)
	asOf := fs.String("as-of", "", "the day the counts are as of (required)")
	note := fs.String("note", "", "a note published with the snapshot")
	dryRun := fs.Bool("dry-run", false, "print what would be published and store nothing")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	if *asOf == "" {
		return errors.New("--as-of YYYY-MM-DD is required")
	}
	day, err := registry.ParseDay(*asOf)
	if err != nil {
		return fmt.Errorf("--as-of: %w", err)
	}
	// A snapshot of 100,000 people is ~70 MB held a few times over; keep
	// the heap near what is live.
	debug.SetMemoryLimit(256 << 20)
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if today := registry.DayOf(st.Now()); day > today {
		// A snapshot signed for a day to come would later stand as that
		// day's figures although nobody knew them yet.
		return fmt.Errorf("--as-of %s is in the future (today is %s): nothing published", day, today)
	}
	if *dryRun {
		p, err := publish.MakePreview(ctx, st, day)
		if err != nil {
			return err
		}
		p.Print(stdout)
		return nil
	}
	res, err := publish.PublishRecorded(ctx, st, g.data, cliActor(), publish.PublishOptions{AsOf: day, Note: *note})
	if err != nil {
		return err
	}
	sn := res.Snapshot
	fmt.Fprintf(stdout, "published snapshot %s: counts as of %s as known at %s, %d people\n", sn.Slug, sn.AsOf, sn.KnownAt.Format("2006-01-02T15:04:05Z07:00"), sn.People)
	fmt.Fprintf(stdout, "file:       %s (signature %s.sig)\n", res.File, res.File)
	fmt.Fprintf(stdout, "signed by:  %s (public key %s)\n", res.SignedBy, res.PublicKeyFile)
	// Kept elsewhere, the head later proves the log was not cut or
	// rewritten up to here: rollcall audit verify --head SEQ:HASH.
	fmt.Fprintf(stdout, "audit head: %s — keep it away from this server\n", res.Head)
	return nil
}

// cliActor names the operator at the console in the audit log: the login
// name the command runs under, so two operators' actions can be told apart.
func cliActor() string {
	if u := os.Getenv("USER"); u != "" {
		return store.ActorCLI + ":" + u
	}
	return store.ActorCLI
}
