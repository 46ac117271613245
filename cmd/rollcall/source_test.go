package main

import (
	"context"
	"strings"
	"testing"

	"rollcall/internal/registry"
)

func TestSourceKindReachesThePublicList(t *testing.T) {
	eachDatabase(t, func(t *testing.T, env []string) {
		list := writeFile(t, "list.csv", "source,record,name,birth_year,region,status,date,verification\n"+
			"volunteers-2022-07,1,Azamat Qurbanov,1990,Nukus,detained,2022-07-02,verified\n")
		if r := rollcall(t, env, "import", list); r.code != 0 {
			t.Fatal(r.stderr)
		}
		if r := rollcall(t, env, "source", "list"); r.code != 0 || !strings.Contains(r.stdout, "volunteers-2022-07  (not set)") {
			t.Errorf("source list before: %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		for _, bad := range [][]string{
			{"source", "set", "volunteers-2022-07", "--kind", "rumour"},
			{"source", "set", "volunteers-2022-07", "--kind", "media", "--reliability", "9"},
			{"source", "set", "no-such-source", "--kind", "media"},
			{"source", "set", "--kind", "media"},
			{"source", "set", "volunteers-2022-07", "--public-basis", "  "},
			{"source", "set", "volunteers-2022-07", "--public-basis", "x", "--no-public-basis"},
			{"source", "set", "volunteers-2022-07"},
		} {
			if r := rollcall(t, env, bad...); r.code == 0 {
				t.Errorf("%v succeeded", bad)
			}
		}
		if r := rollcall(t, env, "source", "set", "volunteers-2022-07", "--kind", "volunteers", "--reliability", "4"); r.code != 0 {
			t.Fatalf("source set: %s", r.stderr)
		}
		// The volunteers published their list themselves: an editor says so.
		if r := rollcall(t, env, "source", "set", "volunteers-2022-07", "--public-basis", "published on the group's channel, 5 July 2022"); r.code != 0 {
			t.Fatalf("source set --public-basis: %s", r.stderr)
		}
		if r := rollcall(t, env, "source", "--json"); !strings.Contains(r.stdout, `"kind": "volunteers"`) || !strings.Contains(r.stdout, `"reliability": 4`) {
			t.Errorf("source --json after set:\n%s", r.stdout)
		}
		// The change is in the audit log; the same values again change nothing.
		if r := rollcall(t, env, "audit", "list"); !strings.Contains(r.stdout, "source.set") || !strings.Contains(r.stdout, "kind=volunteers reliability=4") || !strings.Contains(r.stdout, "source.basis") {
			t.Errorf("no audit entry for source set:\n%s", r.stdout)
		}
		if r := rollcall(t, env, "source", "set", "volunteers-2022-07", "--kind", "volunteers", "--reliability", "4"); r.code != 0 || !strings.Contains(r.stdout, "nothing changed") {
			t.Errorf("the same values again: %d %s %s", r.code, r.stdout, r.stderr)
		}
		// The public list says where the record came from by kind, never by name.
		st := openStore(t, env)
		defer st.Close()
		var kinds []registry.SourceKind
		err := st.EachPublicPerson(context.Background(), func(p registry.PublicPerson) error {
			kinds = append(kinds, p.SourceKinds...)
			return nil
		})
		if err != nil || len(kinds) != 1 || kinds[0] != registry.KindVolunteers {
			t.Errorf("public source kinds %v, %v", kinds, err)
		}
	})
}
