package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// validateBag checks a bag as a court's clerk would, with nothing of the
// code that wrote it: RFC 8493's declaration, both manifests re-hashed,
// every payload file listed and every listed file there, the Payload-Oxum,
// and the ed25519 signature of the tag manifest under pub. It returns
// bag-info.txt's lines.
func validateBag(bag fs.FS, pub ed25519.PublicKey) (map[string]string, error) {
	decl, err := fs.ReadFile(bag, "bagit.txt")
	if err != nil || string(decl) != "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n" {
		return nil, fmt.Errorf("bagit.txt: %q %v", decl, err)
	}
	readManifest := func(name string) (map[string]string, error) {
		b, err := fs.ReadFile(bag, name)
		if err != nil {
			return nil, err
		}
		out := map[string]string{}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			sum, path, ok := strings.Cut(sc.Text(), " ")
			path = strings.TrimLeft(path, " ")
			if !ok || len(sum) != 64 || path == "" || out[path] != "" {
				return nil, fmt.Errorf("%s: line %q", name, sc.Text())
			}
			out[path] = sum
		}
		return out, nil
	}
	checkSums := func(sums map[string]string) error {
		for path, want := range sums {
			b, err := fs.ReadFile(bag, path)
			if err != nil {
				return err
			}
			got := sha256.Sum256(b)
			if hex.EncodeToString(got[:]) != want {
				return fmt.Errorf("%s: sha256 differs from the manifest", path)
			}
		}
		return nil
	}
	payload, err := readManifest("manifest-sha256.txt")
	if err != nil {
		return nil, err
	}
	var octets, files int64
	err = fs.WalkDir(bag, "data", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, _ := d.Info()
		octets += info.Size()
		files++
		if payload[path] == "" {
			return fmt.Errorf("%s: in data/ but not in the manifest", path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if int64(len(payload)) != files {
		return nil, fmt.Errorf("the manifest lists %d files, data/ holds %d", len(payload), files)
	}
	if err := checkSums(payload); err != nil {
		return nil, err
	}
	tags, err := readManifest("tagmanifest-sha256.txt")
	if err != nil {
		return nil, err
	}
	for _, must := range []string{"bagit.txt", "bag-info.txt", "manifest-sha256.txt"} {
		if tags[must] == "" {
			return nil, fmt.Errorf("the tag manifest does not list %s", must)
		}
	}
	if err := checkSums(tags); err != nil {
		return nil, err
	}
	info := map[string]string{}
	b, _ := fs.ReadFile(bag, "bag-info.txt")
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			return nil, fmt.Errorf("bag-info.txt: %q", line)
		}
		info[k] = v
	}
	if want := fmt.Sprintf("%d.%d", octets, files); info["Payload-Oxum"] != want {
		return nil, fmt.Errorf("Payload-Oxum %q, the payload is %s", info["Payload-Oxum"], want)
	}
	tm, _ := fs.ReadFile(bag, "tagmanifest-sha256.txt")
	sigText, _ := fs.ReadFile(bag, "tagmanifest-sha256.txt.sig")
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(sigText)))
	if err != nil || !ed25519.Verify(pub, tm, sig) {
		return nil, fmt.Errorf("the signature of the tag manifest does not verify: %v", err)
	}
	return info, nil
}

// custodyHash is the audit entry's hash as docs/evidence.md gives it,
// written again here from the documentation.
func custodyHash(e map[string]any) string {
	at := int64(e["at_unix_micros"].(float64))
	s := "rollcall-audit-v1\n" + e["prev_hash"].(string) + "\n" + strconv.FormatInt(int64(e["seq"].(float64)), 10) + "\n" + strconv.FormatInt(at, 10)
	for _, f := range []string{"actor", "action", "object", "detail"} {
		s += "\n" + strconv.Quote(e[f].(string))
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// checkCustody checks an item's custody entries against their own hashes
// and the bag's chain, and the chain against the head in bag-info.txt.
func checkCustody(t *testing.T, bag fs.FS, info map[string]string, itemID string) []map[string]any {
	t.Helper()
	var entries []map[string]any
	b, _ := fs.ReadFile(bag, "data/"+itemID+"/custody.json")
	if err := json.Unmarshal(b, &entries); err != nil || len(entries) == 0 {
		t.Fatalf("custody.json: %v %s", err, b)
	}
	chain := map[string][2]string{}
	tsv, _ := fs.ReadFile(bag, "data/audit-chain.tsv")
	lines := strings.Split(strings.TrimSpace(string(tsv)), "\n")[1:]
	prevHash := ""
	var lastSeq, lastHash string
	for i, l := range lines {
		f := strings.Split(l, "\t")
		if i > 0 && f[1] != prevHash {
			t.Fatalf("audit-chain.tsv breaks at %s", f[0])
		}
		chain[f[0]] = [2]string{f[1], f[2]}
		prevHash, lastSeq, lastHash = f[2], f[0], f[2]
	}
	if info["Rollcall-Audit-Head"] != lastSeq+":"+lastHash {
		t.Fatalf("the chain ends at %s:%s, bag-info names %s", lastSeq, lastHash, info["Rollcall-Audit-Head"])
	}
	for _, e := range entries {
		seq := strconv.Itoa(int(e["seq"].(float64)))
		if e["object"] != itemID || custodyHash(e) != e["hash"] || chain[seq] != [2]string{e["prev_hash"].(string), e["hash"].(string)} {
			t.Fatalf("custody entry %s does not verify against the chain: %v", seq, e)
		}
	}
	return entries
}

func TestEvidenceExportWritesABagThatValidatesOnItsOwn(t *testing.T) {
	eachDatabase(t, func(t *testing.T, env []string) {
		data := strings.TrimPrefix(env[0], "ROLLCALL_DATA=")
		person := firstPerson(t, env)
		bodies := []string{"a statement of what was seen\n", strings.Repeat("video bytes ", 300_000)}
		r := rollcall(t, env, "evidence", "add", writeFile(t, "statement.txt", bodies[0]), writeFile(t, "clip.bin", bodies[1]), "--person", person, "--json")
		if r.code != 0 {
			t.Fatal(r.stderr)
		}
		var added []struct{ ID, SHA256 string }
		json.Unmarshal([]byte(r.stdout), &added)
		out := filepath.Join(t.TempDir(), "case-17")
		if r := rollcall(t, env, "evidence", "export", "--person", person, "--out", out); r.code != 0 || !strings.Contains(r.stdout, "a bag of 2 item(s)") {
			t.Fatalf("export: %d %s %s", r.code, r.stdout, r.stderr)
		}
		pubText, err := os.ReadFile(filepath.Join(data, "keys", "snapshot-signing.pub"))
		if err != nil {
			t.Fatal(err)
		}
		pubBytes, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(string(pubText)))
		pub := ed25519.PublicKey(pubBytes)
		bag := os.DirFS(out)
		info, err := validateBag(bag, pub)
		if err != nil {
			t.Fatalf("the bag does not validate: %v", err)
		}
		if r := rollcall(t, env, "audit", "head"); !strings.Contains(r.stdout, info["Rollcall-Audit-Head"]) {
			t.Errorf("bag head %s, the log's %s", info["Rollcall-Audit-Head"], r.stdout)
		}
		for i, a := range added {
			var item map[string]any
			b, _ := fs.ReadFile(bag, "data/"+a.ID+"/item.json")
			if json.Unmarshal(b, &item); item["sha256"] != a.SHA256 || item["links"].([]any)[0] != "person:"+person {
				t.Fatalf("item.json: %s", b)
			}
			got, err := fs.ReadFile(bag, item["original"].(string))
			if err != nil || string(got) != bodies[i] {
				t.Fatalf("original %d in the bag: %v, %d bytes", i, err, len(got))
			}
			entries := checkCustody(t, bag, info, a.ID)
			if last := entries[len(entries)-1]; last["action"] != "evidence.exported" || !strings.Contains(last["detail"].(string), "to=case-17") {
				t.Errorf("the export is not the last custody entry: %v", last)
			}
		}
		if r := rollcall(t, env, "evidence", "custody", added[0].ID); !strings.Contains(r.stdout, "exported") {
			t.Errorf("custody lacks the export: %s", r.stdout)
		}

		// Any change to the bag is caught: a byte of an original, or a
		// manifest re-hashed by whoever changed it.
		orig := filepath.Join(out, "data", added[0].ID, "original.txt")
		os.WriteFile(orig, []byte("a statement of what was SEEN\n"), 0o600)
		if _, err := validateBag(os.DirFS(out), pub); err == nil || !strings.Contains(err.Error(), "differs") {
			t.Errorf("a changed original validates: %v", err)
		}
		m, _ := os.ReadFile(filepath.Join(out, "manifest-sha256.txt"))
		sum := sha256.Sum256([]byte("a statement of what was SEEN\n"))
		first := sha256.Sum256([]byte(bodies[0]))
		os.WriteFile(filepath.Join(out, "manifest-sha256.txt"), bytes.ReplaceAll(m, []byte(hex.EncodeToString(first[:])), []byte(hex.EncodeToString(sum[:]))), 0o600)
		tm, _ := os.ReadFile(filepath.Join(out, "tagmanifest-sha256.txt"))
		newM, _ := os.ReadFile(filepath.Join(out, "manifest-sha256.txt"))
		oldSum, newSum := sha256.Sum256(m), sha256.Sum256(newM)
		os.WriteFile(filepath.Join(out, "tagmanifest-sha256.txt"), bytes.ReplaceAll(tm, []byte(hex.EncodeToString(oldSum[:])), []byte(hex.EncodeToString(newSum[:]))), 0o600)
		if _, err := validateBag(os.DirFS(out), pub); err == nil || !strings.Contains(err.Error(), "signature") {
			t.Errorf("a bag re-hashed after a change validates: %v", err)
		}

		// The zip form: the bag as its one top-level folder.
		zipPath := filepath.Join(t.TempDir(), "item.zip")
		if r := rollcall(t, env, "evidence", "export", added[1].ID, "--out", zipPath); r.code != 0 {
			t.Fatalf("export to zip: %s", r.stderr)
		}
		zr, err := zip.OpenReader(zipPath)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		zbag, _ := fs.Sub(zr, "item")
		zinfo, err := validateBag(zbag, pub)
		if err != nil {
			t.Fatalf("the zipped bag does not validate: %v", err)
		}
		checkCustody(t, zbag, zinfo, added[1].ID)
		if r := rollcall(t, env, "evidence", "export", added[1].ID, "--out", zipPath); r.code != 1 || !strings.Contains(r.stderr, "exists already") {
			t.Errorf("export over an existing bag: %d %s", r.code, r.stderr)
		}

		// A damaged original is never exported: no bag at all.
		p := filepath.Join(data, "evidence", "objects", added[0].ID+".age")
		raw, _ := os.ReadFile(p)
		raw[len(raw)-1] ^= 1
		os.WriteFile(p, raw, 0o600)
		bad := filepath.Join(t.TempDir(), "bad")
		if r := rollcall(t, env, "evidence", "export", added[0].ID, "--out", bad); r.code != 1 {
			t.Errorf("export of a damaged original: %d %s", r.code, r.stdout)
		}
		if _, err := os.Stat(bad); err == nil {
			t.Error("a bag was left of a failed export")
		}
		if _, err := os.Stat(bad + ".part"); err == nil {
			t.Error("a partial bag was left of a failed export")
		}
		if r := rollcall(t, env, "audit", "verify"); r.code != 0 {
			t.Errorf("audit chain after exports: %s", r.stderr)
		}
	})
}
