package evidence

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Metadata is what an original's own bytes say about it: where, when and
// with what it was made. It can identify the person who filmed: the store
// keeps it sealed, and editors see it on the item's page.
type Metadata struct {
	Width       int `json:"width,omitempty"`
	Height      int `json:"height,omitempty"`
	Orientation int `json:"orientation,omitempty"` // EXIF orientation, 1–8
	// Camera or phone.
	Make       string `json:"make,omitempty"`
	Model      string `json:"model,omitempty"`
	Serial     string `json:"serial,omitempty"`      // body serial number
	LensSerial string `json:"lens_serial,omitempty"` // lens serial number
	Software   string `json:"software,omitempty"`
	Owner      string `json:"owner,omitempty"` // owner name, artist
	UniqueID   string `json:"unique_id,omitempty"`
	// Times as the file writes them (EXIF: "2022:07:01 21:14:05", no zone
	// unless OffsetTime is there; containers: UTC).
	Taken      string            `json:"taken,omitempty"`     // DateTimeOriginal, or a container's creation time
	Digitized  string            `json:"digitized,omitempty"` // DateTimeDigitized
	Modified   string            `json:"modified,omitempty"`  // DateTime
	TimeOffset string            `json:"time_offset,omitempty"`
	GPSTime    string            `json:"gps_time,omitempty"`
	HasGPS     bool              `json:"has_gps,omitempty"`
	Latitude   float64           `json:"latitude,omitempty"`
	Longitude  float64           `json:"longitude,omitempty"`
	Altitude   float64           `json:"altitude,omitempty"`
	Location   string            `json:"location,omitempty"` // ISO 6709 as a video container writes it
	Duration   float64           `json:"duration_seconds,omitempty"`
	Thumbnail  bool              `json:"embedded_thumbnail,omitempty"`
	MakerNote  bool              `json:"maker_note,omitempty"`
	Comment    string            `json:"comment,omitempty"`
	XMP        string            `json:"xmp,omitempty"` // the XMP packet, up to maxXMP bytes
	IPTC       map[string]string `json:"iptc,omitempty"`
	// Provenance names embedded provenance found (a C2PA manifest, a
	// ProofMode mark): reported, not judged.
	Provenance []string `json:"provenance,omitempty"`
	// Blocks names the metadata blocks found (EXIF, XMP, IPTC, …).
	Blocks []string `json:"blocks,omitempty"`
	// Errors names parts that could not be read (malformed, cut short).
	Errors []string `json:"errors,omitempty"`
}

// Bounds on what the readers look at: malformed or hostile files cost at
// most this much.
const (
	maxSegment   = 1 << 20 // one JPEG segment, PNG chunk or MP4 metadata box read whole
	maxSegments  = 1024
	maxIFDs      = 16
	maxIFDFields = 1024
	maxXMP       = 64 << 10
	maxString    = 1024
	maxBoxes     = 20000
	maxDepth     = 10
)

var errBounds = errors.New("malformed: a length points outside the file or past a bound")

func (m *Metadata) fail(part string, err error) {
	if len(m.Errors) < 32 {
		m.Errors = append(m.Errors, part+": "+err.Error())
	}
}

func (m *Metadata) block(name string) {
	for _, b := range m.Blocks {
		if b == name {
			return
		}
	}
	m.Blocks = append(m.Blocks, name)
}

func (m *Metadata) provenance(p string) {
	for _, b := range m.Provenance {
		if b == p {
			return
		}
	}
	m.Provenance = append(m.Provenance, p)
}

// ReadMetadata reads what it can from the plaintext of an original; it
// never fails and never panics: what it cannot read is named in Errors.
func ReadMetadata(r io.ReaderAt, size int64, mediaType string) (m *Metadata) {
	m = &Metadata{}
	defer func() {
		if p := recover(); p != nil {
			m.fail("reader", fmt.Errorf("internal error: %v", p))
		}
	}()
	switch mediaType {
	case "image/jpeg":
		readJPEG(m, r, size)
	case "image/png":
		readPNG(m, r, size)
	case "image/tiff":
		if b, err := readAt(r, 0, min(size, 8<<20)); err == nil {
			m.block("EXIF")
			readTIFF(m, b)
		} else {
			m.fail("TIFF", err)
		}
	case "video/mp4", "video/quicktime", "video/3gpp", "audio/mp4", "image/heic", "image/avif":
		readBMFF(m, r, size)
	}
	return m
}

func readAt(r io.ReaderAt, off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || n > 64<<20 {
		return nil, errBounds
	}
	b := make([]byte, n)
	k, err := r.ReadAt(b, off)
	if k == len(b) {
		return b, nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return nil, err
}

// cleanString trims a metadata string: NULs, spaces, at most maxString.
func cleanString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	s := strings.TrimSpace(strings.ToValidUTF8(string(b), "\uFFFD"))
	if len(s) > maxString {
		s = s[:maxString]
	}
	return s
}

// --- JPEG ---

// readJPEG walks the segments up to the start of the scan: APP1 EXIF and
// XMP, APP13 IPTC, APP11 JUMBF (C2PA), COM, and the frame's size.
func readJPEG(m *Metadata, r io.ReaderAt, size int64) {
	off := int64(2)
	for n := 0; n < maxSegments && off+4 <= size; n++ {
		hdr, err := readAt(r, off, 4)
		if err != nil {
			m.fail("JPEG", err)
			return
		}
		if hdr[0] != 0xFF {
			m.fail("JPEG", fmt.Errorf("no marker at byte %d", off))
			return
		}
		marker := hdr[1]
		if marker == 0xFF { // fill byte
			off++
			continue
		}
		if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 {
			off += 2
			continue
		}
		if marker == 0xD9 || marker == 0xDA { // end, or start of scan
			return
		}
		length := int64(binary.BigEndian.Uint16(hdr[2:]))
		if length < 2 || off+2+length > size {
			m.fail("JPEG", errBounds)
			return
		}
		body := func() []byte {
			if length-2 > maxSegment {
				return nil
			}
			b, err := readAt(r, off+4, length-2)
			if err != nil {
				m.fail("JPEG", err)
				return nil
			}
			return b
		}
		switch {
		case marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
			if b := body(); len(b) >= 5 {
				m.Height, m.Width = int(binary.BigEndian.Uint16(b[1:])), int(binary.BigEndian.Uint16(b[3:]))
			}
		case marker == 0xE1:
			b := body()
			switch {
			case bytes.HasPrefix(b, []byte("Exif\x00")) && len(b) >= 6:
				m.block("EXIF")
				readTIFF(m, b[6:])
			case bytes.HasPrefix(b, []byte("http://ns.adobe.com/xap/1.0/\x00")):
				readXMP(m, b[len("http://ns.adobe.com/xap/1.0/\x00"):])
			case bytes.HasPrefix(b, []byte("http://ns.adobe.com/xmp/extension/\x00")):
				m.block("XMP")
			}
		case marker == 0xED:
			if b := body(); bytes.HasPrefix(b, []byte("Photoshop 3.0\x00")) {
				readPhotoshop(m, b[len("Photoshop 3.0\x00"):])
			}
		case marker == 0xEB:
			// APP11: JPEG XT / JUMBF boxes, where C2PA keeps its manifest.
			if b := body(); bytes.Contains(b, []byte("jumb")) {
				m.block("JUMBF")
				if bytes.Contains(b, []byte("c2pa")) {
					m.provenance("C2PA manifest")
				}
			}
		case marker == 0xFE:
			if b := body(); b != nil {
				m.block("COM")
				m.Comment = cleanString(b)
				if strings.Contains(strings.ToLower(m.Comment), "proofmode") {
					m.provenance("ProofMode")
				}
			}
		case marker >= 0xE2 && marker <= 0xEF:
			m.block(fmt.Sprintf("APP%d", marker-0xE0))
		}
		off += 2 + length
	}
}

// readPhotoshop reads the image resources of APP13; resource 0x0404 is the
// IPTC-IIM block.
func readPhotoshop(m *Metadata, b []byte) {
	for n := 0; len(b) >= 12 && n < 1000; n++ {
		if string(b[:4]) != "8BIM" {
			return
		}
		id := binary.BigEndian.Uint16(b[4:])
		nameLen := int(b[6])
		p := 7 + nameLen
		if p%2 == 1 {
			p++
		}
		if p+4 > len(b) {
			m.fail("IPTC", errBounds)
			return
		}
		size := int(binary.BigEndian.Uint32(b[p:]))
		p += 4
		if size < 0 || p+size > len(b) {
			m.fail("IPTC", errBounds)
			return
		}
		if id == 0x0404 {
			readIPTC(m, b[p:p+size])
		}
		p += size
		if p%2 == 1 {
			p++
		}
		if p > len(b) {
			return
		}
		b = b[p:]
	}
}

// iptcNames are the IIM datasets (record 2) that can identify who, where
// and when.
var iptcNames = map[byte]string{
	5: "object_name", 25: "keywords", 40: "special_instructions", 55: "date_created", 60: "time_created",
	62: "digital_creation_date", 80: "byline", 85: "byline_title", 90: "city", 92: "sublocation",
	95: "province_state", 100: "country_code", 101: "country", 103: "transmission_reference",
	105: "headline", 110: "credit", 115: "source", 116: "copyright", 118: "contact", 120: "caption", 122: "writer",
}

// readIPTC reads IPTC-IIM datasets (0x1C, record, dataset, size, value).
func readIPTC(m *Metadata, b []byte) {
	m.block("IPTC")
	for n := 0; len(b) >= 5 && n < 4096; n++ {
		if b[0] != 0x1C {
			m.fail("IPTC", errors.New("malformed dataset"))
			return
		}
		rec, ds := b[1], b[2]
		size := int(binary.BigEndian.Uint16(b[3:]))
		p := 5
		if size&0x8000 != 0 { // extended length: not used for text
			m.fail("IPTC", errors.New("extended dataset length"))
			return
		}
		if p+size > len(b) {
			m.fail("IPTC", errBounds)
			return
		}
		if rec == 2 {
			if m.IPTC == nil {
				m.IPTC = map[string]string{}
			}
			name := iptcNames[ds]
			if name == "" {
				name = fmt.Sprintf("2:%d", ds)
			}
			v := cleanString(b[p : p+size])
			if old, ok := m.IPTC[name]; ok && v != "" && len(old) < maxString {
				v = old + "; " + v
			}
			if len(m.IPTC) < 256 {
				m.IPTC[name] = v
			}
		}
		b = b[p+size:]
	}
}

// readXMP keeps the packet (bounded) and notes provenance it names.
func readXMP(m *Metadata, b []byte) {
	m.block("XMP")
	x := b
	if len(x) > maxXMP {
		x = x[:maxXMP]
	}
	m.XMP = strings.ToValidUTF8(string(x), "\uFFFD")
	low := bytes.ToLower(b)
	if bytes.Contains(low, []byte("proofmode")) {
		m.provenance("ProofMode")
	}
	if bytes.Contains(low, []byte("c2pa")) || bytes.Contains(low, []byte("contentcredentials")) {
		m.provenance("C2PA reference in XMP")
	}
}

// --- PNG ---

func readPNG(m *Metadata, r io.ReaderAt, size int64) {
	off := int64(8)
	for n := 0; n < maxSegments*4 && off+12 <= size; n++ {
		hdr, err := readAt(r, off, 8)
		if err != nil {
			m.fail("PNG", err)
			return
		}
		length := int64(binary.BigEndian.Uint32(hdr))
		typ := string(hdr[4:8])
		if length > size || off+12+length > size {
			m.fail("PNG", errBounds)
			return
		}
		var body []byte
		if length <= maxSegment && typ != "IDAT" {
			if body, err = readAt(r, off+8, length); err != nil {
				m.fail("PNG", err)
				return
			}
		}
		switch typ {
		case "IHDR":
			if len(body) >= 8 {
				m.Width, m.Height = int(binary.BigEndian.Uint32(body)), int(binary.BigEndian.Uint32(body[4:]))
			}
		case "eXIf":
			m.block("EXIF")
			readTIFF(m, body)
		case "iTXt", "tEXt", "zTXt":
			key, rest, _ := bytes.Cut(body, []byte{0})
			switch {
			case string(key) == "XML:com.adobe.xmp" && typ == "iTXt":
				// compression flag, method, language\0, translated\0, text
				if len(rest) >= 2 && rest[0] == 0 {
					rest = rest[2:]
					if _, t, ok := bytes.Cut(rest, []byte{0}); ok {
						if _, t, ok = bytes.Cut(t, []byte{0}); ok {
							readXMP(m, t)
						}
					}
				} else {
					m.block("XMP")
				}
			case bytes.HasPrefix(key, []byte("Raw profile type")):
				m.block(strings.ToUpper(strings.TrimPrefix(string(key), "Raw profile type ")))
			default:
				m.block("PNG text")
				if typ == "tEXt" && m.Comment == "" {
					m.Comment = cleanString(append(append(key, ':', ' '), rest...))
				}
			}
		case "caBX":
			m.block("JUMBF")
			m.provenance("C2PA manifest")
		case "tIME":
			m.block("PNG time")
		case "IEND":
			return
		}
		off += 12 + length
	}
}

// MetadataLines renders metadata as "name: value" lines for editors, the
// identifying fields first; the XMP packet is shown by its size.
func MetadataLines(m *Metadata) []string {
	var out []string
	add := func(name, v string) {
		if v != "" {
			out = append(out, name+": "+v)
		}
	}
	if m.HasGPS {
		if m.Latitude != 0 || m.Longitude != 0 {
			add("GPS", fmt.Sprintf("%.6f, %.6f (altitude %.1f m)", m.Latitude, m.Longitude, m.Altitude))
		}
		add("location", m.Location)
	}
	add("camera make", m.Make)
	add("camera model", m.Model)
	add("serial number", m.Serial)
	add("lens serial", m.LensSerial)
	add("owner", m.Owner)
	add("unique id", m.UniqueID)
	add("taken", strings.TrimSpace(m.Taken+" "+m.TimeOffset))
	add("digitized", m.Digitized)
	add("modified", m.Modified)
	add("GPS time", m.GPSTime)
	add("software", m.Software)
	add("comment", m.Comment)
	if m.Width > 0 {
		add("size", fmt.Sprintf("%d×%d", m.Width, m.Height))
	}
	if m.Duration > 0 {
		add("duration", fmt.Sprintf("%.1f s", m.Duration))
	}
	keys := make([]string, 0, len(m.IPTC))
	for k := range m.IPTC {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		add("IPTC "+k, m.IPTC[k])
	}
	if m.XMP != "" {
		add("XMP", fmt.Sprintf("%d bytes", len(m.XMP)))
	}
	if m.Thumbnail {
		add("embedded thumbnail", "yes")
	}
	if m.MakerNote {
		add("maker notes", "yes")
	}
	add("provenance", strings.Join(m.Provenance, ", "))
	add("blocks", strings.Join(m.Blocks, ", "))
	add("unreadable", strings.Join(m.Errors, "; "))
	return out
}
