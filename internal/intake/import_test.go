package intake_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"rollcall/internal/intake"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

const header = "source,record,name,name_alt,sex,birth_year,birth_date,region,locality,roles,status,date,verification,place,note\n"

func file(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "list.csv")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func totals(t *testing.T, s *store.Store) store.Stats {
	t.Helper()
	tot, err := s.Totals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tot
}

const goodList = header +
	"vol,1,Лалагул Каллыханова,Lolagul Kallykhanova;Lalagul Kallıxanova,f,1987,,Нукус,,journalist,detained,2022-07-02,verified,СИЗО,informant: X\n" +
	"vol,1,Лалагул Каллыханова,Lolagul Kallykhanova;Lalagul Kallıxanova,f,1987,,Нукус,,journalist,charged,2022-07-07,corroborated,,\n" +
	"vol,2,\"KALLYKHANOV, Azamat\",,m,,1990-03-04,Nukus,,protester;relative,missing,2022-07,unverified,,\n"

func TestImportIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		path := file(t, goodList)
		res, err := intake.ImportFile(ctx, s, path, intake.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows != 3 || res.ClaimsNew != 3 || res.RecordsNew != 2 || res.SourcesNew != 1 || res.ClaimsUnchanged != 0 {
			t.Errorf("first import: %+v", res)
		}
		first := totals(t, s)
		res, err = intake.ImportFile(ctx, s, path, intake.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.ClaimsNew != 0 || res.RecordsNew != 0 || res.SourcesNew != 0 || res.ClaimsUnchanged != 3 {
			t.Errorf("second import of the same file: %+v", res)
		}
		if again := totals(t, s); again != first {
			t.Errorf("second import changed the registry: %+v → %+v", first, again)
		}
		// A later file from the same source repeating one row and adding one.
		more := header +
			"vol,1,Лалагул Каллыханова,Lolagul Kallykhanova;Lalagul Kallıxanova,f,1987,,Нукус,,journalist,charged,2022-07-07,corroborated,,\n" +
			"vol,1,Лалагул Каллыханова,Lolagul Kallykhanova;Lalagul Kallıxanova,f,1987,,Нукус,,journalist,sentenced,2023-01,corroborated,,\n"
		res, err = intake.ImportFile(ctx, s, file(t, more), intake.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.ClaimsNew != 1 || res.ClaimsUnchanged != 1 || res.RecordsNew != 0 {
			t.Errorf("overlapping file: %+v", res)
		}
	})
}

func TestNamesStoredExactlyAsWritten(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// "й" written decomposed (и + combining breve) is stored composed (NFC).
		decomposed := "Сейтмуратов Нурлан Азаматови\u0306"
		if _, err := intake.ImportFile(ctx, s, file(t, header+"v,1,"+decomposed+",,,,,,,,missing,2022-07-01,,,\n"), intake.Options{}); err != nil {
			t.Fatal(err)
		}
		var got string
		s.EachClaim(ctx, func(r store.ClaimRow) error { got = r.Record.Name; return nil })
		if want := "Сейтмуратов Нурлан Азаматовй"; got != want {
			t.Errorf("stored name %q, want NFC %q", got, want)
		}
	})
}

func TestDryRunWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		res, err := intake.ImportFile(context.Background(), s, file(t, goodList), intake.Options{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.ClaimsNew != 3 || res.RecordsNew != 2 {
			t.Errorf("dry run says %+v, want 3 claims and 2 records", res)
		}
		if tot := totals(t, s); tot != (store.Stats{}) {
			t.Errorf("dry run wrote %+v", tot)
		}
	})
}

func TestAcceptsBOMCRLFAndQuotedNewlines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		body := "\ufeff" + strings.ReplaceAll(header, "\n", "\r\n") +
			"vol,1,Ерлан Досжанов,,m,,,Nukus,,,detained,2022-07-02,corroborated,\"ИВС,\r\nкамера 3\",\"line one\r\nline two\"\r\n" +
			"vol,2,Other,,m,,,Nukus,,,detained,2022-07-02,corroborated,,\r\n"
		res, err := intake.ImportFile(context.Background(), s, file(t, body), intake.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows != 2 || res.ClaimsNew != 2 {
			t.Errorf("%+v", res)
		}
		var place string
		s.EachClaim(context.Background(), func(r store.ClaimRow) error {
			if r.Record.Key == "1" {
				place = r.Claim.Place
			}
			return nil
		})
		if place != "ИВС,\r\nкамера 3" && place != "ИВС,\nкамера 3" {
			t.Errorf("quoted place = %q", place)
		}
	})
}

// importErr imports into a fresh SQLite store and returns the error text;
// it fails the test when anything was written.
func importErr(t *testing.T, body string) string {
	t.Helper()
	s := storetest.Open(t, store.SQLite)
	_, err := intake.ImportFile(context.Background(), s, file(t, body), intake.Options{})
	if err == nil {
		t.Fatalf("import of a bad file succeeded:\n%s", body)
	}
	if tot := totals(t, s); tot != (store.Stats{}) {
		t.Errorf("a bad file wrote %+v", tot)
	}
	return err.Error()
}

func TestBadInputIsReportedAndChangesNothing(t *testing.T) {
	cases := []struct {
		name string
		body string
		want []string // every one must appear in the error
	}{
		{"unknown columns", "source,record,name,status,date,colour,shoe\nv,1,A B,missing,2022-07-01,red,9\n", []string{`unknown column(s) "colour", "shoe"`}},
		{"missing required column", "source,record,name,status\nv,1,A B,missing\n", []string{"missing required column(s) date"}},
		{"empty file", "", []string{"empty"}},
		{"every bad row listed", header +
			"v,1,A B,,,,,,,,arrested,2022-07-01,,,\n" +
			"v,2,A C,,,,,,,,missing,2022-13-01,,,\n" +
			"v,3,A D,,,,,,,,missing,2022-07-01,maybe,,\n" +
			"v,4,A E,,,87,,,,,missing,2022-07-01,,,\n" +
			"v,5,A F,,x,,,,,,missing,2022-07-01,,,\n" +
			"v,6,A G,,,,,,,hooligan,missing,2022-07-01,,,\n" +
			"v,7,,,,,,,,,missing,2022-07-01,,,\n" +
			"v,8,A H,,,1990,1991-01-01,,,,missing,2022-07-01,,,\n" +
			"v,9,A I,,,,7000-01-01,,,,missing,2022-07-01,,,\n" +
			"v,10,A J,,,,,,,,missing,2022-07-01,,,\n",
			[]string{`:2: unknown status "arrested"`, `:3: date "2022-13-01"`, `:4: unknown verification "maybe"`, `:5: birth_year "87"`,
				`:6: sex "x"`, `:7: unknown role "hooligan"`, `:8: name is empty`, `:9: birth_date 1991-01-01 and birth_year 1990 disagree`,
				`:10: birth_date "7000-01-01"`}},
		{"person fields disagree", header +
			"v,1,A B,,m,1990,,Nukus,,,detained,2022-07-01,,,\n" +
			"v,1,A B,,m,1991,,Chimbay,,,released,2022-07-20,,,\n",
			[]string{":3:", "birth_year, region differ(s) from line 2"}},
		{"wrong number of fields", header + "v,1,A B,missing\n", []string{":2: 4 fields, the header has 15"}},
		{"not UTF-8", header + "v,1,A B,,,,,,,,missing,2022-07-01,,,\nv,2,\xcf\xf0\xe8\xe2\xe5\xf2,,,,,,,,missing,2022-07-01,,,\n", []string{":3: column name is not valid UTF-8"}},
		{"broken quoting", header + "v,1,\"A B,,,,,,,,missing,2022-07-01,,,\n", []string{"broken CSV"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := importErr(t, tc.body)
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error does not say %q:\n%s", w, msg)
				}
			}
			if !strings.Contains(msg, "list.csv") {
				t.Errorf("error does not name the file:\n%s", msg)
			}
		})
	}
}

func TestStoredRecordIsNotChangedByALaterFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := intake.ImportFile(ctx, s, file(t, header+"v,1,A B,,m,1990,,,,,detained,2022-07-01,,,\n"), intake.Options{}); err != nil {
			t.Fatal(err)
		}
		before := totals(t, s)
		_, err := intake.ImportFile(ctx, s, file(t, header+"v,2,C D,,m,,,,,,detained,2022-07-01,,,\nv,1,A B,,m,1991,,,,,released,2022-07-20,,,\n"), intake.Options{})
		var fe *intake.FileError
		if !errors.As(err, &fe) || len(fe.Rows) != 1 || fe.Rows[0].Line != 3 {
			t.Fatalf("want one error at line 3, got %v", err)
		}
		if after := totals(t, s); after != before {
			t.Errorf("a refused file changed the registry: %+v → %+v", before, after)
		}
	})
}

func TestCancelledImportLeavesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var b strings.Builder
		b.WriteString(header)
		for i := 0; i < 20000; i++ {
			b.WriteString("v,")
			b.WriteString(strings.Repeat("x", i%7+1))
			b.WriteString(string(rune('a' + i%26)))
			b.WriteString(",Name,,,,,,,,detained,2022-07-01,,,\n")
		}
		ctx, cancel := context.WithCancel(context.Background())
		calls := 0
		_, err := intake.ImportFile(ctx, s, file(t, b.String()), intake.Options{Progress: func(done, total int64) {
			if calls++; calls == 3 {
				cancel()
			}
		}})
		if err == nil {
			t.Fatal("a cancelled import succeeded")
		}
		if tot := totals(t, s); tot != (store.Stats{}) {
			t.Errorf("a cancelled import left %+v", tot)
		}
	})
}

func TestDemoIsLoadedOnceAndLooksReal(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	loaded, err := intake.LoadDemo(ctx, s, t.TempDir())
	if err != nil || !loaded {
		t.Fatalf("demo: %v, %v", loaded, err)
	}
	tot := totals(t, s)
	if tot.Records < 400 || tot.Sources < 3 {
		t.Errorf("demo holds %+v, want several hundred records from several sources", tot)
	}
	cyr, lat := 0, 0
	s.EachClaim(ctx, func(r store.ClaimRow) error {
		if strings.ContainsAny(r.Record.Name, "абвгдеёжзийклмнопрстуфхцчшщыэюя") {
			cyr++
		} else {
			lat++
		}
		return nil
	})
	if cyr == 0 || lat == 0 {
		t.Errorf("demo names: %d Cyrillic, %d Latin; want both", cyr, lat)
	}
	c, err := s.Counts(ctx, registry.Query{AsOf: 20220831, KnownAt: s.Now(), MinVerification: registry.Corroborated})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"missing_now", "detained_now", "released_now", "killed", "detained_ever"} {
		if n, _ := c.Get(name); n == 0 {
			t.Errorf("demo has no %s as of 31 August 2022", name)
		}
	}
	// Its sources carry a public basis, so the demo site shows names
	// (the minors and relatives among them still withheld).
	page, err := s.PublicPeople(ctx, store.PeopleFilter{PerPage: store.MaxPerPage})
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, p := range page.People {
		if !p.Withheld {
			named++
		}
	}
	if named < len(page.People)/2 {
		t.Errorf("the demo's public list names %d of %d people; its sources have a public basis", named, len(page.People))
	}
	if loaded, err := intake.LoadDemo(ctx, s, t.TempDir()); err != nil || loaded {
		t.Errorf("demo loaded again into a registry that has records: %v %v", loaded, err)
	}
}

// Notes can name informants: they are sealed the moment they are written,
// found in clear nowhere in the database, and read back whole.
func TestNotesAreSealedAtImport(t *testing.T) {
	const canary = "informant-canary-7f3a: the neighbour on Dosnazarov street"
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			s, dir, dsn := storetest.OpenIn(t, d)
			body := header + "v,1,A B,,m,,,,,,detained,2022-07-01,verified,," + canary + "\n"
			if _, err := intake.ImportFile(ctx, s, file(t, body), intake.Options{}); err != nil {
				t.Fatal(err)
			}
			var note string
			s.EachClaim(ctx, func(r store.ClaimRow) error { note = r.Claim.Note; return nil })
			if note != canary {
				t.Errorf("note read back as %q", note)
			}
			if res, err := intake.ImportFile(ctx, s, file(t, body), intake.Options{}); err != nil || res.ClaimsNew != 0 {
				t.Errorf("the same note imported again: %+v %v", res, err)
			}
			if dump := storetest.AtRest(t, dir, dsn); !bytes.Contains(dump, []byte("sealed1:")) || bytes.Contains(dump, []byte("informant-canary")) {
				t.Errorf("the note is in clear at rest, or nothing sealed is there at all")
			}
		})
	}
}

func TestNotesNeedTheKey(t *testing.T) {
	dir, _ := storetest.Fresh(t, store.SQLite)
	s, err := store.Open(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = intake.ImportFile(context.Background(), s, file(t, header+"v,1,A B,,,,,,,,missing,2022-07-01,,,a note\n"), intake.Options{})
	if !errors.Is(err, store.ErrNoKeys) {
		t.Errorf("a note without the data key: %v", err)
	}
	if tot := totals(t, s); tot != (store.Stats{}) {
		t.Errorf("refused import wrote %+v", tot)
	}
	// Without notes no key is needed.
	if _, err := intake.ImportFile(context.Background(), s, file(t, header+"v,1,A B,,,,,,,,missing,2022-07-01,,,\n"), intake.Options{}); err != nil {
		t.Error(err)
	}
}

// What a file says is what the database holds, field by field, in the
// ordinary import and in the command's bulk one, over enough rows for many
// batches, where optional columns are empty throughout some batches (which
// then leave them to the schema's default) and filled in others.
func TestImportStoresEveryFieldAsWritten(t *testing.T) {
	var body strings.Builder
	body.WriteString(header)
	var want []string
	for i := 0; i < 1500; i++ {
		sparse := i >= 800 && i%3 == 0 // the first 800 rows leave every optional field empty
		alt, birthYear, birthDate, locality, place, note := "", "", "", "", "", ""
		if sparse {
			alt, birthYear, birthDate, locality, place, note = "Ázamat Q;Азамат К", "1971", "1971-02-03", "Шымбай", "СИЗО №1", "note "+strconv.Itoa(i)
		}
		fields := []string{"src" + strconv.Itoa(i%3), "r" + strconv.Itoa(i), "Досжанов Азамат " + strconv.Itoa(i), alt, "m", birthYear, birthDate,
			"Нукус", locality, "protester", "detained", "2022-07-" + strconv.Itoa(10+i%9), "corroborated", place, note}
		body.WriteString(strings.Join(fields, ",") + "\n")
		// As read back: no record id, the claim's own fields.
		want = append(want, strings.Join(fields, "|"))
	}
	for _, bulk := range []bool{false, true} {
		t.Run(fmt.Sprintf("bulk=%v", bulk), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				if _, err := intake.ImportFile(ctx, s, file(t, body.String()), intake.Options{Bulk: bulk}); err != nil {
					t.Fatal(err)
				}
				var got []string
				err := s.EachClaim(ctx, func(r store.ClaimRow) error {
					rec, c := r.Record, r.Claim
					birthYear := ""
					if rec.BirthYear != 0 {
						birthYear = strconv.Itoa(rec.BirthYear)
					}
					got = append(got, strings.Join([]string{rec.SourceKey, rec.Key, rec.Name, strings.Join(rec.NameAlt, ";"), rec.Sex, birthYear, rec.BirthDate,
						rec.Region, rec.Locality, registry.JoinRoles(rec.Roles), string(c.Status), c.Date.String(), c.Verification.String(), c.Place, c.Note}, "|"))
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				sort.Strings(got)
				sorted := append([]string(nil), want...)
				sort.Strings(sorted)
				if len(got) != len(sorted) {
					t.Fatalf("%d claims stored, want %d", len(got), len(sorted))
				}
				for i := range got {
					if got[i] != sorted[i] {
						t.Fatalf("stored:\n%s\nwant:\n%s", got[i], sorted[i])
					}
				}
			})
		})
	}
}
