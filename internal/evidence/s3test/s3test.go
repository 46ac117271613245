// Package s3test gives tests the real S3 server that scripts/s3-up starts
// (versitygw on 127.0.0.1:7070, bucket rollcall-test, a test-only key): a
// fresh prefix of the bucket for each test, and a plain client to look at
// and damage what the code under test stored. When no server answers the
// tests skip, unless one is required (ROLLCALL_REQUIRE_S3=1, as scripts/test
// sets, or CI=true): then they fail.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// The server scripts/s3-up starts.
const (
	DefaultEndpoint = "127.0.0.1:7070"
	Bucket          = "rollcall-test"
	AccessKey       = "rollcall-test"
	SecretKey       = "rollcall-test-secret"
)

// Endpoint is the server's HOST:PORT (ROLLCALL_TEST_S3_ENDPOINT, else the
// default); it skips or fails the test when nothing answers there.
func Endpoint(t testing.TB) string {
	t.Helper()
	endpoint := os.Getenv("ROLLCALL_TEST_S3_ENDPOINT")
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	c, err := net.DialTimeout("tcp", endpoint, 2*time.Second)
	if err != nil {
		if os.Getenv("ROLLCALL_REQUIRE_S3") == "1" || os.Getenv("CI") == "true" {
			t.Fatalf("no S3 server on %s (scripts/s3-up starts one): %v", endpoint, err)
		}
		t.Skipf("no S3 server on %s; run scripts/s3-up", endpoint)
	}
	c.Close()
	return endpoint
}

// Env is the credentials as the code under test reads them.
func Env() []string {
	return []string{"AWS_ACCESS_KEY_ID=" + AccessKey, "AWS_SECRET_ACCESS_KEY=" + SecretKey}
}

// Spec gives an evidence store spec for a fresh prefix of the bucket, and
// the prefix; the credentials are set in the test's environment.
func Spec(t *testing.T) (spec, prefix string) {
	t.Helper()
	endpoint := Endpoint(t)
	t.Setenv("AWS_ACCESS_KEY_ID", AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", SecretKey)
	var b [6]byte
	rand.Read(b[:])
	prefix = strings.NewReplacer("/", "-", " ", "_").Replace(t.Name()) + "-" + hex.EncodeToString(b[:])
	return "s3://" + Bucket + "/" + prefix + "?endpoint=http://" + endpoint, prefix
}

// Client is a plain client of the server, for looking at what was stored.
func Client(t testing.TB) *minio.Client {
	t.Helper()
	c, err := minio.New(Endpoint(t), &minio.Options{Creds: credentials.NewStaticV4(AccessKey, SecretKey, ""), BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Objects lists the keys under prefix/ with their bytes.
func Objects(t testing.TB, prefix string) map[string][]byte {
	t.Helper()
	c := Client(t)
	ctx := context.Background()
	out := map[string][]byte{}
	for o := range c.ListObjects(ctx, Bucket, minio.ListObjectsOptions{Prefix: prefix + "/", Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		r, err := c.GetObject(ctx, Bucket, o.Key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 0, o.Size)
		buf := make([]byte, 1<<20)
		for {
			n, err := r.Read(buf)
			b = append(b, buf[:n]...)
			if err != nil {
				break
			}
		}
		r.Close()
		out[o.Key] = b
	}
	return out
}

// Put replaces an object's bytes (to damage it, as a failing disk would).
func Put(t testing.TB, key string, body []byte) {
	t.Helper()
	_, err := Client(t).PutObject(context.Background(), Bucket, key, strings.NewReader(string(body)), int64(len(body)), minio.PutObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
}
