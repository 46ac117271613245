package web

import "syscall"

// setCork sets TCP_CORK, and says whether it could.
func setCork(raw syscall.RawConn, on bool) bool {
	v := 0
	if on {
		v = 1
	}
	var err error
	if cerr := raw.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK, v) }); cerr != nil {
		return false
	}
	return err == nil
}
