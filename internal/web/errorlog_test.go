package web

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// What net/http logs about a client reaches our log without its address.
func TestServerErrorLogHidesClientAddresses(t *testing.T) {
	var b bytes.Buffer
	l := ServerErrorLog(slog.New(slog.NewTextHandler(&b, nil)))
	l.Printf("http: panic serving 203.0.113.5:41234: boom")
	l.Printf("http: TLS handshake error from [2001:db8::17]:5555: EOF")
	l.Printf("http: Accept error: too many open files; retrying in 5ms")
	out := b.String()
	for _, leak := range []string{"203.0.113.5", "41234", "2001:db8", "5555"} {
		if strings.Contains(out, leak) {
			t.Errorf("the log holds %q:\n%s", leak, out)
		}
	}
	for _, kept := range []string{"panic serving [client]: boom", "TLS handshake error from [client]: EOF", "too many open files"} {
		if !strings.Contains(out, kept) {
			t.Errorf("the log lost %q:\n%s", kept, out)
		}
	}
}
