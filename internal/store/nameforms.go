package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"rollcall/internal/linkage"
)

// Name form statuses (table name_forms).
const (
	FormProposed = "proposed"
	FormAccepted = "accepted"
	FormRefused  = "refused"
)

// NameFormRow is a learned name form as kept: linkage's proposal with its
// status and who decided it.
type NameFormRow struct {
	ID string
	linkage.NameForm
	Status    string
	DecidedBy string
	Why       string
}

// NameFormID is the stable id of a name form: the same two forms get the
// same id in every run.
func NameFormID(kind, a, b string) string {
	a, b = orderPair(a, b)
	sum := sha256.Sum256([]byte(kind + "\x00" + a + "\x00" + b))
	return hex.EncodeToString(sum[:6])
}

// ProposeNameForms keeps the forms a dedupe run learned. A form already
// accepted or refused is left as people decided it; one still proposed
// takes the run's newer support and evidence. It returns how many forms
// are new.
func (s *Store) ProposeNameForms(ctx context.Context, forms []linkage.NameForm) (int, error) {
	now := s.Now().UnixMicro()
	added := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		added = 0
		for _, f := range forms {
			a, b := orderPair(f.A, f.B)
			if a == b || (f.Kind != linkage.GivenForm && f.Kind != linkage.SurnameForm) {
				continue
			}
			shownA, shownB := f.ShownA, f.ShownB
			if a != f.A {
				shownA, shownB = shownB, shownA
			}
			evidence, err := json.Marshal(f.Pairs)
			if err != nil {
				return err
			}
			id := NameFormID(f.Kind, a, b)
			res, err := tx.ExecContext(ctx, s.rebind(`UPDATE name_forms SET support = ?, evidence = ?, shown_a = ?, shown_b = ?
				WHERE id = ? AND status = 'proposed'`), f.Support, string(evidence), shownA, shownB, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				continue
			}
			res, err = tx.ExecContext(ctx, s.rebind(`INSERT INTO name_forms (id, kind, form_a, form_b, shown_a, shown_b, support, evidence, proposed_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`), id, f.Kind, a, b, shownA, shownB, f.Support, string(evidence), now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				added++
			}
		}
		return nil
	})
	return added, err
}

// NameForms lists the kept forms with the status given ("" for all), the
// best supported first.
func (s *Store) NameForms(ctx context.Context, status string) ([]NameFormRow, error) {
	query := `SELECT id, kind, form_a, form_b, shown_a, shown_b, support, evidence, status, decided_by, why FROM name_forms`
	var args []any
	if status != "" {
		query += ` WHERE status = ?`
		args = append(args, status)
	}
	rows, err := s.read.QueryContext(ctx, s.rebind(query+` ORDER BY support DESC, kind, form_a, form_b`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []NameFormRow
	for rows.Next() {
		var f NameFormRow
		var evidence string
		if err := rows.Scan(&f.ID, &f.Kind, &f.A, &f.B, &f.ShownA, &f.ShownB, &f.Support, &evidence, &f.Status, &f.DecidedBy, &f.Why); err != nil {
			return nil, err
		}
		if evidence != "" {
			if err := json.Unmarshal([]byte(evidence), &f.Pairs); err != nil {
				return nil, fmt.Errorf("name form %s: evidence: %w", f.ID, err)
			}
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// NameForm returns one kept form; ErrNotFound when there is none.
func (s *Store) NameForm(ctx context.Context, id string) (NameFormRow, error) {
	all, err := s.NameForms(ctx, "")
	if err != nil {
		return NameFormRow{}, err
	}
	for _, f := range all {
		if f.ID == id {
			return f, nil
		}
	}
	return NameFormRow{}, fmt.Errorf("name form %q: %w", id, ErrNotFound)
}

// AcceptedNameForms are the forms people confirmed: what dedupe passes to
// linkage (Options.NameForms).
func (s *Store) AcceptedNameForms(ctx context.Context) ([]linkage.NameForm, error) {
	rows, err := s.NameForms(ctx, FormAccepted)
	if err != nil {
		return nil, err
	}
	out := make([]linkage.NameForm, len(rows))
	for i, r := range rows {
		out[i] = r.NameForm
	}
	return out, nil
}

// NameFormConflictError refuses a form that would join records people
// declared two persons.
type NameFormConflictError struct {
	Form  NameFormRow
	Pairs [][2]string // record ids of the "different" decisions it would cross
}

func (e *NameFormConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "name form %s (%s = %s) would join records that people declared two persons:", e.Form.ID, e.Form.ShownA, e.Form.ShownB)
	for i, p := range e.Pairs {
		if i == 5 {
			fmt.Fprintf(&b, " and %d more", len(e.Pairs)-5)
			break
		}
		fmt.Fprintf(&b, " %s and %s;", p[0], p[1])
	}
	b.WriteString(" refuse it, or decide those pairs again first")
	return b.String()
}

// DecideNameForm accepts or refuses a kept form (verdict FormAccepted or
// FormRefused), with the decision in the audit log. Accepting a form that
// would join the two records of a "different" decision in force is refused
// with a NameFormConflictError naming the pairs.
func (s *Store) DecideNameForm(ctx context.Context, id, verdict, by, why string) error {
	if verdict != FormAccepted && verdict != FormRefused {
		return fmt.Errorf("a name form is %q or %q, not %q", FormAccepted, FormRefused, verdict)
	}
	if strings.TrimSpace(by) == "" {
		return errors.New("a decision on a name form needs who took it")
	}
	f, err := s.NameForm(ctx, id)
	if err != nil {
		return err
	}
	if verdict == FormAccepted {
		crossed, err := s.formCrossesDecisions(ctx, f.NameForm)
		if err != nil {
			return err
		}
		if len(crossed) > 0 {
			return &NameFormConflictError{Form: f, Pairs: crossed}
		}
	}
	now := s.Now().UnixMicro()
	defer s.forms.forget() // search uses the decision at once
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE name_forms SET status = ?, decided_by = ?, why = ?, decided_at = ? WHERE id = ?`),
			verdict, by, why, now, id); err != nil {
			return err
		}
		action := map[string]string{FormAccepted: "name_form.accept", FormRefused: "name_form.refuse"}[verdict]
		_, err := s.appendAudit(ctx, tx, by, action, id, f.Kind)
		return err
	})
}

// formCrossesDecisions returns the "different" pairs in force whose
// records the form would make agree on the name.
func (s *Store) formCrossesDecisions(ctx context.Context, f linkage.NameForm) ([][2]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT d.record_a, d.record_b, ra.name, ra.name_alt, rb.name, rb.name_alt
		FROM decisions d JOIN records ra ON ra.id = d.record_a JOIN records rb ON rb.id = d.record_b
		WHERE d.superseded_at IS NULL AND d.verdict = 'different' ORDER BY d.record_a, d.record_b`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var a, b linkage.Record
		var nameA, altA, nameB, altB string
		if err := rows.Scan(&a.ID, &b.ID, &nameA, &altA, &nameB, &altB); err != nil {
			return nil, err
		}
		a.Names = append([]string{nameA}, splitList(altA)...)
		b.Names = append([]string{nameB}, splitList(altB)...)
		if linkage.FormJoins(f, a, b) {
			out = append(out, [2]string{a.ID, b.ID})
		}
	}
	return out, rows.Err()
}
