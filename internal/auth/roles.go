// Package auth holds the rules of the editors' workspace: roles and what
// each may do, password and second-factor checks, one-time links,
// sessions and their limits, and throttling of guesses. Storage is
// internal/store; cookies and pages are internal/web.
package auth

import (
	"fmt"
	"slices"
	"strings"
)

// Role is what an account may do. Anonymous is nobody signed in.
type Role string

// The roles, and Anonymous for the public.
const (
	Admin     Role = "admin"     // accounts, keys, everything editors do
	Editor    Role = "editor"    // verifies, links, publishes
	Volunteer Role = "volunteer" // enters records; sees only their own until an editor takes them
	Treasurer Role = "treasurer" // money only
	Viewer    Role = "viewer"    // reads the internal registry
	Anonymous Role = ""
)

// Roles lists the account roles in the order tables show them.
var Roles = []Role{Admin, Editor, Volunteer, Treasurer, Viewer}

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Roles {
		if r == known {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q: one of admin, editor, volunteer, treasurer, viewer", s)
}

func (r Role) String() string {
	if r == Anonymous {
		return "anonymous"
	}
	return string(r)
}

// NeedsSecondFactor says whether accounts of the role must sign in with a
// second factor: every role that may see or do anything the public cannot
// (read beyond the public site, enter records, move money). Only a role
// whose permissions are the public's and its own account would go without;
// none such exists.
func (r Role) NeedsSecondFactor() bool {
	if r == Anonymous {
		return false
	}
	for p, roles := range Matrix {
		if Can(Anonymous, p) || p == OwnAccount {
			continue
		}
		if slices.Contains(roles, r) {
			return true
		}
	}
	return false
}

// Permission is one thing the workspace lets someone do.
type Permission string

// The permissions. Web routes name one each; the route table is checked
// against Matrix.
const (
	ReadPublic   Permission = "read_public"   // the public site
	FileReport   Permission = "file_report"   // the public report form
	ReadRegistry Permission = "read_registry" // the internal registry, all records
	EnterRecords Permission = "enter_records" // add records and claims (own entries for volunteers)
	EditRecords  Permission = "edit_records"  // change anyone's records, take volunteers' entries
	Verify       Permission = "verify"        // set verification levels
	Link         Permission = "link"          // link and unlink records (the review queue)
	Triage       Permission = "triage"        // turn public reports into records
	Publish      Permission = "publish"       // publish snapshots, mark public or withheld
	Export       Permission = "export"        // full (non-public) exports
	ReadSealed   Permission = "read_sealed"   // open sealed fields (sources, contacts, notes)
	ManageUsers  Permission = "manage_users"  // accounts and roles
	ManageKeys   Permission = "manage_keys"   // rotate the data key
	ReadAudit    Permission = "read_audit"    // the audit log
	MoneyView    Permission = "money_view"    // see the ledger
	MoneyEnter   Permission = "money_enter"   // record donations and payments
	MoneyApprove Permission = "money_approve" // approve payments
	OwnAccount   Permission = "own_account"   // change one's own password, second factor, sign out
)

// Permissions lists every permission, in the order the matrix is shown.
var Permissions = []Permission{ReadPublic, FileReport, ReadRegistry, EnterRecords, EditRecords, Verify, Link, Triage, Publish, Export, ReadSealed, ManageUsers, ManageKeys, ReadAudit, MoneyView, MoneyEnter, MoneyApprove, OwnAccount}

// Matrix is who may do what, as data: a permission maps to the roles that
// have it. Anything not listed is refused.
var Matrix = map[Permission][]Role{
	ReadPublic:   {Anonymous, Admin, Editor, Volunteer, Treasurer, Viewer},
	FileReport:   {Anonymous, Admin, Editor, Volunteer, Treasurer, Viewer},
	ReadRegistry: {Admin, Editor, Viewer},
	EnterRecords: {Admin, Editor, Volunteer},
	EditRecords:  {Admin, Editor},
	Verify:       {Admin, Editor},
	Link:         {Admin, Editor},
	Triage:       {Admin, Editor},
	Publish:      {Admin, Editor},
	Export:       {Admin, Editor},
	ReadSealed:   {Admin, Editor},
	ManageUsers:  {Admin},
	ManageKeys:   {Admin},
	ReadAudit:    {Admin},
	MoneyView:    {Admin, Treasurer},
	MoneyEnter:   {Treasurer},
	MoneyApprove: {Admin, Treasurer},
	OwnAccount:   {Admin, Editor, Volunteer, Treasurer, Viewer},
}

// NeedsFreshSignIn lists the permissions whose use demands a recent proof
// of identity (Fresh), not just a live session.
var NeedsFreshSignIn = map[Permission]bool{Publish: true, Export: true, ManageUsers: true, ManageKeys: true, MoneyApprove: true}

// Can says whether role may use permission.
func Can(role Role, p Permission) bool {
	for _, r := range Matrix[p] {
		if r == role {
			return true
		}
	}
	return false
}

// Entry is what the object-level rule needs to know of a record, claim or
// report someone entered.
type Entry struct {
	CreatedBy string // the user id that entered it
	Taken     bool   // an editor has taken it over (reviewed it into the registry)
}

// CanOpen says whether the user (id and role) may see or change an entry:
// roles that read the registry see everything; a volunteer sees only
// entries they made that no editor has taken yet. Handlers answer 404, not
// 403, when this is false, so ids cannot be probed.
func CanOpen(role Role, userID string, e Entry) bool {
	switch {
	case Can(role, ReadRegistry) || Can(role, EditRecords):
		return true
	case role == Volunteer:
		return userID != "" && e.CreatedBy == userID && !e.Taken
	}
	return false
}
