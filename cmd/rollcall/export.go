package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"rollcall/internal/publish"
	"rollcall/internal/store"
)

func init() {
	register("export", "write every record with its person id as CSV or JSON", runExport)
}

func runExport(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(g, "export", "export --format csv|json [--public] [--out FILE]", stderr)
	format := fs.String("format", "csv", "csv or json")
	public := fs.Bool("public", false, "apply the public rules: no notes, no sources' identities, no claims below the public verification level")
	out := fs.String("out", "", "write to this file instead of standard output")
	passFD := passphraseFlag(fs)
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	if *format != "csv" && *format != "json" {
		return fmt.Errorf("--format %q: want csv or json", *format)
	}
	// The full export holds notes, which are sealed: it needs the data key.
	var st *store.Store
	var err error
	if *public {
		st, err = g.open(ctx)
	} else {
		st, _, err = openWithKeys(ctx, g, *passFD)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	opt := publish.ExportOptions{Format: *format, Public: *public}
	// Entered before a byte is written: an export stopped halfway has let
	// data out all the same. The file's path is left out (it may name a
	// person or a place).
	scope, to := "full", "stdout"
	if *public {
		scope = "public"
	}
	if *out != "" {
		to = "file"
	}
	if err := st.Audit(ctx, cliActor(), "export", *format, "scope="+scope+" to="+to); err != nil {
		return fmt.Errorf("export refused, the audit entry was not written: %w", err)
	}
	if *out == "" {
		return publish.Export(ctx, st, stdout, opt)
	}
	// Write beside the target and rename, so a reader never sees half a file.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := publish.Export(ctx, st, tmp, opt); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), *out)
}
