package web

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"rollcall/internal/intake"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
)

func formsServer(t *testing.T) *Server {
	t.Helper()
	s, err := New(storetest.Open(t, store.SQLite), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// xformElements walks a form as XML (failing if it is not well formed) and
// returns each bind by its nodeset and each itext value by language and id.
func xformElements(t *testing.T, doc []byte) (binds map[string]map[string]string, itext map[string]map[string]string) {
	t.Helper()
	binds, itext = map[string]map[string]string{}, map[string]map[string]string{}
	d := xml.NewDecoder(bytes.NewReader(doc))
	var lang, id string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return binds, itext
		}
		if err != nil {
			t.Fatalf("the form is not well-formed XML: %v\n%s", err, doc)
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			if c, ok := tok.(xml.CharData); ok && id != "" && strings.TrimSpace(string(c)) != "" {
				itext[lang][id] = string(c)
				id = ""
			}
			continue
		}
		attrs := map[string]string{}
		for _, a := range el.Attr {
			attrs[a.Name.Local] = a.Value
		}
		switch el.Name.Local {
		case "bind":
			binds[attrs["nodeset"]] = attrs
		case "translation":
			lang = attrs["lang"]
			itext[lang] = map[string]string{}
		case "text":
			id = attrs["id"]
		}
	}
}

// The report form is the web report form's: its fields by the same names,
// with the same limits, in every language of the site from the same
// catalogues.
func TestReportXFormFromTheWebForm(t *testing.T) {
	s := formsServer(t)
	doc := s.reportXForm().XML()
	binds, itext := xformElements(t, doc)
	name := binds["/data/"+intake.ReportName]
	if name["required"] != "true()" || name["constraint"] != fmt.Sprintf("string-length(.) <= %d", intake.MaxReportShort) {
		t.Errorf("name bind %v: want required and the web form's limit %d", name, intake.MaxReportShort)
	}
	if c := binds["/data/"+intake.ReportText]["constraint"]; c != fmt.Sprintf("string-length(.) <= %d", intake.MaxReportText) {
		t.Errorf("text constraint %q", c)
	}
	if c := binds["/data/"+intake.ReportYear]["constraint"]; !strings.Contains(c, fmt.Sprintf(". >= %d", intake.MinReportYear)) {
		t.Errorf("year constraint %q lacks the web form's first year", c)
	}
	for _, f := range []string{fieldPhoto, fieldVideo, fieldAudio} {
		if binds["/data/"+f]["type"] != "binary" {
			t.Errorf("%s: bind %v, want an attachment", f, binds["/data/"+f])
		}
	}
	if binds["/data/meta/instanceID"]["preload"] != "uid" || binds["/data/start"]["preloadParams"] != "start" {
		t.Errorf("meta binds: %v %v", binds["/data/meta/instanceID"], binds["/data/start"])
	}
	if _, ok := binds["/data/"+intake.ReportHoneypot]; ok {
		t.Error("the honeypot is for browsers; a phone's form must not have it")
	}
	if len(itext) != 4 {
		t.Fatalf("translations %d, want en, ru, kaa, uz", len(itext))
	}
	for lang, c := range s.catalogs {
		tr := itext[c.messages["lang.name"]+" ("+lang+")"]
		if tr == nil {
			t.Fatalf("no translation for %s among %v", lang, keys(itext))
		}
		if got := tr["/data/name:label"]; got != c.messages["report.name"] {
			t.Errorf("%s name label %q, want the catalogue's %q", lang, got, c.messages["report.name"])
		}
		if got := tr["/data/status/detained:label"]; got != c.messages["report.status.detained"] {
			t.Errorf("%s detained %q, want %q", lang, got, c.messages["report.status.detained"])
		}
	}
	if bytes.Contains(doc, []byte("base64RsaPublicKey")) {
		t.Error("without a key the form must not ask for encryption")
	}
	s.SetOpenRosaPublicKey("MIIBIjANBgkq")
	if !bytes.Contains(s.reportXForm().XML(), []byte(`<submission method="post" base64RsaPublicKey="MIIBIjANBgkq"/>`)) {
		t.Error("the key is not in the form's submission element")
	}
}

func TestRecordXFormFromTheWorkspaceForm(t *testing.T) {
	s := formsServer(t)
	f := s.recordXForm()
	binds, itext := xformElements(t, f.XML())
	if c := binds["/data/name"]["constraint"]; c != fmt.Sprintf("string-length(.) <= %d", maxShortField) {
		t.Errorf("name constraint %q, want the workspace's %d", c, maxShortField)
	}
	if c := binds["/data/note"]["constraint"]; c != fmt.Sprintf("string-length(.) <= %d", maxNoteField) {
		t.Errorf("note constraint %q", c)
	}
	if binds["/data/status"]["required"] != "true()" || binds["/data/date"]["required"] != "true()" {
		t.Error("status and date are required, as in the workspace")
	}
	if _, ok := binds["/data/source"]; ok {
		t.Error("the source is the phone's own; the form must not ask for it")
	}
	ru := itext["Русский (ru)"]
	if ru == nil || ru["/data/roles/journalist:label"] != s.catalogs["ru"].messages["people.role.journalist"] || ru["/data/sex:label"] != "Пол" {
		t.Errorf("ru translation: %v", ru)
	}
	if kaa := itext[s.catalogs["kaa"].messages["lang.name"]+" (kaa)"]; kaa["/data/photo:label"] != "Súwret" {
		t.Errorf("kaa photo label %q", kaa["/data/photo:label"])
	}
	if f.Version() == s.reportXForm().Version() {
		t.Error("two forms with one version")
	}
}

func keys[M ~map[string]V, V any](m M) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
