package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"rollcall/internal/auth"
	"rollcall/internal/intake"
	"rollcall/internal/registry"
	"rollcall/internal/store"
)

// Throttling of the public report form, per client (a keyed hash of its
// address held in memory only; see auth.Throttle): reportsFree reports,
// then each next one must wait reportWaitBase·2^n, at most reportWaitMax;
// an hour without a report clears the count. Over an onion service every
// visitor comes from the Tor daemon's address and shares one count.
const (
	reportsFree    = 5
	reportWaitBase = 2 * time.Minute
	reportWaitMax  = time.Hour
)

// reportRoutes registers the public report form (/{lang}/report/) and its
// triage queue (/admin/reports/).
//
// The form's GET is a public route: it also renders where the workspace is
// not mounted (the static mirror), saying that this copy cannot take
// reports. Its POST goes through handle (FileReport, anonymous allowed),
// which checks the origin, the content type, the size and, for a
// signed-in account, the form token.
func (s *Server) reportRoutes() {
	throttle := auth.NewThrottle(reportsFree)
	throttle.Base, throttle.Max = reportWaitBase, reportWaitMax
	sent := newSentReports()
	s.public("GET /{lang}/report/{$}", s.reportForm)
	s.handle("POST /{lang}/report/{$}", auth.FileReport, func(w http.ResponseWriter, r *http.Request, acc *account) {
		s.fileReport(w, r, acc, throttle, sent)
	})
	s.public("GET /{lang}/report/sent/{token}", func(w http.ResponseWriter, r *http.Request) { s.reportSent(w, r, sent) })

	s.handle("GET /admin/reports/{$}", auth.Triage, s.adminReports)
	s.handle("GET /admin/reports/{id}", auth.Triage, s.adminReport)
	s.handle("GET /admin/reports/{id}/sealed", auth.ReadSealed, s.adminReportSealed)
	s.handle("POST /admin/reports/{id}/record", auth.Triage, s.recordReport)
	s.handle("POST /admin/reports/{id}/dismiss", auth.Triage, s.dismissReport)
}

// reportPage is the form, as first shown or with the problems of a post.
type reportPage struct {
	page
	// Live is false where the workspace is not mounted (the mirror): the
	// page explains, and shows no form.
	Live      bool
	CSRF      string
	Form      url.Values
	Problems  map[string]string // field → message
	Statuses  []string
	Relations []string
	Months    []int
	// About is the public person the news is about ("I have news about
	// this person"), shown as the person page shows them; nil when the
	// form came without one, or with an id the public list does not have.
	About *reportAbout
	// Reference is set on the thank-you page; Wait on the "too many" page.
	Reference string
	Wait      int // minutes
}

// reportFields are the form's fields in the order the page shows them,
// with the id of the input an error summary's link leads to.
var reportFields = []struct{ Name, Input string }{
	{intake.ReportName, "report-name"}, {intake.ReportNameAlt, "report-alt1"}, {intake.ReportAge, "report-age"},
	{intake.ReportRegion, "report-region"}, {intake.ReportLocality, "report-locality"}, {intake.ReportStatus, "report-status"},
	{intake.ReportDay, "report-day"}, {intake.ReportMonth, "report-month"}, {intake.ReportYear, "report-year"},
	{intake.ReportPlace, "report-place"}, {intake.ReportText, "report-text"}, {intake.ReportRelation, "report-relation"},
	{intake.ReportContact, "report-contact"},
}

// formProblem is one line of a failed form's error summary: the field's
// label, what is wrong, and the input it links to.
type formProblem struct{ Input, Label, Message string }

// ProblemList is the error summary at the top of a failed form, in the
// order of the fields.
func (p reportPage) ProblemList() []formProblem {
	var list []formProblem
	for _, f := range reportFields {
		if m, ok := p.Problems[f.Name]; ok {
			list = append(list, formProblem{Input: f.Input, Label: p.T("report." + f.Name), Message: m})
		}
	}
	return list
}

// ProblemsTitle heads the error summary.
func (p reportPage) ProblemsTitle() string { return p.T("report.problems") }

func (s *Server) reportFrame(r *http.Request, acc *account) (reportPage, bool) {
	p, ok := s.pageFor(r)
	p.Path = "/report/" // no query: nothing of a report ever goes into an address
	rp := reportPage{page: p, Live: s.auth != nil, Form: url.Values{}, Problems: map[string]string{}}
	rp.Title = p.T("report.title")
	rp.CSRF = s.AnonymousFormToken(r.URL.Path)
	if acc != nil {
		rp.CSRF = acc.CSRF
	}
	for _, st := range intake.ReportStatuses {
		rp.Statuses = append(rp.Statuses, string(st))
	}
	rp.Relations = intake.ReportRelations
	for m := 1; m <= 12; m++ {
		rp.Months = append(rp.Months, m)
	}
	return rp, ok
}

// reportAbout is the person a report is about, as the public sees them.
type reportAbout struct {
	ID, Label string
}

// aboutPerson fills the form's hidden person id and, when the public list
// has that person, the box that names them, exactly as their public page
// does (a withheld person by number only): the form then tells the
// visitor nothing their page would not. An id of no public person (a
// forged one, one merged away) is kept for triage but shows nothing.
// prefill puts a listed person's public name into the empty name field.
func (s *Server) aboutPerson(r *http.Request, rp *reportPage, raw string, prefill bool) error {
	id := intake.ReportPersonID(raw)
	if id == "" {
		return nil
	}
	rp.Form.Set(intake.ReportPerson, id)
	person, err := s.store.PublicPerson(r.Context(), id)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	about := &reportAbout{ID: person.ID, Label: person.Name}
	if person.Withheld {
		about.Label = rp.Tf("person.withheld", "id", person.ID)
	} else if prefill && rp.Form.Get(intake.ReportName) == "" {
		rp.Form.Set(intake.ReportName, person.Name)
	}
	rp.About = about
	rp.Path = "/report/?" + url.Values{intake.ReportPerson: {person.ID}}.Encode()
	return nil
}

func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) {
	acc, err := s.signedIn(r)
	if err != nil {
		s.serverError(w, "session", err)
		return
	}
	rp, ok := s.reportFrame(r, acc)
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := s.aboutPerson(r, &rp, r.URL.Query().Get(intake.ReportPerson), true); err != nil {
		s.serverError(w, "report person", err)
		return
	}
	privatePage(w)
	s.render(w, "report.html", rp)
}

// clientKey is what the report throttle counts a client by.
func clientKey(r *http.Request) string { return "report:" + clientHost(r) }

// fileReport takes a report and redirects to its confirmation
// (report_sent.go), whose address holds a token, never the reference.
func (s *Server) fileReport(w http.ResponseWriter, r *http.Request, acc *account, throttle *auth.Throttle, sent *sentReports) {
	rp, ok := s.reportFrame(r, acc)
	if !ok {
		s.notFound(w, r)
		return
	}
	now := s.auth.Now()
	client := clientKey(r)
	if wait := throttle.Wait(now, client); wait > 0 {
		retryAfter(w, wait)
		rp.Wait = int((wait + time.Minute - 1) / time.Minute)
		s.renderStatus(w, http.StatusTooManyRequests, "report_wait.html", rp)
		return
	}
	// A filled honeypot is a program: it is thanked like a person, with a
	// reference that leads nowhere, and nothing is stored.
	if r.PostForm.Get(intake.ReportHoneypot) != "" {
		throttle.Fail(now, client)
		http.Redirect(w, r, reportSentPath(rp.Lang, sent.add(now, intake.NewReference())), http.StatusSeeOther)
		return
	}
	rep, problems := intake.ParseReport(r.PostForm, rp.Lang, now)
	if len(problems) > 0 {
		for _, pr := range problems {
			if _, seen := rp.Problems[pr.Field]; !seen {
				rp.Problems[pr.Field] = rp.T(pr.Message)
			}
		}
		// Show back what was typed, except the honeypot.
		for _, f := range []string{intake.ReportName, intake.ReportAge, intake.ReportRegion, intake.ReportLocality, intake.ReportStatus,
			intake.ReportYear, intake.ReportMonth, intake.ReportDay, intake.ReportPlace, intake.ReportText, intake.ReportRelation, intake.ReportContact} {
			if v := r.PostForm.Get(f); utf8.ValidString(v) {
				rp.Form.Set(f, v)
			}
		}
		for _, v := range r.PostForm[intake.ReportNameAlt] {
			if utf8.ValidString(v) {
				rp.Form.Add(intake.ReportNameAlt, v)
			}
		}
		if err := s.aboutPerson(r, &rp, r.PostForm.Get(intake.ReportPerson), false); err != nil {
			s.serverError(w, "report person", err)
			return
		}
		s.renderStatus(w, http.StatusUnprocessableEntity, "report.html", rp)
		return
	}
	throttle.Fail(now, client)
	var err error
	for range 3 {
		rep.Reference = intake.NewReference()
		if _, err = s.store.AddReport(r.Context(), rep); !errors.Is(err, store.ErrReferenceTaken) {
			break
		}
	}
	if err != nil {
		s.serverError(w, "report", err)
		return
	}
	http.Redirect(w, r, reportSentPath(rp.Lang, sent.add(now, rep.Reference)), http.StatusSeeOther)
}

// adminReportsPage is the triage queue.
type adminReportsPage struct {
	adminPage
	Reports []store.Report
	Total   int
	State   string
	States  []string
	Ref     string
}

func (s *Server) adminReports(w http.ResponseWriter, r *http.Request, acc *account) {
	p := adminReportsPage{adminPage: s.adminFrame(r, acc, ""), States: []string{store.ReportOpen, store.ReportRecorded, store.ReportDismissed}}
	p.Title = p.T("admin.reports.title")
	q := r.URL.Query()
	p.State = q.Get("state")
	if p.State != store.ReportRecorded && p.State != store.ReportDismissed {
		p.State = store.ReportOpen
	}
	if ref := strings.TrimSpace(q.Get("ref")); utf8.RuneCountInString(ref) <= 20 {
		p.Ref = ref
	}
	if q.Get("done") == "dismissed" {
		p.Flash = p.T("admin.reports.done.dismissed")
	}
	var err error
	if p.Reports, p.Total, err = s.store.Reports(r.Context(), store.ReportFilter{State: p.State, Reference: p.Ref, Limit: 200}); err != nil {
		s.serverError(w, "reports", err)
		return
	}
	s.render(w, "admin_reports.html", p)
}

// adminReportView is one report, with its sealed parts once opened.
type adminReportView struct {
	adminPage
	Report  store.Report
	Secrets *store.ReportSecrets
	// Matches are records already in the registry whose spellings hold
	// every search key of the reported name: the person may be known.
	Matches []store.EnteredRecord
	// About is the person the news is about, when the reporter came from
	// a person page's "I have news about this person".
	About *triageAbout
	// Reason and Problem refill the dismissal form after a mistake.
	Reason, Problem string
	// Phone is set for a report sent from a phone (OpenRosa): which, its
	// times and its attachments.
	Phone *store.PhoneOrigin
}

// triageAbout is the person a report names: the id as the form brought
// it, and the person it stands for now ("" when no person has it: a
// forged id), through a merge when Merged.
type triageAbout struct {
	Given, Now string
	Merged     bool
}

// Open says whether actions are still possible.
func (v adminReportView) Open() bool { return v.Report.State == store.ReportOpen }

func (s *Server) reportView(w http.ResponseWriter, r *http.Request, acc *account) (adminReportView, bool) {
	rep, err := s.store.Report(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return adminReportView{}, false
	}
	if err != nil {
		s.serverError(w, "report", err)
		return adminReportView{}, false
	}
	v := adminReportView{adminPage: s.adminFrame(r, acc, ""), Report: rep}
	v.Title = v.Tf("admin.reports.one", "ref", rep.Reference)
	if r.URL.Query().Get("done") == "recorded" {
		v.Flash = v.T("admin.reports.done.recorded")
	}
	if rep.PersonID != "" {
		v.About = &triageAbout{Given: rep.PersonID}
		switch now, merged, err := s.store.PersonNow(r.Context(), rep.PersonID); {
		case isNotFound(err):
		case err != nil:
			s.serverError(w, "report person", err)
			return adminReportView{}, false
		default:
			v.About.Now, v.About.Merged = now, merged
		}
	}
	if v.Matches, err = s.store.Records(r.Context(), store.RecordFilter{Query: rep.Name, Limit: 20}); err != nil {
		s.serverError(w, "report matches", err)
		return adminReportView{}, false
	}
	switch o, err := s.store.PhoneOriginOf(r.Context(), store.SubmissionReport, rep.ID); {
	case err == nil:
		v.Phone = &o
	case !errors.Is(err, store.ErrNotFound):
		s.serverError(w, "report phone", err)
		return adminReportView{}, false
	}
	return v, true
}

func (s *Server) adminReport(w http.ResponseWriter, r *http.Request, acc *account) {
	if v, ok := s.reportView(w, r, acc); ok {
		s.render(w, "admin_reports_one.html", v)
	}
}

// adminReportSealed shows the reporter's contact, relationship and words;
// the store writes the audit entry before it hands them over.
func (s *Server) adminReportSealed(w http.ResponseWriter, r *http.Request, acc *account) {
	v, ok := s.reportView(w, r, acc)
	if !ok {
		return
	}
	sec, err := s.store.ReportSealed(r.Context(), acc.User.ID, v.Report.ID)
	if err != nil {
		s.serverError(w, "report sealed", err)
		return
	}
	v.Secrets = &sec
	s.render(w, "admin_reports_one.html", v)
}

func (s *Server) recordReport(w http.ResponseWriter, r *http.Request, acc *account) {
	rep, err := s.store.Report(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, "report", err)
		return
	}
	recordID, err := intake.MakeRecord(r.Context(), s.store, acc.User.ID, rep)
	switch {
	case errors.Is(err, store.ErrReportClosed):
		s.plainError(w, http.StatusConflict, "This report was already dealt with: go back and reload the page.")
		return
	case err != nil:
		s.serverError(w, "report record", err)
		return
	}
	if err := s.linkPhoneFiles(r, acc, rep.ID, recordID); err != nil {
		s.serverError(w, "report files", err)
		return
	}
	http.Redirect(w, r, "/admin/reports/"+url.PathEscape(rep.ID)+"?done=recorded", http.StatusSeeOther)
}

// maxDismissReason bounds a dismissal's reason.
const maxDismissReason = 500

func (s *Server) dismissReport(w http.ResponseWriter, r *http.Request, acc *account) {
	v, ok := s.reportView(w, r, acc)
	if !ok {
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	switch {
	case !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > maxDismissReason:
		v.Problem = v.Tf("admin.reports.reason.long", "n", maxDismissReason)
	case reason == "":
		v.Problem = v.T("admin.reports.reason.missing")
	}
	if v.Problem != "" {
		if utf8.ValidString(reason) {
			v.Reason = reason
		}
		s.renderStatus(w, http.StatusUnprocessableEntity, "admin_reports_one.html", v)
		return
	}
	switch err := s.store.DismissReport(r.Context(), acc.User.ID, v.Report.ID, reason); {
	case errors.Is(err, store.ErrReportClosed):
		s.plainError(w, http.StatusConflict, "This report was already dealt with: go back and reload the page.")
		return
	case err != nil:
		s.serverError(w, "report dismiss", err)
		return
	}
	http.Redirect(w, r, "/admin/reports/?done=dismissed", http.StatusSeeOther)
}

// ReportDate writes the report's date as precisely as it was given.
func (p adminReportView) ReportDate() string {
	d := p.Report.Date
	switch d.Precision {
	case registry.PrecisionDay:
		return p.Date(d.Start)
	case registry.PrecisionMonth:
		return p.T("date.month."+strconv.Itoa(int(d.Start)/100%100)) + " " + strconv.Itoa(int(d.Start)/10000)
	}
	return strconv.Itoa(int(d.Start) / 10000)
}

// linkPhoneFiles links the files a phone sent with a report to the person
// of the record the report became (an audited custody entry each), so they
// are found where the person is.
func (s *Server) linkPhoneFiles(r *http.Request, acc *account, reportID, recordID string) error {
	o, err := s.store.PhoneOriginOf(r.Context(), store.SubmissionReport, reportID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && len(o.Attachments) == 0) {
		return nil
	}
	if err != nil {
		return err
	}
	rec, _, err := s.store.Record(r.Context(), recordID)
	if err != nil {
		return err
	}
	for _, item := range o.Attachments {
		if err := s.store.LinkEvidence(r.Context(), acc.User.ID, item, []store.EvidenceLink{{Kind: "person", TargetID: rec.PersonID}}); err != nil {
			return err
		}
	}
	return nil
}
