package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"rollcall/internal/field"
)

func init() {
	register("field", "a field instance: 'field wipe' destroys its data key and data in seconds", runField)
}

const fieldWipeHelp = `field wipe [--yes]

Makes this instance's data directory unreadable, for the moment a laptop is
about to be taken: the data key first (overwritten on the disk, then
removed), then the database and every other file, then the folder. There is
no undo: what was not sent to headquarters in a bundle is lost. Stop the
server first (or power the laptop off after): a running server still holds
the key in memory. Asks to type WIPE unless --yes is given.`

func runField(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fs := newFlags(g, "field", fieldWipeHelp, stderr)
	yes := fs.Bool("yes", false, "wipe without asking")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	if sub != "wipe" {
		fs.Usage()
		return errUsage
	}
	if g.db != "" {
		return errors.New("field wipe wipes a field instance's own data directory (its SQLite file); this one uses the database at --db, which it cannot wipe")
	}
	dir, err := filepath.Abs(g.data)
	if err != nil {
		return err
	}
	if !*yes {
		fmt.Fprintf(stderr, "This destroys the data key and every record in %s, for good.\nType WIPE to go on: ", dir)
		line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		if strings.TrimSpace(line) != "WIPE" {
			return errors.New("not confirmed: nothing was wiped")
		}
	}
	start := time.Now()
	rep, err := field.Wipe(dir)
	if err != nil {
		if rep.KeyFiles > 0 {
			return fmt.Errorf("the data key is destroyed (%d files), but the wipe stopped: %w", rep.KeyFiles, err)
		}
		return err
	}
	fmt.Fprintf(stdout, "wiped %s in %.1f s: %d key files destroyed first, %d files overwritten (%.1f MB) and %d evidence files removed\n",
		dir, time.Since(start).Seconds(), rep.KeyFiles, rep.Overwritten, float64(rep.Bytes)/1e6, rep.Removed)
	return nil
}
