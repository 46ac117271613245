package publish

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMirrorPath(t *testing.T) {
	for in, want := range map[string]string{
		"/":                                 "index.html",
		"/en/":                              "en/index.html",
		"/en/people/":                       "en/people/index.html",
		"/en/people/0190-ab":                "en/people/0190-ab.html",
		"/en/people/?page=2":                "en/people/index-page-2.html",
		"/en/people/?state=detained&page=2": "en/people/index-page-2-state-detained.html",
		"/en/people/?page=2&state=detained": "en/people/index-page-2-state-detained.html",
		"/en/feed.atom":                     "en/feed.atom",
		"/static/style.0123.css":            "static/style.0123.css",
		"/api/v1/people":                    "api/v1/people.json",
		"/../../etc/passwd":                 "etc/passwd.html",
	} {
		if got := MirrorPath(in); got != want {
			t.Errorf("MirrorPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRewriteLinks(t *testing.T) {
	in := `<a href="/en/people/x" class="a">x</a> <img src="/static/i.svg" alt="b"> <form action="/en/people/"><p title="href=&#34;no&#34;">`
	got := rewriteLinks([]byte(in), func(attr, v string) string { return attr + ":" + v })
	want := `<a href="href:/en/people/x" class="a">x</a> <img src="src:/static/i.svg" alt="b"> <form action="action:/en/people/"><p title="href=&#34;no&#34;">`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestMirrorDirReplacesOnlyAMirror(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "thesis.doc"), []byte("x"), 0o600)
	if err := prepareMirrorDir(dir); err == nil {
		t.Error("a folder of other files was taken")
	}
	mirror := filepath.Join(t.TempDir(), "m")
	if err := prepareMirrorDir(mirror); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(mirror, "en", "people", "gone.html")
	os.MkdirAll(filepath.Dir(old), 0o755)
	os.WriteFile(old, []byte("a person since withheld"), 0o644)
	if err := prepareMirrorDir(mirror); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); err == nil {
		t.Error("a page of the earlier mirror is left")
	}
}
