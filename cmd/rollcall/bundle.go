package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"rollcall/internal/field"
	"rollcall/internal/store"
)

func init() {
	register("bundle", "exchange without a network: key, export, import, ack (docs/operations.md)", runBundle)
}

const bundleHelp = `Subcommands:
  bundle key      print this instance's identity, one line:
                  rollcall-device1:<ed25519 signing key>:<age recipient>
                  (give it to headquarters' 'rollcall device add', or to a
                  field instance's 'bundle export --to')`

func runBundle(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fs := newFlags(g, "bundle", "bundle key|export|import|ack …\n\n"+bundleHelp, stderr)
	passFD := passphraseFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case sub == "key" && len(pos) == 0:
		st, _, err := openWithKeys(ctx, g, *passFD)
		if err != nil {
			return err
		}
		defer st.Close()
		id, err := instanceIdentity(ctx, st)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, id.Public())
		return nil
	}
	fs.Usage()
	return errUsage
}

// instanceIdentity opens this instance's identity, making it at first use.
func instanceIdentity(ctx context.Context, st *store.Store) (*field.Identity, error) {
	text, err := st.InstanceIdentity(ctx, func() (string, error) {
		id, err := field.NewIdentity()
		if err != nil {
			return "", err
		}
		return id.String(), nil
	})
	if err != nil {
		return nil, err
	}
	return field.ParseIdentity(text)
}
