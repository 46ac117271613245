package store

import (
	"context"
	"sync"
	"time"

	"rollcall/internal/names"
)

// Search reads the name forms people confirmed (name_forms, accepted) as
// soon as they are confirmed: a query for one form finds the other
// exactly. The forms are kept in memory and read again after a decision
// in this process, or after formsMaxAge (a decision taken by another
// process, `rollcall names accept` beside a running server).
const formsMaxAge = 30 * time.Second

type formsCache struct {
	sync.Mutex
	forms  map[string][]string
	readAt time.Time
}

// forget makes the next query read the forms again.
func (c *formsCache) forget() {
	c.Lock()
	c.readAt = time.Time{}
	c.Unlock()
}

// confirmedForms maps each folded form of a confirmed pair to the forms
// confirmed beside it (the classes the pairs make, so Kadirbay = Qodirbek
// and Qodirbek = Kodirbek join all three).
func (s *Store) confirmedForms(ctx context.Context) (map[string][]string, error) {
	c := &s.forms
	c.Lock()
	defer c.Unlock()
	if !c.readAt.IsZero() && time.Since(c.readAt) < formsMaxAge {
		return c.forms, nil
	}
	accepted, err := s.AcceptedNameForms(ctx)
	if err != nil {
		return nil, err
	}
	classes := names.NewEquivalents()
	var members []string
	for _, f := range accepted {
		a, b := names.FoldToken(f.A), names.FoldToken(f.B)
		if a == "" || b == "" || a == b {
			continue
		}
		classes.Add(a, b)
		members = append(members, a, b)
	}
	byClass := map[string][]string{}
	for _, m := range members {
		r := classes.Canonical(m)
		if !containsString(byClass[r], m) {
			byClass[r] = append(byClass[r], m)
		}
	}
	forms := map[string][]string{}
	for _, class := range byClass {
		for _, m := range class {
			for _, o := range class {
				if o != m {
					forms[m] = append(forms[m], o)
				}
			}
		}
	}
	c.forms, c.readAt = forms, time.Now()
	return forms, nil
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// parseQuery is names.ParseQuery of a query cut to MaxQueryRunes, with
// the confirmed name forms.
func (s *Store) parseQuery(ctx context.Context, query string) (names.Query, error) {
	e := names.DefaultEquivalents()
	q := e.ParseQuery(CutQuery(query))
	if q.Empty() {
		return q, nil
	}
	forms, err := s.confirmedForms(ctx)
	if err != nil {
		return q, err
	}
	return e.WithForms(q, forms), nil
}
