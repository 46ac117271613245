package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/web"
)

func init() {
	register("site", "edit the public site's texts: the appeal, and figures other parties published", runSite)
}

const siteUsage = `site appeal --lang LANG FILE|-     set the home page's appeal (blank lines part paragraphs)
       rollcall site appeal --lang LANG --reset         go back to the built-in appeal
       rollcall site appeal --lang LANG --show          print the appeal in force
       rollcall site figure add --party WHO --what WHAT --value N --as-of YYYY-MM-DD --source TEXT [--count NAME] [--url URL]
       rollcall site figure list [--json]
       rollcall site figure remove ID`

func runSite(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "Usage: rollcall %s\n", siteUsage)
		return errUsage
	}
	if args[0] == "--help" || args[0] == "-help" || args[0] == "-h" || args[0] == "help" {
		fmt.Fprintf(stderr, "Usage: rollcall %s\n\n%s\n", siteUsage, commands["site"].summary)
		return flag.ErrHelp
	}
	switch {
	case args[0] == "appeal":
		return runSiteAppeal(ctx, g, args[1:], stdout, stderr)
	case args[0] == "figure" && len(args) > 1 && args[1] == "add":
		return runFigureAdd(ctx, g, args[2:], stdout, stderr)
	case args[0] == "figure" && len(args) > 1 && args[1] == "list":
		return runFigureList(ctx, g, args[2:], stdout, stderr)
	case args[0] == "figure" && len(args) > 1 && args[1] == "remove":
		return runFigureRemove(ctx, g, args[2:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "Usage: rollcall %s\n", siteUsage)
	return errUsage
}

func checkLanguage(lang string) error {
	langs := web.Languages()
	if !slices.Contains(langs, lang) {
		return fmt.Errorf("--lang %q: the site's languages are %s", lang, strings.Join(langs, ", "))
	}
	return nil
}

func runSiteAppeal(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "site", "site appeal --lang LANG FILE|- | --reset | --show", stderr)
	lang := fs.String("lang", "", "language of the appeal (en, ru, kaa, uz …); required")
	reset := fs.Bool("reset", false, "delete the stored appeal: the site shows its built-in one")
	show := fs.Bool("show", false, "print the stored appeal")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := checkLanguage(*lang); err != nil {
		return err
	}
	if (*reset || *show) != (len(rest) == 0) || len(rest) > 1 || (*reset && *show) {
		fs.Usage()
		return errUsage
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch {
	case *show:
		body, ok, err := st.SiteText(ctx, *lang, store.SiteAppeal)
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintf(stderr, "No appeal is stored in %s: the site shows its built-in one.\n", *lang)
			return nil
		}
		fmt.Fprint(stdout, body)
		return nil
	case *reset:
		if err := st.DeleteSiteText(ctx, *lang, store.SiteAppeal); err != nil && err != store.ErrNotFound {
			return err
		}
		fmt.Fprintf(stdout, "The %s appeal is the built-in one again.\n", *lang)
		return nil
	}
	var body []byte
	if rest[0] == "-" {
		body, err = io.ReadAll(io.LimitReader(os.Stdin, 1<<20))
	} else {
		body, err = os.ReadFile(rest[0])
	}
	if err != nil {
		return err
	}
	text := strings.TrimSpace(string(body))
	if text == "" {
		return fmt.Errorf("%s is empty; to go back to the built-in appeal use --reset", rest[0])
	}
	if err := st.SetSiteText(ctx, *lang, store.SiteAppeal, text); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "The %s appeal is set (%d paragraphs).\n", *lang, strings.Count(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n")+1)
	return nil
}

func runFigureAdd(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "site", "site figure add --party WHO --what WHAT --value N --as-of YYYY-MM-DD --source TEXT [--count NAME] [--url URL]", stderr)
	var f store.Figure
	fs.StringVar(&f.Party, "party", "", "who published the figure (e.g. \"Prosecutor General of Uzbekistan\")")
	fs.StringVar(&f.What, "what", "", "what it counts, in their words (e.g. \"dead\")")
	fs.IntVar(&f.Value, "value", -1, "the figure")
	asOf := fs.String("as-of", "", "the day the figure is as of (YYYY-MM-DD)")
	fs.StringVar(&f.Source, "source", "", "where it was published (title, document, date)")
	fs.StringVar(&f.Count, "count", "", "our count to show beside it: "+strings.Join(registry.CountNames, ", "))
	fs.StringVar(&f.URL, "url", "", "the source's address (http or https)")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	if *asOf != "" {
		var err error
		if f.AsOf, err = registry.ParseDay(*asOf); err != nil {
			return fmt.Errorf("--as-of: %w", err)
		}
	}
	if err := f.Validate(); err != nil {
		return err
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if f, err = st.AddFigure(ctx, f); err != nil {
		return err
	}
	fmt.Fprintln(stdout, f.ID)
	return nil
}

func runFigureList(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "site", "site figure list [--json]", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	figures, err := st.Figures(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		type figureJSON struct {
			ID     string `json:"id"`
			Party  string `json:"party"`
			What   string `json:"what"`
			Count  string `json:"count,omitempty"`
			Value  int    `json:"value"`
			AsOf   string `json:"as_of"`
			Source string `json:"source"`
			URL    string `json:"url,omitempty"`
		}
		out := []figureJSON{}
		for _, f := range figures {
			out = append(out, figureJSON{f.ID, f.Party, f.What, f.Count, f.Value, f.AsOf.String(), f.Source, f.URL})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAS OF\tPARTY\tWHAT\tVALUE\tOURS\tSOURCE")
	for _, f := range figures {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", f.ID, f.AsOf, f.Party, f.What, f.Value, f.Count, f.Source)
	}
	return tw.Flush()
}

func runFigureRemove(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "site", "site figure remove ID", stderr)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return errUsage
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.RemoveFigure(ctx, rest[0]); err != nil {
		if err == store.ErrNotFound {
			return fmt.Errorf("no figure %q (see: rollcall site figure list)", rest[0])
		}
		return err
	}
	fmt.Fprintf(stdout, "Removed %s.\n", rest[0])
	return nil
}
