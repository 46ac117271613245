package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"rollcall/internal/store"
)

func init() {
	register("names", "list the name forms dedupe learned from the records, or accept or refuse one", runNames)
}

const namesHelp = `Dedupe learns name forms from the records: two forms of a given name or a
surname (Temirbek and Демирбек) that pairs of records agreeing on everything
else (surname or given name, patronymic, birth, place, sex, claims) write for
one person, shown by at least two persons, that no transliteration reaches
and the equivalents table lacks. An accepted form is used by every later
'rollcall dedupe' run; a refused one is never proposed again. A form that
would join two records people declared different persons is refused, with
the pair named. Every decision is in the audit log.`

func runNames(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "accept" || args[0] == "refuse") {
		return runNamesDecide(ctx, g, args[0], args[1:], stdout, stderr)
	}
	fs := newFlags(g, "names", "names [--status proposed|accepted|refused|all] [--json]\n       rollcall names accept|refuse FORM [--by NAME] [--why TEXT]\n\n"+namesHelp, stderr)
	status := fs.String("status", store.FormProposed, "which forms to list: proposed, accepted, refused or all")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	switch *status {
	case "all":
		*status = ""
	case store.FormProposed, store.FormAccepted, store.FormRefused:
	default:
		return fmt.Errorf("--status %q: say proposed, accepted, refused or all", *status)
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	forms, err := st.NameForms(ctx, *status)
	if err != nil {
		return err
	}
	if *asJSON {
		type formJSON struct {
			ID, Kind, A, B, ShownA, ShownB, Status, DecidedBy, Why string
			Support                                                int
			Pairs                                                  [][2]string
		}
		out := []formJSON{}
		for _, f := range forms {
			out = append(out, formJSON{f.ID, f.Kind, f.A, f.B, f.ShownA, f.ShownB, f.Status, f.DecidedBy, f.Why, f.Support, f.Pairs})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(forms) == 0 {
		fmt.Fprintln(stdout, "No name forms here. 'rollcall dedupe --auto' learns them from the records.")
		return nil
	}
	for _, f := range forms {
		fmt.Fprintf(stdout, "%s  %-8s %s = %s  (%s = %s)  %d persons  %s", f.ID, f.Kind, f.ShownA, f.ShownB, f.A, f.B, f.Support, f.Status)
		if f.DecidedBy != "" {
			fmt.Fprintf(stdout, " by %s", f.DecidedBy)
		}
		fmt.Fprintln(stdout)
		for _, p := range f.Pairs {
			fmt.Fprintf(stdout, "    records %s and %s\n", p[0], p[1])
		}
	}
	fmt.Fprintf(stdout, "\nDecide with: rollcall names accept|refuse FORM --by NAME --why TEXT\n")
	return nil
}

func runNamesDecide(ctx context.Context, g *globals, verb string, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "names", "names "+verb+" FORM [--by NAME] [--why TEXT]\n\n"+namesHelp, stderr)
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
	verdict := map[string]string{"accept": store.FormAccepted, "refuse": store.FormRefused}[verb]
	if err := st.DecideNameForm(ctx, rest[0], verdict, *d.by, *d.why); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "name form %s %s.", rest[0], verdict)
	if verdict == store.FormAccepted {
		fmt.Fprint(stdout, " The next 'rollcall dedupe' uses it.")
	}
	fmt.Fprintln(stdout)
	return nil
}
