package store_test

import (
	"strings"
	"testing"

	"rollcall/internal/store"
)

// FuzzReadFieldRows: a bundle's rows come from a field laptop; whatever
// they hold, reading them returns rows that passed every check or an
// error, never a panic.
func FuzzReadFieldRows(f *testing.F) {
	f.Add(`{"t":"incidents","id":"x","h":"00","v":{"id":{"s":"x"}}}`)
	f.Add(`{"t":"sources","id":"s1","h":"","v":{"id":{"s":"s1"},"key":{"s":"vol"},"kind":{"s":""},"reliability":{"i":0},"created_at":{"i":1}}}` + "\n")
	f.Add(`{"t":"nope"}`)
	f.Add("")
	f.Fuzz(func(t *testing.T, data string) {
		rows, err := store.ReadFieldRows(strings.NewReader(data), 1000)
		if err != nil {
			return
		}
		for _, r := range rows {
			if r.ID == "" || r.Table == "" {
				t.Fatalf("accepted a row without a table or id: %+v", r)
			}
		}
	})
}
