package evidence

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"crypto/rand"
	"encoding/hex"
)

// MaxPixels is the most pixels an image may declare before it is decoded
// (100 megapixels: a phone's largest is about 200 MP in raw, 50 in JPEG).
const MaxPixels = 100_000_000

// ErrTooManyPixels refuses an image whose declared size is over MaxPixels;
// nothing was decoded.
var ErrTooManyPixels = errors.New("the image declares more than 100 megapixels: refused before decoding")

// ErrNoFFmpeg means videos and audio cannot get a public copy on this
// server.
var ErrNoFFmpeg = errors.New("ffmpeg is not installed, so a video or audio file cannot get a public copy here (install Debian's ffmpeg package: scripts/media-tools-up)")

// ErrNotDerivable is for types no public copy can be made of.
var ErrNotDerivable = errors.New("no public copy can be made of this type of file")

// Rect is an area an editor marked (a face, a tattoo, a number plate), in
// pixels of the picture as it is shown (after its EXIF orientation).
type Rect struct{ X, Y, W, H int }

func (r Rect) String() string { return fmt.Sprintf("%d,%d,%d,%d", r.X, r.Y, r.W, r.H) }

// ParseRect reads X,Y,W,H.
func ParseRect(s string) (Rect, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return Rect{}, fmt.Errorf("area %q: want X,Y,W,H in pixels", s)
	}
	var v [4]int
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 0 || n > 1<<20 {
			return Rect{}, fmt.Errorf("area %q: want X,Y,W,H as whole numbers of pixels", s)
		}
		v[i] = n
	}
	if v[2] == 0 || v[3] == 0 {
		return Rect{}, fmt.Errorf("area %q: width and height must be above 0", s)
	}
	return Rect{v[0], v[1], v[2], v[3]}, nil
}

// Redaction is how marked areas are made unreadable.
type Redaction string

const (
	Fill     Redaction = "fill"     // solid black
	Pixelate Redaction = "pixelate" // coarse blocks of the area's average colours
)

// Derived is a public copy as made.
type Derived struct {
	MediaType string
	Ext       string
}

// DeriveImage makes a public copy of an image from its pixels only: the
// image is decoded (after checking its declared size), turned upright by
// its EXIF orientation, the marked areas filled or pixelated, and encoded
// again (JPEG stays JPEG, others become PNG), so that no metadata block of
// the original (EXIF, XMP, IPTC, MakerNotes, thumbnails, comments, ICC)
// can survive: the encoder writes none.
func DeriveImage(src io.ReaderAt, size int64, mediaType string, orientation int, areas []Rect, how Redaction, dst io.Writer) (Derived, error) {
	switch mediaType {
	case "image/jpeg", "image/png", "image/gif":
	default:
		return Derived{}, fmt.Errorf("%w (%s: only JPEG, PNG and GIF images)", ErrNotDerivable, mediaType)
	}
	cfg, _, err := image.DecodeConfig(io.NewSectionReader(src, 0, size))
	if err != nil {
		return Derived{}, fmt.Errorf("the image cannot be read: %w", err)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return Derived{}, ErrTooManyPixels
	}
	var img image.Image
	switch mediaType {
	case "image/jpeg":
		img, err = jpeg.Decode(io.NewSectionReader(src, 0, size))
	case "image/png":
		img, err = png.Decode(io.NewSectionReader(src, 0, size))
	case "image/gif":
		img, err = gif.Decode(io.NewSectionReader(src, 0, size))
	}
	if err != nil {
		return Derived{}, fmt.Errorf("the image cannot be decoded: %w", err)
	}
	out := upright(img, orientation)
	if mediaType == "image/jpeg" {
		// JPEG codes colour in 16×16 blocks: an area not aligned to them
		// would let colour from outside bleed over its edge. Widening it
		// to the blocks it touches hides a little more, never less.
		areas = alignAreas(areas, 16)
	}
	if err := redact(out, areas, how); err != nil {
		return Derived{}, err
	}
	if mediaType == "image/jpeg" {
		return Derived{"image/jpeg", ".jpg"}, jpeg.Encode(dst, out, &jpeg.Options{Quality: 90})
	}
	return Derived{"image/png", ".png"}, png.Encode(dst, out)
}

func alignAreas(areas []Rect, n int) []Rect {
	out := make([]Rect, len(areas))
	for i, a := range areas {
		x0, y0 := a.X/n*n, a.Y/n*n
		x1, y1 := (a.X+a.W+n-1)/n*n, (a.Y+a.H+n-1)/n*n
		out[i] = Rect{x0, y0, x1 - x0, y1 - y0}
	}
	return out
}

// DerivedImageType is the type of the public copy of an image of type t:
// JPEG stays JPEG, others become PNG.
func DerivedImageType(t string) string {
	if t == "image/jpeg" {
		return "image/jpeg"
	}
	return "image/png"
}

// upright copies img into a new RGBA image turned by the EXIF orientation.
func upright(img image.Image, orientation int) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if orientation >= 5 && orientation <= 8 {
		w, h = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	if orientation <= 1 || orientation > 8 {
		draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
		return out
	}
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			var dx, dy int
			switch orientation {
			case 2:
				dx, dy = b.Dx()-1-x, y
			case 3:
				dx, dy = b.Dx()-1-x, b.Dy()-1-y
			case 4:
				dx, dy = x, b.Dy()-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = b.Dy()-1-y, x
			case 7:
				dx, dy = b.Dy()-1-y, b.Dx()-1-x
			case 8:
				dx, dy = y, b.Dx()-1-x
			}
			out.Set(dx, dy, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return out
}

// redact fills or pixelates each area (clipped to the picture); an area
// wholly outside it is an error, so a mistyped area is not silently left
// visible.
func redact(img *image.RGBA, areas []Rect, how Redaction) error {
	for _, a := range areas {
		r := image.Rect(a.X, a.Y, a.X+a.W, a.Y+a.H).Intersect(img.Bounds())
		if r.Empty() {
			return fmt.Errorf("area %s lies outside the %d×%d picture", a, img.Bounds().Dx(), img.Bounds().Dy())
		}
		if how != Pixelate {
			draw.Draw(img, r, image.NewUniform(color.Black), image.Point{}, draw.Src)
			continue
		}
		// Blocks of at least 16 px and at most 8 across the area's
		// shorter side: a face becomes a handful of flat squares.
		block := max(16, min(r.Dx(), r.Dy())/8)
		for by := r.Min.Y; by < r.Max.Y; by += block {
			for bx := r.Min.X; bx < r.Max.X; bx += block {
				br := image.Rect(bx, by, bx+block, by+block).Intersect(r)
				var sr, sg, sb, n int
				for y := br.Min.Y; y < br.Max.Y; y++ {
					for x := br.Min.X; x < br.Max.X; x++ {
						c := img.RGBAAt(x, y)
						sr, sg, sb, n = sr+int(c.R), sg+int(c.G), sb+int(c.B), n+1
					}
				}
				avg := color.RGBA{uint8(sr / n), uint8(sg / n), uint8(sb / n), 255}
				draw.Draw(img, br, image.NewUniform(avg), image.Point{}, draw.Src)
			}
		}
	}
	return nil
}

// DeriveMedia makes a public copy of a video or audio file with ffmpeg:
// every metadata block, chapter and data stream left out (-map_metadata -1,
// only video and audio streams kept), bit-exact muxing so no encoder tag or
// creation time is written, location atoms therefore gone, and marked
// areas (video only) pixelated then blurred. The plaintext reaches ffmpeg
// over a one-time loopback HTTP address, never as a file on disk; the
// public copy is written to outPath (MP4 for video, M4A for audio).
func DeriveMedia(ctx context.Context, src io.ReaderAt, size int64, mediaType string, areas []Rect, outPath string) (Derived, error) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		return Derived{}, ErrNoFFmpeg
	}
	kind := Kind(mediaType)
	if kind != "video" && kind != "audio" {
		return Derived{}, ErrNotDerivable
	}
	if kind == "audio" && len(areas) > 0 {
		return Derived{}, errors.New("areas can be marked on pictures and videos, not on audio")
	}
	url, stop, err := serveOnce(src, size)
	if err != nil {
		return Derived{}, err
	}
	defer stop()
	args := []string{"-nostdin", "-v", "error", "-y", "-i", url,
		"-map_metadata", "-1", "-map_chapters", "-1", "-dn", "-sn",
		"-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
		"-metadata", "creation_time=", "-metadata:s", "handler_name=", "-metadata:s", "creation_time="}
	d := Derived{"video/mp4", ".mp4"}
	if kind == "audio" {
		d = Derived{"audio/mp4", ".m4a"}
		args = append(args, "-map", "0:a", "-c:a", "aac", "-b:a", "128k")
	} else {
		filter, out := videoFilter(areas)
		if filter != "" {
			args = append(args, "-filter_complex", filter, "-map", out)
		} else {
			args = append(args, "-map", "0:v:0")
		}
		args = append(args, "-map", "0:a?", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
			"-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart")
	}
	args = append(args, "-f", "mp4", outPath)
	cmd := exec.CommandContext(ctx, ffmpeg, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		os.Remove(outPath)
		msg := strings.TrimSpace(string(out))
		if len(msg) > 500 {
			msg = msg[len(msg)-500:]
		}
		return Derived{}, fmt.Errorf("ffmpeg could not make the public copy: %v: %s", err, msg)
	}
	return d, nil
}

// videoFilter pixelates then blurs each area: crop, shrink 16 times,
// enlarge with nearest neighbours, blur, and lay back over the frame.
func videoFilter(areas []Rect) (string, string) {
	if len(areas) == 0 {
		return "", ""
	}
	var b strings.Builder
	last := "0:v:0"
	for i, a := range areas {
		w, h := a.W&^1, a.H&^1 // even sizes for yuv420p
		w, h = max(w, 2), max(h, 2)
		fmt.Fprintf(&b, "[%s]split=2[base%d][c%d];[c%d]crop=%d:%d:%d:%d,scale=%d:%d:flags=area,scale=%d:%d:flags=neighbor,boxblur=%d:2[p%d];[base%d][p%d]overlay=%d:%d[v%d];",
			last, i, i, i, w, h, a.X, a.Y, max(1, w/16), max(1, h/16), w, h, max(1, min(w, h)/8), i, i, i, a.X, a.Y, i)
		last = fmt.Sprintf("v%d", i)
	}
	return strings.TrimSuffix(b.String(), ";"), "[" + last + "]"
}

// serveOnce serves src on a loopback address under a random path for
// ffmpeg (which seeks with Range requests), until stop is called.
func serveOnce(src io.ReaderAt, size int64) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	var tok [16]byte
	rand.Read(tok[:])
	path := "/" + hex.EncodeToString(tok[:])
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, "original", time.Time{}, io.NewSectionReader(src, 0, size))
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + path, func() { srv.Close() }, nil
}

// TempPath is a new file name in dir for a public copy being made.
func TempPath(dir, ext string) string {
	var b [12]byte
	rand.Read(b[:])
	return filepath.Join(dir, hex.EncodeToString(b[:])+".derive"+ext)
}
