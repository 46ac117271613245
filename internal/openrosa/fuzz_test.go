package openrosa

import (
	"strings"
	"testing"
)

// FuzzParseInstance: whatever a phone (or anyone holding a token) sends,
// the parser returns an instance or a plain error, never panics, and never
// accepts a declaration.
func FuzzParseInstance(f *testing.F) {
	f.Add(collectInstance)
	f.Add(`<data id="f" encrypted="yes" xmlns="http://www.opendatakit.org/xforms/encrypted"><media><file>a.enc</file></media></data>`)
	f.Add(`<!DOCTYPE data [<!ENTITY x SYSTEM "file:///etc/passwd">]><data id="f">&x;</data>`)
	f.Add(`<data id="f"><a><b><c>x</c></b></a><![CDATA[<!x]]></data>`)
	f.Fuzz(func(t *testing.T, doc string) {
		in, err := ParseInstance(strings.NewReader(doc))
		if err != nil {
			return
		}
		if hasDeclaration([]byte(doc)) {
			t.Fatalf("accepted a declaration: %q", doc)
		}
		if in.FormID == "" {
			t.Fatalf("accepted without a form id: %q", doc)
		}
	})
}
