package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/store"
	"rollcall/internal/web"
)

func init() {
	register("user", "accounts of the editors' workspace: add, list, role, disable, enable, unlock, reset-2fa", runUser)
}

const userHelp = `Subcommands:
  user add --role ROLE EMAIL   make an account; prints its one-time set-up link
  user list [--json]           every account: address, role, second factor, state
  user role EMAIL ROLE         change the role (ends the account's sessions)
  user disable EMAIL           shut the account and end all its sessions
  user enable EMAIL            open a disabled account again
  user unlock EMAIL            print a one-time reset link: the owner sets a new
                               password with it, which also lifts a lock
  user reset-2fa EMAIL         remove the second factor and recovery codes (phone
                               and codes lost); the next sign-in sets up a new one

Roles: admin, editor (verifies, links, publishes), volunteer (enters records,
sees only their own), treasurer (money only), viewer (reads the registry).
Admins, editors and treasurers must set up a second factor at first sign-in.
There are no default passwords: a new account has none until its owner sets
one through the link (valid 72 hours, once).`

// originDefault is the site's public origin for one-time links: ROLLCALL_ORIGIN (the name
// serve's documentation uses), then the older ROLLCALL_BASE_URL, then serve's own default.
func originDefault() string {
	return envOr("ROLLCALL_ORIGIN", envOr("ROLLCALL_BASE_URL", "http://127.0.0.1:8080"))
}

// sayOrigin tells which origin a link was built on, so that a link to the wrong port or host
// is noticed before it is handed on.
func sayOrigin(w io.Writer, origin string) {
	fmt.Fprintf(w, "(the link uses the origin %s; if the site is reached elsewhere, give --origin URL or set ROLLCALL_ORIGIN)\n", strings.TrimRight(origin, "/"))
}

// linkURL is the page of the workspace that takes a one-time link.
func linkURL(base, purpose, token string) string {
	return strings.TrimRight(base, "/") + "/admin/" + purpose + "?token=" + url.QueryEscape(token)
}

func runUser(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fs := newFlags(g, "user", "user add|list|role|disable|enable|unlock|reset-2fa [options] [EMAIL] [ROLE]\n\n"+userHelp, stderr)
	passFD := passphraseFlag(fs)
	role := fs.String("role", "", "the new account's role (user add)")
	base := fs.String("origin", originDefault(), "the site's public origin, for links (env ROLLCALL_ORIGIN)")
	fs.StringVar(base, "base-url", originDefault(), "the same as --origin (older name)")
	asJSON := fs.Bool("json", false, "print JSON (user list)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	want := map[string]int{"add": 1, "list": 0, "role": 2, "disable": 1, "enable": 1, "unlock": 1, "reset-2fa": 1}
	n, known := want[sub]
	if !known {
		if sub == "" || sub == "help" {
			fs.Usage()
			return errUsage
		}
		return fmt.Errorf("unknown subcommand %q (add, list, role, disable, enable, unlock, reset-2fa)", sub)
	}
	if len(rest) != n {
		fs.Usage()
		return errUsage
	}
	origin, err := web.ParseOrigin(*base)
	if err != nil {
		return fmt.Errorf("--origin (or ROLLCALL_ORIGIN): %w", err)
	}
	*base = origin
	if sub == "add" && *role == "" {
		fmt.Fprintln(stderr, "user add: --role is required (admin, editor, volunteer, treasurer, viewer)")
		return errUsage
	}
	st, _, err := openWithKeys(ctx, g, *passFD)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := auth.New(st)

	if sub == "list" {
		return listUsers(ctx, st, svc, *asJSON, stdout)
	}
	if sub == "add" {
		r, err := auth.ParseRole(*role)
		if err != nil {
			return err
		}
		_, token, err := svc.AddUser(ctx, store.ActorCLI, rest[0], r)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Account made (%s). Give its owner this one-time set-up link, valid until %s, through a safe channel:\n%s\n",
			r, st.Now().Add(auth.SetupLinkLife).UTC().Format(time.RFC3339), linkURL(*base, auth.PurposeSetup, token))
		sayOrigin(stdout, *base)
		return nil
	}
	u, err := st.UserByEmail(ctx, rest[0])
	if errors.Is(err, store.ErrNotFound) {
		// The address is not repeated: terminals are logged too.
		return errors.New("no account with that address")
	}
	if err != nil {
		return err
	}
	switch sub {
	case "role":
		r, err := auth.ParseRole(rest[1])
		if err != nil {
			return err
		}
		if err := st.SetUserRole(ctx, store.ActorCLI, u.ID, string(r)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "role changed from %s to %s; the account's sessions ended\n", u.Role, r)
		if r.NeedsSecondFactor() && !u.HasTOTP() {
			fmt.Fprintln(stdout, "the account must set up a second factor at its next sign-in")
		}
	case "disable":
		ended, err := st.DisableUser(ctx, store.ActorCLI, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "account disabled; %d sessions ended\n", ended)
	case "enable":
		if err := st.EnableUser(ctx, store.ActorCLI, u.ID); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "account enabled")
	case "reset-2fa":
		if err := st.ClearSecondFactor(ctx, store.ActorCLI, u.ID); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "second factor and recovery codes removed; the account's sessions ended; it sets up a new second factor at its next sign-in")
	case "unlock":
		token, err := svc.NewLink(ctx, store.ActorCLI, u.ID, auth.PurposeReset)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Give the owner this one-time reset link, valid until %s; setting a new password with it lifts the lock:\n%s\n",
			st.Now().Add(auth.ResetLinkLife).UTC().Format(time.RFC3339), linkURL(*base, auth.PurposeReset, token))
		sayOrigin(stdout, *base)
	}
	return nil
}

type userJSON struct {
	ID           string `json:"id"`
	Email        string `json:"email"`
	Role         string `json:"role"`
	State        string `json:"state"` // new (no password yet), active, locked, disabled
	SecondFactor bool   `json:"second_factor"`
	Created      string `json:"created"`
}

func listUsers(ctx context.Context, st *store.Store, svc *auth.Service, asJSON bool, stdout io.Writer) error {
	users, err := st.Users(ctx, store.ActorCLI)
	if err != nil {
		return err
	}
	out := []userJSON{}
	for _, u := range users {
		out = append(out, userJSON{ID: u.ID, Email: u.Email, Role: u.Role, State: u.State(), SecondFactor: u.HasTOTP(), Created: u.CreatedAt.Format(time.RFC3339)})
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(out) == 0 {
		fmt.Fprintln(stdout, "no accounts yet: rollcall user add --role admin EMAIL")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tROLE\tSTATE\t2FA\tCREATED\tID")
	for _, u := range out {
		tfa := "-"
		if u.SecondFactor {
			tfa = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Email, u.Role, u.State, tfa, u.Created[:10], u.ID)
	}
	return tw.Flush()
}
