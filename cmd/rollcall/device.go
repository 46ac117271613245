package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"rollcall/internal/field"
	"rollcall/internal/store"
)

func init() {
	register("device", "field instances headquarters accepts bundles from: add, list, revoke", runDevice)
}

const deviceHelp = `Subcommands:
  device add NAME IDENTITY   accept bundles signed by this field instance; IDENTITY
                             is the line 'rollcall bundle key' printed on it
  device add --headquarters NAME IDENTITY
                             on a field instance: the headquarters whose
                             acknowledgements it accepts ('bundle export --to'
                             registers it too)
  device list                every device, with its key's fingerprint and whether
                             it is revoked
  device revoke NAME         refuse from now on everything the device signs (a
                             laptop lost or taken); its past rows stay`

func runDevice(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fs := newFlags(g, "device", "device add|list|revoke …\n\n"+deviceHelp, stderr)
	hq := fs.Bool("headquarters", false, "add: the device is a headquarters (on a field instance)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case sub == "add" && len(pos) == 2:
		pub, err := field.ParsePublic(pos[1])
		if err != nil {
			return err
		}
		st, err := g.open(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		role := store.RoleField
		if *hq {
			role = store.RoleHeadquarters
		}
		d, err := st.AddDevice(ctx, store.ActorCLI, pos[0], role, field.SignKeyText(pub.Sign), pub.Age.String())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "device %s added (%s, key %s)\n", d.Name, d.Role, field.Fingerprint(pub.Sign))
		return nil
	case sub == "list" && len(pos) == 0:
		st, err := g.open(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		devices, err := st.Devices(ctx)
		if err != nil {
			return err
		}
		if len(devices) == 0 {
			fmt.Fprintln(stdout, "no devices registered")
		}
		for _, d := range devices {
			state := "accepted"
			if d.Revoked() {
				state = "revoked " + d.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(stdout, "%s\t%s\tkey %s\tadded %s\t%s\n", d.Name, d.Role, fingerprintOf(d.SignKey), d.AddedAt.Format(time.RFC3339), state)
		}
		return nil
	case sub == "revoke" && len(pos) == 1:
		st, err := g.open(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		d, err := st.RevokeDevice(ctx, store.ActorCLI, pos[0])
		if errors.Is(err, store.ErrUnknownDevice) {
			return fmt.Errorf("no device named %q (see 'rollcall device list')", pos[0])
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "device %s revoked: its bundles are refused from now on\n", d.Name)
		return nil
	}
	fs.Usage()
	return errUsage
}

func fingerprintOf(signKey string) string {
	k, err := field.ParseSignKey(signKey)
	if err != nil {
		return "?"
	}
	return field.Fingerprint(k)
}
