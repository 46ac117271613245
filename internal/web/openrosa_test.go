package web_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/evidence"
	"rollcall/internal/openrosa"
	"rollcall/internal/registry"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

// phoneRig is a site with the workspace and evidence, served over TLS as
// phones reach it, with one phone registered to a volunteer.
type phoneRig struct {
	t         *testing.T
	st        *store.Store
	site      *web.Server
	a         *auth.Service
	srv       *httptest.Server
	base      string // the phone's server URL
	token     string
	phone     store.Phone
	volunteer store.User
}

const phoneName = "collect-nukus-1"

func newPhoneRig(t *testing.T, st *store.Store, cfg web.EvidenceConfig) *phoneRig {
	t.Helper()
	site, a := workspaceSite(t, st)
	blobs, err := evidence.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Blobs = blobs
	if err := site.EnableEvidence(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(site)
	t.Cleanup(srv.Close)
	ctx := context.Background()
	email := fmt.Sprintf("phone-volunteer%d@example.org", time.Now().UnixNano())
	u, _, err := a.AddUser(ctx, "test", email, auth.Volunteer)
	if err != nil {
		t.Fatal(err)
	}
	token := openrosa.NewToken()
	logCanaries.add(token)
	p, err := st.AddPhone(ctx, store.ActorCLI, phoneName, u.ID, openrosa.TokenHash(token))
	if err != nil {
		t.Fatal(err)
	}
	return &phoneRig{t: t, st: st, site: site, a: a, srv: srv, base: openrosa.ServerURL(srv.URL, token), token: token, phone: p, volunteer: u}
}

// collectHeaders are the headers of every request ODK Collect sends (the
// OpenRosa HTTP Request API: the version, and the date in RFC 1123 form).
func collectHeaders(req *http.Request) {
	req.Header.Set("X-OpenRosa-Version", "1.0")
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("User-Agent", "org.odk.collect.android/v2024.3.1 okhttp/4.12.0")
}

func (rig *phoneRig) do(req *http.Request) (*http.Response, string) {
	rig.t.Helper()
	collectHeaders(req)
	res, err := rig.srv.Client().Do(req)
	if err != nil {
		rig.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.Header.Get("X-OpenRosa-Version") != "1.0" || res.Header.Get("Date") == "" {
		rig.t.Errorf("%s %s: answer without X-OpenRosa-Version 1.0 and Date: %v", req.Method, req.URL.Path, res.Header)
	}
	return res, string(b)
}

func (rig *phoneRig) get(path string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodGet, path, nil)
	return rig.do(req)
}

// attachment is one file of a submission as Collect names it.
type attachment struct {
	name, contentType string
	body              io.Reader
}

// submit POSTs a submission the way Collect does: multipart/form-data with
// xml_submission_file first (text/xml), each file as a part named by its
// file name, and *isIncomplete* = yes on all but the last POST of a
// submission split over several. chunked sends it with Transfer-Encoding
// chunked (the length unknown), as Collect's HTTP client does for large
// bodies.
func (rig *phoneRig) submit(base, instance string, files []attachment, incomplete, chunked bool) (*http.Response, string) {
	rig.t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="xml_submission_file"; filename="rollcall_2026-12-01_09-15-02.xml"`)
		h.Set("Content-Type", "text/xml")
		part, _ := mw.CreatePart(h)
		io.WriteString(part, instance)
		for _, f := range files {
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f.name, f.name))
			h.Set("Content-Type", f.contentType)
			part, _ := mw.CreatePart(h)
			if _, err := io.Copy(part, f.body); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		if incomplete {
			mw.WriteField("*isIncomplete*", "yes")
		}
		pw.CloseWithError(mw.Close())
	}()
	var body io.Reader = pr
	if !chunked {
		b, err := io.ReadAll(pr)
		if err != nil {
			rig.t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/submission", body)
	if chunked {
		req.ContentLength = -1
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return rig.do(req)
}

// orMessage is the message of an OpenRosaResponse, failing on any other
// document.
func orMessage(t *testing.T, body string) string {
	t.Helper()
	var r struct {
		XMLName xml.Name `xml:"http://openrosa.org/http/response OpenRosaResponse"`
		Message string   `xml:"message"`
	}
	if err := xml.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("not an OpenRosaResponse: %v\n%s", err, body)
	}
	return r.Message
}

func reportInstance(instanceID, name string, photo string) string {
	return `<?xml version='1.0' ?><data id="rollcall_report" version="x" xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms">` +
		`<start>2026-12-01T09:15:02.123+05:00</start><end>2026-12-01T09:20:40.004+05:00</end>` +
		`<name>` + name + `</name><name_alt>Азамат Курбанов</name_alt><age>34</age><region>Nukus</region><locality/>` +
		`<status>detained</status><year>2022</year><month>7</month><day>2</day><place>Nukus, central square</place>` +
		`<text>Taken from the square</text><relation>sibling</relation><contact>signal 4471</contact>` +
		`<photo>` + photo + `</photo><video/><audio/><meta><instanceID>` + instanceID + `</instanceID></meta></data>`
}

func recordInstance(instanceID string, photo, audio string) string {
	return `<?xml version='1.0' ?><data id="rollcall_record" version="x">` +
		`<start>2026-11-30T18:00:00.000+05:00</start><end>2026-11-30T18:04:00.000+05:00</end>` +
		`<name>Gulnara Seytimbetova</name><name_alt>Гульнара Сейтимбетова</name_alt><sex>f</sex><birth_year>1988</birth_year><birth_date/>` +
		`<region>Nukus</region><locality/><roles>protester journalist</roles><status>detained</status><date>2022-07-02</date>` +
		`<place>Nukus SIZO</place><details/><note>same birth place, same detention date</note>` +
		`<photo>` + photo + `</photo><video/><audio>` + audio + `</audio><meta><instanceID>` + instanceID + `</instanceID></meta></data>`
}

// Form Discovery: the list, each form (its hash the MD5 of the bytes
// served) and its manifest, under the URL the phone was given.
func TestOpenRosaFormList(t *testing.T) {
	rig := newPhoneRig(t, storetest.Open(t, store.SQLite), web.EvidenceConfig{})
	res, body := rig.get(rig.base + "/formList")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/xml") {
		t.Fatalf("formList: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	var list struct {
		XMLName xml.Name `xml:"http://openrosa.org/xforms/xformsList xforms"`
		Forms   []struct {
			ID       string `xml:"formID"`
			Name     string `xml:"name"`
			Version  string `xml:"version"`
			Hash     string `xml:"hash"`
			Download string `xml:"downloadUrl"`
			Manifest string `xml:"manifestUrl"`
		} `xml:"xform"`
	}
	if err := xml.Unmarshal([]byte(body), &list); err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	if len(list.Forms) != 2 || list.Forms[0].ID != "rollcall_report" || list.Forms[1].ID != "rollcall_record" {
		t.Fatalf("forms: %+v", list.Forms)
	}
	for _, f := range list.Forms {
		if !strings.HasPrefix(f.Download, rig.base+"/") || !strings.HasPrefix(f.Manifest, rig.base+"/") {
			t.Errorf("%s: links %s %s do not lie under the phone's URL", f.ID, f.Download, f.Manifest)
		}
		res, form := rig.get(f.Download)
		sum := md5.Sum([]byte(form))
		if res.StatusCode != http.StatusOK || f.Hash != "md5:"+hex.EncodeToString(sum[:]) {
			t.Errorf("%s: %d, hash %s, want md5 of the form served", f.ID, res.StatusCode, f.Hash)
		}
		if !strings.Contains(form, `<data id="`+f.ID+`" version="`+f.Version+`"`) {
			t.Errorf("%s: the form's instance does not carry the listed id and version", f.ID)
		}
		res, manifest := rig.get(f.Manifest)
		if res.StatusCode != http.StatusOK || !strings.Contains(manifest, `<manifest xmlns="http://openrosa.org/xforms/xformsManifest">`) {
			t.Errorf("%s manifest: %d\n%s", f.ID, res.StatusCode, manifest)
		}
	}
	if res, body := rig.get(rig.base + "/formList?formID=rollcall_record"); res.StatusCode != http.StatusOK || strings.Contains(body, "rollcall_report") {
		t.Errorf("formID filter: %d\n%s", res.StatusCode, body)
	}
	if res, body := rig.get(rig.base + "/forms/nope/form.xml"); res.StatusCode != http.StatusNotFound || orMessage(t, body) == "" {
		t.Errorf("unknown form: %d %s", res.StatusCode, body)
	}
}

// A report from Collect, exactly as it sends one (HEAD, then a chunked
// multipart POST with a photo), lands in report triage with its content
// sealed as a web report's; the photo is an evidence item whose custody
// starts "received from device NAME"; the phone's times and the time
// received are kept; the same instance again is answered without a copy.
func TestOpenRosaReportSubmission(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		rig := newPhoneRig(t, st, web.EvidenceConfig{})
		ctx := context.Background()
		req, _ := http.NewRequest(http.MethodHead, rig.base+"/submission", nil)
		res, _ := rig.do(req)
		if res.StatusCode != http.StatusNoContent || res.Header.Get("X-OpenRosa-Accept-Content-Length") != fmt.Sprint(web.DefaultUploadLimit) {
			t.Fatalf("HEAD: %d, accept length %q", res.StatusCode, res.Header.Get("X-OpenRosa-Accept-Content-Length"))
		}
		photo := bytes.Repeat([]byte("\xff\xd8\xff\xe0 a photo of the square "), 4000)
		instance := reportInstance("uuid:6c7c3f5e-8d4a-4e1b-9a53-2f4f0e0c1a11", "Azamat Qurbanov", "1733030000123.jpg")
		before := st.Now()
		res, body := rig.submit(rig.base, instance, []attachment{{"1733030000123.jpg", "image/jpeg", bytes.NewReader(photo)}}, false, true)
		if res.StatusCode != http.StatusCreated || !strings.Contains(orMessage(t, body), "reference") {
			t.Fatalf("POST: %d\n%s", res.StatusCode, body)
		}
		reports, _, err := st.Reports(ctx, store.ReportFilter{State: store.ReportOpen})
		if err != nil || len(reports) != 1 {
			t.Fatalf("triage holds %d reports (%v), want 1", len(reports), err)
		}
		rep := reports[0]
		if rep.Name != "Azamat Qurbanov" || rep.Status != registry.Detained || rep.BirthYear != time.Now().Year()-34 || !strings.Contains(orMessage(t, body), rep.Reference) {
			t.Fatalf("report %+v", rep)
		}
		secrets, err := st.ReportSealed(ctx, "test", rep.ID)
		if err != nil || secrets.Contact != "signal 4471" || secrets.Relation != "sibling" {
			t.Fatalf("sealed parts %+v %v", secrets, err)
		}
		// The triage page an editor works from shows it.
		editor := signIn(t, rig.site, rig.a, auth.Editor)
		if w := editor.get(t, rig.site, "/admin/reports/"); !strings.Contains(w.Body.String(), rep.Reference) {
			t.Errorf("the triage queue does not show report %s", rep.Reference)
		}
		sub, err := st.PhoneSubmissionOf(ctx, "rollcall_report", "uuid:6c7c3f5e-8d4a-4e1b-9a53-2f4f0e0c1a11")
		if err != nil || sub.Kind != store.SubmissionReport || sub.TargetID != rep.ID || sub.PhoneID != rig.phone.ID {
			t.Fatalf("submission %+v %v", sub, err)
		}
		if want := time.Date(2026, 12, 1, 4, 15, 2, 123e6, time.UTC); !sub.StartedAt.Equal(want) || sub.EndedAt.Before(sub.StartedAt) {
			t.Errorf("phone times %v–%v, want from %v", sub.StartedAt, sub.EndedAt, want)
		}
		if sub.ReceivedAt.Before(before.Add(-time.Second)) {
			t.Errorf("received at %v, before the request (%v)", sub.ReceivedAt, before)
		}
		itemID := sub.Attachments["1733030000123.jpg"]
		item, err := st.EvidenceItem(ctx, itemID)
		if err != nil || item.Size != int64(len(photo)) || item.ReceivedBy != "device:"+phoneName {
			t.Fatalf("evidence item %+v %v", item, err)
		}
		// The report's page says which phone sent it and leads to its files.
		page := editor.get(t, rig.site, "/admin/reports/"+rep.ID).Body.String()
		if !strings.Contains(page, "<code>"+phoneName+"</code>") || !strings.Contains(page, `href="/admin/evidence/`+itemID+`">1733030000123.jpg</a>`) ||
			!strings.Contains(page, "2026-12-01 04:15–04:20 UTC") {
			t.Errorf("the report's page does not show the phone, its times and the photo:\n%s", page)
		}
		// Made into a record by the editor, the report's photo goes with it
		// to the record's person.
		if w := editor.post(t, rig.site, "/admin/reports/"+rep.ID+"/record", nil); w.Code != http.StatusSeeOther {
			t.Fatalf("make a record: %d %s", w.Code, w.Body)
		}
		made, err := st.Report(ctx, rep.ID)
		if err != nil || made.RecordID == "" {
			t.Fatalf("report after recording: %+v %v", made, err)
		}
		madeRec, _, err := st.Record(ctx, made.RecordID)
		if err != nil {
			t.Fatal(err)
		}
		if linked, _ := st.EvidenceItems(ctx, &store.EvidenceLink{Kind: "person", TargetID: madeRec.PersonID}); len(linked) != 1 || linked[0].ID != itemID {
			t.Errorf("the photo is not linked to the person the report became: %+v", linked)
		}
		custody, err := st.EvidenceCustody(ctx, itemID)
		if err != nil || len(custody) == 0 || custody[0].Action != store.CustodyReceived || !strings.Contains(custody[0].Detail, "from=device:"+phoneName) {
			t.Fatalf("custody %+v %v", custody, err)
		}

		// Collect did not see the answer and sends it all again.
		res, body = rig.submit(rig.base, instance, []attachment{{"1733030000123.jpg", "image/jpeg", bytes.NewReader(photo)}}, false, false)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("again: %d %s", res.StatusCode, body)
		}
		open, _, _ := st.Reports(ctx, store.ReportFilter{State: store.ReportOpen})
		recorded, _, _ := st.Reports(ctx, store.ReportFilter{State: store.ReportRecorded})
		if len(open)+len(recorded) != 1 {
			t.Errorf("the same instance twice made %d reports", len(open)+len(recorded))
		}
		if items, _ := st.EvidenceItems(ctx, nil); len(items) != 1 {
			t.Errorf("the same instance twice made %d evidence items", len(items))
		}
	})
}

// A record split over two POSTs (*isIncomplete* on the first) becomes one
// unverified record of the phone's volunteer in the phone's source, with
// both attachments linked to its person.
func TestOpenRosaRecordSubmissionInParts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		rig := newPhoneRig(t, st, web.EvidenceConfig{})
		ctx := context.Background()
		instance := recordInstance("uuid:0b7e0d9a-1111-4c1c-9d3e-6a6b6c6d6e6f", "p.jpg", "a.m4a")
		res, body := rig.submit(rig.base, instance, []attachment{{"p.jpg", "image/jpeg", strings.NewReader("first part: a photo")}}, true, true)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("first POST: %d %s", res.StatusCode, body)
		}
		if recs, _ := st.Records(ctx, store.RecordFilter{EnteredBy: rig.volunteer.ID}); len(recs) != 0 {
			t.Fatalf("an incomplete submission made %d records", len(recs))
		}
		res, body = rig.submit(rig.base, instance, []attachment{{"a.m4a", "audio/mp4", strings.NewReader("last part: an audio recording")}}, false, true)
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("last POST: %d %s", res.StatusCode, body)
		}
		recs, err := st.Records(ctx, store.RecordFilter{EnteredBy: rig.volunteer.ID})
		if err != nil || len(recs) != 1 {
			t.Fatalf("volunteer's records %d (%v), want 1", len(recs), err)
		}
		rec, claims, err := st.Record(ctx, recs[0].ID)
		if err != nil || rec.Name != "Gulnara Seytimbetova" || rec.Sex != "f" || len(rec.Roles) != 2 || rec.SourceKey != store.PhoneSourceKey(phoneName) {
			t.Fatalf("record %+v %v", rec, err)
		}
		if len(claims) != 1 || claims[0].Status != registry.Detained || claims[0].Verification != registry.Unverified || claims[0].Date.String() != "2022-07-02" {
			t.Fatalf("claims %+v", claims)
		}
		items, err := st.EvidenceItems(ctx, &store.EvidenceLink{Kind: "person", TargetID: rec.PersonID})
		if err != nil || len(items) != 2 {
			t.Fatalf("evidence linked to the person: %d (%v), want the photo and the audio", len(items), err)
		}
	})
}

// nothingStored fails when any report, record of the volunteer, evidence
// item or submission was kept.
func (rig *phoneRig) nothingStored(what string) {
	rig.t.Helper()
	ctx := context.Background()
	reports, _, _ := rig.st.Reports(ctx, store.ReportFilter{State: store.ReportOpen})
	recs, _ := rig.st.Records(ctx, store.RecordFilter{EnteredBy: rig.volunteer.ID})
	items, _ := rig.st.EvidenceItems(ctx, nil)
	_, subErr := rig.st.PhoneSubmissionOf(ctx, "rollcall_report", "uuid:bad")
	if len(reports)+len(recs)+len(items) > 0 || subErr == nil {
		rig.t.Errorf("%s: stored %d reports, %d records, %d evidence items, submission kept: %v", what, len(reports), len(recs), len(items), subErr == nil)
	}
}

// Bad input from a phone (or from anyone holding its URL) is refused with
// an OpenRosaResponse in plain words, and nothing of it is kept.
func TestOpenRosaBadInput(t *testing.T) {
	rig := newPhoneRig(t, storetest.Open(t, store.SQLite), web.EvidenceConfig{UploadLimit: 1 << 20})
	good := reportInstance("uuid:bad", "Azamat Qurbanov", "p.jpg")
	photo := func() []attachment { return []attachment{{"p.jpg", "image/jpeg", strings.NewReader("a photo")}} }
	for _, c := range []struct {
		name     string
		base     string
		instance string
		files    []attachment
		status   int
		says     string
	}{
		{"XXE", rig.base, `<?xml version="1.0"?><!DOCTYPE data [<!ENTITY x SYSTEM "file:///etc/passwd">]><data id="rollcall_report"><name>&x;</name><meta><instanceID>uuid:bad</instanceID></meta></data>`, nil, http.StatusBadRequest, "DTD"},
		{"entity expansion", rig.base, `<!DOCTYPE data [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><data id="rollcall_report"><name>&b;</name></data>`, nil, http.StatusBadRequest, "DTD"},
		{"malformed", rig.base, `<data id="rollcall_report"><name>Azamat</data>`, nil, http.StatusBadRequest, "not well-formed"},
		{"unknown form", rig.base, strings.Replace(good, `id="rollcall_report"`, `id="someone_elses_form"`, 1), nil, http.StatusNotFound, "no form"},
		{"no instanceID", rig.base, strings.Replace(good, "<instanceID>uuid:bad</instanceID>", "", 1), nil, http.StatusBadRequest, "instanceID"},
		{"the web form refuses it", rig.base, strings.Replace(good, "<name>Azamat Qurbanov</name>", "<name></name>", 1), nil, http.StatusBadRequest, "name"},
		{"attachment not named", rig.base, good, []attachment{{"p.jpg", "image/jpeg", strings.NewReader("a photo")}, {"other.jpg", "image/jpeg", strings.NewReader("not in the instance")}}, http.StatusBadRequest, `"other.jpg" is not named`},
		{"oversized", rig.base, good, []attachment{{"p.jpg", "image/jpeg", bytes.NewReader(make([]byte, 2<<20))}}, http.StatusRequestEntityTooLarge, "larger"},
		{"wrong token", openrosa.ServerURL(rig.srv.URL, openrosa.NewToken()), good, photo(), http.StatusUnauthorized, "not valid"},
	} {
		res, body := rig.submit(c.base, c.instance, c.files, false, true)
		if res.StatusCode != c.status || !strings.Contains(orMessage(t, body), c.says) {
			t.Errorf("%s: %d %q, want %d saying %q", c.name, res.StatusCode, orMessage(t, body), c.status, c.says)
		}
		rig.nothingStored(c.name)
	}

	// Over plain HTTP the token would cross the network in clear: refused
	// before it is looked at.
	plain := httptest.NewServer(rig.site)
	defer plain.Close()
	req, _ := http.NewRequest(http.MethodGet, openrosa.ServerURL(plain.URL, rig.token)+"/formList", nil)
	collectHeaders(req)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden || !strings.Contains(orMessage(t, string(b)), "https") {
		t.Errorf("plain HTTP: %d %s", res.StatusCode, b)
	}

	// A revoked phone's URL stops working at once.
	if res, _ := rig.get(rig.base + "/formList"); res.StatusCode != http.StatusOK {
		t.Fatalf("before revoking: %d", res.StatusCode)
	}
	if _, err := rig.st.RevokeDevice(context.Background(), store.ActorCLI, phoneName); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/formList", "/forms/rollcall_report/form.xml"} {
		if res, body := rig.get(rig.base + path); res.StatusCode != http.StatusUnauthorized || !strings.Contains(orMessage(t, body), "revoked") {
			t.Errorf("revoked %s: %d %s", path, res.StatusCode, body)
		}
	}
	res, body := rig.submit(rig.base, good, photo(), false, true)
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked submission: %d %s", res.StatusCode, body)
	}
	rig.nothingStored("revoked")
	entries, err := rig.st.AuditEntries(context.Background(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || (e.Action == "device.revoke" && e.Object == rig.phone.ID)
	}
	if !found {
		t.Error("the revocation is not in the audit log")
	}
}
