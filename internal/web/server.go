// Package web serves the site: routes, handlers, templates, assets and
// translations, all embedded in the binary.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"rollcall/internal/store"
)

//go:embed templates static i18n
var files embed.FS

// Server is the web site.
type Server struct {
	store     *store.Store
	log       *slog.Logger
	templates *template.Template
	catalogs  map[string]map[string]string
	languages []string
	cssURL    string
	css       []byte
	mux       *http.ServeMux
}

// New builds the site over a store.
func New(st *store.Store, log *slog.Logger) (*Server, error) {
	s := &Server{store: st, log: log, catalogs: map[string]map[string]string{}, mux: http.NewServeMux()}
	entries, err := fs.ReadDir(files, "i18n")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		lang := strings.TrimSuffix(e.Name(), ".json")
		b, err := files.ReadFile("i18n/" + e.Name())
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", e.Name(), err)
		}
		s.catalogs[lang] = m
		s.languages = append(s.languages, lang)
	}
	sort.Strings(s.languages)
	if s.css, err = files.ReadFile("static/style.css"); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(s.css)
	s.cssURL = "/static/style." + hex.EncodeToString(sum[:6]) + ".css"
	if s.templates, err = template.ParseFS(files, "templates/*.html"); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /{$}", s.chooseLanguage)
	s.mux.HandleFunc("GET /{lang}/{$}", s.home)
	s.mux.HandleFunc("GET "+s.cssURL, s.stylesheet)
}

// ServeHTTP adds the security headers every response carries.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
	s.mux.ServeHTTP(w, r)
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

func (s *Server) stylesheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(s.css)
}

// page is what every template gets: the language and its messages.
type page struct {
	Lang      string
	Languages []string
	CSS       string
	catalog   map[string]string
}

// T translates a message id; a missing one shows its id, which tests catch.
func (p page) T(id string) string {
	if m, ok := p.catalog[id]; ok {
		return m
	}
	return id
}

// Tf translates and fills {name} placeholders from name, value pairs.
func (p page) Tf(id string, pairs ...any) string {
	m := p.T(id)
	for i := 0; i+1 < len(pairs); i += 2 {
		m = strings.ReplaceAll(m, "{"+fmt.Sprint(pairs[i])+"}", fmt.Sprint(pairs[i+1]))
	}
	return m
}

func (s *Server) page(lang string) (page, bool) {
	c, ok := s.catalogs[lang]
	return page{Lang: lang, Languages: s.languages, CSS: s.cssURL, catalog: c}, ok
}

func (s *Server) render(w http.ResponseWriter, name string, data any) {
	var b strings.Builder
	if err := s.templates.ExecuteTemplate(&b, name, data); err != nil {
		s.log.Error("render", "template", name, "err", err)
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(b.String()))
}

func (s *Server) serverError(w http.ResponseWriter, what string, err error) {
	s.log.Error(what, "err", err)
	http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
}
