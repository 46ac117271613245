package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"rollcall/internal/registry"
)

func init() {
	register("person", "mark a person withheld or public (person mark PERSON withheld|public --reason TEXT)", runPerson)
}

func runPerson(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "person", "person mark PERSON withheld|public --reason TEXT [--by NAME]\n\nwithheld: the person appears only as 'Name withheld (#ID)' with region and state.\npublic: shows a minor or a relative whom the rules would withhold.", stderr)
	reason := fs.String("reason", "", "why (required; kept in the person's history)")
	by := fs.String("by", "cli", "who decides")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 3 || rest[0] != "mark" {
		fs.Usage()
		return errUsage
	}
	mark, ok := registry.ParsePublicity(rest[2])
	if !ok {
		return fmt.Errorf("%q: want withheld or public", rest[2])
	}
	if *reason == "" {
		return errors.New("--reason is required")
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.MarkPerson(ctx, rest[1], mark, *reason, *by); err != nil {
		return err
	}
	if _, err := st.RefreshPublic(ctx); err != nil {
		return fmt.Errorf("marked, but the public list was not refreshed: %w", err)
	}
	fmt.Fprintf(stdout, "person %s marked %s\n", rest[1], mark)
	return nil
}
