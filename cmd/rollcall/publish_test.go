package main

import (
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"rollcall/internal/registry"
	"rollcall/internal/seal"
	"rollcall/internal/store"
)

// canaryList puts a canary into every field that must never be public:
// the note, the source's key, the record's key, a withheld person's name,
// other spelling and locality, a minor's and a relative's names and
// places, an unverified claim's place, an exact birth date, and a person
// known only from unverified claims, a corroborated person of a source
// nobody gave a public basis (nobody decided to publish them), and a
// person of that source whose only claim an editor raises from
// unverified to corroborated (a verification publishes nobody).
const canaryList = "source,record,name,name_alt,sex,birth_year,birth_date,region,locality,roles,status,date,verification,place,note\n" +
	"canarysrc,CANARYREC1,Publicperson Visible,,m,1985,1985-03-17,Nukus,,protester,detained,2022-07-02,verified,SIZO-1,CANARY-NOTE-1\n" +
	"canarysrc,CANARYREC1,Publicperson Visible,,m,1985,1985-03-17,Nukus,,protester,released,2022-07-20,unverified,CANARY-UNVERIFIED-PLACE,CANARY-NOTE-2\n" +
	"canarysrc,CANARYREC2,Canarywithheld Adult,Canaryalt Spelling,f,1970,,Chimbay,CANARY-LOCALITY,protester,missing,2022-07-01,corroborated,CANARY-WITHHELD-PLACE,\n" +
	"canarysrc,CANARYREC3,Canaryminor Child,,m,2010,,Chimbay,,,killed,2022-07-01,verified,CANARY-MINOR-PLACE,\n" +
	"canarysrc,CANARYREC4,Canaryrelative Kin,,f,1960,,Nukus,,relative,detained,2022-07-05,verified,CANARY-RELATIVE-PLACE,\n" +
	"canarysrc,CANARYREC5,Canaryunverified Only,,m,1990,,Nukus,,,detained,2022-07-01,unverified,,\n" +
	"other,7,Second Visible,,f,1980,,Muynak,,journalist,sentenced,2022-07-10,corroborated,Court of Nukus,\n" +
	"undecided,8,Canaryundecided Adult,,m,1975,,Nukus,CANARY-UNDECIDED-LOCALITY,protester,detained,2022-07-03,verified,CANARY-UNDECIDED-PLACE,\n" +
	"undecided,9,Canaryraised Byeditor,,f,1988,,Nukus,CANARY-RAISED-LOCALITY,protester,detained,2022-07-04,unverified,CANARY-RAISED-PLACE,\n"

// forbidden are what no public output may contain (compared without case).
var forbidden = []string{"canary", "1985-03-17"}

// startServe runs `rollcall serve` on a free port and returns its base URL.
func startServe(t *testing.T, dir string) string {
	t.Helper()
	r := startServeWithPass(t, dir, nil)
	if r.base == "" {
		t.Fatalf("serve did not start: exit %d\n%s", r.code, r.stderr)
	}
	return strings.TrimSuffix(r.base, "/")
}

func TestNothingPrivateInAnyPublicOutput(t *testing.T) {
	dir := t.TempDir()
	env := []string{"ROLLCALL_DATA=" + dir}
	if r := rollcall(t, env, "import", writeFile(t, "canary.csv", canaryList)); r.code != 0 {
		t.Fatalf("import: %s", r.stderr)
	}
	// Two of the three lists were published by their sources, as an editor
	// records; the third has no public basis.
	for _, key := range []string{"canarysrc", "other"} {
		if r := rollcall(t, env, "source", "set", key, "--public-basis", "published its list on its website"); r.code != 0 {
			t.Fatalf("source set --public-basis: %s", r.stderr)
		}
	}
	// An editor raises the only claim of "Canaryraised Byeditor" to
	// corroborated, as the record page's form does.
	raiseOnlyClaim(t, dir, "Canaryraised Byeditor")
	// The editor withholds an adult by the person id the full export shows.
	full := rollcall(t, env, "export")
	rows, err := csv.NewReader(strings.NewReader(full.stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	withheldID := ""
	for _, row := range rows {
		if row[3] == "Canarywithheld Adult" {
			withheldID = row[0]
		}
	}
	if r := rollcall(t, env, "person", "mark", withheldID, "withheld", "--reason", "threatened"); r.code != 0 {
		t.Fatalf("person mark: %s", r.stderr)
	}
	if r := rollcall(t, env, "person", "mark", withheldID, "hidden", "--reason", "x"); r.code == 0 {
		t.Error("a mark other than withheld or public was taken")
	}
	if r := rollcall(t, env, "publish", "--as-of", "2022-08-03", "--note", "first list"); r.code != 0 {
		t.Fatalf("publish: %s", r.stderr)
	}
	mirror := filepath.Join(t.TempDir(), "site")
	if r := rollcall(t, env, "mirror", "--out", mirror, "--zip"); r.code != 0 {
		t.Fatalf("mirror: %s%s", r.stdout, r.stderr)
	}

	outputs := map[string]string{} // where → what it says
	for _, format := range []string{"csv", "json"} {
		r := rollcall(t, env, "export", "--public", "--format", format)
		if r.code != 0 {
			t.Fatalf("export --public: %s", r.stderr)
		}
		outputs["export --public --format "+format] = r.stdout
	}
	for _, root := range []string{mirror, filepath.Join(dir, "snapshots")} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(p)
				outputs[p] = string(b)
			}
			return err
		})
	}
	base := startServe(t, dir)
	var list struct {
		People []struct{ ID string } `json:"people"`
	}
	body, code := get(t, base+"/api/v1/people?per_page=500")
	if err := json.Unmarshal([]byte(body), &list); err != nil || code != 200 {
		t.Fatalf("API: %d %s", code, body)
	}
	outputs["/api/v1/people"] = body
	urls := []string{"/api/v1/counts", "/api/v1/snapshots", "/data/rollcall-people.csv", "/data/rollcall-people.json", "/en/feed.atom"}
	for _, p := range list.People {
		urls = append(urls, "/api/v1/people/"+p.ID, "/en/people/"+p.ID, "/ru/people/"+p.ID)
	}
	for _, lang := range []string{"en", "ru", "kaa", "uz"} {
		urls = append(urls, "/"+lang+"/", "/"+lang+"/people/", "/"+lang+"/counts/", "/"+lang+"/data/", "/"+lang+"/people/?q=Adult+Spelling")
	}
	for _, u := range urls {
		body, code := get(t, base+u)
		if code != 200 {
			t.Errorf("%s: %d", u, code)
		}
		outputs[u] = body
	}

	if !strings.Contains(outputs["/en/people/?q=Adult+Spelling"], "Nobody matches") {
		t.Error("a withheld person is found by name")
	}
	if len(list.People) != 7 {
		t.Errorf("the public list has %d people, want 7 (two visible, five withheld: the raised one counted, not named)", len(list.People))
	}
	all := ""
	for where, text := range outputs {
		all += text
		low := strings.ToLower(text)
		for _, f := range forbidden {
			if i := strings.Index(low, f); i >= 0 {
				t.Errorf("%s shows %q: …%s…", where, f, text[max(0, i-80):min(len(text), i+80)])
			}
		}
	}
	// The test looks at something: what is public is there.
	for _, want := range []string{"Publicperson Visible", "Second Visible", "Name withheld (#" + withheldID + ")", "SIZO-1", "Court of Nukus"} {
		if !strings.Contains(all, want) {
			t.Errorf("no public output shows %q", want)
		}
	}
	if len(outputs) < 100 {
		t.Errorf("only %d outputs were checked", len(outputs))
	}
}

// raiseOnlyClaim sets the only claim of the record named name to
// corroborated as an editor does on the record's page (SetVerification,
// then a rebuild of the public list).
func raiseOnlyClaim(t *testing.T, dir, name string) {
	t.Helper()
	ctx := t.Context()
	st, err := store.Open(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys, err := seal.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	st.SetKeys(keys)
	recs, err := st.Records(ctx, store.RecordFilter{Query: name, Limit: 10})
	if err != nil || len(recs) != 1 {
		t.Fatalf("records named %s: %d %v", name, len(recs), err)
	}
	_, claims, err := st.Record(ctx, recs[0].ID)
	if err != nil || len(claims) != 1 || claims[0].Verification != registry.Unverified {
		t.Fatalf("the claims of %s: %+v %v", name, claims, err)
	}
	if _, err := st.SetVerification(ctx, "editor-1", claims[0].ID, registry.Corroborated); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RefreshPublic(ctx); err != nil {
		t.Fatal(err)
	}
}

var linkRE = regexp.MustCompile(`\b(?:href|src|action)="([^"]*)"`)

// TestMirrorHasNoBrokenLink crawls the mirror from disk: every link of
// every page and feed leads to a file of the mirror, relatively.
func TestMirrorHasNoBrokenLink(t *testing.T) {
	dir := t.TempDir()
	env := []string{"ROLLCALL_DATA=" + dir}
	if r := rollcall(t, env, "import", writeFile(t, "list.csv", canaryList)); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := rollcall(t, env, "publish", "--as-of", "2022-08-03"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	out := filepath.Join(t.TempDir(), "mirror")
	if r := rollcall(t, env, "mirror", "--out", out, "--zip"); r.code != 0 {
		t.Fatalf("mirror: %s%s", r.stdout, r.stderr)
	}
	if _, err := os.Stat(out + ".zip"); err != nil {
		t.Error("no zip")
	}
	pages, links := 0, 0
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".html") || strings.HasSuffix(p, ".atom")) {
			return err
		}
		pages++
		b, _ := os.ReadFile(p)
		for _, m := range linkRE.FindAllStringSubmatch(string(b), -1) {
			link := m[1]
			if strings.HasPrefix(link, "#") || strings.HasPrefix(link, "http://") || strings.HasPrefix(link, "https://") {
				continue
			}
			links++
			if strings.HasPrefix(link, "/") || strings.Contains(link, "?") {
				t.Errorf("%s: link %q does not work from disk", p, link)
				continue
			}
			target := filepath.Join(filepath.Dir(p), filepath.FromSlash(strings.SplitN(link, "#", 2)[0]))
			if st, err := os.Stat(target); err != nil || st.IsDir() {
				t.Errorf("%s: broken link %q", p, link)
			}
		}
		return nil
	})
	for _, want := range []string{"index.html", "en/people/index.html", "ru/people/index.html", "kaa/index.html", "uz/feed.atom",
		"data/rollcall-people.csv", "data/snapshot-signing.pub", "data/snapshots/rollcall-snapshot-2022-08-03.json",
		"data/snapshots/rollcall-snapshot-2022-08-03.json.sig"} {
		if _, err := os.Stat(filepath.Join(out, want)); err != nil {
			t.Errorf("the mirror lacks %s", want)
		}
	}
	if pages < 40 || links < 400 {
		t.Errorf("crawled %d pages, %d links: too few to mean anything", pages, links)
	}
	// The snapshot in the mirror verifies with the key in the mirror.
	snap := filepath.Join(out, "data/snapshots/rollcall-snapshot-2022-08-03.json")
	if r := rollcall(t, nil, "--data", t.TempDir(), "verify", "--key", filepath.Join(out, "data/snapshot-signing.pub"), snap); r.code != 0 || !strings.Contains(r.stdout, "valid signature") {
		t.Errorf("verify the mirror's snapshot: %d %s%s", r.code, r.stdout, r.stderr)
	}
}

func TestVerifyFailsOnATamperedSnapshot(t *testing.T) {
	dir := t.TempDir()
	env := []string{"ROLLCALL_DATA=" + dir}
	if r := rollcall(t, env, "import", writeFile(t, "list.csv", list)); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := rollcall(t, env, "publish", "--as-of", "2022-08-03", "--note", "n"); r.code != 0 || !strings.Contains(r.stdout, "published snapshot 2022-08-03") {
		t.Fatalf("publish: %s%s", r.stdout, r.stderr)
	}
	if r := rollcall(t, env, "publish", "--as-of", "2022-08-03"); r.code != 0 || !strings.Contains(r.stdout, "published snapshot 2022-08-03-2") {
		t.Fatalf("second publish: %s%s", r.stdout, r.stderr)
	}
	if r := rollcall(t, env, "publish", "--as-of", "2022-13-01"); r.code == 0 {
		t.Error("publish took a bad date")
	}
	key := filepath.Join(dir, "keys", "snapshot-signing.key")
	if st, err := os.Stat(key); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("private key: %v %v", st, err)
	}
	orig := filepath.Join(dir, "snapshots", "rollcall-snapshot-2022-08-03.json")
	if r := rollcall(t, env, "verify", orig); r.code != 0 || !strings.Contains(r.stdout, "valid signature") {
		t.Fatalf("verify: %d %s%s", r.code, r.stdout, r.stderr)
	}
	body, _ := os.ReadFile(orig)
	sig, _ := os.ReadFile(orig + ".sig")
	tampered := filepath.Join(t.TempDir(), "snapshot.json")
	os.WriteFile(tampered, []byte(strings.Replace(string(body), `"missing_now":1`, `"missing_now":2`, 1)), 0o600)
	os.WriteFile(tampered+".sig", sig, 0o600)
	if string(body) == strings.Replace(string(body), `"missing_now":1`, `"missing_now":2`, 1) {
		t.Fatal("the snapshot has no missing_now of 1 to change")
	}
	if r := rollcall(t, env, "verify", tampered); r.code != 1 || !strings.Contains(r.stderr, "NOT VALID") {
		t.Errorf("a tampered snapshot: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Another key does not vouch for it either.
	other := t.TempDir()
	rollcall(t, []string{"ROLLCALL_DATA=" + other}, "publish", "--as-of", "2022-08-03")
	if r := rollcall(t, nil, "--data", other, "verify", "--sig", orig+".sig", orig); r.code != 1 || !strings.Contains(r.stderr, "NOT VALID") {
		t.Errorf("verified with another key: exit %d %s", r.code, r.stderr)
	}
}
