package web

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// The headers a browser sends choose the language and the compression:
// whatever they hold, the choice is one of ours.
func FuzzRequestHeaders(f *testing.F) {
	for _, seed := range []string{"ru-RU,ru;q=0.9,en;q=0.8", "", "kaa", "uz-Latn-UZ", "*", ",,,;;;", "de;q=0, gzip;q=0", "GZIP; q=0.5"} {
		f.Add(seed)
	}
	s, err := New(nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", header)
		if lang := s.preferredLanguage(r); !slices.Contains(s.languages, lang) {
			t.Fatalf("Accept-Language %q chose %q", header, lang)
		}
		acceptsGzip(header)
	})
}

// An appeal is cut into paragraphs at blank lines; no word is lost, added
// or moved, and no paragraph is empty.
func FuzzParagraphs(f *testing.F) {
	for _, seed := range []string{"one\n\ntwo", "a\r\n\r\nb\nc", "\n\n\n", "  x  ", "<script>\n\nalert(1)</script>"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ps := paragraphs(text)
		for _, p := range ps {
			if p == "" || strings.TrimSpace(p) != p || strings.Contains(p, "\n") {
				t.Fatalf("paragraph %q of %q", p, text)
			}
		}
		if got, want := strings.Fields(strings.Join(ps, " ")), strings.Fields(text); !slices.Equal(got, want) {
			t.Fatalf("words %q, want %q", got, want)
		}
	})
}
