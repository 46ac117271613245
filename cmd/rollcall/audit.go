package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"rollcall/internal/store"
)

func init() {
	register("audit", "the tamper-evident audit log: verify the chain, print its head, list entries", runAudit)
}

const auditHelp = `Subcommands:
  audit verify [--head SEQ:HASH]  check every entry's hash and link to the one
                                  before; with --head, also that the log still
                                  reaches a head kept elsewhere unchanged
  audit head                      print the chain's head (SEQ:HASH): keep it away
                                  from the server (each publication prints it too)
  audit list [--after N] [--limit N] [--json]

Exit status of verify: 0 intact, 1 broken (the first bad entry is named).`

func runAudit(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fs := newFlags(g, "audit", "audit verify|head|list [options]\n\n"+auditHelp, stderr)
	head := fs.String("head", "", "a head printed earlier (SEQ:HASH) that the log must still reach (verify)")
	after := fs.Int64("after", 0, "list entries after this number (list)")
	limit := fs.Int("limit", 100, "list at most this many entries (list)")
	asJSON := fs.Bool("json", false, "print JSON (list)")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	var want *store.AuditHead
	if *head != "" {
		h, err := store.ParseAuditHead(*head)
		if err != nil {
			return err
		}
		want = &h
	}
	switch sub {
	case "verify", "head", "list":
	case "", "help":
		fs.Usage()
		return errUsage
	default:
		return fmt.Errorf("unknown subcommand %q (verify, head, list)", sub)
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "verify":
		n, h, err := st.VerifyAudit(ctx, want)
		var b *store.AuditBreak
		if errors.As(err, &b) {
			fmt.Fprintf(stdout, "BROKEN at entry %d: %s\n", b.Seq, b.Reason)
			return fmt.Errorf("audit log broken at entry %d", b.Seq)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "intact: %d entries, head %s\n", n, h)
	case "head":
		h, err := st.AuditHead(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, h)
	case "list":
		entries, err := st.AuditEntries(ctx, *after, *limit)
		if err != nil {
			return err
		}
		if *asJSON {
			type entryJSON struct {
				Seq    int64  `json:"seq"`
				At     string `json:"at"`
				Actor  string `json:"actor"`
				Action string `json:"action"`
				Object string `json:"object"`
				Detail string `json:"detail"`
				Hash   string `json:"hash"`
			}
			out := []entryJSON{}
			for _, e := range entries {
				out = append(out, entryJSON{e.Seq, e.At.Format(time.RFC3339Nano), e.Actor, e.Action, e.Object, e.Detail, e.Hash})
			}
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SEQ\tAT\tACTOR\tACTION\tOBJECT\tDETAIL")
		for _, e := range entries {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.At.Format(time.RFC3339), e.Actor, e.Action, e.Object, e.Detail)
		}
		return tw.Flush()
	}
	return nil
}
