package web

import (
	"log"
	"log/slog"
	"regexp"
	"strings"
)

// clientAddress is an IPv4 address or a bracketed IPv6 one, with or
// without a port, as net/http writes a client's address.
var clientAddress = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|\[[0-9A-Fa-f:.%a-z]+\](?::\d+)?`)

// ServerErrorLog is the http.Server's ErrorLog: its messages ("http: panic
// serving 203.0.113.5:41234: …", TLS handshake errors) name the client's
// address, which no log may hold, so addresses are blanked before the
// message reaches the logger.
func ServerErrorLog(l *slog.Logger) *log.Logger {
	return log.New(addressFilter{l}, "", 0)
}

type addressFilter struct{ log *slog.Logger }

func (f addressFilter) Write(p []byte) (int, error) {
	msg := clientAddress.ReplaceAllString(strings.TrimRight(string(p), "\n"), "[client]")
	f.log.Warn("http server", "msg", msg)
	return len(p), nil
}
