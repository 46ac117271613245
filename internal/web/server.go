// Package web serves the site: routes, handlers, templates, assets and
// translations, all embedded in the binary.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/registry"
	"rollcall/internal/store"
)

//go:embed templates static i18n
var files embed.FS

// Server is the web site.
type Server struct {
	store     *store.Store
	log       *slog.Logger
	templates *template.Template
	catalogs  map[string]*catalog
	languages []string
	assets    map[string]asset // by content-hashed URL
	assetURL  map[string]string
	cssURL    string
	mux       *http.ServeMux
	chart     chartCache
	pages     publicPages // rendered people and person pages (people.go)

	// The workspace (workspace.go): nil auth leaves it unmounted.
	auth       *auth.Service
	routeTable []route
	dataDir    string

	// Background work: rebuilds of the public list after edits
	// (admin_publish.go); Wait waits for it.
	refresh    publicRefresher
	background sync.WaitGroup
	// Donations: how they are taken, and the throttle of gifts (funds.go).
	funds fundsSite
	// Evidence intake and pages (evidence_upload.go); nil until enabled.
	evidence *evidenceSite
	// origin is the public origin links are built on, contact what the
	// contact page and footer show (public_config.go).
	origin  string
	contact Contact
	// Phones speaking OpenRosa (openrosa*.go).
	phones phonesSite
	// Imports from the workspace (import_pages.go).
	imports importJobs
}

// Wait waits for the background work the site started (rebuilds of the
// public list after edits) to end: call it before closing the store.
func (s *Server) Wait() { s.background.Wait() }

// asset is an embedded static file served under a URL holding its hash,
// so it can be cached for a year and still change the day it changes.
type asset struct {
	body        []byte
	contentType string
}

// New builds the site over a store.
func New(st *store.Store, log *slog.Logger) (*Server, error) {
	s := &Server{store: st, log: log, mux: http.NewServeMux()}
	var err error
	if s.catalogs, s.languages, err = loadCatalogs(files, "i18n"); err != nil {
		return nil, err
	}
	if s.assets, s.assetURL, err = loadAssets(files, "static"); err != nil {
		return nil, err
	}
	s.cssURL = s.assetURL["style.css"]
	if s.templates, err = template.ParseFS(files, "templates/*.html"); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	s.public("GET /{$}", s.chooseLanguage)
	s.public("GET /{lang}/{$}", s.home)
	s.public("GET /{lang}/counts/{$}", s.countsPage)
	s.public("GET /{lang}/data/{$}", s.dataPage)
	s.public("GET /{lang}/data/verify/{$}", s.verifyPage)
	s.public("GET /{lang}/contact/{$}", s.contactPage)
	s.publicDataRoutes() // people, person, API, downloads, feed, counter (api.go)
	for u := range s.assets {
		s.public("GET "+u, s.serveAsset)
	}
	// Browsers ask for /favicon.ico whatever the page says.
	s.public("GET /favicon.ico", s.favicon)
	s.workspaceRoutes()    // sign-in, accounts, review queue (signin.go)
	s.editingRoutes()      // /admin/ editing of the registry (admin.go)
	s.reportRoutes()       // the public report form and its triage (report.go)
	s.fundsRoutes()        // donations, campaigns, ledger (funds.go)
	s.uploadRoutes()       // resumable evidence uploads (evidence_upload.go)
	s.evidenceRoutes()     // evidence pages and the upload form (evidence_pages.go)
	s.evidenceCopyRoutes() // public copies made and published (evidence_copies.go)
	s.importRoutes()       // importing lists and finding duplicates (import_pages.go)
	s.openrosaRoutes()     // phones: ODK Collect and Tella (openrosa.go)
	// Anything else is a page we do not have: say so in every language.
	s.public("/", s.notFound)
}

// contentSecurityPolicy allows only what the pages use: our stylesheet and
// icon, inline SVG (which needs nothing), forms posting to us. No script.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders go on every response, the workspace's included.
var securityHeaders = http.Header{
	"Content-Security-Policy":      {contentSecurityPolicy},
	"Referrer-Policy":              {"same-origin"},
	"X-Content-Type-Options":       {"nosniff"},
	"X-Frame-Options":              {"DENY"},
	"Cross-Origin-Opener-Policy":   {"same-origin"},
	"Cross-Origin-Resource-Policy": {"same-origin"},
	"Permissions-Policy":           {"camera=(), microphone=(), geolocation=(), interest-cohort=()"},
}

// dateHeader keeps the Date header's value for the current second.
var dateHeader cachedDate

type cachedDate struct {
	mu     sync.Mutex
	second int64
	value  []string
}

// now returns the HTTP date of this second, formatted once per second.
func (c *cachedDate) now() []string {
	t := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if sec := t.Unix(); sec != c.second || c.value == nil {
		c.second, c.value = sec, []string{t.UTC().Format(http.TimeFormat)}
	}
	return c.value
}

// ServeHTTP adds the security headers every response carries, and
// compresses what is worth compressing.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Assigned, not Set: the keys are canonical already, and this runs on
	// every request. Handlers replace a value with Set, never edit it.
	for k, v := range securityHeaders {
		h[k] = v
	}
	// net/http would format the date anew for every response.
	h["Date"] = dateHeader.now()
	// The people and person pages most often asked for are kept rendered
	// (people.go): served before routing, as the busiest requests.
	if r.Method == http.MethodGet && s.cachedPage(w, r) {
		return
	}
	gz := newGzipWriter(w, r)
	if gz == nil {
		s.mux.ServeHTTP(w, r)
		return
	}
	defer gz.Close()
	s.mux.ServeHTTP(gz, r)
}

// chooseLanguage sends a visitor to the language their browser prefers.
func (s *Server) chooseLanguage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Vary", "Accept-Language")
	http.Redirect(w, r, "/"+s.preferredLanguage(r)+"/", http.StatusSeeOther)
}

// preferredLanguage is the first of the browser's languages we have, else English.
func (s *Server) preferredLanguage(r *http.Request) string {
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		base := strings.SplitN(tag, "-", 2)[0]
		if _, ok := s.catalogs[base]; ok {
			return base
		}
	}
	return "en"
}

func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) {
	a := s.assets[r.URL.Path]
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(a.body)
}

func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	a := s.assets[s.assetURL["icon.svg"]]
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(a.body)
}

// loadAssets hashes every file under dir: style.css is served as
// /static/style.0123456789ab.css.
func loadAssets(fsys fs.FS, dir string) (map[string]asset, map[string]string, error) {
	assets, urls := map[string]asset{}, map[string]string{}
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, dir+"/")
		ext := path.Ext(name)
		sum := sha256.Sum256(body)
		u := "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		types := map[string]string{".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
		ct, ok := types[ext]
		if !ok {
			return fmt.Errorf("static file %s: no content type for %q", p, ext)
		}
		assets[u] = asset{body: body, contentType: ct}
		urls[name] = u
		return nil
	})
	return assets, urls, err
}

// catalog is one language's messages, merged from all the files of its
// folder: plain messages, and plural ones with a form per CLDR category.
type catalog struct {
	plural   pluralRule
	messages map[string]string
	plurals  map[string]map[string]string
}

// loadCatalogs reads dir/<lang>/*.json: each folder is a language (its
// code is the folder's name), and its files are merged, so features can
// keep their messages apart. A key may not be defined twice in a language.
// A value is a string, or an object of plural forms ({"one": …, "other": …}).
func loadCatalogs(fsys fs.FS, dir string) (map[string]*catalog, []string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, nil, err
	}
	catalogs := map[string]*catalog{}
	var languages []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		lang := e.Name()
		c := &catalog{messages: map[string]string{}, plurals: map[string]map[string]string{}}
		jsonFiles, err := fs.Glob(fsys, dir+"/"+lang+"/*.json")
		if err != nil {
			return nil, nil, err
		}
		for _, f := range jsonFiles {
			b, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, nil, err
			}
			raw := map[string]json.RawMessage{}
			if err := json.Unmarshal(b, &raw); err != nil {
				return nil, nil, fmt.Errorf("catalogue %s: %w", f, err)
			}
			for key, v := range raw {
				if _, dup := c.messages[key]; dup {
					return nil, nil, fmt.Errorf("catalogue %s: %q is defined twice in %s", f, key, lang)
				}
				if _, dup := c.plurals[key]; dup {
					return nil, nil, fmt.Errorf("catalogue %s: %q is defined twice in %s", f, key, lang)
				}
				var text string
				if err := json.Unmarshal(v, &text); err == nil {
					c.messages[key] = text
					continue
				}
				forms := map[string]string{}
				if err := json.Unmarshal(v, &forms); err != nil {
					return nil, nil, fmt.Errorf("catalogue %s: %q must be a string or an object of plural forms", f, key)
				}
				c.plurals[key] = forms
			}
		}
		if c.plural, err = lookupPluralRule(c.messages["lang.plural"]); err != nil {
			return nil, nil, fmt.Errorf("catalogue %s/%s: lang.plural: %w", dir, lang, err)
		}
		if c.messages["lang.name"] == "" {
			return nil, nil, fmt.Errorf("catalogue %s/%s: lang.name (the language's own name) is missing", dir, lang)
		}
		catalogs[lang] = c
		languages = append(languages, lang)
	}
	if catalogs["en"] == nil {
		return nil, nil, fmt.Errorf("catalogue %s/en is missing: English is the reference language", dir)
	}
	sort.Strings(languages)
	return catalogs, languages, nil
}

// language is an entry of the language switcher.
type language struct {
	Code, Name, URL string
}

// page is what every template gets: the language, its messages, and where
// the same page is in the other languages.
type page struct {
	Lang      string
	Languages []language
	CSS       string
	Icon      string
	// Path is this page's path after the language prefix ("/counts/");
	// the switcher and hreflang links point at it in every language.
	Path string
	// Title is the page's own title, before the site's, in <title>.
	Title string
	// TakesReports is true where the report form works (the workspace is
	// mounted): the mirror links the plain form, never one per person.
	TakesReports bool
	// Onion is the site's onion address when configured (serve --onion),
	// shown in the footer and on the contact page.
	Onion string
	// Canonical, when set, is the address of the page this one stands
	// for (a merged-away person's: the survivor's).
	Canonical string
	catalog   *catalog
	fallback  *catalog
	all       map[string]*catalog
}

// At reports whether this page is the section at path ("/" is home only).
func (p page) At(section string) bool {
	path, _, _ := strings.Cut(p.Path, "?")
	if section == "/" {
		return path == "/"
	}
	return strings.HasPrefix(path, section)
}

// In translates a message into another language (the not-found page
// speaks every language at once).
func (p page) In(lang, id string) string {
	q := p
	if c, ok := p.all[lang]; ok {
		q.catalog = c
	}
	return q.T(id)
}

// T translates a message id. A missing message falls back to English, then
// to its id; TestCataloguesComplete keeps public pages from doing either.
func (p page) T(id string) string {
	if m, ok := p.catalog.messages[id]; ok {
		return m
	}
	if m, ok := p.fallback.messages[id]; ok {
		return m
	}
	return id
}

// State words a person's state or an event of theirs so that it agrees with their sex where
// the page's language needs it: Russian says "задержан" of a man, "задержана" of a woman and
// "задержан(а)" when the sex is not known or withheld. A language whose participles do not
// agree (English, Karakalpak, Uzbek) has no forms of its own and gets the plain word.
func (p page) State(status any, sex string) string {
	id := "people.status." + fmt.Sprint(status)
	if row, ok := registry.InfoOf(registry.Status(fmt.Sprint(status))); ok {
		id = row.Wording
	}
	suffix := ".unknown"
	switch sex {
	case "f":
		suffix = ".f"
	case "m":
		suffix = ".m"
	}
	if m, ok := p.catalog.messages[id+suffix]; ok {
		return m
	}
	return p.T(id)
}

// Tf translates and fills {name} placeholders from name, value pairs.
func (p page) Tf(id string, pairs ...any) string {
	return fill(p.T(id), pairs)
}

// Plural picks the form of a plural message for n (CLDR rules of the
// page's language) and fills {n} and any other {name} placeholders.
func (p page) Plural(id string, n int, pairs ...any) string {
	c := p.catalog
	forms, ok := c.plurals[id]
	if !ok {
		c, forms = p.fallback, p.fallback.plurals[id]
	}
	m, ok := forms[c.plural.pick(n)]
	if !ok {
		if m, ok = forms["other"]; !ok {
			return id
		}
	}
	return fill(m, append([]any{"n", n}, pairs...))
}

func fill(m string, pairs []any) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		m = strings.ReplaceAll(m, "{"+fmt.Sprint(pairs[i])+"}", fmt.Sprint(pairs[i+1]))
	}
	return m
}

// Date writes a day the way the page's language does ("3 August 2022",
// "3 августа 2022 г.").
func (p page) Date(d registry.Day) string {
	if d == 0 {
		return ""
	}
	t := d.Time()
	return p.Tf("date.format", "d", t.Day(), "month", p.T(fmt.Sprintf("date.month.%d", t.Month())), "y", t.Year())
}

// LangURL is this page in another language.
func (p page) LangURL(lang string) string {
	return "/" + lang + p.Path
}

// page returns the frame of a page in lang, for the home page; false when
// there is no such language.
func (s *Server) page(lang string) (page, bool) {
	c, ok := s.catalogs[lang]
	if !ok {
		c = s.catalogs["en"]
		lang = "en"
	}
	p := page{Lang: lang, CSS: s.cssURL, Icon: s.assetURL["icon.svg"], Path: "/", catalog: c, fallback: s.catalogs["en"], all: s.catalogs,
		TakesReports: s.auth != nil, Onion: s.contact.Onion}
	for _, l := range s.languages {
		p.Languages = append(p.Languages, language{Code: l, Name: s.catalogs[l].messages["lang.name"]})
	}
	return p, ok
}

// pageFor returns the frame of a public page from its request: the
// language from the {lang} path segment, and the page's path so the
// language switcher keeps the visitor on the same page (query included,
// so a filtered list stays filtered). When it returns false the caller
// should answer with s.notFound.
func (s *Server) pageFor(r *http.Request) (page, bool) {
	lang := r.PathValue("lang")
	p, ok := s.page(lang)
	p.Path = strings.TrimPrefix(r.URL.EscapedPath(), "/"+lang)
	if p.Path == "" || !strings.HasPrefix(p.Path, "/") {
		p.Path = "/"
	}
	if r.URL.RawQuery != "" && len(r.URL.RawQuery) < 512 {
		if q, err := url.ParseQuery(r.URL.RawQuery); err == nil {
			p.Path += "?" + q.Encode()
		}
	}
	return p, ok
}

// notFound answers 404 with a page that offers every language: the one
// the browser prefers first, then the others.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	// /en and /en/counts are /en/ and /en/counts/ without their slash.
	first, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if _, known := s.catalogs[first]; known && (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		!strings.HasSuffix(r.URL.Path, "/") && s.serves(r.URL.Path+"/") {
		u := *r.URL
		u.Path += "/"
		http.Redirect(w, r, u.RequestURI(), http.StatusMovedPermanently)
		return
	}
	p, _ := s.page(s.preferredLanguage(r))
	p.Title = p.T("notfound.title")
	w.Header().Set("Vary", "Accept-Language")
	s.renderStatus(w, http.StatusNotFound, "notfound.html", p)
}

func (s *Server) render(w http.ResponseWriter, name string, data any) {
	s.renderStatus(w, 0, name, data)
}

// renderStatus renders a template into memory first, so that a failure
// becomes a clean 500 and not half a page. status 0 leaves the status as
// the handler set it (200 unless WriteHeader was called).
func (s *Server) renderStatus(w http.ResponseWriter, status int, name string, data any) {
	var b bytes.Buffer
	if err := s.templates.ExecuteTemplate(&b, name, data); err != nil {
		s.log.Error("render", "template", name, "err", err)
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if status != 0 {
		w.WriteHeader(status)
	}
	w.Write(b.Bytes())
}

func (s *Server) serverError(w http.ResponseWriter, what string, err error) {
	s.log.Error(what, "err", err)
	http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
}

// Languages lists the site's languages (the folders of its catalogues).
func Languages() []string {
	_, langs, err := loadCatalogs(files, "i18n")
	if err != nil {
		return nil
	}
	return langs
}
