package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"rollcall/internal/auth"
	"rollcall/internal/evidence"
	"rollcall/internal/store"
	"rollcall/internal/web"
)

// gpsPhoto writes a w×h JPEG of varied colours carrying GPS, written
// by exiftool, and returns its bytes.
func gpsPhoto(t *testing.T, w, h int) []byte {
	t.Helper()
	if _, err := exec.LookPath("exiftool"); err != nil {
		t.Skip("exiftool is not installed (scripts/media-tools-up)")
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 3), uint8(y * 5), uint8(x ^ y), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "square.jpg")
	os.WriteFile(p, b.Bytes(), 0o600)
	if out, err := exec.Command("exiftool", "-q", "-overwrite_original", "-GPSLatitude=41.3111", "-GPSLatitudeRef=N",
		"-GPSLongitude=69.2797", "-GPSLongitudeRef=E", "-Make=TestPhoneMaker", p).CombinedOutput(); err != nil {
		t.Fatalf("exiftool: %v %s", err, out)
	}
	if !hasGPS(t, p) {
		t.Fatal("the test photo carries no GPS")
	}
	data, _ := os.ReadFile(p)
	return data
}

// hasGPS asks exiftool whether a file carries any GPS tag.
func hasGPS(t *testing.T, path string) bool {
	t.Helper()
	out, err := exec.Command("exiftool", "-s", "-G1", "-a", "-GPS:all", path).Output()
	if err != nil {
		t.Fatalf("exiftool %s: %v", path, err)
	}
	return strings.Contains(string(out), "GPS")
}

// TestBrowserPublicCopyByCoordinatesWithoutJavaScript: in Chromium with
// script off, an editor marks one area of a photo (with GPS) by its
// coordinates on the item's page, makes the copy, sees its hash beside
// the original's and its preview, publishes it with a reason; the public
// person page shows the thumbnail, and the public file has no GPS and the
// marked area is flat black.
func TestBrowserPublicCopyByCoordinatesWithoutJavaScript(t *testing.T) {
	photo := gpsPhoto(t, 320, 200)
	browser, _ := browserSite(t)
	st, person := publicRegistry(t)
	ctx := context.Background()
	site, a := workspaceSite(t, st)
	blobs, _ := evidence.NewDir(t.TempDir())
	if err := site.EnableEvidence(ctx, web.EvidenceConfig{Blobs: blobs}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	it, _, err := st.IntakeEvidence(ctx, blobs, bytes.NewReader(photo), store.EvidenceIntake{Actor: store.ActorCLI, From: "cli", Name: "square.jpg",
		Links: []store.EvidenceLink{{Kind: "person", TargetID: person}}, Want: -1})
	if err != nil {
		t.Fatal(err)
	}
	ed := signIn(t, site, a, auth.Editor)
	tb := openTab(t, browser, false)
	tb.useSession(t, srv.URL, ed)
	tb.navigate(t, srv.URL+"/admin/evidence/"+it.ID)
	// Refused in words: a row partly filled.
	tb.typeInto(t, "area-x-0", "40")
	tb.click(t, `form.derive-copy button[type="submit"]`)
	if html := tb.html(t); !strings.Contains(html, "fill all four or none") {
		t.Fatalf("a partial area was not refused in words:\n%.3000s", html)
	}
	for id, v := range map[string]string{"area-y-0": "30", "area-w-0": "100", "area-h-0": "60"} {
		tb.typeInto(t, id, v)
	}
	tb.click(t, `form.derive-copy button[type="submit"]`)
	html := tb.html(t)
	ds, _ := st.EvidenceDerivatives(ctx, it.ID)
	if len(ds) != 1 {
		t.Fatalf("%d copies after the form:\n%.3000s", len(ds), html)
	}
	d := ds[0]
	if d.Redactions != "40,30,100,60" {
		t.Errorf("areas kept: %q", d.Redactions)
	}
	for _, want := range []string{"The public copy was made.", d.SHA256, it.SHA256, `src="/admin/evidence/` + it.ID + `/copies/` + d.ID + `"`} {
		if !strings.Contains(html, want) {
			t.Fatalf("the page after making the copy lacks %q:\n%.4000s", want, html)
		}
	}
	// The preview is the copy itself (the workspace serves it to editors).
	if res := ed.get(t, site, "/admin/evidence/"+it.ID+"/copies/"+d.ID); res.Code != 200 || res.Header().Get("Content-Type") != "image/jpeg" {
		t.Fatalf("preview: %d %q", res.Code, res.Header().Get("Content-Type"))
	}
	tb.typeInto(t, "reason-"+d.ID, "shows the square; the faces are hidden")
	tb.click(t, `form.publish-copy button[type="submit"]`)
	if html := tb.html(t); !strings.Contains(html, "The copy was published.") || !strings.Contains(html, "shows the square; the faces are hidden") {
		t.Fatalf("after publishing:\n%.3000s", html)
	}
	custody, _ := st.EvidenceCustody(ctx, it.ID)
	var actions []string
	for _, e := range custody {
		actions = append(actions, e.Action+" "+e.Actor)
	}
	joined := strings.Join(actions, "; ")
	for _, want := range []string{store.CustodyDerived + " " + ed.User.ID, store.CustodyPublished + " " + ed.User.ID} {
		if !strings.Contains(joined, want) {
			t.Errorf("custody lacks %q: %s", want, joined)
		}
	}
	if _, err := st.RefreshPublic(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the kept pages' stamp is read every 250 ms
	if page := body(t, get(t, site, "/en/people/"+person)); !strings.Contains(page, `<img src="/media/`+d.ID+`"`) {
		t.Fatalf("no thumbnail on the public person page:\n%s", page)
	}
	res := get(t, site, "/media/"+d.ID)
	pub, _ := io.ReadAll(res.Body)
	path := filepath.Join(t.TempDir(), "public.jpg")
	os.WriteFile(path, pub, 0o600)
	if hasGPS(t, path) {
		t.Error("the public file carries GPS")
	}
	img, err := jpeg.Decode(bytes.NewReader(pub))
	if err != nil {
		t.Fatal(err)
	}
	// Inside the area (a JPEG's edge blocks aside) every pixel is black.
	for y := 30 + 8; y < 30+60-8; y++ {
		for x := 40 + 8; x < 40+100-8; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r>>8 > 12 || g>>8 > 12 || b>>8 > 12 {
				t.Fatalf("pixel (%d,%d) in the marked area is %d,%d,%d", x, y, r>>8, g>>8, b>>8)
			}
		}
	}
	// Outside it the picture is still there.
	if r, g, _, _ := img.At(200, 150).RGBA(); r>>8 < 100 && g>>8 < 100 {
		t.Errorf("the picture outside the area is gone: %d,%d", r>>8, g>>8)
	}
	tb.screenshot(t, "admin_evidence_copy_published")
}

// TestBrowserPublicCopyAreaDrawnWithJavaScript: with script on, an editor
// asks for the picture (640×400, shown at the phone's width, about half
// size), drags a rectangle on it, and the first area row holds the
// rectangle in the picture's own pixels (scaled from the shown size);
// a second drag fills the second row; the copy made from the form keeps
// those areas. The page's one script runs under its policy with no
// console error.
func TestBrowserPublicCopyAreaDrawnWithJavaScript(t *testing.T) {
	photo := gpsPhoto(t, 640, 400)
	browser, _ := browserSite(t)
	st, person := publicRegistry(t)
	ctx := context.Background()
	site, a := workspaceSite(t, st)
	blobs, _ := evidence.NewDir(t.TempDir())
	if err := site.EnableEvidence(ctx, web.EvidenceConfig{Blobs: blobs}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	it, _, err := st.IntakeEvidence(ctx, blobs, bytes.NewReader(photo), store.EvidenceIntake{Actor: store.ActorCLI, From: "cli", Name: "square.jpg",
		Links: []store.EvidenceLink{{Kind: "person", TargetID: person}}, Want: -1})
	if err != nil {
		t.Fatal(err)
	}
	ed := signIn(t, site, a, auth.Editor)
	tb := openTab(t, browser, true)
	tb.useSession(t, srv.URL, ed)
	tb.navigate(t, srv.URL+"/admin/evidence/"+it.ID)
	tb.click(t, `a[href$="?mark=1#mark-picture"]`)
	type shown struct{ Left, Top, Width, Natural float64 }
	var box shown
	tctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	for {
		box, err = chromedp.Run(tctx, chromedp.Evaluate[shown](`(() => { const i = document.getElementById('mark-picture'); i.scrollIntoView();
			const r = i.getBoundingClientRect(); return {Left: r.left, Top: r.top, Width: i.complete ? r.width : 0, Natural: i.naturalWidth}; })()`))
		if err != nil {
			t.Fatal(err)
		}
		if box.Natural > 0 && box.Width > 0 {
			break
		}
		if tctx.Err() != nil {
			t.Fatal("the picture never loaded")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if box.Natural != 640 || box.Width > 400 {
		t.Fatalf("picture shown %.0f px wide of %.0f: the test means it scaled down", box.Width, box.Natural)
	}
	scale := box.Natural / box.Width
	drag := func(x0, y0, x1, y1 float64) {
		t.Helper()
		// Measured again just before, in the visual viewport's terms (the
		// mouse's): the phone-sized page may have scrolled or zoomed.
		now, err := chromedp.Run(tctx, chromedp.Evaluate[shown](`(() => { const i = document.getElementById('mark-picture'); i.scrollIntoView({block: 'center'});
			const r = i.getBoundingClientRect(); const v = window.visualViewport;
			return {Left: r.left - v.offsetLeft, Top: r.top - v.offsetTop, Width: r.width, Natural: i.naturalWidth}; })()`))
		if err != nil {
			t.Fatal(err)
		}
		at := func(x, y float64) (float64, float64) { return now.Left + x/scale, now.Top + y/scale }
		ax, ay := at(x0, y0)
		mx, my := at((x0+x1)/2, (y0+y1)/2)
		bx, by := at(x1, y1)
		for _, step := range []chromedp.Action[chromedp.Void]{
			chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, ax, ay, chromedp.ButtonLeft),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, mx, my, chromedp.ButtonLeft),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, bx, by, chromedp.ButtonLeft),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, bx, by, chromedp.ButtonLeft),
		} {
			if err := chromedp.Do(tctx, step); err != nil {
				t.Fatal(err)
			}
		}
	}
	fields := func(row int) [4]int {
		t.Helper()
		var v [4]int
		for i, n := range []string{"x", "y", "w", "h"} {
			s, err := chromedp.Run(tctx, chromedp.Evaluate[string](fmt.Sprintf(`document.getElementById('area-%s-%d').value`, n, row)))
			if err != nil {
				t.Fatal(err)
			}
			fmt.Sscan(s, &v[i])
		}
		return v
	}
	near := func(got, want [4]int) bool {
		for i := range got {
			if d := got[i] - want[i]; d < -int(scale)-2 || d > int(scale)+2 {
				return false
			}
		}
		return true
	}
	drag(100, 80, 300, 200)
	if got := fields(0); !near(got, [4]int{100, 80, 200, 120}) {
		t.Fatalf("after dragging 100,80 → 300,200 (picture pixels) the first row holds %v", got)
	}
	drag(400, 250, 600, 380)
	first, second := fields(0), fields(1)
	if !near(second, [4]int{400, 250, 200, 130}) || !near(first, [4]int{100, 80, 200, 120}) {
		t.Fatalf("after a second drag the rows hold %v and %v", first, second)
	}
	tb.click(t, `form.derive-copy button[type="submit"]`)
	ds, _ := st.EvidenceDerivatives(ctx, it.ID)
	want := fmt.Sprintf("%d,%d,%d,%d %d,%d,%d,%d", first[0], first[1], first[2], first[3], second[0], second[1], second[2], second[3])
	if len(ds) != 1 || ds[0].Redactions != want {
		t.Fatalf("copies after the form: %+v (want areas %q)", ds, want)
	}
	tb.check(t, srv.URL, "")
}
