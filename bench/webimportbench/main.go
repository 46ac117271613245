// Command webimportbench measures an import through the workspace (upload,
// the dry-run check, the import after confirmation) against `rollcall
// import` of the same file, each in its own process on a fresh SQLite
// database, for docs/benchmarks.md. The server is this program run again
// with -serve, so its peak RSS is its own.
//
//	go run ./bench/webimportbench -rows 1000000
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pquerna/otp/totp"

	"rollcall/internal/auth"
	"rollcall/internal/seal"
	"rollcall/internal/store"
	"rollcall/internal/web"
)

func main() {
	rows := flag.Int("rows", 1000000, "rows in the list")
	serve := flag.String("serve", "", "internal: serve the workspace over this data directory")
	keep := flag.Bool("keep", false, "keep the work directory")
	flag.Parse()
	if *serve != "" {
		check(serveWorkspace(*serve))
		return
	}
	work, err := os.MkdirTemp("", "webimportbench")
	check(err)
	if !*keep {
		defer os.RemoveAll(work)
	}
	bin := filepath.Join(work, "rollcall")
	run("go", "build", "-o", bin, "./cmd/rollcall")
	list := filepath.Join(work, "list.csv")
	run("go", "run", "./bench/importbench", "-write", list, "-rows", strconv.Itoa(*rows))
	info, err := os.Stat(list)
	check(err)
	self, err := os.Executable()
	check(err)

	// The command.
	cmdData := filepath.Join(work, "cmd")
	start := time.Now()
	c := exec.Command(bin, "import", list)
	c.Env = append(os.Environ(), "ROLLCALL_DATA="+cmdData)
	c.Stderr = os.Stderr
	check(c.Run())
	cmdTime := time.Since(start)
	cmdRSS := c.ProcessState.SysUsage().(*syscall.Rusage).Maxrss / 1024

	// The workspace.
	srv := exec.Command(self, "-serve", filepath.Join(work, "web"))
	srv.Stderr = os.Stderr
	stdin, err := srv.StdinPipe()
	check(err)
	stdout, err := srv.StdoutPipe()
	check(err)
	check(srv.Start())
	line, err := bufio.NewReader(stdout).ReadString('\n')
	check(err)
	f := strings.Fields(line)
	base, cookie, csrf := f[0], f[1], f[2]
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(req *http.Request) *http.Response {
		req.Header.Set("Origin", base)
		req.AddCookie(&http.Cookie{Name: "rollcall", Value: cookie})
		resp, err := client.Do(req)
		check(err)
		return resp
	}

	start = time.Now()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		mw.WriteField("csrf", csrf)
		fw, _ := mw.CreateFormFile("file", "list.csv")
		in, err := os.Open(list)
		check(err)
		io.Copy(fw, in)
		in.Close()
		mw.Close()
		pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, base+"/admin/import/", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp := send(req)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		fail("upload: %s", resp.Status)
	}
	job := base + resp.Header.Get("Location")
	upload := time.Since(start)
	wait := func(want string) {
		for {
			req, _ := http.NewRequest(http.MethodGet, job, nil)
			resp := send(req)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(b), `http-equiv="refresh"`) {
				if !strings.Contains(string(b), want) {
					fail("job page without %q:\n%s", want, b)
				}
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	wait("Import these files")
	checked := time.Since(start) - upload
	req, _ = http.NewRequest(http.MethodPost, job+"/confirm", strings.NewReader(url.Values{"csrf": {csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp = send(req)
	resp.Body.Close()
	t0 := time.Now()
	wait("<h1>Imported</h1>")
	imported := time.Since(t0)
	stdin.Close()
	check(srv.Wait())
	webRSS := srv.ProcessState.SysUsage().(*syscall.Rusage).Maxrss / 1024

	mb := float64(info.Size()) / (1 << 20)
	fmt.Printf("| rows | file MB | path | seconds | peak RSS MB | vs the command |\n| ---: | ---: | --- | ---: | ---: | ---: |\n")
	fmt.Printf("| %d | %.0f | `rollcall import` (SQLite) | %.2f | %d | 1.00× |\n", *rows, mb, cmdTime.Seconds(), cmdRSS)
	fmt.Printf("| %d | %.0f | workspace: upload (streamed, sealed) | %.2f | | |\n", *rows, mb, upload.Seconds())
	fmt.Printf("| %d | %.0f | workspace: check (dry run, the preview) | %.2f | | %.2f× |\n", *rows, mb, checked.Seconds(), checked.Seconds()/cmdTime.Seconds())
	fmt.Printf("| %d | %.0f | workspace: import after confirming | %.2f | | %.2f× |\n", *rows, mb, imported.Seconds(), imported.Seconds()/cmdTime.Seconds())
	fmt.Printf("| %d | %.0f | workspace: upload + import | %.2f | %d (server, whole run) | %.2f× of command + upload |\n", *rows, mb, (upload + imported).Seconds(), webRSS,
		(upload+imported).Seconds()/(cmdTime+upload).Seconds())
}

// serveWorkspace is the server side: the workspace over a fresh SQLite
// database with one editor, as `rollcall serve` runs it (the same soft
// memory limit); it prints its URL, the editor's session cookie and form
// token, and serves until its standard input closes.
func serveWorkspace(data string) error {
	debug.SetMemoryLimit(128 << 20)
	ctx := context.Background()
	st, err := store.Open(ctx, data, "")
	if err != nil {
		return err
	}
	keys, err := seal.Open(data, nil)
	if err != nil {
		return err
	}
	st.SetKeys(keys)
	site, err := web.New(st, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		return err
	}
	a := auth.New(st)
	site.EnableWorkspace(a, data)
	site.SetImportLimit(4 << 30)
	u, setup, err := a.AddUser(ctx, "bench", "editor@example.org", auth.Editor)
	if err != nil {
		return err
	}
	_ = u
	const pass = "a long bench passphrase nobody uses"
	if _, err := a.SetPassword(ctx, auth.PurposeSetup, setup, pass); err != nil {
		return err
	}
	res, err := a.SignIn(ctx, "editor@example.org", pass, "bench")
	if err != nil {
		return err
	}
	token := res.Token
	if res.Pending {
		enr, err := a.BeginEnrollment(ctx, res.Token, "editor@example.org")
		if err != nil {
			return err
		}
		code, err := totp.GenerateCode(enr.Secret, a.Now())
		if err != nil {
			return err
		}
		if token, _, err = a.ConfirmEnrollment(ctx, res.Token, code); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: site}
	go hs.Serve(ln)
	fmt.Printf("http://%s %s %s\n", ln.Addr(), token, site.FormToken(token))
	io.Copy(io.Discard, os.Stdin)
	hs.Close()
	site.Wait()
	return st.Close()
}

func run(name string, args ...string) {
	c := exec.Command(name, args...)
	c.Stdout, c.Stderr = os.Stderr, os.Stderr
	check(c.Run())
}

func check(err error) {
	if err != nil {
		fail("%v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "webimportbench: "+format+"\n", args...)
	os.Exit(1)
}
