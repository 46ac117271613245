package web

import (
	"strconv"

	"rollcall/internal/intake"
	"rollcall/internal/openrosa"
	"rollcall/internal/registry"
)

// The phones' two forms, made from the web forms' own field names, choices
// and limits (intake's report form; the workspace's record and claim form,
// admin_records.go), so a change to a web form changes the XForm too. A
// submission is read back into the same url.Values the web form posts and
// checked by the same parser (openrosa_submission.go).
const (
	formReport = "rollcall_report"
	formRecord = "rollcall_record"
)

// Attachment fields, the same in both forms.
const (
	fieldPhoto = "photo"
	fieldVideo = "video"
	fieldAudio = "audio"
)

// openrosaLanguages are the languages of the forms, English first (the
// default a phone shows when its own language is none of them).
func (s *Server) openrosaLanguages() []openrosa.Language {
	out := []openrosa.Language{{Code: "en", Name: s.catalogs["en"].messages["lang.name"]}}
	for _, l := range s.languages {
		if l != "en" {
			out = append(out, openrosa.Language{Code: l, Name: s.catalogs[l].messages["lang.name"]})
		}
	}
	return out
}

// tr is a message in every language of the site (English where one lacks it).
func (s *Server) tr(id string) openrosa.Translations {
	t := openrosa.Translations{}
	for _, l := range s.languages {
		p := page{catalog: s.catalogs[l], fallback: s.catalogs["en"]}
		t[l] = p.T(id)
	}
	return t
}

func (s *Server) attachmentFields() []openrosa.Field {
	return []openrosa.Field{
		{Name: fieldPhoto, Kind: openrosa.Photo, Label: s.tr("openrosa.photo")},
		{Name: fieldVideo, Kind: openrosa.Video, Label: s.tr("openrosa.video")},
		{Name: fieldAudio, Kind: openrosa.Audio, Label: s.tr("openrosa.audio")},
	}
}

// reportXForm is the public report form (report.html, intake.ParseReport).
// The other spellings are one field whose spellings are separated by ";",
// as each input of the web form may be.
func (s *Server) reportXForm() openrosa.Form {
	var statuses, relations, months []openrosa.Choice
	for _, st := range intake.ReportStatuses {
		statuses = append(statuses, openrosa.Choice{Value: string(st), Label: s.tr("report.status." + string(st))})
	}
	for _, rel := range intake.ReportRelations {
		relations = append(relations, openrosa.Choice{Value: rel, Label: s.tr("report.relation." + rel)})
	}
	for m := 1; m <= 12; m++ {
		months = append(months, openrosa.Choice{Value: strconv.Itoa(m), Label: openrosa.Translations{"en": strconv.Itoa(m)}})
	}
	short := intake.MaxReportShort
	fields := []openrosa.Field{
		{Name: intake.ReportName, Kind: openrosa.Text, Required: true, MaxLen: short, Label: s.tr("report.name")},
		{Name: intake.ReportNameAlt, Kind: openrosa.Text, MaxLen: short, Label: s.tr("report.name_alt"), Hint: s.tr("openrosa.name_alt.hint")},
		{Name: intake.ReportAge, Kind: openrosa.Integer, MinMax: true, Min: registry.MinBirthYear, MaxThisYear: true, AltMin: 0, AltMax: intake.MaxReportAge,
			Label: s.tr("report.age"), Hint: s.tr("report.age.hint")},
		{Name: intake.ReportRegion, Kind: openrosa.Text, MaxLen: short, Label: s.tr("report.region")},
		{Name: intake.ReportLocality, Kind: openrosa.Text, MaxLen: short, Label: s.tr("report.locality")},
		{Name: intake.ReportStatus, Kind: openrosa.Select1, Required: true, Choices: statuses, Label: s.tr("report.status")},
		{Name: intake.ReportYear, Kind: openrosa.Integer, Required: true, MinMax: true, Min: intake.MinReportYear, MaxThisYear: true,
			Label: s.tr("report.year"), Hint: s.tr("report.date.hint")},
		{Name: intake.ReportMonth, Kind: openrosa.Select1, Choices: months, Label: s.tr("report.month")},
		{Name: intake.ReportDay, Kind: openrosa.Integer, MinMax: true, Min: 1, Max: 31, RelevantIf: intake.ReportMonth, Label: s.tr("report.day")},
		{Name: intake.ReportPlace, Kind: openrosa.Text, MaxLen: short, Label: s.tr("report.place")},
		{Name: intake.ReportText, Kind: openrosa.LongText, MaxLen: intake.MaxReportText, Label: s.tr("report.text"), Hint: s.tr("report.text.hint")},
		{Name: intake.ReportRelation, Kind: openrosa.Select1, Choices: relations, Label: s.tr("report.relation")},
		{Name: intake.ReportContact, Kind: openrosa.Text, MaxLen: short, Label: s.tr("report.contact"), Hint: s.tr("report.contact.hint")},
	}
	return openrosa.Form{ID: formReport, Title: s.tr("report.title"), Languages: s.openrosaLanguages(),
		Fields: append(fields, s.attachmentFields()...), PublicKey: s.phones.publicKey}
}

// recordXForm is the workspace's record and claim form (formReader.record
// and .claim): the source is the phone's own and the level unverified, so
// neither is asked.
func (s *Server) recordXForm() openrosa.Form {
	var statuses, roles []openrosa.Choice
	for _, st := range registry.Statuses {
		statuses = append(statuses, openrosa.Choice{Value: string(st), Label: s.tr("people.status." + string(st))})
	}
	for _, r := range registry.Roles {
		roles = append(roles, openrosa.Choice{Value: string(r), Label: s.tr("people.role." + string(r))})
	}
	sexes := []openrosa.Choice{{Value: "f", Label: s.tr("openrosa.sex.f")}, {Value: "m", Label: s.tr("openrosa.sex.m")}}
	fields := []openrosa.Field{
		{Name: "name", Kind: openrosa.Text, Required: true, MaxLen: maxShortField, Label: s.tr("report.name")},
		{Name: "name_alt", Kind: openrosa.Text, MaxLen: maxShortField * 4, Label: s.tr("report.name_alt"), Hint: s.tr("openrosa.name_alt.hint")},
		{Name: "sex", Kind: openrosa.Select1, Choices: sexes, Label: s.tr("openrosa.sex")},
		{Name: "birth_year", Kind: openrosa.Integer, MinMax: true, Min: registry.MinBirthYear, Max: registry.MaxBirthYear, Label: s.tr("openrosa.birth_year")},
		{Name: "birth_date", Kind: openrosa.Date, Label: s.tr("openrosa.birth_date")},
		{Name: "region", Kind: openrosa.Text, MaxLen: maxShortField, Label: s.tr("report.region")},
		{Name: "locality", Kind: openrosa.Text, MaxLen: maxShortField, Label: s.tr("report.locality")},
		{Name: "roles", Kind: openrosa.SelectMany, Choices: roles, Label: s.tr("openrosa.roles")},
		{Name: "status", Kind: openrosa.Select1, Required: true, Choices: statuses, Label: s.tr("report.status")},
		{Name: "date", Kind: openrosa.PeriodText, Required: true, Label: s.tr("openrosa.date"), Hint: s.tr("openrosa.date.hint")},
		{Name: "place", Kind: openrosa.Text, MaxLen: maxShortField, Label: s.tr("report.place")},
		{Name: "details", Kind: openrosa.Text, MaxLen: maxShortField, Label: s.tr("openrosa.details")},
		{Name: "note", Kind: openrosa.LongText, MaxLen: maxNoteField, Label: s.tr("openrosa.note"), Hint: s.tr("openrosa.note.hint")},
	}
	return openrosa.Form{ID: formRecord, Title: s.tr("openrosa.record.title"), Languages: s.openrosaLanguages(),
		Fields: append(fields, s.attachmentFields()...), PublicKey: s.phones.publicKey}
}

// xforms are the forms phones may fetch, by id.
func (s *Server) xforms() map[string]openrosa.Form {
	return map[string]openrosa.Form{formReport: s.reportXForm(), formRecord: s.recordXForm()}
}
