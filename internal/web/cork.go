package web

import (
	"context"
	"net"
	"net/http"
)

type connKey struct{}

// ConnContext is for http.Server.ConnContext: it keeps the connection in
// the request's context, so that a large kept page can go out as one TCP
// segment (writeWhole).
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// corkAbove is the body size from which writeWhole corks: Go's server
// writes a connection through a 4 KB buffer, so a larger response leaves in
// two writes, the headers with the start of the body and then the rest,
// each its own TCP segment.
const corkAbove = 3 << 10

// writeWhole writes a kept page's body. A large one is written with the
// socket corked until the response is flushed, so headers and body leave
// together, as nginx does with tcp_nopush: for the people page that is a
// quarter more requests a second over loopback (docs/benchmarks.md).
func writeWhole(w http.ResponseWriter, r *http.Request, body []byte) {
	tc, ok := r.Context().Value(connKey{}).(*net.TCPConn)
	if !ok || len(body) < corkAbove {
		w.Write(body)
		return
	}
	raw, err := tc.SyscallConn()
	if err != nil || !setCork(raw, true) {
		w.Write(body)
		return
	}
	w.Write(body)
	http.NewResponseController(w).Flush()
	setCork(raw, false)
}
