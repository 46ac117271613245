package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/store"
)

func (s *Server) accountRoutes() {
	s.handle("GET /admin/account/{$}", auth.OwnAccount, s.accountPage)
	s.handle("POST /admin/account/recovery", auth.OwnAccount, s.newRecoveryCodes)
	s.handle("POST /admin/account/signout-everywhere", auth.OwnAccount, s.signOutEverywhere)
	s.handle("POST /admin/account/password", auth.OwnAccount, s.changePassword)
	s.handle("GET /admin/users/{$}", auth.ManageUsers, s.usersPage)
	s.handle("POST /admin/users/{$}", auth.ManageUsers, s.addUser)
	s.handle("POST /admin/users/{id}/role", auth.ManageUsers, s.changeRole)
	s.handle("POST /admin/users/{id}/disable", auth.ManageUsers, s.disableUser)
	s.handle("POST /admin/users/{id}/enable", auth.ManageUsers, s.enableUser)
	s.handle("POST /admin/users/{id}/reset", auth.ManageUsers, s.resetLink)
}

// homeLink is one thing the workspace's home offers, shown only to the
// accounts whose role has its permission.
type homeLink struct {
	Path, Key  string
	Permission auth.Permission
}

var homeLinks = []homeLink{
	{"/admin/people/", "admin.home.people", auth.ReadRegistry},
	{"/admin/records/", "admin.home.records", auth.EnterRecords},
	{"/admin/review/", "admin.home.review", auth.Link},
	{"/admin/reports/", "admin.home.reports", auth.Triage},
	{"/admin/publish/", "admin.home.publish", auth.Publish},
	{"/admin/funds/", "admin.home.funds", auth.MoneyView},
	{"/admin/users/", "admin.home.users", auth.ManageUsers},
	{"/admin/audit/", "admin.home.audit", auth.ReadAudit},
	{"/admin/account/", "admin.home.account", auth.OwnAccount},
}

type workspaceHomePage struct {
	adminPage
	Links []homeLink
	// Legacy are the persons public only by the publication rule's
	// migration mark, for those who may decide (auth.Publish).
	Legacy []string
	// Waiting is what waits for the account's role (home_waiting.go).
	Waiting homeWaiting
}

func (s *Server) adminHome(w http.ResponseWriter, r *http.Request, acc *account) {
	p := workspaceHomePage{adminPage: s.adminFrame(r, acc, "")}
	p.Title = p.T("admin.home.title")
	for _, l := range homeLinks {
		if acc.Can(l.Permission) {
			p.Links = append(p.Links, l)
		}
	}
	if acc.Can(auth.Publish) {
		legacy, err := s.store.LegacyPublic(r.Context())
		if err != nil {
			s.serverError(w, "legacy marks", err)
			return
		}
		p.Legacy = legacy
	}
	waiting, err := s.homeWaiting(r, acc, len(p.Legacy))
	if err != nil {
		s.serverError(w, "what waits", err)
		return
	}
	p.Waiting = waiting
	s.render(w, "admin_home.html", p)
}

type accountPage struct {
	adminPage
	RoleName      string
	SecondFactor  bool
	RecoveryLeft  int
	Codes         []string // new recovery codes, shown once
	SignedInSince time.Time
	Problem       string // why a password change was refused
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, acc *account) {
	s.showAccount(w, r, acc, nil)
}

// changePassword sets a new password after the current one (and a code)
// is proved; every session ends, and the owner signs in with the new one.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, acc *account) {
	f := r.PostForm
	p := s.adminFrame(r, acc, "")
	if f.Get("password") != f.Get("password2") {
		s.showAccountStatus(w, r, acc, nil, http.StatusBadRequest, p.T("admin.signin.mismatch"))
		return
	}
	err := s.auth.ChangePassword(r.Context(), acc.Token, f.Get("current"), f.Get("code"), f.Get("password"), clientHost(r))
	var th *auth.ErrThrottled
	switch {
	case errors.As(err, &th):
		s.tooMany(w, r, th)
		return
	case errors.Is(err, auth.ErrBadCredentials):
		s.showAccountStatus(w, r, acc, nil, http.StatusUnauthorized, p.T("admin.account.password_wrong"))
		return
	case auth.RefusedByPolicy(err):
		s.showAccountStatus(w, r, acc, nil, http.StatusBadRequest, err.Error())
		return
	case err != nil:
		s.serverError(w, "change password", err)
		return
	}
	// Every session of the account ended, this one too.
	clearSessionCookie(w, r)
	http.Redirect(w, r, "/admin/signin?msg=password_set", http.StatusSeeOther)
}

func (s *Server) showAccount(w http.ResponseWriter, r *http.Request, acc *account, codes []string) {
	s.showAccountStatus(w, r, acc, codes, http.StatusOK, "")
}

func (s *Server) showAccountStatus(w http.ResponseWriter, r *http.Request, acc *account, codes []string, status int, problem string) {
	left, err := s.store.RecoveryCodesLeft(r.Context(), acc.User.ID)
	if err != nil {
		s.serverError(w, "recovery codes", err)
		return
	}
	p := accountPage{adminPage: s.adminFrame(r, acc, ""), RoleName: acc.Role.String(), SecondFactor: acc.User.HasTOTP(),
		RecoveryLeft: left, Codes: codes, SignedInSince: acc.Session.CreatedAt}
	p.Title = p.T("admin.account.title")
	p.Problem = problem
	s.renderStatus(w, status, "admin_account.html", p)
}

// newRecoveryCodes replaces the account's recovery codes after a fresh
// sign-in and shows the new ones on this answer, once.
func (s *Server) newRecoveryCodes(w http.ResponseWriter, r *http.Request, acc *account) {
	codes, err := s.auth.NewRecoveryCodes(r.Context(), acc.Token)
	switch {
	case errors.Is(err, auth.ErrNotFresh):
		http.Redirect(w, r, "/admin/reauth?next=%2Fadmin%2Faccount%2F", http.StatusSeeOther)
		return
	case err != nil && !acc.User.HasTOTP():
		s.plainError(w, http.StatusBadRequest, "This account has no second factor, so it has no recovery codes.")
		return
	case err != nil:
		s.serverError(w, "recovery codes", err)
		return
	}
	s.showAccount(w, r, acc, codes)
}

func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request, acc *account) {
	if _, err := s.store.EndUserSessions(r.Context(), acc.User.ID, acc.User.ID); err != nil {
		s.serverError(w, "sign out everywhere", err)
		return
	}
	clearSessionCookie(w, r)
	http.Redirect(w, r, "/admin/signin?msg=signed_out", http.StatusSeeOther)
}

// userRow is an account as the accounts page lists it.
type userRow struct {
	store.User
	State        string
	Self         bool
	SecondFactor bool
}

type usersPage struct {
	adminPage
	Users []userRow
	Roles []auth.Role
	// Link is a one-time set-up or reset link just made, shown once.
	Link, LinkFor string
	Error         string
	Email         string
}

var usersMessages = map[string]string{
	"role": "admin.users.role_changed", "disabled": "admin.users.disabled_done", "enabled": "admin.users.enabled_done",
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, acc *account) {
	p := s.adminFrame(r, acc, "")
	if key, ok := usersMessages[r.URL.Query().Get("done")]; ok {
		p.Flash = p.T(key)
	}
	s.showUsers(w, r, usersPage{adminPage: p}, http.StatusOK)
}

// showUsers lists the accounts, their addresses unsealed (each read is an
// audit entry, with the admin as actor).
func (s *Server) showUsers(w http.ResponseWriter, r *http.Request, p usersPage, status int) {
	users, err := s.store.Users(r.Context(), p.Account.User.ID)
	if err != nil {
		s.serverError(w, "accounts", err)
		return
	}
	p.Title = p.T("admin.users.title")
	p.Roles = auth.Roles
	for _, u := range users {
		p.Users = append(p.Users, userRow{User: u, State: u.State(), Self: u.ID == p.Account.User.ID, SecondFactor: u.HasTOTP()})
	}
	s.renderStatus(w, status, "admin_users.html", p)
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request, acc *account) {
	p := usersPage{adminPage: s.adminFrame(r, acc, "")}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	role, err := auth.ParseRole(r.PostForm.Get("role"))
	if err != nil {
		p.Error, p.Email = err.Error(), email
		s.showUsers(w, r, p, http.StatusBadRequest)
		return
	}
	u, token, err := s.auth.AddUser(r.Context(), acc.User.ID, email, role)
	switch {
	case errors.Is(err, store.ErrExists):
		p.Error, p.Email = err.Error(), email
		s.showUsers(w, r, p, http.StatusConflict)
		return
	case err != nil && u.ID == "":
		// Not an address (AddUser checks before storing anything).
		p.Error, p.Email = p.T("admin.users.bad_email"), email
		s.showUsers(w, r, p, http.StatusBadRequest)
		return
	case err != nil:
		s.serverError(w, "add account", err)
		return
	}
	p.Link, p.LinkFor = s.siteOrigin(r)+"/admin/setup?token="+token, email
	p.Flash = p.T("admin.users.added")
	s.showUsers(w, r, p, http.StatusOK)
}

// otherUser is the account a users/{id} form acts on; an admin may not
// change or shut their own account here (that way lies a workspace
// nobody can administer).
func (s *Server) otherUser(w http.ResponseWriter, r *http.Request, acc *account) (store.User, bool) {
	id := r.PathValue("id")
	if id == acc.User.ID {
		s.plainError(w, http.StatusBadRequest, "You cannot change your own account here; ask another administrator, or use the rollcall user command.")
		return store.User{}, false
	}
	u, err := s.store.UserByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return u, false
	}
	if err != nil {
		s.serverError(w, "account", err)
		return u, false
	}
	return u, true
}

func (s *Server) changeRole(w http.ResponseWriter, r *http.Request, acc *account) {
	u, ok := s.otherUser(w, r, acc)
	if !ok {
		return
	}
	role, err := auth.ParseRole(r.PostForm.Get("role"))
	if err != nil {
		s.plainError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := s.store.SetUserRole(r.Context(), acc.User.ID, u.ID, string(role)); err != nil {
		s.serverError(w, "role", err)
		return
	}
	http.Redirect(w, r, "/admin/users/?done=role", http.StatusSeeOther)
}

func (s *Server) disableUser(w http.ResponseWriter, r *http.Request, acc *account) {
	u, ok := s.otherUser(w, r, acc)
	if !ok {
		return
	}
	if _, err := s.store.DisableUser(r.Context(), acc.User.ID, u.ID); err != nil {
		s.serverError(w, "disable", err)
		return
	}
	http.Redirect(w, r, "/admin/users/?done=disabled", http.StatusSeeOther)
}

func (s *Server) enableUser(w http.ResponseWriter, r *http.Request, acc *account) {
	u, ok := s.otherUser(w, r, acc)
	if !ok {
		return
	}
	if err := s.store.EnableUser(r.Context(), acc.User.ID, u.ID); err != nil {
		s.serverError(w, "enable", err)
		return
	}
	http.Redirect(w, r, "/admin/users/?done=enabled", http.StatusSeeOther)
}

// resetLink makes a one-time reset link (a forgotten password, a locked
// account) and shows it once.
func (s *Server) resetLink(w http.ResponseWriter, r *http.Request, acc *account) {
	u, ok := s.otherUser(w, r, acc)
	if !ok {
		return
	}
	token, err := s.auth.NewLink(r.Context(), acc.User.ID, u.ID, auth.PurposeReset)
	if err != nil {
		s.serverError(w, "reset link", err)
		return
	}
	p := usersPage{adminPage: s.adminFrame(r, acc, "")}
	p.Link, p.LinkFor = s.siteOrigin(r)+"/admin/reset?token="+token, u.ID
	p.Flash = p.T("admin.users.reset_made")
	s.showUsers(w, r, p, http.StatusOK)
}
