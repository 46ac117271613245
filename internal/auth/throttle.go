package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"time"
)

// Throttle slows guessing per account and per client without keeping who
// the clients are: each key (a client's address, an account's lookup hash)
// is replaced by an HMAC under a key that lives only in memory and is
// replaced every KeyLife, dropping all counters with it. Nothing of it is
// stored or logged.
//
// A key may fail Free times in a row; after that each further attempt must
// wait Base·2^(failures−Free), at most Max. A success (for accounts) or
// Window without failures clears it.
type Throttle struct {
	Free    int
	Base    time.Duration
	Max     time.Duration
	Window  time.Duration
	KeyLife time.Duration

	mu      sync.Mutex
	key     []byte
	keyBorn time.Time
	entries map[[32]byte]*throttleEntry
}

type throttleEntry struct {
	failures int
	last     time.Time
}

// NewThrottle returns a throttle with the given free failures and the
// project's defaults for the rest.
func NewThrottle(free int) *Throttle {
	return &Throttle{Free: free, Base: time.Second, Max: 15 * time.Minute, Window: time.Hour, KeyLife: 24 * time.Hour}
}

func (t *Throttle) id(now time.Time, key string) [32]byte {
	if t.key == nil || now.Sub(t.keyBorn) > t.KeyLife {
		t.key = make([]byte, 32)
		rand.Read(t.key)
		t.keyBorn = now
		t.entries = make(map[[32]byte]*throttleEntry)
	}
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(key))
	var out [32]byte
	copy(out[:], m.Sum(nil))
	return out
}

// Wait says how long key must wait before its next attempt (0: go on).
func (t *Throttle) Wait(now time.Time, key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.wait(now, key)
}

func (t *Throttle) wait(now time.Time, key string) time.Duration {
	e := t.entries[t.id(now, key)]
	if e == nil || e.failures < t.Free || now.Sub(e.last) > t.Window {
		return 0
	}
	delay := t.Base << min(e.failures-t.Free, 30)
	if delay > t.Max || delay <= 0 {
		delay = t.Max
	}
	if wait := e.last.Add(delay).Sub(now); wait > 0 {
		return wait
	}
	return 0
}

// Attempt counts an attempt of key before it is checked, and says how long
// it must wait first (0: counted, go on; otherwise nothing is counted).
// Counting first means attempts checked at the same moment cannot all slip
// through before the first of them has failed: of any burst, only Free run
// at once, then one per growing wait. Succeed clears the count of a key
// whose attempt turned out right.
func (t *Throttle) Attempt(now time.Time, key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if wait := t.wait(now, key); wait > 0 {
		return wait
	}
	t.fail(now, key)
	return 0
}

// MostIn is the most attempts Attempt lets one key make within d of its
// first: Free at once, then one after Base, 2·Base, 4·Base … (at most Max
// each) since the one before. A success in between starts the count anew.
func (t *Throttle) MostIn(d time.Duration) int {
	n, elapsed := t.Free, time.Duration(0)
	for k := 0; ; k++ {
		delay := t.Base << min(k, 30)
		if delay > t.Max || delay <= 0 {
			delay = t.Max
		}
		if elapsed+delay > d {
			return n
		}
		elapsed += delay
		n++
	}
}

// Fail counts a failure of key.
func (t *Throttle) Fail(now time.Time, key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fail(now, key)
}

func (t *Throttle) fail(now time.Time, key string) {
	id := t.id(now, key)
	e := t.entries[id]
	if e == nil || now.Sub(e.last) > t.Window {
		e = &throttleEntry{}
		t.entries[id] = e
	}
	e.failures++
	e.last = now
	if len(t.entries) > 100_000 {
		t.prune(now)
	}
}

// Succeed clears key's failures.
func (t *Throttle) Succeed(now time.Time, key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, t.id(now, key))
}

// prune drops counters older than the window, bounding memory under a
// flood of distinct keys.
func (t *Throttle) prune(now time.Time) {
	for id, e := range t.entries {
		if now.Sub(e.last) > t.Window {
			delete(t.entries, id)
		}
	}
}
