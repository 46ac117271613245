package web_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"rollcall/internal/openrosa/odkcrypt"
	"rollcall/internal/openrosa/odkcrypt/odkcrypttest"
	"rollcall/internal/store"
	"rollcall/internal/store/storetest"
	"rollcall/internal/web"
)

// encryptedRig is a phone rig whose forms carry the instance's OpenRosa
// key; formKey and formVersion are read from the form as Collect reads
// them.
func encryptedRig(t *testing.T, st *store.Store) (*phoneRig, func(formID string) (*rsa.PublicKey, string)) {
	t.Helper()
	rig := newPhoneRig(t, st, web.EvidenceConfig{})
	if err := rig.site.EnableOpenRosaEncryption(context.Background()); err != nil {
		t.Fatal(err)
	}
	return rig, func(formID string) (*rsa.PublicKey, string) {
		t.Helper()
		res, form := rig.get(rig.base + "/forms/" + formID + "/form.xml")
		key := regexp.MustCompile(`<submission [^>]*base64RsaPublicKey="([A-Za-z0-9+/=]+)"`).FindStringSubmatch(form)
		version := regexp.MustCompile(`<data id="` + formID + `" version="([^"]+)"`).FindStringSubmatch(form)
		if res.StatusCode != http.StatusOK || key == nil || version == nil {
			t.Fatalf("%s: %d, no base64RsaPublicKey or version in the form", formID, res.StatusCode)
		}
		pub, err := odkcrypttest.ParsePublicKey(key[1])
		if err != nil {
			t.Fatalf("the form's key: %v", err)
		}
		return pub, version[1]
	}
}

// encryptedFiles are the parts of an encrypted submission: the encrypted
// media in manifest order, then submission.xml.enc (Collect sends them in
// the order of the instance's folder; the order does not matter here).
func encryptedFiles(files map[string][]byte, names ...string) []attachment {
	var out []attachment
	for _, n := range names {
		out = append(out, attachment{n, "application/octet-stream", bytes.NewReader(files[n])})
	}
	return out
}

// A report encrypted on the phone exactly as Collect encrypts it (key from
// the form, AES per submission, the manifest as xml_submission_file) is
// decrypted and lands as a plain one would: in triage, its photo an
// evidence item holding the plain photo; sent again it is answered
// without a copy.
func TestOpenRosaEncryptedReportLandsAsAPlainOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		rig, formKey := encryptedRig(t, st)
		ctx := context.Background()
		pub, version := formKey("rollcall_report")
		photo := bytes.Repeat([]byte("\xff\xd8\xff\xe0 a photo of the square "), 40000)
		const instanceID = "uuid:9a1f3c44-2b7e-4d55-8e0f-0c1d2e3f4a5b"
		instance := reportInstance(instanceID, "Azamat Qurbanov", "1733030000123.jpg")
		manifest, files, err := odkcrypttest.Encrypt(pub, "rollcall_report", version, instanceID, []byte(instance), odkcrypttest.File{Name: "1733030000123.jpg", Data: photo})
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(manifest, []byte("Azamat")) || bytes.Contains(files["submission.xml.enc"], []byte("Azamat")) {
			t.Fatal("the test's phone sent the name in clear")
		}
		parts := encryptedFiles(files, "submission.xml.enc", "1733030000123.jpg.enc")
		res, body := rig.submit(rig.base, string(manifest), parts, false, true)
		if res.StatusCode != http.StatusCreated || !strings.Contains(orMessage(t, body), "reference") {
			t.Fatalf("POST: %d %s", res.StatusCode, body)
		}
		reports, _, err := st.Reports(ctx, store.ReportFilter{State: store.ReportOpen})
		if err != nil || len(reports) != 1 || reports[0].Name != "Azamat Qurbanov" || reports[0].Place != "Nukus, central square" {
			t.Fatalf("triage: %+v %v", reports, err)
		}
		secrets, err := st.ReportSealed(ctx, "test", reports[0].ID)
		if err != nil || secrets.Contact != "signal 4471" {
			t.Fatalf("sealed parts %+v %v", secrets, err)
		}
		sub, err := st.PhoneSubmissionOf(ctx, "rollcall_report", instanceID)
		if err != nil || sub.Kind != store.SubmissionReport || sub.StartedAt.IsZero() {
			t.Fatalf("submission %+v %v", sub, err)
		}
		item, err := st.EvidenceItem(ctx, sub.Attachments["1733030000123.jpg"])
		sum := sha256.Sum256(photo)
		if err != nil || item.Size != int64(len(photo)) || item.SHA256 != hex.EncodeToString(sum[:]) || item.ReceivedBy != "device:"+phoneName {
			t.Fatalf("the evidence item is not the plain photo: %+v %v", item, err)
		}
		// Collect did not see the answer and sends it again.
		res, body = rig.submit(rig.base, string(manifest), encryptedFiles(files, "submission.xml.enc", "1733030000123.jpg.enc"), false, false)
		if res.StatusCode != http.StatusCreated || !strings.Contains(orMessage(t, body), "received already") {
			t.Fatalf("again: %d %s", res.StatusCode, body)
		}
		if reports, _, _ := st.Reports(ctx, store.ReportFilter{State: store.ReportOpen}); len(reports) != 1 {
			t.Errorf("the same encrypted instance twice made %d reports", len(reports))
		}
		if items, _ := st.EvidenceItems(ctx, nil); len(items) != 1 {
			t.Errorf("the same encrypted instance twice made %d evidence items", len(items))
		}
	})
}

// A record encrypted on the phone and split over two POSTs lands as the
// volunteer's record once the last POST came, with both attachments.
func TestOpenRosaEncryptedRecordInParts(t *testing.T) {
	rig, formKey := encryptedRig(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	pub, version := formKey("rollcall_record")
	const instanceID = "uuid:2c3d4e5f-6071-4829-a3b4-c5d6e7f80912"
	instance := recordInstance(instanceID, "p.jpg", "a.m4a")
	manifest, files, err := odkcrypttest.Encrypt(pub, "rollcall_record", version, instanceID, []byte(instance),
		odkcrypttest.File{Name: "p.jpg", Data: []byte("a photo from the phone")}, odkcrypttest.File{Name: "a.m4a", Data: []byte("an audio recording")})
	if err != nil {
		t.Fatal(err)
	}
	res, body := rig.submit(rig.base, string(manifest), encryptedFiles(files, "p.jpg.enc"), true, true)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("first POST: %d %s", res.StatusCode, body)
	}
	if recs, _ := rig.st.Records(ctx, store.RecordFilter{EnteredBy: rig.volunteer.ID}); len(recs) != 0 {
		t.Fatalf("an incomplete submission made %d records", len(recs))
	}
	if items, _ := rig.st.EvidenceItems(ctx, nil); len(items) != 0 {
		t.Fatalf("an incomplete encrypted submission kept %d evidence items before its signature was checked", len(items))
	}
	res, body = rig.submit(rig.base, string(manifest), encryptedFiles(files, "a.m4a.enc", "submission.xml.enc"), false, true)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("last POST: %d %s", res.StatusCode, body)
	}
	recs, err := rig.st.Records(ctx, store.RecordFilter{EnteredBy: rig.volunteer.ID})
	if err != nil || len(recs) != 1 || recs[0].Name != "Gulnara Seytimbetova" {
		t.Fatalf("records %+v %v", recs, err)
	}
	rec, _, _ := rig.st.Record(ctx, recs[0].ID)
	items, err := rig.st.EvidenceItems(ctx, &store.EvidenceLink{Kind: "person", TargetID: rec.PersonID})
	if err != nil || len(items) != 2 {
		t.Fatalf("evidence linked to the person: %d (%v), want the photo and the audio", len(items), err)
	}
}

// A damaged file, a signature that does not match, a key that is not the
// server's, a file left out: each refused with a plain message, and
// nothing of the submission kept.
func TestOpenRosaEncryptedRefusals(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	rig, formKey := encryptedRig(t, st)
	ctx := context.Background()
	pub, version := formKey("rollcall_report")
	otherText, _ := odkcrypt.NewKeyText()
	other, _ := odkcrypt.ParseKey(otherText)
	photo := bytes.Repeat([]byte("photo "), 5000)
	cases := []struct {
		name   string
		key    *rsa.PublicKey
		change func(manifest []byte, files map[string][]byte) ([]byte, []string)
		want   error
		text   string
	}{
		{"a byte of the photo altered", pub, func(m []byte, f map[string][]byte) ([]byte, []string) {
			f["p.jpg.enc"][100] ^= 1
			return m, []string{"p.jpg.enc", "submission.xml.enc"}
		}, odkcrypt.ErrSignature, ""},
		{"the photo cut short", pub, func(m []byte, f map[string][]byte) ([]byte, []string) {
			f["p.jpg.enc"] = f["p.jpg.enc"][:len(f["p.jpg.enc"])-3]
			return m, []string{"p.jpg.enc", "submission.xml.enc"}
		}, odkcrypt.ErrCiphertext, ""},
		{"the signature of another submission", pub, func(m []byte, f map[string][]byte) ([]byte, []string) {
			sig := regexp.MustCompile(`<base64EncryptedElementSignature>[^<]+</base64EncryptedElementSignature>`)
			m2, _, _ := odkcrypttest.Encrypt(pub, "rollcall_report", version, "uuid:x", []byte("<data/>"))
			return sig.ReplaceAll(m, sig.Find(m2)), []string{"p.jpg.enc", "submission.xml.enc"}
		}, odkcrypt.ErrSignature, ""},
		{"encrypted to another server's key", &other.PublicKey, func(m []byte, f map[string][]byte) ([]byte, []string) {
			return m, []string{"p.jpg.enc", "submission.xml.enc"}
		}, odkcrypt.ErrWrongKey, ""},
		{"the photo left out", pub, func(m []byte, f map[string][]byte) ([]byte, []string) {
			return m, []string{"submission.xml.enc"}
		}, nil, "did not come"},
		{"a file the manifest does not name", pub, func(m []byte, f map[string][]byte) ([]byte, []string) {
			f["x.jpg.enc"] = f["p.jpg.enc"]
			return m, []string{"p.jpg.enc", "x.jpg.enc", "submission.xml.enc"}
		}, nil, "not named in the encrypted submission's manifest"},
		{"a manifest with a DTD", pub, func(m []byte, f map[string][]byte) ([]byte, []string) {
			return append([]byte(`<!DOCTYPE data [<!ENTITY x SYSTEM "file:///etc/passwd">]>`), m[bytes.Index(m, []byte("<data")):]...), []string{"submission.xml.enc"}
		}, nil, "DTD"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			instanceID := "uuid:7f000000-0000-4000-8000-00000000000" + string(rune('0'+i))
			manifest, files, err := odkcrypttest.Encrypt(c.key, "rollcall_report", version, instanceID,
				[]byte(reportInstance(instanceID, "Azamat Qurbanov", "p.jpg")), odkcrypttest.File{Name: "p.jpg", Data: photo})
			if err != nil {
				t.Fatal(err)
			}
			manifest, send := c.change(manifest, files)
			res, body := rig.submit(rig.base, string(manifest), encryptedFiles(files, send...), false, true)
			msg := orMessage(t, body)
			if res.StatusCode != http.StatusBadRequest {
				t.Fatalf("answered %d %q, want 400", res.StatusCode, msg)
			}
			if c.want != nil && msg != c.want.Error() {
				t.Errorf("message %q, want %q", msg, c.want.Error())
			}
			if c.text != "" && !strings.Contains(msg, c.text) {
				t.Errorf("message %q, want it to say %q", msg, c.text)
			}
			if _, err := st.PhoneSubmissionOf(ctx, "rollcall_report", instanceID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a refused submission is kept: %v", err)
			}
		})
	}
	if reports, _, _ := st.Reports(ctx, store.ReportFilter{State: store.ReportOpen}); len(reports) != 0 {
		t.Errorf("refused submissions made %d reports", len(reports))
	}
	if items, _ := st.EvidenceItems(ctx, nil); len(items) != 0 {
		t.Errorf("refused submissions kept %d evidence items", len(items))
	}
}

// A phone may leave only so many split encrypted submissions waiting for
// their last POST: the next is refused, and the first ones still finish.
func TestOpenRosaEncryptedPartsWaitingAreBounded(t *testing.T) {
	rig, formKey := encryptedRig(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	pub, version := formKey("rollcall_record")
	type split struct {
		manifest []byte
		files    map[string][]byte
	}
	var waiting []split
	for i := 0; ; i++ {
		instanceID := "uuid:3d4e5f60-7182-4930-a4b5-c6d7e8f9a0" + string(rune('a'+i/10)) + string(rune('0'+i%10))
		manifest, files, err := odkcrypttest.Encrypt(pub, "rollcall_record", version, instanceID, []byte(recordInstance(instanceID, "p.jpg", "")),
			odkcrypttest.File{Name: "p.jpg", Data: []byte("a photo")})
		if err != nil {
			t.Fatal(err)
		}
		res, body := rig.submit(rig.base, string(manifest), encryptedFiles(files, "p.jpg.enc"), true, false)
		if res.StatusCode == http.StatusServiceUnavailable {
			if i == 0 || !strings.Contains(orMessage(t, body), "wait for their last part") {
				t.Fatalf("refused at %d: %s", i, body)
			}
			break
		}
		if res.StatusCode != http.StatusCreated || i > 50 {
			t.Fatalf("first POST %d: %d %s", i, res.StatusCode, body)
		}
		waiting = append(waiting, split{manifest, files})
	}
	for _, w := range waiting {
		if res, body := rig.submit(rig.base, string(w.manifest), encryptedFiles(w.files, "submission.xml.enc"), false, false); res.StatusCode != http.StatusCreated {
			t.Fatalf("last POST: %d %s", res.StatusCode, body)
		}
	}
	if recs, _ := rig.st.Records(ctx, store.RecordFilter{EnteredBy: rig.volunteer.ID}); len(recs) != len(waiting) {
		t.Errorf("%d records from %d finished submissions", len(recs), len(waiting))
	}
}
