package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/store"
)

// auditRoutes serves the audit log to admins (auth.ReadAudit): the entries
// filtered, each with its place in the chain, and the chain's check, the
// same as 'rollcall audit verify' (store.VerifyAudit).
func (s *Server) auditRoutes() {
	s.handle("GET /admin/audit/{$}", auth.ReadAudit, s.auditPage)
	s.handle("POST /admin/audit/verify", auth.ReadAudit, s.auditVerify)
}

const auditPageSize = 100

// auditForm is the viewer's filter as the form sent it.
type auditForm struct {
	Actor, Kind, Object, Entry, From, To, Head string
	Page                                       int
	Problems                                   []string
}

// auditVerdict is the outcome of checking the chain, in words.
type auditVerdict struct {
	Intact  bool
	Message string
	Break   int64 // the first bad entry, 0 when intact
}

type auditPageData struct {
	adminPage
	Form     auditForm
	Filtered bool
	List     store.AuditPage
	Pages    reviewPager
	Verdict  *auditVerdict
}

func parseAuditForm(p adminPage, q url.Values) (store.AuditFilter, auditForm) {
	form := auditForm{Actor: strings.TrimSpace(q.Get("actor")), Kind: strings.TrimSpace(q.Get("kind")), Object: strings.TrimSpace(q.Get("object")),
		Entry: strings.TrimSpace(q.Get("entry")), From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")), Page: 1}
	f := store.AuditFilter{Actor: form.Actor, Kind: form.Kind, Object: form.Object, Limit: auditPageSize}
	if form.Entry != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(form.Entry, "#"), 10, 64)
		if err != nil || n < 1 {
			form.Problems = append(form.Problems, p.Tf("admin.audit.bad_entry", "value", form.Entry))
		} else {
			f.Seq = n
		}
	}
	day := func(text, label string) time.Time {
		if text == "" {
			return time.Time{}
		}
		d, err := time.Parse("2006-01-02", text)
		if err != nil {
			form.Problems = append(form.Problems, p.Tf("admin.audit.bad_date", "field", p.T(label), "value", text))
			return time.Time{}
		}
		return d
	}
	f.From = day(form.From, "admin.audit.from")
	if to := day(form.To, "admin.audit.to"); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1) // the whole day "to"
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		form.Problems = append(form.Problems, p.T("admin.audit.from_after_to"))
		f.From, f.To = time.Time{}, time.Time{}
	}
	if text := strings.TrimSpace(q.Get("page")); text != "" {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 || n > 10_000_000 {
			form.Problems = append(form.Problems, p.Tf("review.filter.bad_page", "value", text))
		} else {
			form.Page = n
		}
	}
	f.Offset = (form.Page - 1) * auditPageSize
	return f, form
}

func (form auditForm) query() url.Values {
	v := url.Values{}
	for key, value := range map[string]string{"actor": form.Actor, "kind": form.Kind, "object": form.Object, "entry": form.Entry, "from": form.From, "to": form.To} {
		if value != "" {
			v.Set(key, value)
		}
	}
	return v
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, acc *account) {
	s.renderAudit(w, r, acc, nil, "")
}

// auditVerify checks the whole chain as 'rollcall audit verify' does,
// with a head kept elsewhere when one is given, and shows the outcome
// above the entries. It changes nothing.
func (s *Server) auditVerify(w http.ResponseWriter, r *http.Request, acc *account) {
	frame := s.adminFrame(r, acc, "")
	headText := strings.TrimSpace(r.PostForm.Get("head"))
	var want *store.AuditHead
	if headText != "" {
		h, err := store.ParseAuditHead(headText)
		if err != nil {
			s.renderAudit(w, r, acc, &auditVerdict{Message: frame.Tf("admin.audit.bad_head", "value", headText)}, headText)
			return
		}
		want = &h
	}
	n, head, err := s.store.VerifyAudit(r.Context(), want)
	var b *store.AuditBreak
	switch {
	case errors.As(err, &b):
		s.renderAudit(w, r, acc, &auditVerdict{Break: b.Seq, Message: frame.Tf("admin.audit.broken", "seq", b.Seq, "reason", frame.T("admin.audit.break."+b.Kind))}, headText)
	case err != nil:
		s.serverError(w, "audit verify", err)
	default:
		msg := frame.Tf("admin.audit.intact", "n", n, "head", head.String())
		if want != nil {
			msg += " " + frame.Tf("admin.audit.reaches", "head", want.String())
		}
		s.renderAudit(w, r, acc, &auditVerdict{Intact: true, Message: msg}, headText)
	}
}

func (s *Server) renderAudit(w http.ResponseWriter, r *http.Request, acc *account, verdict *auditVerdict, head string) {
	frame := s.adminFrame(r, acc, "")
	f, form := parseAuditForm(frame, r.URL.Query())
	form.Head = head
	list, err := s.store.AuditEntriesFiltered(r.Context(), f)
	if err != nil {
		s.serverError(w, "audit list", err)
		return
	}
	p := auditPageData{adminPage: frame, Form: form, Filtered: len(form.query()) > 0, List: list, Verdict: verdict}
	p.Pages = pagerFor("/admin/audit/", form.query(), "page", form.Page, list.Matching, auditPageSize)
	p.Title = p.T("admin.audit.title")
	s.render(w, "admin_audit.html", p)
}

// Short is the start of a hash, enough to tell entries apart by eye.
func (auditPageData) Short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

// Pager gives the review_pager template the viewer's pages and words.
func (p auditPageData) Pager(pages reviewPager) reviewPagerView {
	return reviewPagerView{ID: "audit", Label: p.T("admin.audit.pages"), Prev: p.T("review.prev"), Next: p.T("review.next"), Pages: pages}
}

// Follows says an entry's place in the chain: the first, or the entry it
// follows and that entry's hash, which this one's hash covers.
func (p auditPageData) Follows(e store.AuditEntry) string {
	if e.Seq == 1 && strings.Trim(e.PrevHash, "0") == "" {
		return p.T("admin.audit.first")
	}
	return p.Tf("admin.audit.follows", "seq", e.Seq-1, "hash", p.Short(e.PrevHash))
}
