package auth

import (
	"fmt"
	"strings"
	"testing"
)

// The whole matrix, as a reader would check it: the web's route table is
// checked against Can, and this is what Can answers.
const wantMatrix = `
permission     anonymous admin editor volunteer treasurer viewer
read_public    yes       yes   yes    yes       yes       yes
file_report    yes       yes   yes    yes       yes       yes
read_registry  -         yes   yes    -         -         yes
enter_records  -         yes   yes    yes       -         -
edit_records   -         yes   yes    -         -         -
verify         -         yes   yes    -         -         -
link           -         yes   yes    -         -         -
triage         -         yes   yes    -         -         -
publish        -         yes   yes    -         -         -
export         -         yes   yes    -         -         -
read_sealed    -         yes   yes    -         -         -
manage_users   -         yes   -      -         -         -
manage_keys    -         yes   -      -         -         -
read_audit     -         yes   -      -         -         -
money_view     -         yes   -      -         yes       -
money_enter    -         -     -      -         yes       -
money_approve  -         yes   -      -         yes       -
own_account    -         yes   yes    yes       yes       yes
`

func matrixTable() string {
	roles := append([]Role{Anonymous}, Roles...)
	var b strings.Builder
	b.WriteString("\n" + fmt.Sprintf("%-15s", "permission"))
	for i, r := range roles {
		if i == len(roles)-1 {
			b.WriteString(r.String())
		} else {
			fmt.Fprintf(&b, "%-*s", len(r.String())+1, r.String())
		}
	}
	b.WriteString("\n")
	for _, p := range Permissions {
		fmt.Fprintf(&b, "%-15s", p)
		for i, r := range roles {
			v := "-"
			if Can(r, p) {
				v = "yes"
			}
			if i == len(roles)-1 {
				b.WriteString(v)
			} else {
				fmt.Fprintf(&b, "%-*s", len(r.String())+1, v)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestMatrix(t *testing.T) {
	got := matrixTable()
	t.Log(got)
	if got != wantMatrix {
		t.Errorf("authorization matrix changed; got:%s\nwant:%s", got, wantMatrix)
	}
	// Every permission in the matrix is listed, and the other way round.
	if len(Matrix) != len(Permissions) {
		t.Errorf("%d permissions in Matrix, %d listed", len(Matrix), len(Permissions))
	}
	for _, p := range Permissions {
		if _, ok := Matrix[p]; !ok {
			t.Errorf("%s is not in Matrix", p)
		}
	}
	if Can("superuser", ReadPublic) || Can(Admin, "fly") {
		t.Error("unknown role or permission allowed")
	}
}

// Every account role sees what the public cannot (issue 14 item 3: a
// viewer saw a withheld relative's real name with a password alone), so
// every one needs a second factor; the public does not.
func TestSecondFactorRoles(t *testing.T) {
	for _, r := range Roles {
		if !r.NeedsSecondFactor() {
			t.Errorf("%s signs in without a second factor", r)
		}
	}
	if Anonymous.NeedsSecondFactor() {
		t.Error("the public needs a second factor")
	}
	if _, err := ParseRole("Editor "); err != nil {
		t.Error(err)
	}
	if _, err := ParseRole("root"); err == nil {
		t.Error("root accepted as a role")
	}
}

func TestVolunteerSeesOnlyOwnUntakenEntries(t *testing.T) {
	cases := []struct {
		role Role
		user string
		e    Entry
		want bool
	}{
		{Volunteer, "v1", Entry{CreatedBy: "v1"}, true},
		{Volunteer, "v1", Entry{CreatedBy: "v2"}, false},
		{Volunteer, "v1", Entry{CreatedBy: "v1", Taken: true}, false},
		{Volunteer, "", Entry{CreatedBy: ""}, false},
		{Editor, "e1", Entry{CreatedBy: "v2"}, true},
		{Viewer, "w1", Entry{CreatedBy: "v2", Taken: true}, true},
		{Treasurer, "t1", Entry{CreatedBy: "t1"}, false},
		{Anonymous, "", Entry{CreatedBy: "v1"}, false},
	}
	for _, c := range cases {
		if got := CanOpen(c.role, c.user, c.e); got != c.want {
			t.Errorf("CanOpen(%s, %q, %+v) = %v, want %v", c.role, c.user, c.e, got, c.want)
		}
	}
}
