package publish_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"rollcall/internal/intake"
	"rollcall/internal/linkage"
	"rollcall/internal/publish"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// reviewList holds one pair the model cannot decide (Yerlan) and three
// it joins (as internal/web's review tests use it).
const reviewList = "source,record,name,name_alt,sex,birth_year,region,status,date,verification\n" +
	"vol,5,Ерлан Досжанов,,m,,Нукус,detained,2022-07-02,corroborated\n" +
	"press,e,Yerlan Doszhanov,,m,1991,Muynak,detained,2022-07-05,corroborated\n" +
	"vol,6,Гульнара Юсупова,,f,1970,Нукус,missing,2022-07-02,corroborated\n" +
	"press,f,Gulnara Yusupova,,f,1971,Nukus,missing,2022-07-02,corroborated\n" +
	"vol,1,Лалагул Каллыханова,,f,1987,Нукус,detained,2022-07-02,verified\n" +
	"press,a,Lolagul Kallykhanova,,f,1987,Nukus,detained,2022-07-02,corroborated\n" +
	"vol,2,Даулет Сапаров,,m,1990,Нукус,missing,2022-07-01,corroborated\n" +
	"press,b,Daulet Saparov,,m,1990,Nukus,missing,2022-07-01,corroborated\n"

const listHead = "source,record,name,sex,birth_year,region,status,date,verification\n"

func importList(t *testing.T, s *store.Store, body string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := intake.ImportFile(context.Background(), s, path, intake.Options{}); err != nil {
		t.Fatal(err)
	}
}

func personNamed(t *testing.T, s *store.Store, name string) string {
	t.Helper()
	if _, err := s.BuildSearchKeys(context.Background()); err != nil {
		t.Fatal(err)
	}
	recs, err := s.Records(context.Background(), store.RecordFilter{Query: name, Limit: 5})
	if err != nil || len(recs) != 1 {
		t.Fatalf("records named %q: %v %v", name, recs, err)
	}
	return recs[0].PersonID
}

func idsOf(people []publish.PreviewPerson) []string {
	var out []string
	for _, p := range people {
		out = append(out, p.ID)
	}
	slices.Sort(out)
	return out
}

func sorted(ids ...string) []string {
	slices.Sort(ids)
	return ids
}

// The preview says what a snapshot would publish and what changed since
// the last one, warns of what an editor should look at, and stores
// nothing: no snapshot, no file, no signing key.
func TestPreviewAgainstTheLastSnapshot(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			s, dataDir, dsn := storetest.OpenIn(t, d)
			clock := time.Date(2022, 8, 5, 12, 0, 0, 0, time.UTC)
			s.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }
			ctx := context.Background()
			importList(t, s, listHead+"court,1,Aybek Turdiev,m,1980,Nukus,sentenced,2022-07-20,verified\n"+
				"court,2,Bahadir Allanazarov,m,1982,Nukus,detained,2022-07-02,verified\n"+
				"court,3,Timur Ismailov,m,1975,Nukus,missing,2022-07-01,corroborated\n"+
				"hotline,1,Zarina Kdirbaeva,f,1970,Chimbay,detained,2022-07-02,corroborated\n")
			if err := s.SetSourceBasis(ctx, "ed", "court", "read out in court, published by the court", false); err != nil {
				t.Fatal(err)
			}
			asOf, _ := registry.ParseDay("2022-08-03")

			first, err := publish.MakePreview(ctx, s, asOf)
			if err != nil {
				t.Fatal(err)
			}
			if first.Previous != nil || first.People != 4 || first.Named != 3 || first.Counts.DetainedNow != 3 {
				t.Errorf("first preview: previous %v, %d people, %d named, counts %+v", first.Previous, first.People, first.Named, first.Counts)
			}
			if _, err := os.Stat(filepath.Join(dataDir, "keys")); !os.IsNotExist(err) {
				t.Errorf("a preview made the signing key: %v", err)
			}
			if snaps, _ := s.Snapshots(ctx); len(snaps) != 0 {
				t.Fatalf("a preview stored a snapshot: %v", snaps)
			}
			if _, err := publish.PublishRecorded(ctx, s, dataDir, "ed", publish.PublishOptions{AsOf: asOf}); err != nil {
				t.Fatal(err)
			}

			aybek, bahadir, timur := personNamed(t, s, "Aybek Turdiev"), personNamed(t, s, "Bahadir Allanazarov"), personNamed(t, s, "Timur Ismailov")
			zarina := personNamed(t, s, "Zarina Kdirbaeva")
			// Since: a new person (enters), one withheld (now withheld), one
			// whose only claim is retracted (leaves), one public only by a
			// legacy mark (now named, warned of), and an undecided pair.
			importList(t, s, reviewList)
			if err := s.MarkWithConsent(ctx, "ed", bahadir, registry.MarkWithheld, "threats", registry.Consent{}); err != nil {
				t.Fatal(err)
			}
			recs, _ := s.Records(ctx, store.RecordFilter{PersonID: timur})
			_, claims, _ := s.Record(ctx, recs[0].ID)
			if err := s.WithdrawClaim(ctx, "ed", claims[0].ID, ""); err != nil {
				t.Fatal(err)
			}
			legacyMark(t, d, dataDir, dsn, zarina, clock.Add(time.Minute))
			if _, err := s.Dedupe(ctx, true, linkage.Options{Upper: linkage.DefaultUpper, Lower: linkage.DefaultLower}); err != nil {
				t.Fatal(err)
			}
			all, _ := s.Records(ctx, store.RecordFilter{Limit: 100})
			var entered []string
			for _, r := range all {
				if r.SourceKey != "court" && r.SourceKey != "hotline" && !slices.Contains(entered, r.PersonID) {
					entered = append(entered, r.PersonID)
				}
			}
			if len(entered) != 5 {
				t.Fatalf("the second list made %d persons, want 5 (three pairs joined, Yerlan's two apart)", len(entered))
			}

			p, err := publish.MakePreview(ctx, s, asOf)
			if err != nil {
				t.Fatal(err)
			}
			if p.Previous == nil || p.Previous.AsOf != asOf {
				t.Fatalf("previous snapshot %+v", p.Previous)
			}
			if got := idsOf(p.Enter); !slices.Equal(got, sorted(entered...)) {
				t.Errorf("enter %v, want the second list's persons %v", got, entered)
			}
			if got := idsOf(p.Leave); !slices.Equal(got, []string{timur}) {
				t.Errorf("leave %v, want Timur %s", got, timur)
			}
			if got := idsOf(p.NowWithheld); !slices.Equal(got, []string{bahadir}) || p.NowWithheld[0].Name != registry.WithheldName(bahadir) {
				t.Errorf("now withheld %+v, want Bahadir under the placeholder", p.NowWithheld)
			}
			if got := idsOf(p.NowNamed); !slices.Equal(got, []string{zarina}) {
				t.Errorf("now named %v, want Zarina %s", got, zarina)
			}
			if got := idsOf(p.Warnings.Legacy); !slices.Equal(got, []string{zarina}) {
				t.Errorf("legacy warning %v", got)
			}
			if p.Warnings.UndecidedPairs != 1 {
				t.Errorf("undecided pairs %d, want 1", p.Warnings.UndecidedPairs)
			}
			for _, id := range append([]string{bahadir, timur, zarina}, entered...) {
				if !slices.Contains(p.Warnings.Changed, id) {
					t.Errorf("%s changed since the snapshot but is not warned of", id)
				}
			}
			if slices.Contains(p.Warnings.Changed, aybek) {
				t.Error("Aybek did not change, yet is warned of")
			}
			moved := map[string]publish.CountChange{}
			for _, c := range p.CountChanges {
				moved[c.Name] = c
			}
			// Detained: Aybek (sentenced), Bahadir, Zarina, and now Lalagul
			// and the two Yerlan records; missing: Timur retracted, Gulnara
			// and Daulet new.
			if c := moved["detained_now"]; c.Before != 3 || c.After != 6 {
				t.Errorf("detained_now change %+v", c)
			}
			if c := moved["missing_now"]; c.Before != 1 || c.After != 2 {
				t.Errorf("missing_now change %+v", c)
			}
			if _, ok := moved["killed"]; ok {
				t.Error("an unchanged count is listed as changed")
			}
			var out strings.Builder
			p.Print(&out)
			for _, want := range []string{"DRY RUN: nothing published", "detained_now          6  (was 3, +3)", "1 leave the public list", timur,
				"WARNING: 1 review pairs undecided", "WARNING: 1 persons listed by name only by the migration mark", "persons changed since that snapshot"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("the printed preview lacks %q:\n%s", want, out.String())
				}
			}
			if snaps, _ := s.Snapshots(ctx); len(snaps) != 1 {
				t.Errorf("snapshots after a preview: %d, want the one published", len(snaps))
			}

			// A snapshot for a later day says nothing of this day's figures:
			// a preview as of the earlier day still follows its own.
			later, _ := registry.ParseDay("2022-08-04")
			if _, err := publish.PublishRecorded(ctx, s, dataDir, "ed", publish.PublishOptions{AsOf: later}); err != nil {
				t.Fatal(err)
			}
			again, err := publish.MakePreview(ctx, s, asOf)
			if err != nil {
				t.Fatal(err)
			}
			if again.Previous == nil || again.Previous.AsOf != asOf {
				t.Errorf("a preview as of %s compared with %+v, want the snapshot as of that day", asOf, again.Previous)
			}
			earlier, _ := registry.ParseDay("2022-08-02")
			if e, err := publish.MakePreview(ctx, s, earlier); err != nil || e.Previous != nil {
				t.Errorf("a preview before every snapshot's day compared with %+v (%v)", e.Previous, err)
			}
		})
	}
}

// legacyMark gives a person the mark migration 0017 gives everyone listed
// before the publication rule, as that migration writes it.
func legacyMark(t *testing.T, d store.Dialect, dataDir, dsn, person string, at time.Time) {
	t.Helper()
	driver, source := "sqlite", "file:"+filepath.Join(dataDir, "rollcall.db")
	if d == store.Postgres {
		driver, source = "pgx", dsn
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := `INSERT INTO person_publicity (id, person_id, mark, reason, by_whom, marked_at, legacy) VALUES (?, ?, 'public', ?, 'system', ?, 1)`
	if d == store.Postgres {
		q = `INSERT INTO person_publicity (id, person_id, mark, reason, by_whom, marked_at, legacy) VALUES ($1, $2, 'public', $3, 'system', $4, 1)`
	}
	if _, err := db.Exec(q, "legacy-"+person, person, registry.LegacyReason, at.UnixMicro()); err != nil {
		t.Fatal(err)
	}
}
