package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"rollcall/internal/auth"
	"rollcall/internal/evidence"
	"rollcall/internal/field"
	"rollcall/internal/store"
)

// maxSyncPartBytes bounds one part a field instance may POST: the client
// cuts bundles into parts of syncPartSize, so anything far larger is not
// from it.
const maxSyncPartBytes = 16 << 20

// syncAnswer is what headquarters says after each part: which parts of the
// bundle it holds, which it still misses, and, once the bundle is whole
// and applied, the acknowledgement for the device (one part file).
type syncAnswer struct {
	Bundle  string `json:"bundle"`
	Have    []int  `json:"have"`
	Missing []int  `json:"missing,omitempty"`
	Ack     []byte `json:"ack,omitempty"`
	Message string `json:"message,omitempty"`
}

// fieldSync is headquarters' end of `rollcall sync`: it spools signed
// bundle parts from registered field devices under the data directory and
// applies a bundle with importParts once all its parts are in.
type fieldSync struct {
	st       *store.Store
	blobs    evidence.Blobs
	self     *field.Identity
	spool    string
	throttle *auth.Throttle
	mu       sync.Mutex // one bundle applied at a time
}

func newFieldSync(ctx context.Context, st *store.Store, blobs evidence.Blobs, dataDir string) (*fieldSync, error) {
	self, err := instanceIdentity(ctx, st)
	if err != nil {
		return nil, err
	}
	spool := filepath.Join(dataDir, "field-spool")
	if err := os.MkdirAll(spool, 0o700); err != nil {
		return nil, err
	}
	// Refusals count against the device (or, before its key is read, the
	// address); each accepted part clears its count. Ten refusals are free,
	// then each waits twice as long as the one before.
	return &fieldSync{st: st, blobs: blobs, self: self, spool: spool, throttle: auth.NewThrottle(10)}, nil
}

// wrap sends /field/ to the sync endpoint and everything else to next.
func (f *fieldSync) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/field/parts":
			if r.Method != http.MethodPost {
				http.Error(w, "POST one part", http.StatusMethodNotAllowed)
				return
			}
			f.post(w, r)
		case "/field/have":
			f.have(w, r)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

func syncRefuse(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	fmt.Fprintln(w, msg)
}

func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "addr:" + host
}

func (f *fieldSync) post(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	if wait := f.throttle.Attempt(now, clientKey(r)); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		syncRefuse(w, http.StatusTooManyRequests, "too many refused parts from here: wait and try again")
		return
	}
	body := bufio.NewReader(http.MaxBytesReader(w, r.Body, maxSyncPartBytes))
	var raw bytes.Buffer
	tee := bufio.NewReader(io.TeeReader(body, &raw))
	h, err := field.ReadHeader(tee)
	if err != nil || h.Kind != field.KindBundle || strings.Contains(h.ID, ".") {
		syncRefuse(w, http.StatusBadRequest, "not a bundle part")
		return
	}
	devKey := "device:" + field.SignKeyText(h.From)
	if wait := f.throttle.Attempt(now, devKey); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		syncRefuse(w, http.StatusTooManyRequests, "too many refused parts from this device: wait and try again")
		return
	}
	d, err := f.st.DeviceByKey(r.Context(), field.SignKeyText(h.From))
	switch {
	case errors.Is(err, store.ErrUnknownDevice):
		syncRefuse(w, http.StatusForbidden, "signed by a device not registered here: headquarters must run 'rollcall device add' first")
		return
	case err != nil:
		syncRefuse(w, http.StatusInternalServerError, "could not look the device up")
		return
	case d.Revoked():
		syncRefuse(w, http.StatusForbidden, "this device was revoked at headquarters: refused")
		return
	case d.Role != store.RoleField:
		syncRefuse(w, http.StatusForbidden, "this key is not registered as a field device")
		return
	case !h.Verify(d.VerifyKey()):
		syncRefuse(w, http.StatusForbidden, "the part's signature does not verify: refused")
		return
	}
	if err := field.ReadBody(tee, h, io.Discard); err != nil {
		syncRefuse(w, http.StatusBadRequest, fmt.Sprintf("part %d/%d: %v", h.Index, h.Count, err))
		return
	}
	f.throttle.Succeed(now, devKey)
	f.throttle.Succeed(now, clientKey(r))
	dir := filepath.Join(f.spool, h.ID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		syncRefuse(w, http.StatusInternalServerError, "could not keep the part")
		return
	}
	name := filepath.Join(dir, fmt.Sprintf("%d-of-%d", h.Index, h.Count))
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, raw.Bytes(), 0o600); err != nil || os.Rename(tmp, name) != nil {
		syncRefuse(w, http.StatusInternalServerError, "could not keep the part")
		return
	}
	ans := f.answer(h.ID)
	if len(ans.Missing) == 0 {
		if err := f.apply(r.Context(), d, h.ID, h.Count, &ans); err != nil {
			syncRefuse(w, http.StatusUnprocessableEntity, err.Error())
			return
		}
	}
	writeJSON(w, ans)
}

// have answers which parts of a bundle headquarters holds, so that a
// sync cut off resumes with the parts still missing. Whoever asks must
// know the bundle's id, a random UUIDv7 only its sender has.
func (f *fieldSync) have(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("bundle")
	if id == "" || len(id) > 64 || strings.ContainsAny(id, "/\\.") {
		syncRefuse(w, http.StatusBadRequest, "?bundle=ID")
		return
	}
	writeJSON(w, f.answer(id))
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// answer lists the parts of bundle id in the spool.
func (f *fieldSync) answer(id string) syncAnswer {
	ans := syncAnswer{Bundle: id, Have: []int{}}
	entries, _ := os.ReadDir(filepath.Join(f.spool, id))
	count := 0
	got := map[int]bool{}
	for _, e := range entries {
		var i, n int
		if _, err := fmt.Sscanf(e.Name(), "%d-of-%d", &i, &n); err != nil || strings.HasSuffix(e.Name(), ".tmp") {
			continue
		}
		got[i], count = true, n
		ans.Have = append(ans.Have, i)
	}
	sort.Ints(ans.Have)
	for i := 1; i <= count; i++ {
		if !got[i] {
			ans.Missing = append(ans.Missing, i)
		}
	}
	return ans
}

// apply imports a whole bundle from the spool (again: nothing changes)
// and puts the device's acknowledgement into the answer.
func (f *fieldSync) apply(ctx context.Context, d store.Device, id string, count int, ans *syncAnswer) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	dir := filepath.Join(f.spool, id)
	files := make([]string, count)
	for i := range files {
		files[i] = filepath.Join(dir, fmt.Sprintf("%d-of-%d", i+1, count))
	}
	var out bytes.Buffer
	if err := importParts(ctx, f.st, f.blobs, f.self, files, "", &out); err != nil {
		return err
	}
	ack := filepath.Join(dir, "ack")
	if err := writeAck(ctx, f.st, f.self, d, ack, 0, false, io.Discard); err != nil {
		return err
	}
	b, err := os.ReadFile(ack)
	if err != nil {
		return err
	}
	ans.Ack, ans.Message = b, strings.TrimSpace(out.String())
	return os.RemoveAll(dir)
}
