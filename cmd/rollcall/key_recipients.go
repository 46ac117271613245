package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"rollcall/internal/store"
)

const keyRecipientsHelp = `key recipients add AGE1…   encrypt every evidence original received from now on
                            also to this age public key (its private half kept
                            away from the server, e.g. on paper or a token)
key recipients add --backup AGE1…
                            encrypt every backup made from now on to this key
key recipients list`

// runKeyRecipients is 'rollcall key recipients add|list'.
func runKeyRecipients(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fs := newFlags(g, "key", "key recipients add|list\n\n"+keyRecipientsHelp, stderr)
	passFD := passphraseFlag(fs)
	forBackup := fs.Bool("backup", false, "a recipient of backups ('rollcall backup'), not of evidence")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch sub {
	case "add":
		if len(pos) == 0 {
			return errors.New("recipients add: give one or more age public keys (age1…)")
		}
	case "list":
	default:
		fs.Usage()
		return errUsage
	}
	st, _, err := openWithKeys(ctx, g, *passFD)
	if err != nil {
		return err
	}
	defer st.Close()
	if sub == "add" && *forBackup {
		for _, r := range pos {
			if err := st.AddBackupRecipient(ctx, store.ActorCLI, r); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "backups made from now on are encrypted to %s\n", strings.TrimSpace(r))
		}
		return nil
	}
	if sub == "add" {
		for _, r := range pos {
			if err := st.AddEvidenceRecipient(ctx, store.ActorCLI, r); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "evidence received from now on is also encrypted to %s\n", strings.TrimSpace(r))
		}
		return nil
	}
	key, err := st.EvidenceKey(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s  (the evidence key, sealed under the data key)\n", key.Recipient())
	rs, err := st.EvidenceRecipients(ctx)
	if err != nil {
		return err
	}
	for _, r := range rs {
		fmt.Fprintf(stdout, "%s  (offline)\n", r)
	}
	backups, err := st.BackupRecipients(ctx)
	if err != nil {
		return err
	}
	for _, r := range backups {
		fmt.Fprintf(stdout, "%s  (backups)\n", r)
	}
	return nil
}
