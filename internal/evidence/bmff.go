package evidence

import (
	"bytes"
	"encoding/binary"
	"io"
	"strconv"
	"strings"
	"time"
)

// readBMFF reads ISO base media files (MP4, QuickTime MOV, 3GP, M4A,
// HEIC): the movie header's creation time and duration, the tracks'
// size, QuickTime user data (©xyz location, ©mak, ©mod, ©swr, ©day) and
// metadata keys (com.apple.quicktime.location.ISO6709, make, model …), and
// C2PA manifests (a uuid or jumb box). Media data is never read.
func readBMFF(m *Metadata, r io.ReaderAt, size int64) {
	b := &bmff{m: m, r: r}
	b.walk(0, size, 0, "")
}

type bmff struct {
	m     *Metadata
	r     io.ReaderAt
	boxes int
	keys  []string // the metadata keys of the current meta box
}

// c2paUUID is the uuid box C2PA puts in BMFF files.
var c2paUUID = []byte{0xd8, 0xfe, 0xc3, 0xd6, 0x1b, 0x0e, 0x48, 0x3c, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7e, 0xc4, 0x81}

func (b *bmff) walk(start, end int64, depth int, parent string) {
	if depth > maxDepth {
		b.m.fail("container", errBounds)
		return
	}
	off := start
	for off+8 <= end {
		b.boxes++
		if b.boxes > maxBoxes {
			b.m.fail("container", errBounds)
			return
		}
		hdr, err := readAt(b.r, off, 8)
		if err != nil {
			b.m.fail("container", err)
			return
		}
		size := int64(binary.BigEndian.Uint32(hdr))
		typ := string(hdr[4:8])
		head := int64(8)
		switch size {
		case 1:
			ext, err := readAt(b.r, off+8, 8)
			if err != nil {
				b.m.fail("container", err)
				return
			}
			size = int64(binary.BigEndian.Uint64(ext))
			head = 16
		case 0:
			size = end - off
		}
		if size < head || off+size > end || size < 0 {
			b.m.fail("container", errBounds)
			return
		}
		bodyStart, bodyEnd := off+head, off+size
		body := func() []byte {
			if bodyEnd-bodyStart > maxSegment {
				return nil
			}
			v, err := readAt(b.r, bodyStart, bodyEnd-bodyStart)
			if err != nil {
				b.m.fail("container", err)
				return nil
			}
			return v
		}
		switch typ {
		case "moov", "trak", "mdia", "minf", "udta", "ilst", "edts", "iprp", "ipco":
			b.walk(bodyStart, bodyEnd, depth+1, typ)
		case "meta":
			// ISO meta is a full box (4 bytes of version and flags);
			// QuickTime's is not: its first child's size follows at once.
			peek, err := readAt(b.r, bodyStart, min(8, bodyEnd-bodyStart))
			if err == nil && len(peek) >= 8 && string(peek[4:8]) != "hdlr" && binary.BigEndian.Uint32(peek) == 0 {
				bodyStart += 4
			}
			b.m.block("container metadata")
			saved := b.keys
			b.keys = nil
			b.walk(bodyStart, bodyEnd, depth+1, typ)
			b.keys = saved
		case "mvhd":
			b.mvhd(body())
		case "tkhd":
			b.tkhd(body())
		case "keys":
			b.readKeys(body())
		case "uuid":
			if v := body(); len(v) >= 16 && bytes.Equal(v[:16], c2paUUID) {
				b.m.provenance("C2PA manifest")
			} else if len(v) >= 16 {
				b.m.block("uuid box")
			}
		case "jumb":
			b.m.block("JUMBF")
			if v := body(); bytes.Contains(v, []byte("c2pa")) {
				b.m.provenance("C2PA manifest")
			}
		case "XMP_":
			readXMP(b.m, body())
		case "iinf":
			if v := body(); bytes.Contains(v, []byte("Exif")) {
				b.m.block("EXIF")
			}
		case "ispe":
			if v := body(); len(v) >= 12 && b.m.Width == 0 {
				b.m.Width, b.m.Height = int(binary.BigEndian.Uint32(v[4:])), int(binary.BigEndian.Uint32(v[8:]))
			}
		default:
			if parent == "udta" && strings.HasPrefix(typ, "\xa9") {
				b.userData(typ, body())
			} else if parent == "ilst" {
				b.item(typ, bodyStart, bodyEnd, depth)
			}
		}
		off += size
	}
}

var epoch1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)

func (b *bmff) mvhd(v []byte) {
	var created uint64
	var scale uint32
	var dur uint64
	switch {
	case len(v) >= 32 && v[0] == 1:
		created, scale, dur = binary.BigEndian.Uint64(v[4:]), binary.BigEndian.Uint32(v[20:]), binary.BigEndian.Uint64(v[24:])
	case len(v) >= 20:
		created, scale, dur = uint64(binary.BigEndian.Uint32(v[4:])), binary.BigEndian.Uint32(v[12:]), uint64(binary.BigEndian.Uint32(v[16:]))
	default:
		return
	}
	if created > 0 && created < 1<<40 && b.m.Taken == "" {
		b.m.Taken = epoch1904.Add(time.Duration(created) * time.Second).Format(time.RFC3339)
	}
	if scale > 0 {
		b.m.Duration = float64(dur) / float64(scale)
	}
}

func (b *bmff) tkhd(v []byte) {
	at := 76
	if len(v) > 0 && v[0] == 1 {
		at = 88
	}
	if len(v) >= at+8 {
		w, h := int(binary.BigEndian.Uint32(v[at:])>>16), int(binary.BigEndian.Uint32(v[at+4:])>>16)
		if w > 0 && h > 0 && b.m.Width == 0 {
			b.m.Width, b.m.Height = w, h
		}
	}
}

// userData reads a QuickTime text atom (16-bit size, 16-bit language,
// text) or, failing that, an iTunes-style data box.
func (b *bmff) userData(typ string, v []byte) {
	b.m.block("container metadata")
	var s string
	if len(v) >= 4 {
		n := int(binary.BigEndian.Uint16(v))
		if 4+n <= len(v) && string(v[:4]) != "\x00\x00\x00\x00" {
			s = cleanString(v[4 : 4+n])
		}
		if s == "" && len(v) >= 16 && string(v[4:8]) == "data" {
			s = cleanString(v[16:])
		}
	}
	b.set(strings.TrimPrefix(typ, "\xa9"), s)
}

// item reads one entry of an ilst: its data box's value.
func (b *bmff) item(typ string, start, end int64, depth int) {
	name := typ
	if k := binary.BigEndian.Uint32([]byte(typ)); k >= 1 && int(k) <= len(b.keys) {
		name = b.keys[k-1]
	} else {
		name = strings.TrimPrefix(typ, "\xa9")
	}
	if end-start > maxSegment || end-start < 16 {
		return
	}
	v, err := readAt(b.r, start, end-start)
	if err != nil || string(v[4:8]) != "data" {
		return
	}
	n := int(binary.BigEndian.Uint32(v))
	if n < 16 || n > len(v) {
		return
	}
	b.set(name, cleanString(v[16:n]))
}

func (b *bmff) readKeys(v []byte) {
	if len(v) < 8 {
		return
	}
	count := int(binary.BigEndian.Uint32(v[4:]))
	p := 8
	for i := 0; i < count && i < 1024 && p+8 <= len(v); i++ {
		n := int(binary.BigEndian.Uint32(v[p:]))
		if n < 8 || p+n > len(v) {
			b.m.fail("container", errBounds)
			return
		}
		b.keys = append(b.keys, cleanString(v[p+8:p+n]))
		p += n
	}
}

// set files a container value under what it means.
func (b *bmff) set(name, s string) {
	if s == "" {
		return
	}
	m := b.m
	first := func(dst *string) {
		if *dst == "" {
			*dst = s
		}
	}
	switch name {
	case "xyz", "com.apple.quicktime.location.ISO6709", "location", "com.android.location":
		first(&m.Location)
		m.HasGPS = true
		if lat, lon, ok := parseISO6709(s); ok {
			m.Latitude, m.Longitude = lat, lon
		}
	case "mak", "com.apple.quicktime.make", "com.android.manufacturer":
		first(&m.Make)
	case "mod", "com.apple.quicktime.model", "com.android.model":
		first(&m.Model)
	case "swr", "too", "com.apple.quicktime.software", "com.android.version":
		first(&m.Software)
	case "day", "com.apple.quicktime.creationdate":
		if m.Taken == "" || name == "com.apple.quicktime.creationdate" {
			m.Taken = s
		}
	case "cmt", "des", "com.apple.quicktime.description", "com.apple.quicktime.comment":
		first(&m.Comment)
	case "aut", "ART", "com.apple.quicktime.author", "com.apple.quicktime.artist":
		first(&m.Owner)
	default:
		if strings.Contains(strings.ToLower(name), "serial") {
			first(&m.Serial)
		}
	}
}

// parseISO6709 reads "+42.4531+059.6103+075.000/" (degrees).
func parseISO6709(s string) (lat, lon float64, ok bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "/")
	var parts []string
	start := 0
	for i := 1; i < len(s); i++ {
		if s[i] == '+' || s[i] == '-' {
			parts = append(parts, s[start:i])
			start = i
		}
	}
	parts = append(parts, s[start:])
	if len(parts) < 2 {
		return 0, 0, false
	}
	lat, err1 := strconv.ParseFloat(parts[0], 64)
	lon, err2 := strconv.ParseFloat(parts[1], 64)
	if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, false
	}
	return lat, lon, true
}
