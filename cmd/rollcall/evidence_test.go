package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/jpeg"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"rollcall/internal/store/storetest"
)

// firstPerson imports the test list and returns one person's id.
func firstPerson(t *testing.T, env []string) string {
	t.Helper()
	if r := rollcall(t, env, "import", writeFile(t, "list.csv", list)); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := rollcall(t, env, "export", "--format", "csv")
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	line := strings.Split(r.stdout, "\n")[1]
	return strings.Split(line, ",")[0]
}

func TestEvidenceAddListCustodyVerify(t *testing.T) {
	eachDatabase(t, func(t *testing.T, env []string) {
		data := strings.TrimPrefix(env[0], "ROLLCALL_DATA=")
		person := firstPerson(t, env)
		offline, _ := age.GenerateX25519Identity()
		if r := rollcall(t, env, "key", "recipients", "add", offline.Recipient().String()); r.code != 0 {
			t.Fatalf("key recipients add: %s", r.stderr)
		}
		if r := rollcall(t, env, "key", "recipients", "add", "age1nonsense"); r.code != 1 {
			t.Errorf("a bad recipient: %d %s", r.code, r.stderr)
		}
		// A text file named like a photo is kept as what its bytes are.
		fake := writeFile(t, "photo.jpg", "not a photo at all, just words\n")
		pdf := writeFile(t, "statement.txt", "%PDF-1.4\n% a statement\n")
		r := rollcall(t, env, "evidence", "add", fake, pdf, "--person", person, "--json")
		if r.code != 0 {
			t.Fatalf("evidence add: %s", r.stderr)
		}
		var added []struct {
			ID, SHA256, Type string
			Duplicate        bool
		}
		if err := json.Unmarshal([]byte(r.stdout), &added); err != nil || len(added) != 2 {
			t.Fatalf("add --json: %v %s", err, r.stdout)
		}
		sum := sha256.Sum256([]byte("not a photo at all, just words\n"))
		if added[0].SHA256 != hex.EncodeToString(sum[:]) || added[0].Type != "text/plain" || added[1].Type != "application/pdf" {
			t.Errorf("added: %+v", added)
		}
		// The same bytes again, under another name: recognised and linked.
		again := writeFile(t, "copy.bin", "not a photo at all, just words\n")
		r = rollcall(t, env, "evidence", "add", again)
		if r.code != 0 || !strings.HasPrefix(r.stdout, added[0].ID+"  "+added[0].SHA256) || !strings.Contains(r.stdout, "already kept") {
			t.Fatalf("the same file again: %d %q %s", r.code, r.stdout, r.stderr)
		}
		entries, _ := os.ReadDir(filepath.Join(data, "evidence", "objects"))
		if len(entries) != 2 {
			t.Fatalf("%d stored files for 2 distinct files", len(entries))
		}
		// Only ciphertext on disk, readable by the offline key too.
		raw, _ := os.ReadFile(filepath.Join(data, "evidence", "objects", added[0].ID+".age"))
		if strings.Contains(string(raw), "just words") {
			t.Fatal("plaintext on disk")
		}
		dec, err := age.Decrypt(strings.NewReader(string(raw)), offline)
		if err != nil {
			t.Fatalf("the offline recipient cannot open the original: %v", err)
		}
		h := sha256.New()
		if _, err := h.Write(mustRead(t, dec)); err != nil || hex.EncodeToString(h.Sum(nil)) != added[0].SHA256 {
			t.Fatal("decrypted bytes differ from what was received")
		}
		if r := rollcall(t, env, "evidence", "list", "--person", person); r.code != 0 || !strings.Contains(r.stdout, added[0].ID) || !strings.Contains(r.stdout, added[1].ID) {
			t.Errorf("list --person: %s %s", r.stdout, r.stderr)
		}
		if r := rollcall(t, env, "evidence", "add", writeFile(t, "x", "x"), "--person", "no-such-person"); r.code != 1 || !strings.Contains(r.stderr, "no such person") {
			t.Errorf("link to a missing person: %d %s", r.code, r.stderr)
		}
		r = rollcall(t, env, "evidence", "custody", added[0].ID)
		for _, want := range []string{"received", "from=cli", "linked", "person:" + person, "again"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("custody lacks %q:\n%s", want, r.stdout)
			}
		}
		if r := rollcall(t, env, "evidence", "verify", "--all"); r.code != 0 || !strings.Contains(r.stdout, "2 checked, 2 intact") {
			t.Fatalf("verify: %d %s %s", r.code, r.stdout, r.stderr)
		}
		// One original damaged (a byte flipped), the other gone.
		p0 := filepath.Join(data, "evidence", "objects", added[0].ID+".age")
		raw[len(raw)-3] ^= 1
		os.WriteFile(p0, raw, 0o600)
		os.Remove(filepath.Join(data, "evidence", "objects", added[1].ID+".age"))
		r = rollcall(t, env, "evidence", "verify", "--all")
		if r.code != 1 || !strings.Contains(r.stdout, "DAMAGED "+added[0].ID) || !strings.Contains(r.stdout, "MISSING "+added[1].ID) {
			t.Fatalf("verify of a damaged and a missing file: %d %s %s", r.code, r.stdout, r.stderr)
		}
		if r := rollcall(t, env, "evidence", "custody", added[1].ID); !strings.Contains(r.stdout, "verified  missing") && !strings.Contains(r.stdout, "missing") {
			t.Errorf("the failed check is not in the custody chain: %s", r.stdout)
		}
		if r := rollcall(t, env, "audit", "verify"); r.code != 0 {
			t.Errorf("audit chain after evidence: %s %s", r.stdout, r.stderr)
		}
	})
}

func mustRead(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEvidenceMetadataIsReadAndSealed(t *testing.T) {
	if _, err := exec.LookPath("exiftool"); err != nil {
		if os.Getenv("ROLLCALL_REQUIRE_MEDIA") == "1" {
			t.Fatal("exiftool missing: run scripts/media-tools-up")
		}
		t.Skip("SKIPPED: exiftool not installed (scripts/media-tools-up)")
	}
	eachDatabase(t, func(t *testing.T, env []string) {
		data := strings.TrimPrefix(env[0], "ROLLCALL_DATA=")
		var dsn string
		if len(env) > 1 {
			dsn = strings.TrimPrefix(env[1], "ROLLCALL_DB=")
		}
		var img bytes.Buffer
		jpeg.Encode(&img, image.NewGray(image.Rect(0, 0, 40, 30)), nil)
		p := writeFile(t, "upload.bin", img.String())
		if out, err := exec.Command("exiftool", "-q", "-overwrite_original", "-SerialNumber=SN-SEALED-4711", "-GPSLatitude=42.4531", "-GPSLatitudeRef=N",
			"-GPSLongitude=59.6103", "-GPSLongitudeRef=E", "-Model=Witness Phone", p).CombinedOutput(); err != nil {
			t.Fatalf("exiftool: %v %s", err, out)
		}
		r := rollcall(t, env, "evidence", "add", p)
		if r.code != 0 {
			t.Fatal(r.stderr)
		}
		id := strings.Fields(r.stdout)[0]
		r = rollcall(t, env, "evidence", "show", id)
		for _, want := range []string{"type      image/jpeg", "serial number: SN-SEALED-4711", "GPS: 42.453100, 59.610300", "camera model: Witness Phone", "name      upload.bin"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("show lacks %q:\n%s%s", want, r.stdout, r.stderr)
			}
		}
		dump := string(storetest.AtRest(t, data, dsn))
		for _, secret := range []string{"SN-SEALED-4711", "Witness Phone", "upload.bin", "42.4531"} {
			if strings.Contains(dump, secret) {
				t.Errorf("%q is in the database in clear", secret)
			}
		}
		if r := rollcall(t, env, "evidence", "custody", id); !strings.Contains(r.stdout, "opened") {
			t.Errorf("reading the metadata is not in the custody chain:\n%s", r.stdout)
		}
	})
}

func TestEvidenceDeriveAndPublish(t *testing.T) {
	if _, err := exec.LookPath("exiftool"); err != nil {
		if os.Getenv("ROLLCALL_REQUIRE_MEDIA") == "1" {
			t.Fatal("exiftool missing: run scripts/media-tools-up")
		}
		t.Skip("SKIPPED: exiftool not installed (scripts/media-tools-up)")
	}
	eachDatabase(t, func(t *testing.T, env []string) {
		person := firstPerson(t, env)
		img := image.NewRGBA(image.Rect(0, 0, 64, 48))
		for i := range img.Pix {
			img.Pix[i] = 200
		}
		var b bytes.Buffer
		jpeg.Encode(&b, img, nil)
		p := writeFile(t, "face.jpg", b.String())
		if out, err := exec.Command("exiftool", "-q", "-overwrite_original", "-SerialNumber=SN-4711", "-GPSLatitude=42.45", "-GPSLatitudeRef=N",
			"-GPSLongitude=59.61", "-GPSLongitudeRef=E", "-Model=Witness Phone", "-XMP-dc:Creator=Witness", "-IPTC:City=Nukus", p).CombinedOutput(); err != nil {
			t.Fatalf("exiftool: %v %s", err, out)
		}
		r := rollcall(t, env, "evidence", "add", p, "--person", person)
		if r.code != 0 {
			t.Fatal(r.stderr)
		}
		id := strings.Fields(r.stdout)[0]
		out := filepath.Join(t.TempDir(), "public.jpg")
		r = rollcall(t, env, "evidence", "derive", id, "--redact", "0,0,32,32", "--out", out)
		if r.code != 0 {
			t.Fatalf("derive: %s", r.stderr)
		}
		copyID := strings.Fields(r.stdout)[0]
		tags, err := exec.Command("exiftool", "-a", "-G1", "-s", out).Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"GPS", "Serial", "Model", "XMP", "IPTC", "Witness", "Nukus"} {
			if strings.Contains(string(tags), bad) {
				t.Errorf("the public copy still has %s:\n%s", bad, tags)
			}
		}
		pub, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := jpeg.Decode(pub)
		pub.Close()
		if err != nil {
			t.Fatal(err)
		}
		if c, _, _, _ := dec.At(5, 5).RGBA(); c>>8 > 24 {
			t.Errorf("the marked area was not filled: %v", dec.At(5, 5))
		}
		if r := rollcall(t, env, "evidence", "publish", copyID); r.code != 1 || !strings.Contains(r.stderr, "reason") {
			t.Errorf("publish without a reason: %d %s", r.code, r.stderr)
		}
		if r := rollcall(t, env, "person", "mark", person, "withheld", "--reason", "family asked"); r.code != 0 {
			t.Fatal(r.stderr)
		}
		if r := rollcall(t, env, "evidence", "publish", copyID, "--reason", "faces hidden"); r.code != 1 || !strings.Contains(r.stderr, "withheld") {
			t.Errorf("publish for a withheld person: %d %s", r.code, r.stderr)
		}
		if r := rollcall(t, env, "person", "mark", person, "public", "--reason", "consent given"); r.code != 0 {
			t.Fatal(r.stderr)
		}
		if r := rollcall(t, env, "evidence", "publish", copyID, "--reason", "faces hidden"); r.code != 0 {
			t.Fatalf("publish: %d %s", r.code, r.stderr)
		}
		r = rollcall(t, env, "evidence", "show", id)
		if !strings.Contains(r.stdout, "copy      "+copyID) || !strings.Contains(r.stdout, "published") || !strings.Contains(r.stdout, "faces hidden") {
			t.Errorf("show: %s", r.stdout)
		}
		r = rollcall(t, env, "evidence", "custody", id)
		for _, want := range []string{"derived", "published", "opened"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("custody lacks %s:\n%s", want, r.stdout)
			}
		}
	})
}
