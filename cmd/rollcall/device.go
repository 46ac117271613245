package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"rollcall/internal/field"
	"rollcall/internal/openrosa"
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
  device add NAME --openrosa --volunteer EMAIL [--origin URL] [--qr FILE]
                             a phone with ODK Collect or Tella: prints the server
                             URL to enter in the app (it holds the phone's token,
                             shown only now); its reports go to triage, its
                             records are the volunteer's, in the source phone-NAME
  device list                every device, with its key's fingerprint and whether
                             it is revoked
  device revoke NAME         refuse from now on everything the device signs (a
                             laptop lost or taken), or every request of a phone;
                             its past rows stay`

func runDevice(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fs := newFlags(g, "device", "device add|list|revoke …\n\n"+deviceHelp, stderr)
	hq := fs.Bool("headquarters", false, "add: the device is a headquarters (on a field instance)")
	phone := fs.Bool("openrosa", false, "add: the device is a phone speaking OpenRosa (ODK Collect, Tella)")
	volunteer := fs.String("volunteer", "", "add --openrosa: the e-mail of the account the phone's records are entered as")
	origin := fs.String("origin", originDefault(), "add --openrosa: the site's public origin, https (env ROLLCALL_ORIGIN)")
	qrFile := fs.String("qr", "", "add --openrosa: also write the QR code ODK Collect scans (PNG) to this new file")
	passFD := passphraseFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case sub == "add" && *phone && len(pos) == 1:
		return addPhone(ctx, g, pos[0], *volunteer, *origin, *qrFile, *passFD, stdout)
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
		phones, err := st.Phones(ctx)
		if err != nil {
			return err
		}
		if len(devices)+len(phones) == 0 {
			fmt.Fprintln(stdout, "no devices registered")
		}
		for _, p := range phones {
			state := "accepted"
			if p.Revoked() {
				state = "revoked " + p.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(stdout, "%s\t%s\topenrosa source %s\tadded %s\t%s\n", p.Name, store.RolePhone, store.PhoneSourceKey(p.Name), p.AddedAt.Format(time.RFC3339), state)
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
		if d.Role == store.RolePhone {
			fmt.Fprintf(stdout, "phone %s revoked: its URL is refused from now on\n", d.Name)
			return nil
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

// addPhone registers a phone and prints the URL to enter in Collect or
// Tella, once: only the token's hash is kept.
func addPhone(ctx context.Context, g *globals, name, volunteer, origin, qrFile string, passFD int, stdout io.Writer) error {
	if volunteer == "" {
		return errors.New("device add --openrosa: --volunteer EMAIL is required (the account the phone's records are entered as)")
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !strings.HasSuffix(u.Hostname(), ".onion")) {
		return fmt.Errorf("--origin %q: phones send their token in the URL, so the site must be reached over https (or an onion address)", origin)
	}
	st, _, err := openWithKeys(ctx, g, passFD)
	if err != nil {
		return err
	}
	defer st.Close()
	user, err := st.UserByEmail(ctx, volunteer)
	if errors.Is(err, store.ErrNotFound) {
		return errors.New("no account with that address (see 'rollcall user list')")
	}
	if err != nil {
		return err
	}
	token := openrosa.NewToken()
	p, err := st.AddPhone(ctx, store.ActorCLI, name, user.ID, openrosa.TokenHash(token))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "phone %s added: its records go to the source %s, entered as that account.\n", p.Name, store.PhoneSourceKey(p.Name))
	fmt.Fprintf(stdout, "In ODK Collect (Settings, Project, Server) or Tella (Connections, ODK), enter this server URL, with no user name or password:\n%s\n",
		openrosa.ServerURL(origin, token))
	fmt.Fprintln(stdout, "It is shown only now; hand it over on a safe channel. 'rollcall device revoke "+p.Name+"' stops it.")
	if qrFile != "" {
		if err := writeCollectQR(qrFile, openrosa.ServerURL(origin, token)); err != nil {
			return fmt.Errorf("the phone is added, but the QR code could not be written: %w", err)
		}
		fmt.Fprintf(stdout, "The QR code for ODK Collect (Add project, scan) is in %s; it holds the same URL: delete it once scanned.\n", qrFile)
	}
	return nil
}
