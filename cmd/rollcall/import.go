package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"rollcall/internal/intake"
)

func init() {
	register("import", "import interchange CSV files, all or nothing per file", runImport)
}

func runImport(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "import", "import [--dry-run] [--json] FILE...", stderr)
	dryRun := fs.Bool("dry-run", false, "check the files and say what would change, without writing anything")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	passFD := passphraseFlag(fs)
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return errUsage
	}
	// The import holds one map entry per record; keep the heap close to
	// what is live so a million-row file stays within a small machine.
	// Below that limit the heap may grow to five times what is live
	// before a collection: most of what the import allocates dies young,
	// and a file of 100,000 rows then imports some 8% faster.
	debug.SetMemoryLimit(140 << 20)
	debug.SetGCPercent(400)
	// Notes are sealed as they are written, so the data key must be open.
	st, _, err := openWithKeys(ctx, g, *passFD)
	if err != nil {
		return err
	}
	defer st.Close()

	var results []intake.Result
	failed := 0
	for _, file := range files {
		opt := intake.Options{DryRun: *dryRun, Progress: terminalProgress(stderr, file), Bulk: true}
		res, err := intake.ImportFile(ctx, st, file, opt)
		if err != nil {
			failed++
			fmt.Fprintln(stderr, err)
			fmt.Fprintf(stderr, "%s: nothing imported\n", file)
			continue
		}
		results = append(results, res)
		if !*asJSON {
			verb := "imported"
			if *dryRun {
				verb = "would import"
			}
			fmt.Fprintf(stdout, "%s: %d rows read; %s %d new claims, %d new records (%d new persons), %d new sources; %d claims already present\n",
				file, res.Rows, verb, res.ClaimsNew, res.RecordsNew, res.PersonsNew, res.SourcesNew, res.ClaimsUnchanged)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"dry_run": *dryRun, "files": results}); err != nil {
			return err
		}
	}
	// The public list is not rebuilt here: that takes longer than a large
	// import itself. It is stale now, and serve rebuilds it within a
	// minute; publish and mirror rebuild it before they use it.
	if failed > 0 {
		return fmt.Errorf("%d of %d files had errors and were not imported", failed, len(files))
	}
	return nil
}

// terminalProgress draws a progress bar when stderr is a terminal, and
// nothing otherwise (CI logs stay clean).
func terminalProgress(stderr io.Writer, file string) func(done, total int64) {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int64) {
		if bar == nil {
			bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(stderr), progressbar.OptionShowBytes(true),
				progressbar.OptionSetDescription(file), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		}
		bar.Set64(done)
	}
}
