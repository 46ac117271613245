package publish

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// MirrorOptions say where the mirror starts.
type MirrorOptions struct {
	// Roots are the site paths the crawl starts from (the language home
	// pages, the downloads, the snapshots).
	Roots []string
	// Languages get a link each on the mirror's front page.
	Languages []string
	Workers   int
}

// MirrorSummary says what a mirror holds.
type MirrorSummary struct {
	Files  int
	Bytes  int64
	Broken []string // site paths that did not answer 200, with who linked them
}

// linkAttrs are the attributes that hold links in our HTML and Atom.
var linkAttrs = []string{"href", "src", "action"}

// rewriteLinks replaces the value of every href="…", src="…" and
// action="…" in body by what f returns for it. (A scan by hand: a regular
// expression cost a sixth of the mirror's time.)
func rewriteLinks(body []byte, f func(attr, value string) string) []byte {
	out := make([]byte, 0, len(body)+len(body)/8)
	i := 0
	for {
		j := bytes.Index(body[i:], []byte(`="`))
		if j < 0 {
			return append(out, body[i:]...)
		}
		j += i
		attr := ""
		for _, a := range linkAttrs {
			if j >= len(a)+1 && string(body[j-len(a):j]) == a && (body[j-len(a)-1] == ' ' || body[j-len(a)-1] == '\n') {
				attr = a
			}
		}
		end := bytes.IndexByte(body[j+2:], '"')
		if end < 0 {
			return append(out, body[i:]...)
		}
		end += j + 2
		out = append(out, body[i:j+2]...)
		if attr == "" {
			out = append(out, body[j+2:end]...)
		} else {
			out = append(out, f(attr, string(body[j+2:end]))...)
		}
		i = end
	}
}

// Mirror writes the public site, as the handler serves it, into dir as
// static files with relative links, so that it works opened from disk and
// from any static host. It renders the site's own pages (no second set of
// templates) and follows every link to our own origin.
func Mirror(ctx context.Context, site http.Handler, dir string, opt MirrorOptions) (MirrorSummary, error) {
	var sum MirrorSummary
	if err := prepareMirrorDir(dir); err != nil {
		return sum, err
	}
	workers := opt.Workers
	if workers <= 0 {
		// Twice the cores: while one page is written, another renders.
		workers = 2 * runtime.GOMAXPROCS(0)
	}
	var (
		mu      sync.Mutex
		seen    = map[string]string{} // site URL → who linked it first
		moved   = map[string]string{} // site URL that answered 301 → its Location
		pending sync.WaitGroup
		jobs    = make(chan string, 1024)
		firstE  error
	)
	enqueue := func(u, from string) {
		if u == "/" {
			return // the site's root redirects by language; the mirror writes its own
		}
		mu.Lock()
		if _, ok := seen[u]; ok {
			mu.Unlock()
			return
		}
		seen[u] = from
		mu.Unlock()
		pending.Add(1)
		go func() { jobs <- u }()
	}
	fail := func(err error) {
		mu.Lock()
		if firstE == nil {
			firstE = err
		}
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range jobs {
				if ctx.Err() == nil {
					n, links, to, err := mirrorOne(site, dir, u)
					mu.Lock()
					if to != "" && err == nil {
						moved[u] = to
					}
					switch {
					case err == errNotOK:
						sum.Broken = append(sum.Broken, u+" (linked from "+seen[u]+")")
					case err != nil:
						if firstE == nil {
							firstE = err
						}
					default:
						sum.Files++
						sum.Bytes += n
					}
					mu.Unlock()
					for _, l := range links {
						enqueue(l, u)
					}
				}
				pending.Done()
			}
		}()
	}
	for _, r := range opt.Roots {
		enqueue(r, "the start")
	}
	pending.Wait()
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		fail(err)
	}
	if firstE != nil {
		return sum, firstE
	}
	sort.Strings(sum.Broken)
	files, err := writeRedirectMaps(dir, moved)
	if err != nil {
		return sum, err
	}
	sum.Files += files
	// The front page: a plain list of the languages.
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rollcall</title></head><body><ul>\n")
	for _, l := range opt.Languages {
		fmt.Fprintf(&b, "<li><a href=\"%s/index.html\" hreflang=\"%s\" lang=\"%s\">%s</a></li>\n", l, l, l, l)
	}
	b.WriteString("</ul></body></html>\n")
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte(b.String()), 0o644); err != nil {
		return sum, err
	}
	sum.Files++
	return sum, nil
}

var errNotOK = fmt.Errorf("not 200")

// mirrorMarker marks a folder as a mirror, which a new mirror replaces.
const mirrorMarker = ".rollcall-mirror"

// prepareMirrorDir makes dir empty. A mirror written earlier is removed
// first: a page left over from it could show a person who has since been
// withheld or taken off the list. Any other folder must be empty.
func prepareMirrorDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case os.IsNotExist(err):
	case err != nil:
		return err
	case len(entries) == 0:
	default:
		if _, err := os.Stat(filepath.Join(dir, mirrorMarker)); err != nil {
			return fmt.Errorf("%s is not empty and holds no earlier mirror: choose a new or empty folder", dir)
		}
		for _, e := range entries {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, mirrorMarker), []byte("written by rollcall mirror; the next mirror into this folder replaces everything in it\n"), 0o644)
}

// mirrorOne renders one site URL, rewrites its links and writes it. For
// a URL that answers 301 to another of ours (a person id merged away) it
// also returns where it leads.
func mirrorOne(site http.Handler, dir, u string) (int64, []string, string, error) {
	req := httptest.NewRequest(http.MethodGet, u, nil)
	rec := httptest.NewRecorder()
	site.ServeHTTP(rec, req)
	var to string
	if loc := rec.Header().Get("Location"); rec.Code == http.StatusMovedPermanently && strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//") {
		to = loc
	} else if rec.Code != http.StatusOK {
		return 0, nil, "", errNotOK
	}
	body := rec.Body.Bytes()
	here := MirrorPath(u)
	var links []string
	ct := rec.Header().Get("Content-Type")
	isHTML := strings.HasPrefix(ct, "text/html")
	if isHTML || strings.Contains(ct, "atom+xml") {
		base, _ := url.Parse(u)
		body = rewriteLinks(body, func(attr, value string) string {
			raw := html.UnescapeString(value)
			target, err := base.Parse(raw)
			if err != nil || raw == "" || strings.HasPrefix(raw, "#") || target.Scheme != "" || target.Host != "" {
				return value // another site's, or not a link to follow
			}
			site := target.Path
			if target.RawQuery != "" {
				site += "?" + target.RawQuery
			}
			if attr != "action" {
				links = append(links, site)
			}
			rel := relativePath(here, MirrorPath(site))
			if target.Fragment != "" {
				rel += "#" + target.Fragment
			}
			return html.EscapeString(rel)
		})
	}
	if to != "" {
		links = append(links, to)
		body = movedBody(body, isHTML, here, to)
	}
	file := filepath.Join(dir, filepath.FromSlash(here))
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return 0, nil, "", err
	}
	return int64(len(body)), links, to, os.WriteFile(file, body, 0o644)
}

// MirrorPath is the file (slash-separated, relative to the mirror's root)
// that holds a site URL: /en/people/ → en/people/index.html,
// /en/people/ID → en/people/ID.html, /en/people/?page=2 →
// en/people/index-page-2.html; files with an extension keep their name.
func MirrorPath(siteURL string) string {
	pathPart, query, _ := strings.Cut(siteURL, "?")
	p := strings.TrimPrefix(path.Clean("/"+pathPart), "/")
	switch {
	case p == "":
		p = "index.html"
	case strings.HasSuffix(pathPart, "/"):
		p += "/index.html"
	case !strings.Contains(path.Base(p), ".") && strings.HasPrefix(p, "api/"):
		p += ".json"
	case !strings.Contains(path.Base(p), "."):
		p += ".html"
	}
	if query == "" {
		return p
	}
	ext := path.Ext(p)
	return strings.TrimSuffix(p, ext) + "-" + querySuffix(query) + ext
}

var unsafeQuery = regexp.MustCompile(`[^A-Za-z0-9]+`)

func querySuffix(query string) string {
	v, err := url.ParseQuery(query)
	if err == nil {
		query = v.Encode() // one spelling for one query
	}
	s := strings.Trim(unsafeQuery.ReplaceAllString(query, "-"), "-")
	if len(s) > 60 {
		sum := sha256.Sum256([]byte(query))
		s = s[:40] + "-" + hex.EncodeToString(sum[:6])
	}
	return s
}

// relativePath is the link from file "from" to file "to", both relative to
// the mirror's root.
func relativePath(from, to string) string {
	rel, err := filepath.Rel(filepath.Dir(filepath.FromSlash(from)), filepath.FromSlash(to))
	if err != nil {
		return to
	}
	return filepath.ToSlash(rel)
}

// ZipDir writes every file under dir into a zip archive at out.
func ZipDir(dir, out string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(w, src)
		return err
	})
	if err2 := zw.Close(); err == nil {
		err = err2
	}
	if err2 := f.Close(); err == nil {
		err = err2
	}
	return err
}
