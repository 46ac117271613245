package publish

import (
	"bytes"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// A static host cannot answer 301, yet an address once shown must keep
// leading to its human in the mirror too. So the mirror writes, for a
// merged-away person id, the page the site answers its 301 with (in the
// language of its path, saying what happened, the survivor canonical) with
// a refresh that leads on; the API's answer as it is (it says merged_into).
// Beside them it writes maps for web servers that can answer 301 when
// configured: _redirects (the format of Netlify and similar hosts) and
// redirects.nginx.map (docs/operations.md says how to use them).

// Files of the redirect maps, at the mirror's root.
const (
	RedirectsFile = "_redirects"
	NginxMapFile  = "redirects.nginx.map"
)

// movedBody is what the mirror keeps at a moved URL's file (here): the
// site's HTML answer with a refresh to the target, or any other answer
// as it came. A 301 without a page of our own gets a bare one.
func movedBody(body []byte, isHTML bool, here, to string) []byte {
	rel := html.EscapeString(relativePath(here, MirrorPath(to)))
	refresh := `<meta http-equiv="refresh" content="0; url=` + rel + `">`
	if isHTML {
		if i := bytes.Index(body, []byte("<head>")); i >= 0 && bytes.Contains(body, []byte(`rel="canonical"`)) {
			i += len("<head>")
			return append(append(append([]byte{}, body[:i]...), "\n"+refresh...), body[i:]...)
		}
	} else if len(body) > 0 && !bytes.HasPrefix(bytes.TrimSpace(body), []byte("<")) {
		return body
	}
	return []byte(`<!doctype html>
<html><head><meta charset="utf-8">` + refresh + `<link rel="canonical" href="` + rel + `"><title>→</title></head>
<body><p><a href="` + rel + `">→ ` + rel + `</a></p></body></html>
`)
}

// writeRedirectMaps writes the two maps of moved (site URL → site URL),
// as paths of the mirror's files and of the site's addresses without
// .html, and returns how many files it wrote (none when nothing moved).
func writeRedirectMaps(dir string, moved map[string]string) (int, error) {
	if len(moved) == 0 {
		return 0, nil
	}
	froms := make([]string, 0, len(moved))
	for from := range moved {
		froms = append(froms, from)
	}
	sort.Strings(froms)
	var netlify, nginx strings.Builder
	netlify.WriteString("# Written by rollcall mirror: person ids merged away, answered 301 by hosts that read this file.\n")
	nginx.WriteString("# Written by rollcall mirror. In http {}: include this file; in server {}: if ($rollcall_moved) { return 301 $rollcall_moved; }\n")
	nginx.WriteString("map $uri $rollcall_moved {\n    default \"\";\n")
	for _, from := range froms {
		to := "/" + MirrorPath(moved[from])
		for _, path := range uniqueStrings("/"+MirrorPath(from), strings.SplitN(from, "?", 2)[0]) {
			// The 301! forces the answer over the page written at that
			// path (the page is for hosts that read no map).
			fmt.Fprintf(&netlify, "%s %s 301!\n", path, to)
			fmt.Fprintf(&nginx, "    %s %s;\n", nginxQuote(path), nginxQuote(to))
		}
	}
	nginx.WriteString("}\n")
	if err := os.WriteFile(filepath.Join(dir, RedirectsFile), []byte(netlify.String()), 0o644); err != nil {
		return 0, err
	}
	return 2, os.WriteFile(filepath.Join(dir, NginxMapFile), []byte(nginx.String()), 0o644)
}

func uniqueStrings(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// nginxQuote quotes a path for an nginx map (ids are UUIDs; quoting keeps
// any other character from ending the value).
func nginxQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
