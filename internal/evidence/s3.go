package evidence

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Store is an evidence store as the commands open it: objects, a listing
// of their names (for the expiry of abandoned uploads), a local folder for
// the moment a tool (ffmpeg) needs a file, and the removal of temporary
// objects a crash left behind.
type Store interface {
	Blobs
	NameLister
	// TempDir is a local folder for files ffmpeg writes (public copies
	// being made, never an original).
	TempDir() string
	// CleanTemp removes temporary objects left by a crash.
	CleanTemp() error
}

// OpenStore opens the store spec names: a directory, or S3-compatible
// object storage as s3://BUCKET/PREFIX?endpoint=HOST:PORT[&region=R]
// [&insecure=1] (insecure: plain HTTP, for a server on the loopback
// address). S3 credentials come from the environment: AWS_ACCESS_KEY_ID
// and AWS_SECRET_ACCESS_KEY (or MINIO_ACCESS_KEY, MINIO_SECRET_KEY).
// localTemp is the local folder TempDir gives for S3.
func OpenStore(spec, localTemp string) (Store, error) {
	if !strings.HasPrefix(spec, "s3://") {
		if strings.Contains(spec, "://") {
			return nil, fmt.Errorf("evidence store %q: a directory, or s3://BUCKET/PREFIX?endpoint=HOST:PORT", spec)
		}
		return NewDir(spec)
	}
	return NewS3(spec, localTemp)
}

// S3 keeps objects in a bucket of S3-compatible object storage, under a
// prefix: PREFIX/objects/NAME, and PREFIX/tmp/RANDOM.part while one is
// written. Only ciphertext is ever sent: everything the evidence code
// stores is age-encrypted before it reaches a Temp.
type S3 struct {
	client      *minio.Client
	bucket      string
	prefix      string // "" or ending in "/"
	localTemp   string
	partSize    uint64
	describeURL string
}

// s3PartSize is the size of one part of a streamed upload: memory per
// upload in flight is about one part, whatever the file's size (S3 allows
// 10,000 parts: 160 GB at this size).
const s3PartSize = 16 << 20

// NewS3 opens s3://BUCKET/PREFIX?endpoint=…; the bucket must exist.
func NewS3(spec, localTemp string) (*S3, error) {
	u, err := url.Parse(spec)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return nil, fmt.Errorf("evidence store %q: want s3://BUCKET/PREFIX?endpoint=HOST:PORT", spec)
	}
	q := u.Query()
	endpoint := q.Get("endpoint")
	if endpoint == "" {
		endpoint = "s3.amazonaws.com"
	}
	secure := q.Get("insecure") == ""
	if strings.HasPrefix(endpoint, "http://") {
		endpoint, secure = strings.TrimPrefix(endpoint, "http://"), false
	}
	endpoint = strings.TrimPrefix(endpoint, "https://")
	creds := credentials.NewChainCredentials([]credentials.Provider{&credentials.EnvAWS{}, &credentials.EnvMinio{}})
	client, err := minio.New(endpoint, &minio.Options{Creds: creds, Secure: secure, Region: q.Get("region"), BucketLookup: minio.BucketLookupPath})
	if err != nil {
		return nil, fmt.Errorf("evidence store %q: %w", spec, err)
	}
	prefix := strings.Trim(u.Path, "/")
	if prefix != "" {
		prefix += "/"
	}
	if localTemp == "" {
		localTemp = os.TempDir()
	}
	if err := os.MkdirAll(localTemp, 0o700); err != nil {
		return nil, err
	}
	s := &S3{client: client, bucket: u.Host, prefix: prefix, localTemp: localTemp, partSize: s3PartSize,
		describeURL: "s3://" + u.Host + "/" + prefix}
	ok, err := client.BucketExists(context.Background(), s.bucket)
	if err != nil {
		return nil, fmt.Errorf("evidence store %s: %w", s.describeURL, err)
	}
	if !ok {
		return nil, fmt.Errorf("evidence store %s: no such bucket", s.describeURL)
	}
	return s, nil
}

func (s *S3) String() string { return s.describeURL }

func (s *S3) key(name string) string { return s.prefix + "objects/" + name }

// TempDir is the local folder given to NewS3.
func (s *S3) TempDir() string { return s.localTemp }

// Create starts PREFIX/tmp/RANDOM.part, streamed in parts while it is
// written.
func (s *S3) Create() (Temp, error) {
	var b [12]byte
	rand.Read(b[:])
	t := &s3Temp{s: s, key: s.prefix + "tmp/" + hex.EncodeToString(b[:]) + ".part", done: make(chan error, 1)}
	pr, pw := io.Pipe()
	t.pw = pw
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel = cancel
	go func() {
		_, err := s.client.PutObject(ctx, s.bucket, t.key, pr, -1, minio.PutObjectOptions{
			PartSize: s.partSize, ContentType: "application/octet-stream", DisableContentSha256: false})
		pr.CloseWithError(err) // a writer still writing learns of the failure
		t.done <- err
	}()
	return t, nil
}

type s3Temp struct {
	s        *S3
	key      string
	pw       *io.PipeWriter
	cancel   context.CancelFunc
	done     chan error
	finished bool // the upload ended (done read)
	closed   bool // Commit or Abort ran
	err      error
}

func (t *s3Temp) Write(p []byte) (int, error) { return t.pw.Write(p) }

// Sync does nothing: the bytes reach the server as parts fill, and Commit
// waits for the last.
func (t *s3Temp) Sync() error { return nil }

// wait ends the upload and returns its result.
func (t *s3Temp) wait() error {
	if !t.finished {
		t.finished = true
		t.err = <-t.done
	}
	return t.err
}

// Commit completes the upload and copies it, on the server, to its name;
// only then is it visible there.
func (t *s3Temp) Commit(name string) error {
	if t.closed {
		return errors.New("the object is committed or aborted already")
	}
	if err := validName(name); err != nil {
		t.Abort()
		return err
	}
	t.pw.Close()
	if err := t.wait(); err != nil {
		t.Abort()
		return fmt.Errorf("evidence store %s: %w", t.s, err)
	}
	t.closed = true
	defer t.cancel()
	ctx := context.Background()
	_, err := t.s.client.ComposeObject(ctx, minio.CopyDestOptions{Bucket: t.s.bucket, Object: t.s.key(name)},
		minio.CopySrcOptions{Bucket: t.s.bucket, Object: t.key})
	t.s.client.RemoveObject(ctx, t.s.bucket, t.key, minio.RemoveObjectOptions{})
	if err != nil {
		return fmt.Errorf("evidence store %s: %w", t.s, err)
	}
	return nil
}

// Abort stops the upload (its parts are thrown away) and removes what was
// completed.
func (t *s3Temp) Abort() {
	if t.closed {
		return
	}
	t.closed = true
	t.pw.CloseWithError(errors.New("aborted"))
	t.cancel()
	t.wait()
	t.s.client.RemoveObject(context.Background(), t.s.bucket, t.key, minio.RemoveObjectOptions{})
}

// Open reads an object; a missing one gives an error that is
// os.ErrNotExist.
func (s *S3) Open(name string) (Object, error) {
	if err := validName(name); err != nil {
		return nil, err
	}
	ctx := context.Background()
	o, err := s.client.GetObject(ctx, s.bucket, s.key(name), minio.GetObjectOptions{})
	if err != nil {
		return nil, s.plainError(name, err)
	}
	info, err := o.Stat()
	if err != nil {
		o.Close()
		return nil, s.plainError(name, err)
	}
	return &s3Object{Object: o, size: info.Size}, nil
}

func (s *S3) plainError(name string, err error) error {
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return fmt.Errorf("%s in %s: %w", name, s, os.ErrNotExist)
	}
	return fmt.Errorf("%s in %s: %w", name, s, err)
}

type s3Object struct {
	*minio.Object
	size int64
}

func (o *s3Object) Size() int64 { return o.size }

// Remove deletes an object; a missing one is not an error (S3's delete
// never says).
func (s *S3) Remove(name string) error {
	if err := validName(name); err != nil {
		return err
	}
	return s.client.RemoveObject(context.Background(), s.bucket, s.key(name), minio.RemoveObjectOptions{})
}

// Names lists the objects whose names start with prefix.
func (s *S3) Names(prefix string) ([]string, error) {
	return s.list(s.key(prefix), s.key(""))
}

func (s *S3) list(keyPrefix, strip string) ([]string, error) {
	var out []string
	for o := range s.client.ListObjects(context.Background(), s.bucket, minio.ListObjectsOptions{Prefix: keyPrefix}) {
		if o.Err != nil {
			return nil, fmt.Errorf("evidence store %s: %w", s, o.Err)
		}
		if name := strings.TrimPrefix(o.Key, strip); !strings.Contains(name, "/") {
			out = append(out, name)
		}
	}
	return out, nil
}

// CleanTemp removes temporary objects left by a crash, and the parts of
// uploads a crash left unfinished.
func (s *S3) CleanTemp() error {
	names, err := s.list(s.prefix+"tmp/", s.prefix+"tmp/")
	if err != nil {
		return err
	}
	ctx := context.Background()
	for _, n := range names {
		if strings.HasSuffix(n, ".part") {
			s.client.RemoveObject(ctx, s.bucket, s.prefix+"tmp/"+n, minio.RemoveObjectOptions{})
		}
	}
	for u := range s.client.ListIncompleteUploads(ctx, s.bucket, s.prefix+"tmp/", true) {
		if u.Err == nil {
			s.client.RemoveIncompleteUpload(ctx, s.bucket, u.Key)
		}
	}
	return nil
}

// LocalTemp is the folder OpenStore's callers give an S3 store for
// ffmpeg's files: the data directory's own, on the server's disk.
func LocalTemp(dataDir string) string { return filepath.Join(dataDir, "evidence-tmp") }
