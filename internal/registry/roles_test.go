package registry

import (
	"slices"
	"testing"
)

// Roles are stored as JoinRoles writes them and read back by SplitRoles.
func TestRolesRoundTrip(t *testing.T) {
	for _, roles := range [][]Role{nil, {"protester"}, {"journalist", "relative", "other"}} {
		stored := JoinRoles(roles)
		if got := SplitRoles(stored); !slices.Equal(got, roles) {
			t.Errorf("%q read back as %q from %q", roles, got, stored)
		}
	}
	if got := JoinRoles([]Role{"journalist", "relative"}); got != "journalist;relative" {
		t.Errorf("roles stored as %q", got)
	}
}
