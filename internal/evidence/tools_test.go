package evidence

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needTool finds a media tool (exiftool, ffmpeg) or skips the test,
// loudly; with ROLLCALL_REQUIRE_MEDIA=1 (scripts/test, after
// scripts/media-tools-up) a missing tool fails it instead.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("ROLLCALL_REQUIRE_MEDIA") == "1" {
			t.Fatalf("%s is required (ROLLCALL_REQUIRE_MEDIA=1) but missing: run scripts/media-tools-up", name)
		}
		t.Skipf("SKIPPED: %s not installed (scripts/media-tools-up installs it)", name)
	}
	return path
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// testImage is a w×h picture of colour bands, so a pixelated area differs
// from what it replaced.
func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 5), uint8((x + y) * 3), 255})
		}
	}
	return img
}

func writeJPEG(t *testing.T, dir string, w, h int) string {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "photo.jpg")
	os.WriteFile(p, b.Bytes(), 0o600)
	return p
}

func writePNG(t *testing.T, dir string, w, h int) string {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(w, h)); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "photo.png")
	os.WriteFile(p, b.Bytes(), 0o600)
	return p
}

// identifyingTags are what exiftool writes into the test files: every one
// could identify the person who filmed.
var identifyingTags = []string{
	"-Make=TestPhoneMaker", "-Model=TestPhone 12", "-SerialNumber=SN-998877", "-LensSerialNumber=LS-1234",
	"-OwnerName=Witness Owner", "-Artist=Witness Artist", "-Software=CameraApp 3.1",
	"-DateTimeOriginal=2022:07:01 21:14:05", "-CreateDate=2022:07:01 21:14:05", "-OffsetTimeOriginal=+05:00",
	"-GPSLatitude=42.4531", "-GPSLatitudeRef=N", "-GPSLongitude=59.6103", "-GPSLongitudeRef=E", "-GPSAltitude=75",
	"-GPSDateStamp=2022:07:01", "-GPSTimeStamp=16:14:05",
	"-XMP-dc:Creator=Witness XMP", "-XMP-photoshop:City=Nukus XMP",
	"-IPTC:By-line=Witness IPTC", "-IPTC:City=Nukus", "-IPTC:Country-PrimaryLocationName=Uzbekistan",
	"-Comment=filmed from the roof", "-ImageUniqueID=0123456789abcdef",
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
