//go:build !linux

package web

import "syscall"

// setCork: only Linux has TCP_CORK; elsewhere pages go out as Go writes them.
func setCork(raw syscall.RawConn, on bool) bool { return false }
