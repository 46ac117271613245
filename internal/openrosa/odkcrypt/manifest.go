package odkcrypt

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxManifestSize bounds the submission manifest: the RSA values, a few
// names and the metadata fill about 2 KB.
const MaxManifestSize = 64 << 10

// MaxMediaFiles bounds the media files one submission may name.
const MaxMediaFiles = 100

// Manifest is the submission manifest of an encrypted submission.
type Manifest struct {
	FormID  string
	Version string // empty when the form has none
	// EncryptedKey is the base64 RSA-encrypted AES key, exactly as sent:
	// the signature covers this text.
	EncryptedKey string
	InstanceID   string
	// XMLFile is the encrypted instance's file name (submission.xml.enc).
	XMLFile string
	// Media are the encrypted media files' names, in the order they were
	// encrypted (which fixes their IVs).
	Media []string
	// Signature is the base64 base64EncryptedElementSignature.
	Signature string
}

// ErrManifest is wrapped by every reason a manifest is refused.
var ErrManifest = errors.New("not a valid encrypted-submission manifest")

func manifestError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrManifest, fmt.Sprintf(format, args...))
}

// IsManifest says whether an xml_submission_file is an encrypted
// submission's manifest (its root element says encrypted="yes") rather
// than a plain instance. It reads only up to the root element.
func IsManifest(doc []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.RawToken()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return attr(se, "encrypted") == "yes"
		}
	}
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// ParseManifest reads a submission manifest. It refuses what it does not
// expect rather than guess: a DTD or entity, a missing or repeated
// element, a file name that is a path, a name used twice.
//
// Element names are matched without their namespace: the spec writes
// http://opendatakit.org/submissions, Collect writes
// http://www.opendatakit.org/xforms/encrypted, and the meta block is
// OpenRosa's.
func ParseManifest(doc []byte) (*Manifest, error) {
	if len(doc) > MaxManifestSize {
		return nil, manifestError("larger than %d bytes", MaxManifestSize)
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	// Entities other than XML's five are refused by the decoder (Strict,
	// no Entity map); a DTD is refused below before anything is read.
	var m Manifest
	var path []string
	var text strings.Builder
	seen := map[string]bool{}
	once := func(name string) error {
		if seen[name] {
			return manifestError("%s given twice", name)
		}
		seen[name] = true
		return nil
	}
	rootDone := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, manifestError("%v", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, manifestError("a DTD or other declaration is not accepted")
		case xml.ProcInst:
			if t.Target != "xml" || len(path) > 0 || rootDone {
				return nil, manifestError("processing instruction %q not accepted", t.Target)
			}
		case xml.StartElement:
			if rootDone {
				return nil, manifestError("content after the root element")
			}
			name := t.Name.Local
			if len(path) == 0 {
				if name != "data" {
					return nil, manifestError("the root element is <%s>, not <data>", name)
				}
				if attr(t, "encrypted") != "yes" {
					return nil, manifestError(`the root element does not say encrypted="yes"`)
				}
				m.FormID = attr(t, "id")
				m.Version = attr(t, "version")
			}
			path = append(path, name)
			text.Reset()
		case xml.CharData:
			if text.Len()+len(t) > MaxManifestSize {
				return nil, manifestError("text too long")
			}
			text.Write(t)
		case xml.EndElement:
			value := strings.TrimSpace(text.String())
			text.Reset()
			at := strings.Join(path, "/")
			path = path[:len(path)-1]
			var err error
			switch at {
			case "data/base64EncryptedKey":
				err = once(at)
				m.EncryptedKey = value
			case "data/encryptedXmlFile":
				err = once(at)
				m.XMLFile = value
			case "data/base64EncryptedElementSignature":
				err = once(at)
				m.Signature = value
			case "data/meta/instanceID":
				err = once(at)
				m.InstanceID = value
			case "data/media/file":
				if len(m.Media) == MaxMediaFiles {
					err = manifestError("more than %d media files", MaxMediaFiles)
				}
				m.Media = append(m.Media, value)
			case "data":
				rootDone = true
			}
			if err != nil {
				return nil, err
			}
		}
	}
	if !rootDone {
		return nil, manifestError("no <data> element")
	}
	return &m, m.check()
}

// check says what a manifest lacks.
func (m *Manifest) check() error {
	switch {
	case m.FormID == "":
		return manifestError("the form id (the root's id) is missing")
	case m.EncryptedKey == "":
		return manifestError("<base64EncryptedKey> is missing")
	case m.InstanceID == "":
		return manifestError("<meta><instanceID> is missing")
	case m.XMLFile == "":
		return manifestError("<encryptedXmlFile> is missing")
	case m.Signature == "":
		// Optional in the spec, but Collect, Tella and Enketo always
		// send it, and without it a swapped or cut file goes unnoticed.
		return manifestError("<base64EncryptedElementSignature> is missing")
	}
	names := map[string]bool{}
	for _, name := range append(append([]string{}, m.Media...), m.XMLFile) {
		if err := checkFileName(name); err != nil {
			return err
		}
		if names[name] {
			return manifestError("file %q named twice", name)
		}
		names[name] = true
	}
	return nil
}

// checkFileName accepts the names Collect gives: a plain file name with
// ".enc" after the original's.
func checkFileName(name string) error {
	plain, ok := strings.CutSuffix(name, ".enc")
	switch {
	case !ok || plain == "":
		return manifestError("file %q is not named as an encrypted file (NAME.enc)", name)
	case len(name) > 255, strings.ContainsAny(name, "/\\\x00"), plain == "." || plain == "..":
		return manifestError("file name %q is not a plain file name", name)
	}
	return nil
}

// Files are the manifest's files in the order they were encrypted: the
// media files, then the instance.
func (m *Manifest) Files() []string {
	return append(append([]string{}, m.Media...), m.XMLFile)
}
