package evidence

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// exifTags reads every tag exiftool finds in a file, by group:name.
func exifTags(t *testing.T, path string) map[string]any {
	t.Helper()
	out, err := exec.Command("exiftool", "-j", "-a", "-u", "-G1", "-n", path).Output()
	if err != nil {
		t.Fatalf("exiftool %s: %v", path, err)
	}
	var all []map[string]any
	if err := json.Unmarshal(out, &all); err != nil || len(all) != 1 {
		t.Fatalf("exiftool output: %v %s", err, out)
	}
	return all[0]
}

// identifying lists the tags of a public copy that could identify who
// filmed, where or when: any GPS, device, serial, original-time, XMP, IPTC,
// maker-note, thumbnail or comment tag, and any location atom.
func identifying(tags map[string]any) []string {
	var bad []string
	for k, v := range tags {
		group, name, _ := strings.Cut(k, ":")
		low := strings.ToLower(name)
		switch {
		case strings.HasPrefix(group, "XMP"), group == "IPTC", group == "GPS", group == "MakerNotes", group == "IFD1", group == "ExifIFD",
			group == "IFD0", group == "Photoshop", group == "ICC_Profile", group == "Keys", group == "UserData", group == "ItemList":
			bad = append(bad, k)
		case strings.Contains(low, "gps"), strings.Contains(low, "location"), strings.Contains(low, "serial"),
			low == "make", low == "model", strings.Contains(low, "datetimeoriginal"), low == "comment", strings.Contains(low, "thumbnail"),
			strings.Contains(low, "software"), strings.Contains(low, "owner"), strings.Contains(low, "artist"):
			bad = append(bad, k)
		case (low == "createdate" || low == "modifydate" || low == "trackcreatedate" || low == "mediacreatedate" || low == "trackmodifydate" || low == "mediamodifydate") &&
			v != "0000:00:00 00:00:00" && v != float64(0):
			bad = append(bad, k)
		}
	}
	return bad
}

func TestPublicImageHasNoMetadataAndNoPixelOfMarkedAreas(t *testing.T) {
	needTool(t, "exiftool")
	dir := t.TempDir()
	p := writeJPEG(t, dir, 320, 200)
	thumb := writeJPEG(t, t.TempDir(), 32, 20)
	run(t, "exiftool", append(append([]string{"-q", "-overwrite_original"}, identifyingTags...), "-ThumbnailImage<="+thumb, "-Orientation#=1", p)...)
	before := exifTags(t, p)
	if len(identifying(before)) < 10 {
		t.Fatalf("the test file lacks the metadata it should carry: %v", before)
	}
	orig := readFile(t, p)
	areas := []Rect{{10, 20, 60, 40}, {200, 100, 300, 300}} // the second runs off the edge
	var out bytes.Buffer
	d, err := DeriveImage(bytes.NewReader(orig), int64(len(orig)), "image/jpeg", 1, areas, Fill, &out)
	if err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(dir, "public"+d.Ext)
	os.WriteFile(pub, out.Bytes(), 0o600)
	if bad := identifying(exifTags(t, pub)); len(bad) > 0 {
		t.Errorf("the public copy still carries %v", bad)
	}
	for _, secret := range []string{"SN-998877", "TestPhone", "Witness", "Nukus", "2022:07:01", "roof"} {
		if bytes.Contains(out.Bytes(), []byte(secret)) {
			t.Errorf("the public copy's bytes contain %q", secret)
		}
	}
	img, err := jpeg.Decode(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	original := testImage(320, 200)
	for _, a := range areas {
		r := image.Rect(a.X, a.Y, a.X+a.W, a.Y+a.H).Intersect(img.Bounds())
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				cr, cg, cb, _ := img.At(x, y).RGBA()
				or, og, ob, _ := original.At(x, y).RGBA()
				if max(cr, cg, cb)>>8 > 24 {
					t.Fatalf("pixel %d,%d of a marked area is %v, not filled (was %v %v %v)", x, y, img.At(x, y), or>>8, og>>8, ob>>8)
				}
			}
		}
	}
	// Outside the areas the picture is still the picture.
	cr, _, _, _ := img.At(150, 10).RGBA()
	if or, _, _, _ := original.At(150, 10).RGBA(); absDiff(cr>>8, or>>8) > 12 {
		t.Errorf("an unmarked pixel changed: %d vs %d", cr>>8, or>>8)
	}
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

func TestPixelatedAreaKeepsNoDetail(t *testing.T) {
	p := writePNG(t, t.TempDir(), 200, 120)
	b := readFile(t, p)
	var out bytes.Buffer
	area := Rect{20, 10, 96, 64}
	if _, err := DeriveImage(bytes.NewReader(b), int64(len(b)), "image/png", 0, []Rect{area}, Pixelate, &out); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&out)
	if err != nil {
		t.Fatal(err)
	}
	original := testImage(200, 120)
	const block = 16
	same := 0
	for y := area.Y; y < area.Y+area.H; y++ {
		for x := area.X; x < area.X+area.W; x++ {
			bx, by := area.X+(x-area.X)/block*block, area.Y+(y-area.Y)/block*block
			if img.At(x, y) != img.At(bx, by) {
				t.Fatalf("pixel %d,%d differs from its block: detail survived", x, y)
			}
			if img.At(x, y) == original.At(x, y) {
				same++
			}
		}
	}
	if same > area.W*area.H/block/block*2 {
		t.Errorf("%d pixels of the area kept their value", same)
	}
}

func TestOrientationIsAppliedAndAreasAreInShownCoordinates(t *testing.T) {
	p := writePNG(t, t.TempDir(), 40, 20)
	b := readFile(t, p)
	var out bytes.Buffer
	if _, err := DeriveImage(bytes.NewReader(b), int64(len(b)), "image/png", 6, nil, Fill, &out); err != nil {
		t.Fatal(err)
	}
	cfg, _ := png.DecodeConfig(&out)
	if cfg.Width != 20 || cfg.Height != 40 {
		t.Errorf("orientation 6 (turn 90° clockwise) gave %d×%d", cfg.Width, cfg.Height)
	}
	if _, err := DeriveImage(bytes.NewReader(b), int64(len(b)), "image/png", 1, []Rect{{100, 100, 5, 5}}, Fill, &out); err == nil {
		t.Error("an area outside the picture was accepted (and would have hidden nothing)")
	}
}

// pngHeader is a PNG that declares w×h and has no pixel data.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	binary.Write(&b, binary.BigEndian, uint32(13))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestImagesOver100MegapixelsAreRefusedBeforeDecoding(t *testing.T) {
	for _, c := range []struct {
		typ  string
		data []byte
	}{
		{"image/png", pngHeader(20000, 5001)},
		// A JPEG whose frame header says 12000×9000 (108 MP), and nothing else.
		{"image/jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xC0, 0, 17, 8, 0x23, 0x28, 0x2E, 0xE0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9}},
	} {
		var out bytes.Buffer
		_, err := DeriveImage(bytes.NewReader(c.data), int64(len(c.data)), c.typ, 1, nil, Fill, &out)
		if !errors.Is(err, ErrTooManyPixels) {
			t.Errorf("%s: %v, want ErrTooManyPixels", c.typ, err)
		}
	}
	ok := pngHeader(10000, 10000) // exactly 100 MP passes the check (and fails later: no pixels)
	_, err := DeriveImage(bytes.NewReader(ok), int64(len(ok)), "image/png", 1, nil, Fill, &bytes.Buffer{})
	if errors.Is(err, ErrTooManyPixels) {
		t.Error("100 MP exactly was refused")
	}
}

// frame extracts the first frame of a video as RGBA.
func frame(t *testing.T, path string) image.Image {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-frames:v", "1", "-f", "image2", "-c:v", "png", "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func meanDiff(a, b image.Image, r image.Rectangle) float64 {
	var sum float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ar, ag, ab, _ := a.At(x, y).RGBA()
			br, bg, bb, _ := b.At(x, y).RGBA()
			sum += float64(absDiff(ar>>8, br>>8) + absDiff(ag>>8, bg>>8) + absDiff(ab>>8, bb>>8))
		}
	}
	return sum / float64(3*r.Dx()*r.Dy())
}

func TestPublicVideoHasNoMetadataAndMarkedAreaBlurred(t *testing.T) {
	needTool(t, "ffmpeg")
	needTool(t, "exiftool")
	dir := t.TempDir()
	for _, ext := range []string{".mp4", ".mov"} {
		p := filepath.Join(dir, "clip"+ext)
		run(t, "ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=1", "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
			"-pix_fmt", "yuv420p", "-shortest", "-metadata", "creation_time=2022-07-01T16:14:05Z", "-metadata", "location=+42.4531+059.6103/",
			"-metadata", "comment=filmed from the roof", p)
		run(t, "exiftool", "-q", "-overwrite_original", "-Keys:Make=TestPhoneMaker", "-Keys:Model=TestPhone 12",
			"-Keys:GPSCoordinates=42.4531, 59.6103, 75", "-UserData:Make=UDMaker", "-XMP-dc:Creator=Witness XMP", p)
		if bad := identifying(exifTags(t, p)); len(bad) < 4 {
			t.Fatalf("%s: the test file lacks its metadata: %v", ext, bad)
		}
		orig := readFile(t, p)
		pub := filepath.Join(dir, "public"+ext+".mp4")
		area := Rect{100, 60, 120, 100}
		if _, err := DeriveMedia(context.Background(), bytes.NewReader(orig), int64(len(orig)), Sniff(orig), []Rect{area}, pub); err != nil {
			t.Fatal(err)
		}
		tags := exifTags(t, pub)
		if bad := identifying(tags); len(bad) > 0 {
			t.Errorf("%s: the public copy still carries %v", ext, bad)
		}
		for _, secret := range []string{"TestPhone", "Witness", "roof", "+42.45", "UDMaker"} {
			if bytes.Contains(readFile(t, pub), []byte(secret)) {
				t.Errorf("%s: the public copy's bytes contain %q", ext, secret)
			}
		}
		a, b := frame(t, p), frame(t, pub)
		r := image.Rect(area.X, area.Y, area.X+area.W, area.Y+area.H)
		inside, outside := meanDiff(a, b, r), meanDiff(a, b, image.Rect(0, 0, 320, 50))
		if inside < 20 || outside > 8 {
			t.Errorf("%s: mean change %.1f inside the marked area (want > 20), %.1f outside (want < 8)", ext, inside, outside)
		}
	}
	// Audio gets a copy too; areas make no sense there.
	wav := filepath.Join(dir, "voice.m4a")
	run(t, "ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=300:duration=1", "-metadata", "artist=Witness", "-metadata", "location=+42.4531+059.6103/", wav)
	b := readFile(t, wav)
	pub := filepath.Join(dir, "voice-public.m4a")
	if _, err := DeriveMedia(context.Background(), bytes.NewReader(b), int64(len(b)), Sniff(b), nil, pub); err != nil {
		t.Fatal(err)
	}
	if bad := identifying(exifTags(t, pub)); len(bad) > 0 {
		t.Errorf("audio: the public copy still carries %v", bad)
	}
}

func TestWithoutFFmpegAVideoCannotGetAPublicCopy(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := DeriveMedia(context.Background(), bytes.NewReader(nil), 0, "video/mp4", nil, filepath.Join(t.TempDir(), "x.mp4"))
	if !errors.Is(err, ErrNoFFmpeg) || !strings.Contains(err.Error(), "ffmpeg is not installed") {
		t.Errorf("without ffmpeg: %v", err)
	}
}
