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
	"rollcall/internal/seal"
	"rollcall/internal/store"
)

func init() {
	register("field", "a field instance: 'field init' makes one sealed under a passphrase, 'field wipe' destroys its data key and data in seconds", runField)
}

// fieldMarkerFile in a data directory says it is a field instance: bundle
// key and bundle export then refuse a data key that is not under a
// passphrase, since a laptop may be taken.
const fieldMarkerFile = "field-instance"

const fieldWipeHelp = `field init [--passphrase-fd N | --no-passphrase]
field wipe [--yes]

'field init' makes a new data directory a field instance: its data key is
made under a passphrase from the start (asked twice on the terminal, or one
line read from --passphrase-fd N), so no clear key ever sits on the laptop's
disk, and it prints the instance's identity. --no-passphrase keeps the key
plain (warned): then 'bundle key' and 'bundle export' also need
--no-passphrase.

'field wipe' makes this instance's data directory unreadable, for the moment a laptop is
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
	passFD := fs.Int("passphrase-fd", -1, "init: read the new passphrase from this file descriptor instead of asking twice on the terminal")
	noPass := fs.Bool("no-passphrase", false, "init: keep the data key plain (not for a laptop that may be taken)")
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	if sub == "init" {
		return fieldInit(ctx, g, *passFD, *noPass, stdout, stderr)
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

// fieldInit makes a new data directory a field instance. The passphrase is
// read before anything is written, and the key is made sealed under it, so
// the clear key never reaches the disk.
func fieldInit(ctx context.Context, g *globals, passFD int, noPass bool, stdout, stderr io.Writer) error {
	if g.db != "" {
		return errors.New("field init makes a field instance's own data directory (SQLite); drop --db")
	}
	for _, name := range []string{seal.PlainKeyFile, seal.SealedKeyFile, "rollcall.db", fieldMarkerFile} {
		if _, err := os.Stat(filepath.Join(g.data, name)); err == nil {
			return fmt.Errorf("%s is a data directory already (it has %s): field init makes a new one; to seal an existing key run 'rollcall key passphrase'", g.data, name)
		}
	}
	var pass seal.PassphraseSource
	if noPass {
		fmt.Fprintln(stderr, "warning: --no-passphrase: the data key is kept plain on this laptop's disk; whoever takes the laptop reads every sealed field. Seal it later with 'rollcall key passphrase'")
	} else {
		p, err := newPassphrase(passFD)
		if err != nil {
			return err
		}
		pass = seal.Fixed(p)
	}
	keys, err := seal.Open(g.data, pass)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(g.data, fieldMarkerFile), []byte("rollcall field instance\n"), 0o600); err != nil {
		return err
	}
	st, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.CheckSealKey(ctx, keys); err != nil {
		return err
	}
	st.SetKeys(keys)
	id, err := instanceIdentity(ctx, st)
	if err != nil {
		return err
	}
	sealed := map[bool]string{true: "under a passphrase", false: "plain"}[keys.Sealed()]
	if err := st.Audit(ctx, store.ActorCLI, "field.init", keys.KeyID(), sealed); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "field instance made in %s, data key %s\n%s\n", g.data, sealed, id.Public())
	return nil
}

// isFieldInstance says whether 'field init' made this data directory.
func isFieldInstance(g *globals) bool {
	if g.db != "" {
		return false
	}
	_, err := os.Stat(filepath.Join(g.data, fieldMarkerFile))
	return err == nil
}
