package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"rollcall/internal/evidence/s3test"
)

func TestEvidenceInS3KeepsOnlyCiphertextThere(t *testing.T) {
	spec, prefix := s3test.Spec(t)
	dir := t.TempDir()
	env := append([]string{"ROLLCALL_DATA=" + dir}, s3test.Env()...)
	secret := "the witness lives at 12 Qaraqalpaq street\n"
	r := rollcall(t, env, "evidence", "add", "--evidence", spec, writeFile(t, "statement.txt", secret), writeFile(t, "second.txt", "another statement\n"))
	if r.code != 0 {
		t.Fatalf("add to S3: %s", r.stderr)
	}
	ids := []string{strings.Fields(r.stdout)[0], strings.Fields(strings.Split(r.stdout, "\n")[1])[0]}
	if _, err := os.Stat(filepath.Join(dir, "evidence")); err == nil {
		t.Error("the originals went to the data directory, not to S3")
	}
	objects := s3test.Objects(t, prefix)
	first := prefix + "/objects/" + ids[0] + ".age"
	if len(objects) != 2 || objects[first] == nil {
		t.Fatalf("objects in the bucket: %d", len(objects))
	}
	for key, body := range objects {
		if !bytes.HasPrefix(body, []byte("age-encryption.org/v1\n")) || bytes.Contains(body, []byte("witness")) {
			t.Errorf("%s is not only ciphertext", key)
		}
	}
	if r := rollcall(t, env, "evidence", "verify", "--all", "--evidence", spec); r.code != 0 || !strings.Contains(r.stdout, "2 checked, 2 intact") {
		t.Fatalf("verify on S3: %d %s %s", r.code, r.stdout, r.stderr)
	}
	out := filepath.Join(t.TempDir(), "bag")
	if r := rollcall(t, env, "evidence", "export", ids[0], "--out", out, "--evidence", spec); r.code != 0 {
		t.Fatalf("export from S3: %s", r.stderr)
	}
	if got, err := os.ReadFile(filepath.Join(out, "data", ids[0], "original.txt")); err != nil || string(got) != secret {
		t.Fatalf("the original exported from S3: %v %q", err, got)
	}
	// Damaged in the bucket: a byte flipped; the other removed.
	body := objects[first]
	body[len(body)-1] ^= 1
	s3test.Put(t, first, body)
	s3test.Client(t).RemoveObject(t.Context(), s3test.Bucket, prefix+"/objects/"+ids[1]+".age", minio.RemoveObjectOptions{})
	r = rollcall(t, env, "evidence", "verify", "--all", "--evidence", spec)
	if r.code != 1 || !strings.Contains(r.stdout, "DAMAGED "+ids[0]) || !strings.Contains(r.stdout, "MISSING "+ids[1]) {
		t.Fatalf("verify of a damaged and a missing object: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := rollcall(t, env, "evidence", "export", ids[0], "--out", filepath.Join(t.TempDir(), "bad"), "--evidence", spec); r.code != 1 || !strings.Contains(r.stderr, "not intact") {
		t.Errorf("export of a damaged original: %d %s", r.code, r.stderr)
	}
	// No credentials: a plain error, nothing stored.
	if r := rollcall(t, []string{"ROLLCALL_DATA=" + dir}, "evidence", "add", "--evidence", spec, writeFile(t, "x.txt", "x")); r.code != 1 {
		t.Errorf("add without credentials: %d %s", r.code, r.stderr)
	}
}
