package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"rollcall/internal/registry"
	"rollcall/internal/store"
)

func init() {
	register("source", "the lists and channels that report: list them, set a source's kind and reliability", runSource)
}

func runSource(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "set" {
		return runSourceSet(ctx, g, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "list" {
		args = args[1:]
	}
	fs := newFlags(g, "source", "source [list] [--json]\n       rollcall source set KEY --kind KIND [--reliability N]", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	sources, err := st.Sources(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		type out struct {
			Key         string `json:"key"`
			Kind        string `json:"kind"`
			Reliability int    `json:"reliability"`
			Records     int    `json:"records"`
		}
		list := []out{}
		for _, s := range sources {
			list = append(list, out{s.Key, string(s.Kind), s.Reliability, s.Records})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tKIND\tRELIABILITY\tRECORDS")
	for _, s := range sources {
		kind := string(s.Kind)
		if kind == "" {
			kind = "(not set)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\n", s.Key, kind, s.Reliability, s.Records)
	}
	return tw.Flush()
}

func runSourceSet(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	kinds := make([]string, len(registry.SourceKinds))
	for i, k := range registry.SourceKinds {
		kinds[i] = string(k)
	}
	fs := newFlags(g, "source", "source set KEY [--kind KIND] [--reliability N] [--public-basis TEXT | --no-public-basis]", stderr)
	kindFlag := fs.String("kind", "", "what the source is, shown on public pages: "+strings.Join(kinds, ", "))
	reliability := fs.Int("reliability", -1, "how far it is trusted: 1 (low) to 5 (high), 0 unknown")
	basis := fs.String("public-basis", "", "where this source published these names itself (a media list, a verdict, an official statement): its persons may then be listed by name")
	noBasis := fs.Bool("no-public-basis", false, "withdraw the source's public basis")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return errUsage
	}
	basisGiven := false
	fs.Visit(func(f *flag.Flag) { basisGiven = basisGiven || f.Name == "public-basis" })
	if basisGiven && *noBasis {
		return fmt.Errorf("--public-basis and --no-public-basis: give one")
	}
	if basisGiven && strings.TrimSpace(*basis) == "" {
		return fmt.Errorf("--public-basis: %w", store.ErrBasisNeedsText)
	}
	if *kindFlag == "" && *reliability < 0 && !basisGiven && !*noBasis {
		fs.Usage()
		return errUsage
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if basisGiven || *noBasis {
		switch err := st.SetSourceBasis(ctx, cliActor(), rest[0], *basis, *noBasis); {
		case errors.Is(err, store.ErrDuplicate):
			fmt.Fprintf(stdout, "source %s: public basis already so; nothing changed\n", rest[0])
		case err != nil:
			return err
		case *noBasis:
			fmt.Fprintf(stdout, "source %s: public basis withdrawn\n", rest[0])
		default:
			fmt.Fprintf(stdout, "source %s: public basis recorded\n", rest[0])
		}
		if *kindFlag == "" && *reliability < 0 {
			if _, err := st.RefreshPublic(ctx); err != nil {
				return fmt.Errorf("public basis set, but the public list was not refreshed: %w", err)
			}
			return nil
		}
	}
	current, err := st.SourceByKey(ctx, rest[0])
	if err != nil {
		return err
	}
	kind := current.Kind
	if *kindFlag != "" {
		if kind, err = registry.ParseSourceKind(*kindFlag); err != nil {
			return fmt.Errorf("--kind: %w", err)
		}
	}
	if *reliability < 0 {
		*reliability = current.Reliability
	}
	if kind == "" {
		return fmt.Errorf("source %s has no kind yet: give --kind", rest[0])
	}
	switch err := st.SetSource(ctx, cliActor(), rest[0], kind, *reliability); {
	case errors.Is(err, store.ErrDuplicate):
		fmt.Fprintf(stdout, "source %s: kind %s, reliability %d already; nothing changed\n", rest[0], kind, *reliability)
		return nil
	case err != nil:
		return err
	}
	// The kind appears on public pages: rebuild the public list now.
	if _, err := st.RefreshPublic(ctx); err != nil {
		return fmt.Errorf("source set, but the public list was not refreshed: %w", err)
	}
	fmt.Fprintf(stdout, "source %s: kind %s, reliability %d\n", rest[0], kind, *reliability)
	return nil
}
