package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"rollcall/internal/registry"
)

// SiteAppeal is the name of the home page's appeal among the site texts.
const SiteAppeal = "appeal"

// maxSiteText bounds a site text: an appeal is a few pages at most.
const maxSiteText = 64 << 10

// SetSiteText stores (or replaces) a text of the public site in a language.
// The text is shown as written, escaped: markup in it stays text.
func (s *Store) SetSiteText(ctx context.Context, lang, name, body string) error {
	if lang == "" || name == "" {
		return errors.New("site text: language and name are required")
	}
	if !utf8.ValidString(body) {
		return errors.New("site text: not UTF-8")
	}
	if len(body) > maxSiteText {
		return fmt.Errorf("site text: %d bytes, at most %d", len(body), maxSiteText)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.rebind(`DELETE FROM site_texts WHERE lang = ? AND name = ?`), lang, name); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO site_texts (lang, name, body, updated_at) VALUES (?, ?, ?, ?)`),
			lang, name, body, s.Now().UnixMicro())
		return err
	})
}

// SiteText returns a stored text; ok is false when none was set, and the
// site shows its built-in default.
func (s *Store) SiteText(ctx context.Context, lang, name string) (body string, ok bool, err error) {
	err = s.read.QueryRowContext(ctx, s.rebind(`SELECT body FROM site_texts WHERE lang = ? AND name = ?`), lang, name).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return body, err == nil, err
}

// DeleteSiteText goes back to the built-in default; ErrNotFound when no
// text was set.
func (s *Store) DeleteSiteText(ctx context.Context, lang, name string) error {
	res, err := s.write.ExecContext(ctx, s.rebind(`DELETE FROM site_texts WHERE lang = ? AND name = ?`), lang, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Figure is a number another party published (an official death toll, a
// commission's count), shown beside ours as of the same date.
type Figure struct {
	ID    string
	Party string // who published it
	What  string // what it counts, in their words
	// Count is the name of our count it compares with (registry.CountNames),
	// or "" when none of ours matches.
	Count  string
	Value  int
	AsOf   registry.Day
	Source string // where it was published (a title, a document)
	URL    string // optional; http or https only
}

// Validate checks a figure before it is stored.
func (f Figure) Validate() error {
	var problems []string
	if strings.TrimSpace(f.Party) == "" {
		problems = append(problems, "who published it (party) is required")
	}
	if strings.TrimSpace(f.What) == "" {
		problems = append(problems, "what it counts (what) is required")
	}
	if strings.TrimSpace(f.Source) == "" {
		problems = append(problems, "the source is required")
	}
	if f.Value < 0 {
		problems = append(problems, "the value must not be negative")
	}
	if f.AsOf == 0 {
		problems = append(problems, "the as-of date is required")
	}
	if f.Count != "" {
		if _, err := (registry.Counts{}).Get(f.Count); err != nil {
			problems = append(problems, fmt.Sprintf("count %q is none of ours (%s)", f.Count, strings.Join(registry.CountNames, ", ")))
		}
	}
	if f.URL != "" {
		u, err := url.Parse(f.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			problems = append(problems, "the URL must be an http or https address")
		}
	}
	for _, v := range []string{f.Party, f.What, f.Source, f.URL} {
		if len(v) > 2000 || !utf8.ValidString(v) {
			problems = append(problems, "a field is longer than 2000 bytes or not UTF-8")
			break
		}
	}
	if problems != nil {
		return errors.New("figure: " + strings.Join(problems, "; "))
	}
	return nil
}

// AddFigure stores a figure and returns it with its new id.
func (s *Store) AddFigure(ctx context.Context, f Figure) (Figure, error) {
	if err := f.Validate(); err != nil {
		return f, err
	}
	f.ID = NewID()
	_, err := s.write.ExecContext(ctx, s.rebind(`INSERT INTO site_figures (id, party, what, count_name, value, as_of, source, url, added_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), f.ID, f.Party, f.What, f.Count, f.Value, int64(f.AsOf), f.Source, f.URL, s.Now().UnixMicro())
	return f, err
}

// Figures returns every stored figure, oldest as-of date first.
func (s *Store) Figures(ctx context.Context) ([]Figure, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, party, what, count_name, value, as_of, source, url FROM site_figures ORDER BY as_of, party, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Figure
	for rows.Next() {
		var f Figure
		var asOf int64
		if err := rows.Scan(&f.ID, &f.Party, &f.What, &f.Count, &f.Value, &asOf, &f.Source, &f.URL); err != nil {
			return nil, err
		}
		f.AsOf = registry.Day(asOf)
		out = append(out, f)
	}
	return out, rows.Err()
}

// RemoveFigure deletes a figure; ErrNotFound when there is none with id.
func (s *Store) RemoveFigure(ctx context.Context, id string) error {
	res, err := s.write.ExecContext(ctx, s.rebind(`DELETE FROM site_figures WHERE id = ?`), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
