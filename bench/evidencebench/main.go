// Command evidencebench measures evidence intake (docs/benchmarks.md):
//
//  1. the intake of one file (SHA-256 + MD5 + age encryption + write,
//     evidence.Intake into a directory store) side by side with
//     `sha256sum` of the same file in the same run, and their ratio;
//
//  2. a resumable tus upload of the same file to a real server (the site's
//     handler on a loopback listener, signed in as a volunteer) with
//     forced disconnects, resumed from the offset HEAD gives; the SHA-256
//     the server answers must be sha256sum's; the process's peak RSS
//     (VmHWM: server and client, which streams from the file) is printed.
//
//     go run ./bench/evidencebench [-size BYTES (default 2 GiB)] [-cuts 3] [-dir /var/tmp]
//
//  3. with -verify BYTES, only `rollcall evidence verify --all` over that
//     many bytes of originals (-files of them), beside `sha256sum` of the
//     same stored ciphertext (verify.go):
//
//     go run ./bench/evidencebench -verify 10737418240 -files 10
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"

	"rollcall/internal/auth"
	"rollcall/internal/evidence"
	"rollcall/internal/seal"
	"rollcall/internal/store"
	"rollcall/internal/web"
)

func main() {
	size := flag.Int64("size", 2<<30, "bytes in the test file")
	cuts := flag.Int("cuts", 3, "forced disconnects during the tus upload")
	base := flag.String("dir", os.TempDir(), "where the file and the stores go (needs about 4×size free)")
	keep := flag.Bool("keep", false, "keep the work directory")
	verifyTotal := flag.Int64("verify", 0, "bytes of originals for the fixity check alone (0: the intake and tus runs)")
	files := flag.Int("files", 10, "how many originals -verify splits its bytes into")
	flag.Parse()
	work, err := os.MkdirTemp(*base, "evidencebench-")
	if err != nil {
		log.Fatal(err)
	}
	if !*keep {
		defer os.RemoveAll(work)
	}
	if *verifyTotal > 0 {
		if err := verifyRun(work, *verifyTotal, *files); err != nil {
			log.Fatal(err)
		}
		return
	}
	path := filepath.Join(work, "original.bin")
	if err := writeNoise(path, *size, 1); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("file: %d bytes (%.2f GiB)\n", *size, float64(*size)/(1<<30))

	// sha256sum, then the intake, of the same file (warm page cache for
	// both: the file was just written).
	t0 := time.Now()
	out, err := exec.Command("sha256sum", path).Output()
	if err != nil {
		log.Fatal("sha256sum: ", err)
	}
	peer := time.Since(t0)
	want := strings.Fields(string(out))[0]
	id, _ := evidence.NewIdentity()
	key, err := evidence.OpenKey(id, nil)
	if err != nil {
		log.Fatal(err)
	}
	blobs, err := evidence.NewDir(filepath.Join(work, "intake"))
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	t0 = time.Now()
	rec, err := evidence.Intake(f, key, blobs, 0, *size)
	if err == nil {
		err = rec.Keep("bench.age")
	}
	took := time.Since(t0)
	f.Close()
	if err != nil {
		log.Fatal("intake: ", err)
	}
	if rec.SHA256 != want {
		log.Fatalf("intake sha256 %s, sha256sum %s", rec.SHA256, want)
	}
	blobs.Remove("bench.age")
	fmt.Printf("sha256sum: %v (%.0f MB/s)\nintake (sha256+md5+age+write+fsync): %v (%.0f MB/s)\nratio intake/sha256sum: %.2f× (target ≤ 2.5×)\n",
		peer.Round(time.Millisecond), mbps(*size, peer), took.Round(time.Millisecond), mbps(*size, took), took.Seconds()/peer.Seconds())
	fmt.Printf("peak RSS after the intake: %d MiB\n", peakRSS()>>20)

	if err := tusRun(work, path, *size, *cuts, want); err != nil {
		log.Fatal("tus: ", err)
	}
	fmt.Printf("peak RSS of the process (server and client) after the tus upload: %d MiB (target < 150 MiB)\n", peakRSS()>>20)
}

func mbps(n int64, d time.Duration) float64 { return float64(n) / 1e6 / d.Seconds() }

// writeNoise writes size bytes of ChaCha8 noise from seed (incompressible,
// as video is; another seed, another file) to path.
func writeNoise(path string, size int64, seed byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := io.CopyN(w, rand.NewChaCha8([32]byte{seed}), size); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// peakRSS is the process's high-water resident set (VmHWM), in bytes.
func peakRSS() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// tusRun serves the site with evidence on a loopback port, signs a
// volunteer in, and uploads the file over tus with cuts disconnects.
func tusRun(work, path string, size int64, cuts int, want string) error {
	ctx := context.Background()
	data := filepath.Join(work, "data")
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
	a := auth.New(st)
	site.EnableWorkspace(a, data)
	blobs, err := evidence.NewDir(filepath.Join(data, "evidence"))
	if err != nil {
		return err
	}
	if err := site.EnableEvidence(ctx, web.EvidenceConfig{Blobs: blobs, UploadLimit: size + 1}); err != nil {
		return err
	}
	cookie, csrf, err := signInVolunteer(ctx, site, a)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: site, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	c := &client{base: "http://" + ln.Addr().String(), cookie: cookie, csrf: csrf}

	t0 := time.Now()
	loc, err := c.create(size)
	if err != nil {
		return err
	}
	for i := 1; i <= cuts; i++ {
		off, err := c.offset(loc)
		if err != nil {
			return err
		}
		// Cut at i/(cuts+1) of the file.
		target := size * int64(i) / int64(cuts+1)
		if err := c.patchCut(path, loc, off, size, target-off); err != nil {
			return err
		}
		time.Sleep(300 * time.Millisecond)
		got, err := c.offset(loc)
		if err != nil {
			return err
		}
		fmt.Printf("disconnect %d after %d bytes sent: the server kept %d, resuming from there\n", i, target, got)
	}
	off, err := c.offset(loc)
	if err != nil {
		return err
	}
	sum, err := c.patchRest(path, loc, off, size)
	if err != nil {
		return err
	}
	took := time.Since(t0)
	fmt.Printf("tus upload with %d disconnects: %v (%.0f MB/s, intake at the end included); server sha256 %s\n", cuts, took.Round(time.Millisecond), mbps(size, took), sum)
	if sum != want {
		return fmt.Errorf("the server's sha256 %s is not sha256sum's %s", sum, want)
	}
	fmt.Println("sha256 matches sha256sum")
	return nil
}

// signInVolunteer makes a volunteer (password and TOTP, as a person
// would) and returns its session cookie and form token.
func signInVolunteer(ctx context.Context, site *web.Server, a *auth.Service) (*http.Cookie, string, error) {
	const email, password = "bench@example.org", "correct horse battery staple 7"
	_, setup, err := a.AddUser(ctx, "bench", email, auth.Volunteer)
	if err != nil {
		return nil, "", err
	}
	if _, err := a.SetPassword(ctx, auth.PurposeSetup, setup, password); err != nil {
		return nil, "", err
	}
	res, err := a.SignIn(ctx, email, password, "bench")
	if err != nil {
		return nil, "", err
	}
	token := res.Token
	if res.Pending {
		enr, err := a.BeginEnrollment(ctx, res.Token, email)
		if err != nil {
			return nil, "", err
		}
		code, err := totp.GenerateCode(enr.Secret, a.Now())
		if err != nil {
			return nil, "", err
		}
		if token, _, err = a.ConfirmEnrollment(ctx, res.Token, code); err != nil {
			return nil, "", err
		}
	}
	return &http.Cookie{Name: "rollcall", Value: token}, site.FormToken(token), nil
}

type client struct {
	base   string
	cookie *http.Cookie
	csrf   string
}

func (c *client) request(method, path string, body io.Reader, n int64) (*http.Request, error) {
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = n
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("X-CSRF-Token", c.csrf)
	req.AddCookie(c.cookie)
	return req, nil
}

func (c *client) create(size int64) (string, error) {
	req, err := c.request(http.MethodPost, "/admin/uploads/", nil, 0)
	if err != nil {
		return "", err
	}
	req.Header.Set("Upload-Length", strconv.FormatInt(size, 10))
	req.Header.Set("Upload-Metadata", "filename "+base64.StdEncoding.EncodeToString([]byte("bench.bin")))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("POST: %s", res.Status)
	}
	loc := res.Header.Get("Location")
	return loc[strings.Index(loc, "/admin/uploads/"):], nil
}

func (c *client) offset(loc string) (int64, error) {
	req, err := c.request(http.MethodHead, loc, nil, 0)
	if err != nil {
		return 0, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("HEAD: %s", res.Status)
	}
	return strconv.ParseInt(res.Header.Get("Upload-Offset"), 10, 64)
}

// patchCut announces the rest of the file and drops the connection after
// n bytes.
func (c *client) patchCut(path, loc string, off, size, n int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	host := strings.TrimPrefix(c.base, "http://")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		return err
	}
	defer conn.Close()
	fmt.Fprintf(conn, "PATCH %s HTTP/1.1\r\nHost: %s\r\nTus-Resumable: 1.0.0\r\nCookie: %s=%s\r\nX-CSRF-Token: %s\r\nUpload-Offset: %d\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: %d\r\n\r\n",
		loc, host, c.cookie.Name, c.cookie.Value, c.csrf, off, size-off)
	_, err = io.Copy(conn, io.NewSectionReader(f, off, n))
	return err
}

// patchRest sends the rest of the file and returns the item's SHA-256.
func (c *client) patchRest(path, loc string, off, size int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	req, err := c.request(http.MethodPatch, loc, io.NewSectionReader(f, off, size-off), size-off)
	if err != nil {
		return "", err
	}
	req.Header.Set("Upload-Offset", strconv.FormatInt(off, 10))
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		return "", fmt.Errorf("last PATCH: %s", res.Status)
	}
	return res.Header.Get("Rollcall-Evidence-Sha256"), nil
}
