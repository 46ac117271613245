package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

type auditEntryJSON struct {
	Seq    int64  `json:"seq"`
	Actor  string `json:"actor"`
	Action string `json:"action"`
	Object string `json:"object"`
	Detail string `json:"detail"`
}

var publishedHeadRE = regexp.MustCompile(`(?m)^audit head: ([0-9]+:[0-9a-f]{64}) — keep it away from this server$`)

func TestPublishExportMirrorAreAudited(t *testing.T) {
	eachDatabase(t, func(t *testing.T, env []string) {
		env = append(env, "USER=tester")
		if r := rollcall(t, env, "import", writeFile(t, "list.csv", list)); r.code != 0 {
			t.Fatalf("import: %s", r.stderr)
		}
		pub := rollcall(t, env, "publish", "--as-of", "2022-08-03", "--note", "Лалагул first list")
		if pub.code != 0 {
			t.Fatalf("publish: %s", pub.stderr)
		}
		m := publishedHeadRE.FindStringSubmatch(pub.stdout)
		if m == nil {
			t.Fatalf("publish printed no audit head:\n%s", pub.stdout)
		}
		head := m[1]
		exportFile := filepath.Join(t.TempDir(), "Lalagul-Kallykhanova.json")
		mirrorDir := filepath.Join(t.TempDir(), "site")
		for _, args := range [][]string{
			{"export", "--format", "csv"},
			{"export", "--format", "json", "--public", "--out", exportFile},
			{"mirror", "--out", mirrorDir},
		} {
			if r := rollcall(t, env, args...); r.code != 0 {
				t.Fatalf("%v: %s", args, r.stderr)
			}
		}

		r := rollcall(t, env, "audit", "list", "--json", "--limit", "1000")
		var entries []auditEntryJSON
		if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil {
			t.Fatalf("audit list: %v\n%s%s", err, r.stdout, r.stderr)
		}
		var got []string
		var publishSeq int64
		for _, e := range entries {
			if e.Actor != "cli:tester" {
				continue
			}
			if e.Action == "publish" {
				publishSeq = e.Seq
			}
			got = append(got, e.Action+" "+e.Detail)
			// Nothing of the people or of the files' names.
			for _, leak := range []string{"Лалагул", "Kallykhanova", "Lalagul", "first list", filepath.Base(mirrorDir), "/"} {
				if strings.Contains(e.Detail, leak) {
					t.Errorf("entry %d's detail %q contains %q", e.Seq, e.Detail, leak)
				}
			}
		}
		want := []string{
			"publish slug=2022-08-03 people=4",
			"export scope=full to=stdout",
			"export scope=public to=file",
			"mirror files=",
		}
		if len(got) != len(want) {
			t.Fatalf("audit entries by cli:tester:\n%s\nwant %d: %v", strings.Join(got, "\n"), len(want), want)
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Errorf("entry %d is %q, want %q…", i, got[i], want[i])
			}
		}
		for _, e := range entries {
			switch {
			case e.Action == "export" && e.Object != "csv" && e.Object != "json":
				t.Errorf("export entry's object %q, want the format", e.Object)
			case e.Action == "mirror" && e.Object != mirrorDir:
				t.Errorf("mirror entry's object %q, want %q", e.Object, mirrorDir)
			case e.Action == "publish" && e.Object == "":
				t.Error("publish entry names no snapshot")
			}
		}

		// The printed head is the publication's own entry, and the log
		// still reaches it after the exports and the mirror.
		if seq, _, _ := strings.Cut(head, ":"); seq != strconv.FormatInt(publishSeq, 10) {
			t.Errorf("publish printed head %s, but its entry is %d", head, publishSeq)
		}
		if r := rollcall(t, env, "audit", "verify", "--head", head); r.code != 0 || !strings.Contains(r.stdout, "intact") {
			t.Errorf("audit verify --head %s: %d %s %s", head, r.code, r.stdout, r.stderr)
		}
		// Without $USER the actor is the console alone.
		bare := []string{}
		for _, e := range env {
			if !strings.HasPrefix(e, "USER=") {
				bare = append(bare, e)
			}
		}
		rollcall(t, bare, "export", "--format", "json")
		r = rollcall(t, env, "audit", "list", "--json", "--after", strconv.FormatInt(entries[len(entries)-1].Seq, 10))
		entries = nil
		json.Unmarshal([]byte(r.stdout), &entries)
		if len(entries) != 1 || entries[0].Actor != "cli" || entries[0].Action != "export" {
			t.Errorf("export without $USER: %+v", entries)
		}
	})
}
