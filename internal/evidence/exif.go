package evidence

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// TIFF and EXIF: the image file directories of a TIFF file and of the
// EXIF block inside a JPEG or PNG, read within the bounds of metadata.go.

// EXIF tags read.
const (
	tagMake, tagModel, tagSoftware, tagDateTime, tagArtist = 0x010F, 0x0110, 0x0131, 0x0132, 0x013B
	tagExifIFD, tagGPSIFD, tagMakerNote, tagUserComment    = 0x8769, 0x8825, 0x927C, 0x9286
	tagDateOriginal, tagDateDigitized, tagOffsetTime       = 0x9003, 0x9004, 0x9010
	tagOffsetOriginal, tagUniqueID, tagOwner, tagSerial    = 0x9011, 0xA420, 0xA430, 0xA431
	tagLensSerial, tagCameraSerial                         = 0xA435, 0xC62F
	tagWidth, tagHeight, tagPixX, tagPixY                  = 0x0100, 0x0101, 0xA002, 0xA003
	tagJPEGOffset, tagImageDescription                     = 0x0201, 0x010E
	tagOrientation                                         = 0x0112
)

type tiff struct {
	b     []byte
	order binary.ByteOrder
	seen  map[uint32]bool
	m     *Metadata
}

type ifdField struct {
	tag, typ uint16
	count    uint32
	value    []byte // the value's bytes (inline or at its offset), nil if out of bounds
}

var typeSize = map[uint16]int{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}

func (t *tiff) ifd(off uint32) ([]ifdField, uint32, bool) {
	if t.seen[off] || len(t.seen) >= maxIFDs || int64(off)+2 > int64(len(t.b)) {
		if !t.seen[off] {
			t.m.fail("EXIF", errBounds)
		}
		return nil, 0, false
	}
	t.seen[off] = true
	n := int(t.order.Uint16(t.b[off:]))
	if n > maxIFDFields || int64(off)+2+int64(n)*12+4 > int64(len(t.b)) {
		t.m.fail("EXIF", errBounds)
		return nil, 0, false
	}
	fields := make([]ifdField, 0, n)
	for i := 0; i < n; i++ {
		e := t.b[int(off)+2+i*12:]
		f := ifdField{tag: t.order.Uint16(e), typ: t.order.Uint16(e[2:]), count: t.order.Uint32(e[4:])}
		sz, ok := typeSize[f.typ]
		if ok && uint64(f.count)*uint64(sz) <= uint64(len(t.b)) {
			total := int(f.count) * sz
			if total <= 4 {
				f.value = e[8 : 8+total]
			} else if vo := t.order.Uint32(e[8:]); uint64(vo)+uint64(total) <= uint64(len(t.b)) {
				f.value = t.b[vo : int(vo)+total]
			}
		}
		fields = append(fields, f)
	}
	next := t.order.Uint32(t.b[int(off)+2+n*12:])
	return fields, next, true
}

func (t *tiff) uint(f ifdField) (uint32, bool) {
	switch {
	case f.typ == 3 && len(f.value) >= 2:
		return uint32(t.order.Uint16(f.value)), true
	case (f.typ == 4 || f.typ == 13) && len(f.value) >= 4:
		return t.order.Uint32(f.value), true
	}
	return 0, false
}

func (t *tiff) rationals(f ifdField) []float64 {
	var out []float64
	if f.typ != 5 && f.typ != 10 {
		return nil
	}
	for i := 0; i+8 <= len(f.value) && len(out) < 8; i += 8 {
		num, den := t.order.Uint32(f.value[i:]), t.order.Uint32(f.value[i+4:])
		if den == 0 {
			out = append(out, 0)
			continue
		}
		if f.typ == 10 {
			out = append(out, float64(int32(num))/float64(int32(den)))
		} else {
			out = append(out, float64(num)/float64(den))
		}
	}
	return out
}

func (t *tiff) str(f ifdField) string {
	if f.typ == 2 || f.typ == 1 || f.typ == 7 {
		return cleanString(f.value)
	}
	return ""
}

// readTIFF reads a TIFF structure (EXIF's): IFD0 and its chain, the EXIF
// and GPS IFDs.
func readTIFF(m *Metadata, b []byte) {
	if len(b) < 8 {
		m.fail("EXIF", errBounds)
		return
	}
	t := &tiff{b: b, seen: map[uint32]bool{}, m: m}
	switch string(b[:2]) {
	case "II":
		t.order = binary.LittleEndian
	case "MM":
		t.order = binary.BigEndian
	default:
		m.fail("EXIF", errors.New("not a TIFF header"))
		return
	}
	off := t.order.Uint32(b[4:])
	for n := 0; off != 0 && n < maxIFDs; n++ {
		fields, next, ok := t.ifd(off)
		if !ok {
			return
		}
		if n > 0 {
			m.Thumbnail = true // IFD1: the embedded thumbnail
		}
		t.fields(fields, n == 0)
		off = next
	}
}

func (t *tiff) fields(fields []ifdField, main bool) {
	m := t.m
	set := func(dst *string, f ifdField) {
		if s := t.str(f); s != "" && *dst == "" {
			*dst = s
		}
	}
	for _, f := range fields {
		switch f.tag {
		case tagMake:
			set(&m.Make, f)
		case tagModel:
			set(&m.Model, f)
		case tagSoftware:
			set(&m.Software, f)
		case tagDateTime:
			set(&m.Modified, f)
		case tagArtist, tagOwner:
			set(&m.Owner, f)
		case tagImageDescription:
			set(&m.Comment, f)
		case tagDateOriginal:
			set(&m.Taken, f)
		case tagDateDigitized:
			set(&m.Digitized, f)
		case tagOffsetOriginal, tagOffsetTime:
			set(&m.TimeOffset, f)
		case tagUniqueID:
			set(&m.UniqueID, f)
		case tagSerial, tagCameraSerial:
			set(&m.Serial, f)
		case tagLensSerial:
			set(&m.LensSerial, f)
		case tagMakerNote:
			m.MakerNote = true
			m.block("MakerNotes")
		case tagUserComment:
			if len(f.value) > 8 && m.Comment == "" {
				m.Comment = cleanString(f.value[8:])
			}
		case tagWidth, tagPixX:
			if v, ok := t.uint(f); ok && main && m.Width == 0 {
				m.Width = int(v)
			}
		case tagHeight, tagPixY:
			if v, ok := t.uint(f); ok && main && m.Height == 0 {
				m.Height = int(v)
			}
		case tagOrientation:
			if v, ok := t.uint(f); ok && main && v >= 1 && v <= 8 {
				m.Orientation = int(v)
			}
		case tagJPEGOffset:
			if !main {
				m.Thumbnail = true
			}
		case tagExifIFD:
			if off, ok := t.uint(f); ok {
				if sub, _, ok := t.ifd(off); ok {
					t.fields(sub, main)
				}
			}
		case tagGPSIFD:
			if off, ok := t.uint(f); ok {
				if sub, _, ok := t.ifd(off); ok {
					t.gps(sub)
				}
			}
		}
	}
}

func (t *tiff) gps(fields []ifdField) {
	m := t.m
	var latRef, lonRef string
	var lat, lon []float64
	var altRef byte
	var date string
	var tm []float64
	for _, f := range fields {
		switch f.tag {
		case 1:
			latRef = t.str(f)
		case 2:
			lat = t.rationals(f)
		case 3:
			lonRef = t.str(f)
		case 4:
			lon = t.rationals(f)
		case 5:
			if len(f.value) > 0 {
				altRef = f.value[0]
			}
		case 6:
			if a := t.rationals(f); len(a) > 0 {
				m.Altitude = a[0]
			}
		case 7:
			tm = t.rationals(f)
		case 29:
			date = t.str(f)
		}
	}
	if len(fields) > 0 {
		m.block("GPS")
	}
	deg := func(v []float64) float64 {
		if len(v) < 3 {
			return 0
		}
		return v[0] + v[1]/60 + v[2]/3600
	}
	if len(lat) >= 3 && len(lon) >= 3 {
		m.HasGPS = true
		m.Latitude, m.Longitude = deg(lat), deg(lon)
		if latRef == "S" {
			m.Latitude = -m.Latitude
		}
		if lonRef == "W" {
			m.Longitude = -m.Longitude
		}
	}
	if altRef == 1 {
		m.Altitude = -m.Altitude
	}
	if date != "" || len(tm) >= 3 {
		s := date
		if len(tm) >= 3 {
			s = strings.TrimSpace(fmt.Sprintf("%s %02d:%02d:%02d", date, int(tm[0]), int(tm[1]), int(tm[2])))
		}
		m.GPSTime = s
	}
}
