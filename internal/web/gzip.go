package web

import (
	"compress/gzip"
	"net/http"
	"strings"
	"sync"
)

// gzipPool keeps compressors between responses: each holds ~300 KB.
var gzipPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return w
}}

// gzipWriter compresses a response when its type is text and its status is
// 200; it decides at the first WriteHeader or Write, once the handler has
// set the Content-Type.
type gzipWriter struct {
	http.ResponseWriter
	gz      *gzip.Writer
	decided bool
}

// newGzipWriter returns nil when the client does not accept gzip.
func newGzipWriter(w http.ResponseWriter, r *http.Request) *gzipWriter {
	w.Header().Add("Vary", "Accept-Encoding")
	if r.Method == http.MethodHead || !acceptsGzip(r.Header.Get("Accept-Encoding")) {
		return nil
	}
	return &gzipWriter{ResponseWriter: w}
}

func acceptsGzip(header string) bool {
	if header == "" {
		return false
	}
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			return strings.ReplaceAll(strings.TrimSpace(params), " ", "") != "q=0"
		}
	}
	return false
}

// compressible types: what the site serves as text. Zips and images are
// compressed already.
func compressible(contentType string) bool {
	ct, _, _ := strings.Cut(contentType, ";")
	ct = strings.TrimSpace(ct)
	return strings.HasPrefix(ct, "text/") || ct == "application/json" || ct == "application/atom+xml" ||
		ct == "application/xml" || ct == "image/svg+xml" || ct == "application/yaml"
}

func (g *gzipWriter) WriteHeader(status int) {
	g.decide(status)
	g.ResponseWriter.WriteHeader(status)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.decided {
		if g.Header().Get("Content-Type") == "" {
			g.Header().Set("Content-Type", http.DetectContentType(b))
		}
		g.WriteHeader(http.StatusOK)
	}
	if g.gz != nil {
		return g.gz.Write(b)
	}
	return g.ResponseWriter.Write(b)
}

func (g *gzipWriter) decide(status int) {
	if g.decided {
		return
	}
	g.decided = true
	h := g.Header()
	// 206 and 304 must keep their bodies as the handler made them.
	if (status != http.StatusOK && status != http.StatusNotFound) || h.Get("Content-Encoding") != "" || !compressible(h.Get("Content-Type")) {
		return
	}
	h.Set("Content-Encoding", "gzip")
	h.Del("Content-Length")
	h.Del("Accept-Ranges")
	g.gz = gzipPool.Get().(*gzip.Writer)
	g.gz.Reset(g.ResponseWriter)
}

// Flush lets streaming handlers (big downloads) push what they have.
func (g *gzipWriter) Flush() {
	if g.gz != nil {
		g.gz.Flush()
	}
	if f, ok := g.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// Close ends the compressed stream and returns the compressor to the pool.
func (g *gzipWriter) Close() {
	if g.gz == nil {
		return
	}
	g.gz.Close()
	gzipPool.Put(g.gz)
	g.gz = nil
}
