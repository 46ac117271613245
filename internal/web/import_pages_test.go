package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/intake"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

const importHeader = "source,record,name,name_alt,sex,birth_year,birth_date,region,locality,roles,status,date,verification,place,note\n"

// importList is a small interchange list: two sources, three records
// (two of them one person in two scripts), four claims.
const importList = importHeader +
	"volunteers-2022-07,1,Азамат Курбанов,,m,1990,,Нукус,,protester,detained,2022-07-02,,,\n" +
	"volunteers-2022-07,1,Азамат Курбанов,,m,1990,,Нукус,,protester,released,2022-07-20,,,\n" +
	"volunteers-2022-07,2,Lola Karimova,,f,1996,,Xojeli,,,detained,2022-07-03,,,\n" +
	"hotline,a7,Azamat Kurbanov,,m,1990,,Nukus,,,detained,2022-07-02,,,\n"

// postImport sends the upload form as a browser does: the form token
// first, then each file.
func postImport(t *testing.T, site http.Handler, sess session, lang string, files map[string][]byte) *httptest.ResponseRecorder {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", sess.CSRF)
	for name, body := range files {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(body)
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/admin/import/", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	req.AddCookie(sess.Cookie)
	w := httptest.NewRecorder()
	site.ServeHTTP(w, req)
	return w
}

// waitJob reloads the job's page until it no longer refreshes itself.
func waitJob(t *testing.T, site http.Handler, sess session, lang, path string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(sess.Cookie)
		if lang != "" {
			req.Header.Set("Accept-Language", lang)
		}
		w := httptest.NewRecorder()
		site.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
		body := w.Body.String()
		if !strings.Contains(body, `http-equiv="refresh"`) {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still running: %s", path, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var cellRE = regexp.MustCompile(`<th scope="row">([^<]*)</th><td>[^<]*</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>`)

func countAudit(t *testing.T, st *store.Store, action string) []store.AuditEntry {
	t.Helper()
	entries, err := st.AuditEntries(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.AuditEntry
	for _, e := range entries {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

func countRecords(t *testing.T, st *store.Store) int {
	t.Helper()
	recs, err := st.LoadLinkageInput(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(recs.Records)
}

// An editor uploads a list, sees the preview (nothing written), confirms,
// waits for the import, and finds duplicates; each step is audited.
func TestImportPreviewConfirmDedupe(t *testing.T) {
	for _, dialect := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			st := storetest.Open(t, dialect)
			site, a := workspaceSite(t, st)
			editor := signIn(t, site, a, auth.Editor)
			w := postImport(t, site, editor, "ru", map[string][]byte{"list.csv": []byte(importList)})
			if w.Code != http.StatusSeeOther {
				t.Fatalf("upload: %d %s", w.Code, w.Body)
			}
			job := w.Header().Get("Location")
			page := waitJob(t, site, editor, "ru", job)
			if !strings.Contains(page, "Что сделает импорт") || !strings.Contains(page, "Пока ничего не записано") {
				t.Fatalf("no Russian preview: %s", page)
			}
			m := cellRE.FindStringSubmatch(page)
			if m == nil || m[1] != "list.csv" || m[2] != "4" || m[3] != "2" || m[4] != "3" || m[5] != "4" {
				t.Fatalf("preview counts %q in %s", m, page)
			}
			if n := countRecords(t, st); n != 0 {
				t.Fatalf("the preview wrote %d records", n)
			}
			if w := editor.post(t, site, job+"/confirm", nil); w.Code != http.StatusSeeOther {
				t.Fatalf("confirm: %d", w.Code)
			}
			page = waitJob(t, site, editor, "en", job)
			if !strings.Contains(page, "<h1>Imported</h1>") {
				t.Fatalf("not imported: %s", page)
			}
			if n := countRecords(t, st); n != 3 {
				t.Fatalf("%d records after the import, want 3", n)
			}
			if e := countAudit(t, st, "import.file"); len(e) != 1 || e[0].Actor != editor.User.ID || !strings.Contains(e[0].Detail, "claims_new=4") {
				t.Fatalf("import audit entries %+v", e)
			}
			// the records say where they came from
			if _, err := st.RefreshPublic(context.Background()); err != nil {
				t.Fatal(err)
			}
			ids, err := st.SearchRecords(context.Background(), "Karimova", 5)
			if err != nil || len(ids) != 1 {
				t.Fatalf("the imported record: %v %v", ids, err)
			}
			if w := editor.get(t, site, "/admin/records/"+ids[0]); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "From the import of list.csv") {
				t.Fatalf("record page %d: %s", w.Code, w.Body)
			}
			if w := editor.post(t, site, job+"/dedupe", nil); w.Code != http.StatusSeeOther {
				t.Fatalf("dedupe: %d", w.Code)
			}
			page = waitJob(t, site, editor, "en", job)
			if !strings.Contains(page, "<dt>Records compared</dt><dd>3</dd>") || !strings.Contains(page, "<dt>Persons before</dt><dd>3</dd>") {
				t.Fatalf("dedupe summary missing: %s", page)
			}
			if e := countAudit(t, st, "dedupe.run"); len(e) != 1 || e[0].Actor != editor.User.ID {
				t.Fatalf("dedupe audit entries %+v", e)
			}
			// the record dedupe moved says so on its page
			ids, err = st.SearchRecords(context.Background(), "Kurbanov Azamat", 5)
			if err != nil || len(ids) != 2 {
				t.Fatalf("the two records of one man: %v %v", ids, err)
			}
			moved := 0
			for _, id := range ids {
				if strings.Contains(editor.get(t, site, "/admin/records/"+id).Body.String(), "Put into a person by a dedupe run") {
					moved++
				}
			}
			if moved != 1 {
				t.Errorf("%d record pages say dedupe moved them, want 1", moved)
			}
			// another editor cannot see the job
			other := signIn(t, site, a, auth.Editor)
			if w := other.get(t, site, job); w.Code != http.StatusNotFound {
				t.Fatalf("another editor's view of the job: %d", w.Code)
			}
			// a volunteer may not import
			vol := signIn(t, site, a, auth.Volunteer)
			if w := postImport(t, site, vol, "", map[string][]byte{"list.csv": []byte(importList)}); w.Code != http.StatusForbidden {
				t.Fatalf("volunteer upload: %d", w.Code)
			}
		})
	}
}

// Bad rows are listed with their lines in the preview, which offers no
// import; bad files are refused before anything is kept, with the reason.
func TestImportRefusals(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, err := web.New(st, suiteLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(site.Wait)
	a := auth.New(st)
	data := t.TempDir()
	site.EnableWorkspace(a, data)
	site.SetImportLimit(4 << 10)
	editor := signIn(t, site, a, auth.Editor)

	bad := importList + "v,3,Someone,,x,19,,,,,detained,2022-07-01,,,\n"
	w := postImport(t, site, editor, "ru", map[string][]byte{"bad.csv": []byte(bad)})
	page := waitJob(t, site, editor, "ru", w.Header().Get("Location"))
	if !strings.Contains(page, "Строка 6: пол «x»: укажите m, f или оставьте пустым; birth_year «19»: укажите четыре цифры") || strings.Contains(page, "Импортировать эти файлы") {
		t.Fatalf("bad row not shown, or the import offered: %s", page)
	}

	w = postImport(t, site, editor, "ru", map[string][]byte{"header.csv": []byte("surname,given\nA,B\n")})
	page = waitJob(t, site, editor, "ru", w.Header().Get("Location"))
	if !strings.Contains(page, "Строка 1: неизвестные столбцы: &#34;surname&#34;, &#34;given&#34;") || strings.Contains(page, "Импортировать эти файлы") {
		t.Fatalf("a wrong header not shown in Russian: %s", page)
	}

	for _, c := range []struct {
		name   string
		body   []byte
		status int
		want   string
	}{
		{"list.xlsx", []byte("PK\x03\x04\x14\x00\x06\x00 rest of a zip"), http.StatusBadRequest, "это файл электронной таблицы, а не CSV"},
		{"latin1.csv", []byte(importHeader + "v,1,Na\xefve,,,,,,,,detained,2022-07-01,,,\n"), http.StatusBadRequest, "файл не в UTF-8 (строка 2)"},
		{"utf16.csv", []byte("\xff\xfes\x00o\x00"), http.StatusBadRequest, "UTF-16"},
		{"big.csv", []byte(importHeader + strings.Repeat("v,1,A B,,,,,,,,detained,2022-07-01,,,\n", 200)), http.StatusRequestEntityTooLarge, "больше 0.0 МиБ"},
	} {
		w := postImport(t, site, editor, "ru", map[string][]byte{c.name: c.body})
		if w.Code != c.status || !strings.Contains(w.Body.String(), c.want) || !strings.Contains(w.Body.String(), "отклонён, ничего не сохранено") {
			t.Errorf("%s: %d, want %d and %q: %s", c.name, w.Code, c.status, c.want, w.Body)
		}
	}
	if n := countRecords(t, st); n != 0 {
		t.Fatalf("%d records written", n)
	}
	// of the refused uploads nothing is left, sealed or not; the two
	// previewed ones wait sealed for their import, unreadable as text
	kept, _ := filepath.Glob(filepath.Join(data, "import-tmp", "*"))
	if len(kept) != 2 {
		t.Errorf("files kept: %v", kept)
	}
	for _, f := range kept {
		if b, _ := os.ReadFile(f); bytes.Contains(b, []byte("source,record")) || bytes.Contains(b, []byte("surname")) {
			t.Errorf("%s holds the upload in clear", f)
		}
	}
}

// An import that fails half-way (the database changed since the preview)
// writes nothing of the file, and the page names the line.
func TestImportFailsHalfWay(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	site, a := workspaceSite(t, st)
	editor := signIn(t, site, a, auth.Editor)
	w := postImport(t, site, editor, "en", map[string][]byte{"list.csv": []byte(importList)})
	job := w.Header().Get("Location")
	waitJob(t, site, editor, "en", job)
	// meanwhile, record 2 of the volunteers' list arrives with another birth year
	other := filepath.Join(t.TempDir(), "other.csv")
	os.WriteFile(other, []byte(importHeader+"volunteers-2022-07,2,Lola Karimova,,f,1997,,Xojeli,,,detained,2022-07-03,,,\n"), 0o600)
	if _, err := intake.ImportFile(context.Background(), st, other, intake.Options{}); err != nil {
		t.Fatal(err)
	}
	editor.post(t, site, job+"/confirm", nil)
	page := waitJob(t, site, editor, "en", job)
	if !strings.Contains(page, "The import stopped") || !strings.Contains(page, "Line 4: record 2 of source volunteers-2022-07 is already stored with other person fields") || !strings.Contains(page, "Nothing of this file was written.") {
		t.Fatalf("failure not shown: %s", page)
	}
	if n := countRecords(t, st); n != 1 {
		t.Fatalf("%d records, want only the other file's one", n)
	}
}
