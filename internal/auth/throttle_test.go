package auth

import (
	"strings"
	"testing"
	"time"
)

func TestThrottleDoublesThenForgets(t *testing.T) {
	th := NewThrottle(2)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const client = "203.0.113.9"
	var waits []time.Duration
	for range 5 {
		waits = append(waits, th.Wait(now, client))
		th.Fail(now, client)
	}
	waits = append(waits, th.Wait(now, client))
	want := []time.Duration{0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	if w := th.Wait(now.Add(3*time.Second), client); w != 5*time.Second {
		t.Errorf("wait after 3 s: %v, want 5s", w)
	}
	// Nothing kept names the client.
	for id := range th.entries {
		if strings.Contains(string(id[:]), "203.0") {
			t.Error("the throttle keeps the address")
		}
	}
	// A quiet window forgets.
	if w := th.Wait(now.Add(th.Window+time.Second), client); w != 0 {
		t.Errorf("after a quiet window: %v", w)
	}
	// The in-memory key is replaced, dropping every counter with it.
	oldKey := string(th.key)
	later := now.Add(th.KeyLife + time.Second)
	if w := th.Wait(later, client); w != 0 || string(th.key) == oldKey || len(th.entries) != 0 {
		t.Errorf("after the key's life: wait %v, key replaced %v, %d entries", w, string(th.key) != oldKey, len(th.entries))
	}
	// Success clears.
	for range 4 {
		th.Fail(later, "acct")
	}
	th.Succeed(later, "acct")
	if w := th.Wait(later, "acct"); w != 0 {
		t.Errorf("after success: %v", w)
	}
	// The wait never exceeds Max.
	for range 60 {
		th.Fail(later, "hammer")
	}
	if w := th.Wait(later, "hammer"); w != th.Max {
		t.Errorf("wait after 60 failures %v, want the cap %v", w, th.Max)
	}
}
