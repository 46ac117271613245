package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// A kept page sent with the socket corked (writeWhole) arrives whole and
// the same as the first, rendered answer, plain and gzipped, on a
// connection that is kept alive across the requests.
func TestKeptPageOverRealConnection(t *testing.T) {
	site, _ := testSite(t)
	srv := httptest.NewUnstartedServer(site)
	srv.Config.ConnContext = ConnContext
	srv.Start()
	defer srv.Close()
	client := srv.Client()
	// Go's client would ask for gzip itself and hide it; ask explicitly.
	client.Transport.(*http.Transport).DisableCompression = true
	get := func(gz bool) []byte {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/en/people/?per_page=100", nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
			t.Fatalf("status %d, Content-Length %q for %d bytes", resp.StatusCode, resp.Header.Get("Content-Length"), len(body))
		}
		if gz {
			if resp.Header.Get("Content-Encoding") != "gzip" {
				t.Fatal("asked for gzip, got none")
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		return body
	}
	first := get(false)
	if len(first) < corkAbove {
		t.Fatalf("the page is %d bytes: too small to be corked, the test proves nothing", len(first))
	}
	for i := range 3 {
		if again := get(i%2 == 1); !bytes.Equal(again, first) {
			t.Fatalf("request %d: the kept page differs from the rendered one (%d vs %d bytes)", i+2, len(again), len(first))
		}
	}
}
