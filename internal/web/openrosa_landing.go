package web

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"rollcall/internal/intake"
	"rollcall/internal/openrosa"
	"rollcall/internal/registry"
	"rollcall/internal/store"
)

// phoneLanding is where a submission goes, checked before anything of it
// is kept: a report for triage, or a record of the phone's volunteer.
type phoneLanding struct {
	form   openrosa.Form
	inst   openrosa.Instance
	phone  store.Phone
	report store.NewReport // formReport
	record registry.Record // formRecord
	claim  registry.Claim
	// files are the attachment names the instance holds.
	files map[string]bool
}

// landingFor checks a submission's instance with the web form's own parser:
// the report form's (intake.ParseReport) or the workspace's record and
// claim form (formReader). The problem, if any, is a plain English message
// for the phone.
func (s *Server) landingFor(phone store.Phone, inst openrosa.Instance) (phoneLanding, string) {
	f, ok := s.xforms()[inst.FormID]
	if !ok {
		return phoneLanding{}, fmt.Sprintf("There is no form %q on this server; fetch the forms again.", inst.FormID)
	}
	l := phoneLanding{form: f, inst: inst, phone: phone, files: map[string]bool{}}
	if inst.InstanceID() == "" {
		return l, "The submission has no instanceID (meta/instanceID)."
	}
	if inst.Encrypted {
		// Encrypted envelopes are decrypted before they come here
		// (openrosa_encrypted.go); an envelope inside one is refused.
		return l, "An encrypted submission must hold a plain instance."
	}
	vals := url.Values{}
	for _, fl := range f.Fields {
		v := inst.Get(fl.Name)
		if fl.Kind.Binary() {
			if v != "" {
				l.files[v] = true
			}
			continue
		}
		if fl.Kind == openrosa.SelectMany {
			vals[fl.Name] = strings.Fields(v)
			continue
		}
		vals.Set(fl.Name, v)
	}
	en := page{catalog: s.catalogs["en"], fallback: s.catalogs["en"]}
	switch inst.FormID {
	case formReport:
		var problems []intake.ReportProblem
		l.report, problems = intake.ParseReport(vals, "en", s.store.Now())
		if len(problems) > 0 {
			return l, fmt.Sprintf("%s: %s", problems[0].Field, en.T(problems[0].Message))
		}
	case formRecord:
		vals.Set("source", phone.SourceID)
		vals.Set("verification", registry.Unverified.String())
		fr := &formReader{form: vals}
		l.record = fr.record()
		l.claim = fr.claim(nil) // unverified: no permission is asked
		if len(fr.problems) > 0 {
			return l, en.T(fr.problems[0])
		}
	}
	return l, ""
}

// land stores what the submission says: a report (content sealed as the
// web report's, through the same path) or an unverified record of the
// phone's volunteer in the phone's source. It returns the kind, the id of
// what it made, the person to link attachments to ("" for a report) and
// the message for the phone.
func (s *Server) land(ctx context.Context, l phoneLanding) (kind, target, person, msg string, err error) {
	switch l.inst.FormID {
	case formReport:
		rep := l.report
		for range 3 {
			rep.Reference = intake.NewReference()
			if target, err = s.store.AddReport(ctx, rep); !errors.Is(err, store.ErrReferenceTaken) {
				break
			}
		}
		return store.SubmissionReport, target, "", "Received. The report's reference: " + rep.Reference, err
	default:
		target, person, err = s.store.AddRecord(ctx, l.phone.UserID, false, l.record, l.claim)
		return store.SubmissionRecord, target, person, "Received: the record is in the workspace, unverified.", err
	}
}
