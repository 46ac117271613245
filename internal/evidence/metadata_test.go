package evidence

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-3 }

func TestMetadataFromJPEGWrittenByExiftool(t *testing.T) {
	needTool(t, "exiftool")
	dir := t.TempDir()
	p := writeJPEG(t, dir, 320, 200)
	thumb := writeJPEG(t, t.TempDir(), 32, 20)
	run(t, "exiftool", append(append([]string{"-q", "-overwrite_original"}, identifyingTags...), "-ThumbnailImage<="+thumb, p)...)
	b := readFile(t, p)
	m := ReadMetadata(bytes.NewReader(b), int64(len(b)), Sniff(b))
	if len(m.Errors) > 0 {
		t.Errorf("errors: %v", m.Errors)
	}
	checks := map[string]bool{
		"size":      m.Width == 320 && m.Height == 200,
		"make":      m.Make == "TestPhoneMaker" && m.Model == "TestPhone 12",
		"serial":    m.Serial == "SN-998877" && m.LensSerial == "LS-1234",
		"owner":     m.Owner != "",
		"software":  m.Software == "CameraApp 3.1",
		"taken":     m.Taken == "2022:07:01 21:14:05" && m.Digitized == "2022:07:01 21:14:05" && m.TimeOffset == "+05:00",
		"gps":       m.HasGPS && near(m.Latitude, 42.4531) && near(m.Longitude, 59.6103) && near(m.Altitude, 75),
		"gps time":  m.GPSTime == "2022:07:01 16:14:05",
		"xmp":       strings.Contains(m.XMP, "Witness XMP"),
		"iptc":      m.IPTC["byline"] == "Witness IPTC" && m.IPTC["city"] == "Nukus" && m.IPTC["country"] == "Uzbekistan",
		"comment":   m.Comment == "filmed from the roof",
		"thumbnail": m.Thumbnail,
		"unique id": m.UniqueID == "0123456789abcdef",
	}
	for name, ok := range checks {
		if !ok {
			t.Errorf("%s not read: %+v", name, m)
		}
	}
}

func TestMetadataFromPNGWrittenByExiftool(t *testing.T) {
	needTool(t, "exiftool")
	p := writePNG(t, t.TempDir(), 64, 48)
	run(t, "exiftool", "-q", "-overwrite_original", "-Make=PNGMaker", "-GPSLatitude=42.1", "-GPSLatitudeRef=N", "-GPSLongitude=59.2", "-GPSLongitudeRef=E", "-XMP-dc:Creator=PNG Witness", p)
	b := readFile(t, p)
	m := ReadMetadata(bytes.NewReader(b), int64(len(b)), Sniff(b))
	if m.Width != 64 || m.Height != 48 || m.Make != "PNGMaker" || !m.HasGPS || !near(m.Latitude, 42.1) || !strings.Contains(m.XMP, "PNG Witness") {
		t.Errorf("PNG metadata: %+v", m)
	}
}

func TestMetadataFromVideoContainer(t *testing.T) {
	needTool(t, "ffmpeg")
	needTool(t, "exiftool")
	dir := t.TempDir()
	for _, ext := range []string{".mp4", ".mov"} {
		p := filepath.Join(dir, "clip"+ext)
		run(t, "ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=1", "-pix_fmt", "yuv420p",
			"-metadata", "creation_time=2022-07-01T16:14:05Z", "-metadata", "location=+42.4531+059.6103/", p)
		run(t, "exiftool", "-q", "-overwrite_original", "-Keys:Make=TestPhoneMaker", "-Keys:Model=TestPhone 12",
			"-Keys:GPSCoordinates=42.4531, 59.6103, 75", "-UserData:Make=UDMaker", p)
		b := readFile(t, p)
		mt := Sniff(b)
		m := ReadMetadata(bytes.NewReader(b), int64(len(b)), mt)
		if m.Width != 160 || m.Height != 120 || m.Taken == "" || !m.HasGPS || !near(m.Latitude, 42.4531) || !near(m.Longitude, 59.6103) ||
			m.Make == "" || m.Duration < 0.9 || len(m.Errors) > 0 {
			t.Errorf("%s (%s): %+v", ext, mt, m)
		}
		if ext == ".mov" && mt != "video/quicktime" {
			t.Errorf("a MOV sniffed as %s", mt)
		}
	}
}

func TestMetadataReportsC2PA(t *testing.T) {
	// An APP11 JUMBF segment labelled c2pa, as C2PA writers embed it.
	jumbf := []byte("JP\x00\x00\x00\x00\x00\x01\x00\x00\x00\x20jumb\x00\x00\x00\x18jumdc2pa\x00\x11\x00\x10\x80\x00\xaa\x008\x9bq\x03c2pa\x00")
	var b bytes.Buffer
	b.Write([]byte{0xFF, 0xD8, 0xFF, 0xEB, byte((len(jumbf) + 2) >> 8), byte(len(jumbf) + 2)})
	b.Write(jumbf)
	b.Write([]byte{0xFF, 0xD9})
	m := ReadMetadata(bytes.NewReader(b.Bytes()), int64(b.Len()), "image/jpeg")
	if len(m.Provenance) != 1 || m.Provenance[0] != "C2PA manifest" {
		t.Errorf("C2PA not reported: %+v", m)
	}
}

func TestMalformedMetadataNeverPanics(t *testing.T) {
	for _, seed := range metadataSeeds(t) {
		for i := 0; i < len(seed.data); i += 1 + len(seed.data)/200 {
			for _, cut := range [][]byte{seed.data[:i], flip(seed.data, i)} {
				ReadMetadata(bytes.NewReader(cut), int64(len(cut)), seed.typ)
			}
		}
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	if i < len(c) {
		c[i] ^= 0xFF
	}
	return c
}

type seed struct {
	typ  string
	data []byte
}

// metadataSeeds are the fuzz targets' seed corpus: the files in
// testdata/media (made by exiftool and ffmpeg, see TestMakeSeedMedia) and
// small hand-made ones.
func metadataSeeds(t testing.TB) []seed {
	out := []seed{
		{"image/jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10, 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', '*', 0, 8, 0, 0, 0, 0xFF, 0xD9}},
		{"image/png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00\x00\x00\x00\x00")},
		{"video/mp4", []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2\x00\x00\x00\x10moov\x00\x00\x00\x08udta")},
		{"image/tiff", []byte("MM\x00*\x00\x00\x00\x08\x00\x01\x01\x0f\x00\x02\x00\x00\x00\x04abc\x00\x00\x00\x00\x00")},
	}
	entries, _ := os.ReadDir("testdata/media")
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata/media", e.Name()))
		if err == nil {
			out = append(out, seed{Sniff(b), b})
		}
	}
	return out
}
