package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"rollcall/internal/seal"
	"rollcall/internal/store"
)

func init() {
	register("key", "the data key that seals sensitive fields: status, rotate, passphrase", runKey)
}

const keyHelp = `Subcommands:
  key status                 which key is in use and whether a passphrase seals it
  key rotate                 re-encrypt every sealed value under a new key, in one
                             transaction; the old key is kept until it is done
  key passphrase [--remove]  seal the key file under a new passphrase (asked on the
                             terminal, or read from --new-passphrase-fd), or keep it
                             plain again (mode 0600)
  key recipients add AGE1…   also encrypt evidence originals to an offline key
  key recipients list

The key lives in the data directory: seal.key (plain, mode 0600) or
seal.key.age (under a passphrase). Losing it loses every sealed field: back it
up apart from the database. When it is under a passphrase, every command that
opens it asks for the passphrase on the terminal or reads it from
--passphrase-fd N (a line on that file descriptor).`

// passphraseFlag adds --passphrase-fd to a command that opens the key.
func passphraseFlag(fs *flag.FlagSet) *int {
	return fs.Int("passphrase-fd", -1, "read the key's passphrase from this file descriptor (default: ask on the terminal, when the key is under one)")
}

// openKeys opens the data key, asking for its passphrase only when the key
// is under one: a new key is made plain (seal it later with 'key
// passphrase').
func openKeys(g *globals, passFD int) (*seal.Keyring, error) {
	var pass seal.PassphraseSource
	if seal.Locked(g.data) {
		if passFD >= 0 {
			pass = seal.FD(uintptr(passFD))
		} else {
			pass = seal.Terminal(int(os.Stdin.Fd()))
		}
	}
	return seal.Open(g.data, pass)
}

// openWithKeys opens the store and the data key together. It refuses to
// make a new key for a database that has sealed values already, and to go
// on with a key that did not seal them: either would leave two keys, each
// opening half of the data.
func openWithKeys(ctx context.Context, g *globals, passFD int) (*store.Store, *seal.Keyring, error) {
	st, err := g.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	if !seal.Exists(g.data) {
		ids, err := st.SealKeysInUse(ctx)
		if err != nil {
			st.Close()
			return nil, nil, err
		}
		if len(ids) > 0 {
			st.Close()
			return nil, nil, fmt.Errorf("no key file in %s, but the database holds values sealed with key %s: restore seal.key (or seal.key.age) from its backup, or give the right --data", g.data, ids[0])
		}
	}
	keys, err := openKeys(g, passFD)
	if err == nil {
		err = st.CheckSealKey(ctx, keys)
	}
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	st.SetKeys(keys)
	if err := sealWhatNeedsTheKey(ctx, st); err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, keys, nil
}

// sealWhatNeedsTheKey does what needs the data key and so no migration could:
// it seals the content of reports filed before it was sealed.
func sealWhatNeedsTheKey(ctx context.Context, st *store.Store) error {
	if _, err := st.SealClearReports(ctx); err != nil {
		return fmt.Errorf("sealing the content of older reports: %w", err)
	}
	return nil
}

func runKey(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	if sub == "recipients" {
		return runKeyRecipients(ctx, g, args, stdout, stderr)
	}
	fs := newFlags(g, "key", "key status|rotate|passphrase|recipients [options]\n\n"+keyHelp, stderr)
	passFD := passphraseFlag(fs)
	var remove *bool
	var newFD *int
	if sub == "passphrase" {
		remove = fs.Bool("remove", false, "keep the key file plain (mode 0600) instead of under a passphrase")
		newFD = fs.Int("new-passphrase-fd", -1, "read the new passphrase from this file descriptor instead of asking twice on the terminal")
	}
	if err := parseOnlyFlags(fs, args); err != nil {
		return err
	}
	switch sub {
	case "status":
		st, keys, err := openWithKeys(ctx, g, *passFD)
		if err != nil {
			return err
		}
		st.Close()
		where := seal.PlainKeyFile + " (plain, mode 0600)"
		if keys.Sealed() {
			where = seal.SealedKeyFile + " (under a passphrase)"
		}
		fmt.Fprintf(stdout, "key %s in %s\n", keys.KeyID(), where)
		if ids := keys.KeyIDs(); len(ids) > 1 {
			fmt.Fprintf(stdout, "an unfinished rotation left older keys: %v; run 'rollcall key rotate' again\n", ids[1:])
		}
		return nil
	case "rotate":
		st, keys, err := openWithKeys(ctx, g, *passFD)
		if err != nil {
			return err
		}
		defer st.Close()
		old := keys.KeyID()
		if err := keys.BeginRotation(g.data); err != nil {
			return err
		}
		rep, err := st.ResealAll(ctx, store.ActorCLI)
		if err != nil {
			// The key file still holds the old key beside the new one:
			// every value still opens; running rotate again finishes.
			return fmt.Errorf("rotation not done, nothing changed in the database: %w", err)
		}
		if err := keys.FinishRotation(g.data); err != nil {
			return fmt.Errorf("values re-encrypted, but the old key could not be dropped from the key file: %w", err)
		}
		fmt.Fprintf(stdout, "key %s replaced by %s: %d accounts, %d sealed values, %d claim notes, %d report and donation fields re-encrypted\n", old, keys.KeyID(), rep.Users, rep.SealedValues, rep.ClaimNotes, rep.Columns)
		return nil
	case "passphrase":
		st, keys, err := openWithKeys(ctx, g, *passFD)
		if err != nil {
			return err
		}
		defer st.Close()
		if *remove {
			if err := keys.SetPassphrase(g.data, nil); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "the key is now kept plain in %s (mode 0600)\n", seal.PlainKeyFile)
			return nil
		}
		p, err := newPassphrase(*newFD)
		if err != nil {
			return err
		}
		if err := keys.SetPassphrase(g.data, p); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "the key is now sealed under the passphrase in %s; start the server with --unlock\n", seal.SealedKeyFile)
		return st.Audit(ctx, store.ActorCLI, "key.passphrase", keys.KeyID(), "")
	case "", "help":
		fs.Usage()
		return errUsage
	}
	return fmt.Errorf("unknown subcommand %q (status, rotate, passphrase)", sub)
}

// newPassphrase reads a new passphrase from fd, or twice from the terminal.
func newPassphrase(fd int) ([]byte, error) {
	var p1 []byte
	var err error
	if fd >= 0 {
		p1, err = seal.FD(uintptr(fd))()
	} else {
		p1, err = askTwice()
	}
	if err != nil {
		return nil, err
	}
	if len([]rune(string(p1))) < 12 {
		return nil, errors.New("a passphrase needs at least 12 characters")
	}
	return p1, nil
}

func askTwice() ([]byte, error) {
	p1, err := seal.Terminal(int(os.Stdin.Fd()))()
	if err != nil {
		return nil, err
	}
	p2, err := seal.Terminal(int(os.Stdin.Fd()))()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(p1, p2) {
		return nil, errors.New("the two passphrases differ")
	}
	return p1, nil
}
