package openrosa

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"testing"
)

func TestFormListDocument(t *testing.T) {
	doc := FormList([]ListedForm{{ID: "rollcall_report", Name: "Report <a> person", Version: "v1", Hash: Hash([]byte("x")),
		DownloadURL: "https://h/openrosa/key/T/forms/rollcall_report.xml", ManifestURL: "https://h/openrosa/key/T/forms/rollcall_report/manifest"}})
	var got struct {
		XMLName xml.Name `xml:"http://openrosa.org/xforms/xformsList xforms"`
		Forms   []struct {
			Name     string `xml:"name"`
			Version  string `xml:"version"`
			Hash     string `xml:"hash"`
			FormID   string `xml:"formID"`
			Download string `xml:"downloadUrl"`
			Manifest string `xml:"manifestUrl"`
		} `xml:"xform"`
	}
	if err := xml.Unmarshal(doc, &got); err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	f := got.Forms[0]
	if len(got.Forms) != 1 || f.FormID != "rollcall_report" || f.Name != "Report <a> person" || f.Hash != "md5:9dd4e461268c8034f5c8564e155c67a6" ||
		f.Manifest == "" || f.Download == "" {
		t.Fatalf("%+v", got)
	}
}

func TestManifestAndResponseNamespaces(t *testing.T) {
	var m struct {
		XMLName xml.Name `xml:"http://openrosa.org/xforms/xformsManifest manifest"`
	}
	if err := xml.Unmarshal(Manifest(nil), &m); err != nil {
		t.Fatal(err)
	}
	var r struct {
		XMLName xml.Name `xml:"http://openrosa.org/http/response OpenRosaResponse"`
		Message string   `xml:"message"`
	}
	if err := xml.Unmarshal(Response("Sent & kept"), &r); err != nil || r.Message != "Sent & kept" {
		t.Fatalf("%v %+v", err, r)
	}
}

func TestCollectSettingsAsCollectReadsThem(t *testing.T) {
	s := CollectSettings("https://h.example/openrosa/key/TOKEN", "Rollcall")
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	z, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		General struct {
			ServerURL string `json:"server_url"`
			Username  string `json:"username"`
		} `json:"general"`
		Project struct{ Name string } `json:"project"`
	}
	if err := json.NewDecoder(z).Decode(&got); err != nil || got.General.ServerURL != "https://h.example/openrosa/key/TOKEN" || got.Project.Name != "Rollcall" {
		t.Fatalf("%+v %v", got, err)
	}
}
