// Package openrosa speaks to phones: ODK Collect and Tella fetch Rollcall's
// forms as ODK XForms and send what they collected back over OpenRosa 1.0
// (docs/operations.md "Phones"). It is pure: forms are made from field
// definitions the caller passes in (the web forms' own), and submissions are
// read from bytes; the HTTP handlers live in internal/web.
package openrosa

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// Kind is what a field holds, and so how a phone asks for it.
type Kind int

const (
	Text     Kind = iota // one line
	LongText             // several lines
	Integer
	Select1    // one of Choices
	SelectMany // any of Choices; the instance holds them space-separated
	Date       // a day, YYYY-MM-DD
	PeriodText // YYYY, YYYY-MM or YYYY-MM-DD, typed
	Photo      // an attachment: the instance holds its file name
	Video
	Audio
)

// Binary says whether the field is an attachment.
func (k Kind) Binary() bool { return k == Photo || k == Video || k == Audio }

// Translations is a text in every language the form speaks, by language
// code (en, ru, kaa, uz).
type Translations map[string]string

// Choice is one answer of a select field.
type Choice struct {
	Value string
	Label Translations
}

// Field is one question. The limits are the web form's own, passed in by
// the caller; the phone checks them so that a volunteer offline learns of a
// mistake at once, and the server checks them again on arrival with the web
// form's parser.
type Field struct {
	Name     string
	Kind     Kind
	Required bool
	MaxLen   int // characters; 0: no limit of ours
	// Min and Max bound an Integer when MinMax is set. MaxThisYear makes
	// this year the upper bound instead (a year may not lie ahead).
	Min, Max    int
	MinMax      bool
	MaxThisYear bool
	// AltMin and AltMax allow a second range (an age or a birth year).
	AltMin, AltMax int
	// RelevantIf names a field that must be answered for this one to be
	// asked (a day only after a month).
	RelevantIf string
	Choices    []Choice
	Label      Translations
	Hint       Translations
}

// Language is one language of a form: its code and its own name. ODK
// Collect and Enketo read the code from the parentheses of "Name (code)".
type Language struct {
	Code, Name string
}

// Form is one ODK XForm.
type Form struct {
	ID        string
	Title     Translations
	Languages []Language // the first is the default
	Fields    []Field
	// PublicKey, when set, is the base64 DER RSA public key of ODK's
	// encryption (the submission element's base64RsaPublicKey): Collect then
	// keeps and sends only ciphertext. Filled by the encryption side
	// (internal/openrosa/odkcrypt); empty sends plain instances.
	PublicKey string
}

// Version is made from the form's definition, so a change of a field, a
// limit, a translation or the key gives a new version and Collect fetches
// the form again.
func (f Form) Version() string {
	h := sha256.New()
	fmt.Fprintf(h, "%q %q %#v %#v %q", f.ID, f.PublicKey, f.Fields, f.Title, f.Languages)
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Hash is the formList's hash of the form's XML: "md5:" and the MD5 of the
// bytes served, as the Form List API asks.
func Hash(xform []byte) string {
	sum := md5.Sum(xform)
	return "md5:" + hex.EncodeToString(sum[:])
}

// path is the XPath of a field in the instance.
func (f Form) path(name string) string { return "/data/" + name }

// XML writes the form as an ODK XForm: itext in every language, the
// instance with the OpenRosa meta block (instanceID, and the phone's own
// start and end times), binds with the types, requirements and limits, and
// a body of inputs, selects and uploads.
func (f Form) XML() []byte {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	b.WriteString(xml.Header)
	w(`<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:ev="http://www.w3.org/2001/xml-events" xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa" xmlns:odk="http://www.opendatakit.org/xforms" xmlns:orx="http://openrosa.org/xforms" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` + "\n")
	w("<h:head>\n<h:title>%s</h:title>\n", esc(f.text(f.Title, f.Languages[0].Code)))
	w(`<model odk:xforms-version="1.0.0">` + "\n<itext>\n")
	for i, lang := range f.Languages {
		def := ""
		if i == 0 {
			def = ` default="true()"`
		}
		w(`<translation lang="%s (%s)"%s>`+"\n", esc(lang.Name), esc(lang.Code), def)
		for _, fl := range f.Fields {
			w(`<text id="%s:label"><value>%s</value></text>`+"\n", f.path(fl.Name), esc(f.text(fl.Label, lang.Code)))
			if fl.Hint != nil {
				w(`<text id="%s:hint"><value>%s</value></text>`+"\n", f.path(fl.Name), esc(f.text(fl.Hint, lang.Code)))
			}
			for _, c := range fl.Choices {
				w(`<text id="%s/%s:label"><value>%s</value></text>`+"\n", f.path(fl.Name), esc(c.Value), esc(f.text(c.Label, lang.Code)))
			}
		}
		w("</translation>\n")
	}
	w("</itext>\n<instance>\n")
	w(`<data id="%s" version="%s" orx:version="%s">`+"\n", esc(f.ID), f.Version(), f.Version())
	w("<start/>\n<end/>\n")
	for _, fl := range f.Fields {
		w("<%s/>\n", fl.Name)
	}
	w("<meta>\n<instanceID/>\n</meta>\n</data>\n</instance>\n")
	w(`<bind nodeset="/data/start" type="dateTime" jr:preload="timestamp" jr:preloadParams="start"/>` + "\n")
	w(`<bind nodeset="/data/end" type="dateTime" jr:preload="timestamp" jr:preloadParams="end"/>` + "\n")
	for _, fl := range f.Fields {
		w(`<bind nodeset="%s" type="%s"`, f.path(fl.Name), bindType(fl.Kind))
		if fl.Required {
			w(` required="true()"`)
		}
		if c := f.constraint(fl); c != "" {
			w(` constraint="%s"`, esc(c))
		}
		if fl.RelevantIf != "" {
			w(` relevant="%s"`, esc(fmt.Sprintf("%s != ''", f.path(fl.RelevantIf))))
		}
		w("/>\n")
	}
	w(`<bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>` + "\n")
	// The hook of ODK's encryption: with a key, Collect encrypts.
	if f.PublicKey != "" {
		w(`<submission method="post" base64RsaPublicKey="%s"/>`+"\n", esc(f.PublicKey))
	}
	w("</model>\n</h:head>\n<h:body>\n")
	for _, fl := range f.Fields {
		ref := f.path(fl.Name)
		label := fmt.Sprintf(`<label ref="jr:itext('%s:label')"/>`, ref)
		if fl.Hint != nil {
			label += fmt.Sprintf(`<hint ref="jr:itext('%s:hint')"/>`, ref)
		}
		switch fl.Kind {
		case Select1, SelectMany:
			tag := "select1"
			if fl.Kind == SelectMany {
				tag = "select"
			}
			w(`<%s ref="%s">%s`+"\n", tag, ref, label)
			for _, c := range fl.Choices {
				w(`<item><label ref="jr:itext('%s/%s:label')"/><value>%s</value></item>`+"\n", ref, esc(c.Value), esc(c.Value))
			}
			w("</%s>\n", tag)
		case Photo, Video, Audio:
			w(`<upload ref="%s" mediatype="%s">%s</upload>`+"\n", ref, mediaType(fl.Kind), label)
		case LongText:
			w(`<input ref="%s" appearance="multiline">%s</input>`+"\n", ref, label)
		default:
			w(`<input ref="%s">%s</input>`+"\n", ref, label)
		}
	}
	w("</h:body>\n</h:html>\n")
	return b.Bytes()
}

// constraint is the XPath check of a field's limits.
func (f Form) constraint(fl Field) string {
	var parts []string
	if fl.MaxLen > 0 && !fl.Kind.Binary() {
		parts = append(parts, fmt.Sprintf("string-length(.) <= %d", fl.MaxLen))
	}
	if fl.Kind == Integer && fl.MinMax {
		upper := strconv.Itoa(fl.Max)
		if fl.MaxThisYear {
			upper = "number(format-date(today(), '%Y'))"
		}
		r := fmt.Sprintf(". >= %d and . <= %s", fl.Min, upper)
		if fl.AltMax > 0 {
			r = fmt.Sprintf("(. >= %d and . <= %d) or (%s)", fl.AltMin, fl.AltMax, r)
		}
		parts = append(parts, "("+r+")")
	}
	if fl.Kind == PeriodText {
		parts = append(parts, `regex(., '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$')`)
	}
	return strings.Join(parts, " and ")
}

func bindType(k Kind) string {
	switch k {
	case Integer:
		return "int"
	case Select1:
		return "string"
	case SelectMany:
		return "string"
	case Date:
		return "date"
	case Photo, Video, Audio:
		return "binary"
	}
	return "string"
}

func mediaType(k Kind) string {
	switch k {
	case Photo:
		return "image/*"
	case Video:
		return "video/*"
	}
	return "audio/*"
}

// text is t in lang, else in the form's first language.
func (f Form) text(t Translations, lang string) string {
	if v, ok := t[lang]; ok && v != "" {
		return v
	}
	return t[f.Languages[0].Code]
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// Field returns the form's field of that name.
func (f Form) Field(name string) (Field, bool) {
	for _, fl := range f.Fields {
		if fl.Name == name {
			return fl, true
		}
	}
	return Field{}, false
}
