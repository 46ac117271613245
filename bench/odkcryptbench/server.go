package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/evidence"
	"rollcall/internal/openrosa"
	"rollcall/internal/openrosa/odkcrypt/odkcrypttest"
	"rollcall/internal/seal"
	"rollcall/internal/store"
	"rollcall/internal/web"
)

// serverRun sends a record with a video of size bytes, encrypted as
// Collect does with the key of the form the server serves, to the real
// submission endpoint (the site's handler over TLS on a loopback listener,
// in this process), streamed from disk; it returns the time, the evidence
// item's size and the process's peak RSS after.
func serverRun(dir string, size int64) error {
	ctx := context.Background()
	data := filepath.Join(dir, "data")
	st, err := store.Open(ctx, data, "")
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := seal.Open(data, nil)
	if err != nil {
		return err
	}
	st.SetKeys(keys)
	site, err := web.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer site.Wait()
	a := auth.New(st)
	site.EnableWorkspace(a, data)
	blobs, err := evidence.NewDir(filepath.Join(data, "evidence"))
	if err != nil {
		return err
	}
	if err := site.EnableEvidence(ctx, web.EvidenceConfig{Blobs: blobs, UploadLimit: size + 1<<20}); err != nil {
		return err
	}
	if err := site.EnableOpenRosaEncryption(ctx); err != nil {
		return err
	}
	u, _, err := a.AddUser(ctx, "bench", "phone-bench@example.org", auth.Volunteer)
	if err != nil {
		return err
	}
	token := openrosa.NewToken()
	if _, err := st.AddPhone(ctx, store.ActorCLI, "bench-phone", u.ID, openrosa.TokenHash(token)); err != nil {
		return err
	}
	srv := httptest.NewTLSServer(site)
	defer srv.Close()
	client := srv.Client()
	client.Transport.(*http.Transport).TLSClientConfig.MinVersion = tls.VersionTLS12
	base := openrosa.ServerURL(srv.URL, token)

	// The phone fetches the form and encrypts with its key.
	res, err := client.Get(base + "/forms/rollcall_record/form.xml")
	if err != nil {
		return err
	}
	form, _ := io.ReadAll(res.Body)
	res.Body.Close()
	key := regexp.MustCompile(`base64RsaPublicKey="([^"]+)"`).FindSubmatch(form)
	version := regexp.MustCompile(`<data id="rollcall_record" version="([^"]+)"`).FindSubmatch(form)
	if key == nil || version == nil {
		return fmt.Errorf("the form carries no key or version")
	}
	pub, err := odkcrypttest.ParsePublicKey(string(key[1]))
	if err != nil {
		return err
	}
	const instanceID = "uuid:5e6f7081-92a3-44b5-86c7-d8e9fa0b1c2d"
	phone, err := odkcrypttest.NewPhone(pub, "rollcall_record", string(version[1]), instanceID)
	if err != nil {
		return err
	}
	encPath := filepath.Join(dir, "phone-video.mp4.enc")
	enc, err := os.Create(encPath)
	if err != nil {
		return err
	}
	if err := phone.Media("video.mp4", enc, io.LimitReader(randomReader(), size)); err != nil {
		return err
	}
	enc.Close()
	instance := `<?xml version='1.0' ?><data id="rollcall_record" version="` + string(version[1]) + `">` +
		`<start>2026-11-30T18:00:00.000+05:00</start><end>2026-11-30T18:04:00.000+05:00</end>` +
		`<name>Gulnara Seytimbetova</name><name_alt/><sex>f</sex><birth_year>1988</birth_year><birth_date/>` +
		`<region>Nukus</region><locality/><roles>protester</roles><status>detained</status><date>2022-07-02</date>` +
		`<place/><details/><note/><photo/><video>video.mp4</video><audio/><meta><instanceID>` + instanceID + `</instanceID></meta></data>`
	manifest, encXML, err := phone.Finish([]byte(instance))
	if err != nil {
		return err
	}

	// The POST, chunked, streamed from the file as Collect's client does.
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part := func(name, ctype string) io.Writer {
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, name, name))
			h.Set("Content-Type", ctype)
			w, _ := mw.CreatePart(h)
			return w
		}
		part("xml_submission_file", "text/xml").Write(manifest)
		part("submission.xml.enc", "application/octet-stream").Write(encXML)
		f, err := os.Open(encPath)
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		defer f.Close()
		if _, err := io.Copy(part("video.mp4.enc", "application/octet-stream"), f); err != nil {
			pw.CloseWithError(err)
			return
		}
		pw.CloseWithError(mw.Close())
	}()
	req, _ := http.NewRequest(http.MethodPost, base+"/submission", pr)
	req.ContentLength = -1
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-OpenRosa-Version", "1.0")
	t0 := time.Now()
	res, err = client.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	took := time.Since(t0)
	if res.StatusCode != http.StatusCreated {
		return fmt.Errorf("the endpoint answered %d: %s", res.StatusCode, body)
	}
	sub, err := st.PhoneSubmissionOf(ctx, "rollcall_record", instanceID)
	if err != nil {
		return err
	}
	item, err := st.EvidenceItem(ctx, sub.Attachments["video.mp4"])
	if err != nil {
		return err
	}
	fmt.Printf("server: a record with a %d-byte encrypted video POSTed (chunked, TLS) to the submission endpoint: 201 in %v (%.0f MB/s); evidence item %d bytes (= plain: %v); peak RSS of client and server together %d MiB\n",
		size, took.Round(time.Millisecond), float64(size)/took.Seconds()/1e6, item.Size, item.Size == size, vmHWM()>>10)
	if !bytes.Contains(body, []byte("unverified")) || item.Size != size {
		return fmt.Errorf("not landed as expected: %s", body)
	}
	return nil
}
