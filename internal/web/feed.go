package web

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"sort"
	"time"

	"rollcall/internal/registry"
)

// feedEntries is how many changes the feed shows.
const feedEntries = 50

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary,omitempty"`
}

type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang     string      `xml:"xml:lang,attr"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	ID       string      `xml:"id"`
	Updated  string      `xml:"updated"`
	Author   string      `xml:"author>name"`
	Links    []atomLink  `xml:"link"`
	Entries  []atomEntry `xml:"entry"`
}

// feed is the Atom feed of changes to the public list: persons shown for
// the first time, changes of state, and snapshots. Links are relative to
// the site's root (Atom allows it), so the feed works on any host and in
// the mirror.
func (s *Server) feed(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pageFor(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	changes, err := s.store.PublicChanges(r.Context(), feedEntries)
	if err != nil {
		s.serverError(w, "feed", err)
		return
	}
	snaps, err := s.store.Snapshots(r.Context())
	if err != nil {
		s.serverError(w, "feed", err)
		return
	}
	type dated struct {
		at time.Time
		e  atomEntry
	}
	var entries []dated
	for _, c := range changes {
		at := time.UnixMicro(c.At).UTC()
		name := c.Person.Name
		if c.Person.Withheld {
			name = p.Tf("person.withheld", "id", c.Person.ID)
		}
		state := p.State(c.State, c.Person.Sex)
		title := p.Tf("feed.new", "name", name, "state", state)
		if c.Kind == "state" {
			title = p.Tf("feed.state", "name", name, "state", state)
		}
		entries = append(entries, dated{at, atomEntry{Title: title, ID: fmt.Sprintf("urn:rollcall:change:%s:%d", c.Person.ID, c.At),
			Updated: at.Format(time.RFC3339), Link: atomLink{Href: "/" + p.Lang + "/people/" + c.Person.ID}}})
	}
	// A merge is news of its own: the old id's readers learn where it
	// leads, and the survivor is not "added".
	redirects, err := s.store.Redirects(r.Context(), feedEntries)
	if err != nil {
		s.serverError(w, "feed", err)
		return
	}
	for _, m := range redirects {
		survivor, err := s.store.PublicPerson(r.Context(), m.SurvivorID)
		if isNotFound(err) {
			continue
		} else if err != nil {
			s.serverError(w, "feed", err)
			return
		}
		name := survivor.Name
		if survivor.Withheld {
			name = p.Tf("person.withheld", "id", survivor.ID)
		}
		entries = append(entries, dated{m.At, atomEntry{Title: p.Tf("feed.merged", "old", "#"+m.PersonID, "name", name),
			ID: fmt.Sprintf("urn:rollcall:merged:%s:%d", m.PersonID, m.At.UnixMicro()), Updated: m.At.Format(time.RFC3339),
			Link: atomLink{Href: "/" + p.Lang + "/people/" + m.SurvivorID}}})
	}
	for _, sn := range snaps {
		var counts registry.Counts
		json.Unmarshal([]byte(sn.CountsJSON), &counts)
		title := p.Tf("feed.snapshot", "date", sn.AsOf.String())
		if replaced, newer := correction(snaps, sn); replaced != nil || newer != nil {
			title = p.Tf("feed.snapshot.correction", "date", sn.AsOf.String())
		}
		entries = append(entries, dated{sn.PublishedAt, atomEntry{Title: title,
			ID: "urn:rollcall:snapshot:" + sn.Slug, Updated: sn.PublishedAt.Format(time.RFC3339),
			Link:    atomLink{Href: SnapshotURL(sn.Slug), Type: "application/json"},
			Summary: p.Tf("feed.snapshot.summary", "missing", counts.MissingNow, "detained", counts.DetainedNow, "killed", counts.Killed, "note", sn.Note)}})
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].at.After(entries[j].at) })
	if len(entries) > feedEntries {
		entries = entries[:feedEntries]
	}
	f := atomFeed{Lang: p.Lang, Title: p.T("site.title") + " — " + p.T("feed.title"), ID: "urn:rollcall:feed:" + p.Lang,
		Updated: time.Unix(0, 0).UTC().Format(time.RFC3339), Author: p.T("site.title"),
		Links: []atomLink{{Href: "/" + p.Lang + "/feed.atom", Rel: "self"}, {Href: "/" + p.Lang + "/people/", Rel: "alternate"}}}
	// The feed's summary is the headline: the newest as-of date's figures,
	// whatever was published last.
	if h, err := s.latestHeadline(r.Context()); err == nil && h.Snapshot {
		f.Subtitle = p.Tf("feed.headline", "date", h.AsOf.String(), "missing", h.Counts.MissingNow, "detained", h.Counts.DetainedNow, "killed", h.Counts.Killed)
	}
	if len(entries) > 0 {
		f.Updated = entries[0].at.Format(time.RFC3339)
	}
	for _, e := range entries {
		f.Entries = append(f.Entries, e.e)
	}
	b, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		s.serverError(w, "feed", err)
		return
	}
	openData(w)
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	w.Write(b)
}

// embedPolicy lets partner sites frame the counter and show the badge,
// and allows nothing else.
const embedPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors *; base-uri 'none'; form-action 'none'"

func embeddable(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", embedPolicy)
	h.Del("X-Frame-Options")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	h.Set("Cache-Control", "public, max-age=600")
}

type counterData struct {
	page
	h headline
}

func (d counterData) AsOf() registry.Day { return d.h.AsOf }

// counterLine is one figure of the embeddable counter.
type counterLine struct {
	Label string
	Value int
}

func (d counterData) Counts() []counterLine {
	var out []counterLine
	for _, name := range []string{"missing_now", "detained_now", "killed", "detained_ever"} {
		n, _ := d.h.Counts.Get(name)
		out = append(out, counterLine{Label: "count." + name, Value: n})
	}
	return out
}

// embedCounter is a small page partner sites may put in an iframe: the
// latest published counts (today's when nothing is published yet).
func (s *Server) embedCounter(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pageFor(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	h, err := s.latestHeadline(r.Context())
	if err != nil {
		s.serverError(w, "counter", err)
		return
	}
	embeddable(w)
	s.render(w, "embed_counter.html", counterData{page: p, h: h})
}

// embedBadge is an SVG badge with the number detained now and killed.
func (s *Server) embedBadge(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pageFor(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	h, err := s.latestHeadline(r.Context())
	if err != nil {
		s.serverError(w, "badge", err)
		return
	}
	embeddable(w)
	w.Header().Set("Content-Type", "image/svg+xml")
	label := p.T("count.detained_now")
	value := fmt.Sprint(h.Counts.DetainedNow)
	date := h.AsOf.String()
	lw, vw := 7*len([]rune(label))+12, 7*len(value)+12
	var b []byte
	b = fmt.Appendf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="`, lw+vw)
	b = append(b, xmlEscape(label+": "+value+" ("+date+")")...)
	b = fmt.Appendf(b, `"><title>`)
	b = append(b, xmlEscape(p.T("site.title")+" — "+label+": "+value+" ("+date+")")...)
	b = fmt.Appendf(b, `</title><rect width="%d" height="20" fill="#333"/><rect x="%d" width="%d" height="20" fill="#b00"/>`, lw, lw, vw)
	b = fmt.Appendf(b, `<g fill="#fff" font-family="sans-serif" font-size="11"><text x="6" y="14">`)
	b = append(b, xmlEscape(label)...)
	b = fmt.Appendf(b, `</text><text x="%d" y="14">%s</text></g></svg>`, lw+6, value)
	w.Write(b)
}

func xmlEscape(s string) []byte {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.Bytes()
}
