// Package publish turns the registry into what leaves the server: exports,
// and (later) snapshots, feeds and the static mirror. Everything public
// goes through the public projection in registry.
package publish

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"rollcall/internal/registry"
	"rollcall/internal/safecsv"
	"rollcall/internal/store"
)

// ExportOptions choose the format and whether the public rules apply.
type ExportOptions struct {
	Format string // "csv" or "json"
	Public bool
}

// ExportColumns are the export's CSV columns: the person first, then the
// interchange columns.
var ExportColumns = []string{"person", "source", "record", "name", "name_alt", "sex", "birth_year", "birth_date",
	"region", "locality", "roles", "status", "date", "verification", "place", "note"}

// jsonRecord is one record of the JSON export, with its claims.
type jsonRecord struct {
	Person    string      `json:"person"`
	Source    string      `json:"source"`
	Record    string      `json:"record"`
	Name      string      `json:"name"`
	NameAlt   []string    `json:"name_alt"`
	Sex       string      `json:"sex"`
	BirthYear int         `json:"birth_year,omitempty"`
	BirthDate string      `json:"birth_date,omitempty"`
	Region    string      `json:"region"`
	Locality  string      `json:"locality"`
	Roles     []string    `json:"roles"`
	Claims    []jsonClaim `json:"claims"`
}

type jsonClaim struct {
	Status       string `json:"status"`
	Date         string `json:"date"`
	Verification string `json:"verification"`
	Place        string `json:"place"`
	Note         string `json:"note,omitempty"`
}

// Export writes every record with its person id, one claim a row (CSV) or
// one record an object (JSON), streaming.
func Export(ctx context.Context, st *store.Store, w io.Writer, opt ExportOptions) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var err error
	if opt.Format == "json" {
		err = exportJSON(ctx, st, bw, opt.Public)
	} else {
		err = exportCSV(ctx, st, bw, opt.Public)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// eachRow gives every claim in force, or with public set the rows of the
// public projection: one per shown claim of each shown person, the source
// named only by kind(s), no record key, no note.
func eachRow(ctx context.Context, st *store.Store, public bool, f func(store.ClaimRow) error) error {
	if !public {
		return st.EachClaim(ctx, f)
	}
	return st.ProjectAll(ctx, registry.PublicQuery(st.Now().UTC()), func(p registry.PublicPerson) error {
		for _, row := range PublicRows(p) {
			if err := f(row); err != nil {
				return err
			}
		}
		return nil
	})
}

// PublicRows turns a projected person into export rows, one per shown
// claim (a withheld person: one row with the placeholder, region and state).
func PublicRows(p registry.PublicPerson) []store.ClaimRow {
	kinds := make([]string, len(p.SourceKinds))
	for i, k := range p.SourceKinds {
		kinds[i] = string(k)
	}
	rec := registry.Record{ID: p.ID, SourceKey: strings.Join(kinds, ";"), Name: p.Name, Sex: p.Sex, BirthYear: p.BirthYear,
		Region: p.Region, Locality: p.Locality, Roles: p.Roles}
	if len(p.Spellings) > 1 {
		rec.NameAlt = p.Spellings[1:]
	}
	if p.Withheld {
		return []store.ClaimRow{{PersonID: p.ID, Record: rec, Claim: registry.Claim{Status: p.State}}}
	}
	rows := make([]store.ClaimRow, 0, len(p.Timeline))
	for _, e := range p.Timeline {
		date, _ := registry.ParsePeriod(e.Date)
		v, _ := registry.ParseVerification(e.Verification)
		rows = append(rows, store.ClaimRow{PersonID: p.ID, Record: rec,
			Claim: registry.Claim{Status: e.Status, Date: date, Place: e.Place, Details: e.Details, Verification: v}})
	}
	return rows
}

func exportCSV(ctx context.Context, st *store.Store, w io.Writer, public bool) error {
	cw := safecsv.NewWriter(w)
	if err := cw.Write(ExportColumns); err != nil {
		return err
	}
	err := eachRow(ctx, st, public, func(row store.ClaimRow) error {
		r, c := row.Record, row.Claim
		year := ""
		if r.BirthYear != 0 {
			year = strconv.Itoa(r.BirthYear)
		}
		return cw.Write([]string{row.PersonID, r.SourceKey, r.Key, r.Name, strings.Join(r.NameAlt, ";"), r.Sex, year, r.BirthDate,
			r.Region, r.Locality, registry.JoinRoles(r.Roles), string(c.Status), dateOf(c), verificationOf(c), c.Place, c.Note})
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func exportJSON(ctx context.Context, st *store.Store, w io.Writer, public bool) error {
	if _, err := io.WriteString(w, "[\n"); err != nil {
		return err
	}
	var cur *jsonRecord
	curID := ""
	first := true
	flush := func() error {
		if cur == nil {
			return nil
		}
		b, err := json.Marshal(cur)
		if err != nil {
			return err
		}
		if !first {
			io.WriteString(w, ",\n")
		}
		first = false
		_, err = w.Write(b)
		return err
	}
	err := eachRow(ctx, st, public, func(row store.ClaimRow) error {
		r, c := row.Record, row.Claim
		if cur == nil || row.Record.ID != curID {
			if err := flush(); err != nil {
				return err
			}
			curID = r.ID
			cur = &jsonRecord{Person: row.PersonID, Source: r.SourceKey, Record: r.Key, Name: r.Name, NameAlt: nonNil(r.NameAlt), Sex: r.Sex,
				BirthYear: r.BirthYear, BirthDate: r.BirthDate, Region: r.Region, Locality: r.Locality, Roles: nonNil(splitRoles(r.Roles))}
		}
		cur.Claims = append(cur.Claims, jsonClaim{Status: string(c.Status), Date: dateOf(c), Verification: verificationOf(c), Place: c.Place, Note: c.Note})
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n]\n")
	return err
}

func splitRoles(roles []registry.Role) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// dateOf and verificationOf leave empty what a withheld person's row
// does not show.
func dateOf(c registry.Claim) string {
	if c.Date.Start == 0 {
		return ""
	}
	return c.Date.String()
}

func verificationOf(c registry.Claim) string {
	if c.Date.Start == 0 {
		return ""
	}
	return c.Verification.String()
}
