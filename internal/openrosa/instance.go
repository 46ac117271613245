package openrosa

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// NSEncrypted is the namespace of an encrypted submission's envelope (ODK's
// encryption spec).
const NSEncrypted = "http://www.opendatakit.org/xforms/encrypted"

// MaxInstanceBytes bounds the submission XML itself (attachments are other
// parts): an instance of Rollcall's forms is a few kilobytes.
const MaxInstanceBytes = 1 << 20

// Instance is a filled form as a phone sent it: the root's form id and
// version, and each element's text by its path under the root
// ("name", "meta/instanceID", "media/file" — repeated elements in order).
type Instance struct {
	FormID, Version string
	// Encrypted is set for ODK's encrypted envelope (root attribute
	// encrypted="yes"): its values are the envelope's (base64EncryptedKey,
	// media/file, encryptedXmlFile, base64EncryptedElementSignature).
	Encrypted bool
	Values    map[string][]string
}

// Get is the first value at path, or "".
func (in Instance) Get(path string) string {
	if v := in.Values[path]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// InstanceID is the OpenRosa metadata's instanceID (meta/instanceID, or
// orx:meta's), which identifies the submission whatever sends it.
func (in Instance) InstanceID() string { return in.Get("meta/instanceID") }

// PhoneTime reads one of the form's own times (start, end): an XML
// dateTime as ODK writes it (2026-12-03T10:15:00.000+05:00); zero when
// absent or unreadable.
func (in Instance) PhoneTime(path string) time.Time {
	v := strings.TrimSpace(in.Get(path))
	for _, layout := range []string{"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999-07:00", "2006-01-02T15:04:05.999-0700"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// ErrDoctype refuses a document with a DTD or an entity declaration: such a
// document could make a parser read files or expand entities without end
// (XXE, billion laughs), and no phone sends one.
var ErrDoctype = errors.New("the submission holds a DTD or an entity declaration, which is not accepted")

// ParseInstance reads a submission's XML. It refuses, before parsing, a
// document over MaxInstanceBytes, one that is not UTF-8, and one with a
// DTD or entity declaration; then a malformed document, one with a
// reference to an entity other than XML's five, and one nested deeper than
// a form can be. Every message says what is wrong in plain words.
func ParseInstance(r io.Reader) (Instance, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxInstanceBytes+1))
	if err != nil {
		return Instance{}, fmt.Errorf("the submission could not be read: %w", err)
	}
	if len(raw) > MaxInstanceBytes {
		return Instance{}, fmt.Errorf("the submission XML is larger than %d bytes", MaxInstanceBytes)
	}
	if !utf8.Valid(raw) {
		return Instance{}, errors.New("the submission XML is not UTF-8")
	}
	if hasDeclaration(raw) {
		return Instance{}, ErrDoctype
	}
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.Strict = true
	d.Entity = nil // only &lt; &gt; &amp; &apos; &quot; and character references
	d.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		if strings.EqualFold(charset, "utf-8") {
			return input, nil
		}
		return nil, fmt.Errorf("the submission declares the encoding %q; send UTF-8", charset)
	}
	in := Instance{Values: map[string][]string{}}
	var path []string
	var text strings.Builder
	root := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Instance{}, fmt.Errorf("the submission is not well-formed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(path) == 0 {
				if root {
					return Instance{}, errors.New("the submission has more than one root element")
				}
				root = true
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "id":
						in.FormID = a.Value
					case "version":
						if a.Name.Space == "" || in.Version == "" {
							in.Version = a.Value
						}
					case "encrypted":
						in.Encrypted = a.Value == "yes"
					}
				}
				path = append(path, t.Name.Local)
				continue
			}
			if len(path) >= 8 {
				return Instance{}, errors.New("the submission is nested deeper than any form of ours")
			}
			path = append(path, t.Name.Local)
			text.Reset()
		case xml.CharData:
			if len(path) > 1 {
				text.Write(t)
			}
		case xml.EndElement:
			if len(path) > 1 {
				key := strings.Join(path[1:], "/")
				if v := strings.TrimSpace(text.String()); v != "" || len(in.Values[key]) > 0 {
					in.Values[key] = append(in.Values[key], v)
				}
				text.Reset()
			}
			path = path[:len(path)-1]
		case xml.Directive:
			return Instance{}, ErrDoctype
		}
	}
	if !root {
		return Instance{}, errors.New("the submission XML is empty")
	}
	if in.FormID == "" {
		return Instance{}, errors.New("the submission's root element has no form id")
	}
	return in, nil
}

// hasDeclaration finds "<!" other than a comment or CDATA section, in any
// case: <!DOCTYPE, <!ENTITY, <!ELEMENT, <!ATTLIST.
func hasDeclaration(raw []byte) bool {
	for i := 0; ; {
		j := bytes.Index(raw[i:], []byte("<!"))
		if j < 0 {
			return false
		}
		rest := raw[i+j+2:]
		if !bytes.HasPrefix(rest, []byte("--")) && !bytes.HasPrefix(rest, []byte("[CDATA[")) {
			return true
		}
		i += j + 2
	}
}
