package openrosa

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"time"
)

// Namespaces of the OpenRosa documents (docs.getodk.org/openrosa-*).
const (
	NSFormList = "http://openrosa.org/xforms/xformsList"
	NSManifest = "http://openrosa.org/xforms/xformsManifest"
	NSResponse = "http://openrosa.org/http/response"
)

// Version is the OpenRosa version Rollcall speaks, sent in the
// X-OpenRosa-Version header of every answer.
const Version = "1.0"

// ListedForm is one form of a formList answer.
type ListedForm struct {
	ID, Name, Version, Hash string
	DownloadURL             string
	// ManifestURL is empty for a form without media files.
	ManifestURL string
}

// FormList is the Form List API's answer: an <xforms> document.
func FormList(forms []ListedForm) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, `<xforms xmlns="%s">`+"\n", NSFormList)
	for _, f := range forms {
		fmt.Fprintf(&b, "<xform><formID>%s</formID><name>%s</name><version>%s</version><hash>%s</hash><downloadUrl>%s</downloadUrl>",
			esc(f.ID), esc(f.Name), esc(f.Version), esc(f.Hash), esc(f.DownloadURL))
		if f.ManifestURL != "" {
			fmt.Fprintf(&b, "<manifestUrl>%s</manifestUrl>", esc(f.ManifestURL))
		}
		b.WriteString("</xform>\n")
	}
	b.WriteString("</xforms>\n")
	return b.Bytes()
}

// MediaFile is one file of a form's manifest.
type MediaFile struct {
	Name, Hash, DownloadURL string
}

// Manifest is the manifest of a form's media files (Rollcall's forms have
// none today: the manifest is empty, which Collect accepts).
func Manifest(files []MediaFile) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, `<manifest xmlns="%s">`+"\n", NSManifest)
	for _, f := range files {
		fmt.Fprintf(&b, "<mediaFile><filename>%s</filename><hash>%s</hash><downloadUrl>%s</downloadUrl></mediaFile>\n",
			esc(f.Name), esc(f.Hash), esc(f.DownloadURL))
	}
	b.WriteString("</manifest>\n")
	return b.Bytes()
}

// Response is an OpenRosaResponse document with one message, which Collect
// shows to the person holding the phone.
func Response(message string) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, `<OpenRosaResponse xmlns="%s"><message nature="">%s</message></OpenRosaResponse>`+"\n", NSResponse, esc(message))
	return b.Bytes()
}

// SetHeaders sets the headers every OpenRosa answer carries: the version
// and the date (HTTP Request API).
func SetHeaders(h http.Header, now time.Time) {
	h.Set("X-OpenRosa-Version", Version)
	h.Set("Date", now.UTC().Format(http.TimeFormat))
}
