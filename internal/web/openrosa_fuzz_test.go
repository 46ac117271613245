package web

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"rollcall/internal/auth"
	"rollcall/internal/evidence"
	"rollcall/internal/openrosa"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

const fuzzBoundary = "rollcallfuzzboundary"

// fuzzBody is a multipart body as Collect sends it.
func fuzzBody(instance string, files map[string]string, incomplete bool) []byte {
	var b bytes.Buffer
	part := func(name, filename, ctype, body string) {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=%q", fuzzBoundary, name)
		if filename != "" {
			fmt.Fprintf(&b, "; filename=%q", filename)
		}
		if ctype != "" {
			fmt.Fprintf(&b, "\r\nContent-Type: %s", ctype)
		}
		fmt.Fprintf(&b, "\r\n\r\n%s\r\n", body)
	}
	part("xml_submission_file", "s.xml", "text/xml", instance)
	for name, body := range files {
		part(name, name, "image/jpeg", body)
	}
	if incomplete {
		part("*isIncomplete*", "", "", "yes")
	}
	fmt.Fprintf(&b, "--%s--\r\n", fuzzBoundary)
	return b.Bytes()
}

// FuzzOpenRosaSubmission: any body POSTed to a phone's submission URL
// (the multipart framing, the instance, the attachments) is answered with
// one of the statuses of the Form Submission API and never a panic; and
// whatever is refused leaves nothing behind.
func FuzzOpenRosaSubmission(f *testing.F) {
	inst := `<data id="rollcall_report" version="x"><name>Azamat Qurbanov</name><status>detained</status><year>2022</year><photo>p.jpg</photo><meta><instanceID>uuid:fuzz-1</instanceID></meta></data>`
	rec := `<data id="rollcall_record"><name>Gulnara</name><status>detained</status><date>2022-07</date><roles>protester</roles><audio>a.m4a</audio><meta><instanceID>uuid:fuzz-2</instanceID></meta></data>`
	f.Add(fuzzBody(inst, map[string]string{"p.jpg": "\xff\xd8\xff a photo"}, false))
	f.Add(fuzzBody(rec, map[string]string{"a.m4a": "audio"}, true))
	f.Add(fuzzBody(inst, map[string]string{"other.jpg": "not named"}, false))
	f.Add(fuzzBody(`<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><data id="rollcall_report">&x;</data>`, nil, false))
	f.Add([]byte("--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"xml_submission_file\"\r\n\r\n<data"))

	st := storetest.Open(f, store.SQLite)
	s, err := New(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		f.Fatal(err)
	}
	a := auth.New(st)
	s.EnableWorkspace(a, f.TempDir())
	blobs, err := evidence.NewDir(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	if err := s.EnableEvidence(context.Background(), EvidenceConfig{Blobs: blobs, UploadLimit: 1 << 20}); err != nil {
		f.Fatal(err)
	}
	u, _, err := a.AddUser(context.Background(), "test", "fuzz-volunteer@example.org", auth.Volunteer)
	if err != nil {
		f.Fatal(err)
	}
	token := openrosa.NewToken()
	if _, err := st.AddPhone(context.Background(), store.ActorCLI, "fuzz-phone", u.ID, openrosa.TokenHash(token)); err != nil {
		f.Fatal(err)
	}
	kept := func() int {
		items, _ := st.EvidenceItems(context.Background(), nil)
		reports, _, _ := st.Reports(context.Background(), store.ReportFilter{State: store.ReportOpen})
		recs, _ := st.Records(context.Background(), store.RecordFilter{EnteredBy: u.ID})
		return len(items) + len(reports) + len(recs)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		before := kept()
		req := httptest.NewRequest(http.MethodPost, "/openrosa/key/"+token+"/submission", bytes.NewReader(body))
		req.TLS = &tls.ConnectionState{HandshakeComplete: true}
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+fuzzBoundary)
		req.Header.Set("X-OpenRosa-Version", "1.0")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		switch w.Code {
		case http.StatusCreated:
		case http.StatusBadRequest, http.StatusNotFound, http.StatusRequestEntityTooLarge:
			if kept() != before {
				t.Fatalf("refused with %d but kept something:\n%s", w.Code, body)
			}
		default:
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		if !strings.Contains(w.Body.String(), openrosa.NSResponse) {
			t.Fatalf("answer is no OpenRosaResponse: %s", w.Body)
		}
	})
}
