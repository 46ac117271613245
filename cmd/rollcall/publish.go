package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"

	"rollcall/internal/publish"
	"rollcall/internal/registry"
	"rollcall/internal/store"
)

func init() {
	register("publish", "freeze the counts and the public list as of a date into a signed snapshot", runPublish)
}

func runPublish(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "publish", "publish --as-of YYYY-MM-DD [--note TEXT]", stderr)
	asOf := fs.String("as-of", "", "the day the counts are as of (required)")
	note := fs.String("note", "", "a note published with the snapshot")
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
	sn, err := publish.Publish(ctx, st, g.data, publish.PublishOptions{AsOf: day, Note: *note})
	if err != nil {
		return err
	}
	// The site's list is rebuilt if it is behind what was just published.
	if stale, err := st.PublicStale(ctx); err != nil {
		return err
	} else if stale {
		if _, err := st.RefreshPublic(ctx); err != nil {
			return fmt.Errorf("published, but the public list was not refreshed: %w", err)
		}
	}
	if err := st.Audit(ctx, cliActor(), "publish", sn.ID, fmt.Sprintf("slug=%s people=%d", sn.Slug, sn.People)); err != nil {
		return fmt.Errorf("published %s, but the audit entry was not written: %w", sn.Slug, err)
	}
	head, err := st.AuditHead(ctx)
	if err != nil {
		return err
	}
	pub, err := publish.PublicKey(g.data)
	if err != nil {
		return err
	}
	file := filepath.Join(g.data, "snapshots", publish.SnapshotFileName(sn.Slug))
	fmt.Fprintf(stdout, "published snapshot %s: counts as of %s as known at %s, %d people\n", sn.Slug, sn.AsOf, sn.KnownAt.Format("2006-01-02T15:04:05Z07:00"), sn.People)
	fmt.Fprintf(stdout, "file:       %s (signature %s.sig)\n", file, file)
	fmt.Fprintf(stdout, "signed by:  %s (public key %s)\n", publish.Fingerprint(pub), filepath.Join(g.data, "keys", publish.PublicKeyFile))
	// Kept elsewhere, the head later proves the log was not cut or
	// rewritten up to here: rollcall audit verify --head SEQ:HASH.
	fmt.Fprintf(stdout, "audit head: %s — keep it away from this server\n", head)
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
