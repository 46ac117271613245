package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"rollcall/internal/registry"
	"rollcall/internal/store"
)

func init() {
	register("person", "mark persons withheld or public (person mark PERSON|--from FILE withheld|public --reason TEXT)", runPerson)
}

func runPerson(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "person", "person mark PERSON withheld|public --reason TEXT [--by NAME]\n       rollcall person mark --from FILE withheld|public --reason TEXT\n\n"+
		"withheld: the person appears only as 'Name withheld (#ID)' with region and state.\n"+
		"public: listed by name; needs a recorded reason, or a consent (--consent-by, --consent-on, --consent-how),\n"+
		"and minors and relatives need the consent.\n"+
		"--from FILE marks every person id in FILE (one a line; blank lines and lines starting with # are skipped)\n"+
		"the same way, one audit entry per person; an id that names no person refuses the whole file.", stderr)
	reason := fs.String("reason", "", "why (required unless a consent is given; kept in the person's history)")
	by := fs.String("by", store.ActorCLI, "who decides (kept in the audit log)")
	from := fs.String("from", "", "a file of person ids, one a line, to mark alike")
	consentBy := fs.String("consent-by", "", "who gave the consent (stored sealed)")
	consentOn := fs.String("consent-on", "", "when the consent was given (YYYY-MM-DD)")
	consentHow := fs.String("consent-how", "", "how the consent was given (in writing, by phone, …)")
	passFD := passphraseFlag(fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	want := 3
	if *from != "" {
		want = 2
	}
	if len(rest) != want || rest[0] != "mark" {
		fs.Usage()
		return errUsage
	}
	mark, ok := registry.ParsePublicity(rest[want-1])
	if !ok {
		return fmt.Errorf("%q: want withheld or public", rest[want-1])
	}
	consent := registry.Consent{GivenBy: *consentBy, How: *consentHow}
	if *consentOn != "" {
		if consent.Given, err = registry.ParseDay(*consentOn); err != nil {
			return fmt.Errorf("--consent-on: %w", err)
		}
	}
	if err := registry.CheckMark(mark, *reason, consent); err != nil {
		return err
	}
	ids := []string{rest[1]}
	if *from != "" {
		if ids, err = readPersonIDs(*from); err != nil {
			return err
		}
	}
	open := g.open
	if !consent.Empty() {
		// Who gave a consent is stored sealed: the data key is needed.
		open = func(ctx context.Context) (*store.Store, error) {
			st, _, err := openWithKeys(ctx, g, *passFD)
			return st, err
		}
	}
	st, err := open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	merged, err := st.MergedInto(ctx, ids)
	if err != nil {
		return err
	}
	n, err := st.MarkMany(ctx, *by, ids, mark, *reason, consent)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if survivor, ok := merged[id]; ok {
			fmt.Fprintf(stdout, "person %s was merged into %s: the mark is applied to %s\n", id, survivor, survivor)
		}
	}
	if _, err := st.RefreshPublic(ctx); err != nil {
		return fmt.Errorf("marked, but the public list was not refreshed: %w", err)
	}
	if *from == "" {
		marked := ids[0]
		if survivor, ok := merged[marked]; ok {
			marked = survivor
		}
		fmt.Fprintf(stdout, "person %s marked %s\n", marked, mark)
	} else {
		fmt.Fprintf(stdout, "%d persons marked %s\n", n, mark)
	}
	return nil
}

// readPersonIDs reads a file of person ids (parsePersonIDs).
func readPersonIDs(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parsePersonIDs(f, path)
}

// parsePersonIDs reads person ids, one a line; blank lines and comments
// (#) are skipped. A line holding more than one word is refused with its
// number, and so is a file of no id: marking nobody is surely a mistake.
func parsePersonIDs(r io.Reader, name string) ([]string, error) {
	var ids []string
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		id := strings.TrimSpace(sc.Text())
		if id == "" || strings.HasPrefix(id, "#") {
			continue
		}
		if strings.ContainsFunc(id, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' }) || !utf8.ValidString(id) {
			return nil, fmt.Errorf("%s:%d: %q is not one person id (one id a line)", name, line, id)
		}
		ids = append(ids, id)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(ids) == 0 {
		return nil, errors.New(name + ": no person id in the file")
	}
	return ids, nil
}
