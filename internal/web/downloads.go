package web

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"rollcall/internal/registry"
	"rollcall/internal/safecsv"
)

// downloadColumns are the columns of the public list's CSV download.
var downloadColumns = []string{"person", "name", "spellings", "withheld", "state", "state_since", "sex", "birth_year",
	"region", "locality", "roles", "source_kinds"}

func join[T ~string](xs []T) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = string(x)
	}
	return strings.Join(parts, ";")
}

// utf8BOM opens the spreadsheet CSV: without it Excel reads UTF-8 as the
// local code page and shows Cyrillic and Karakalpak letters as mojibake.
const utf8BOM = "\ufeff"

// downloadCSV streams the public list, one person a row, for scripts: plain
// UTF-8 with no byte-order mark.
func (s *Server) downloadCSV(w http.ResponseWriter, r *http.Request) {
	s.writePeopleCSV(w, r, "rollcall-people.csv", "")
}

// downloadSpreadsheetCSV is the same list for spreadsheet programs.
func (s *Server) downloadSpreadsheetCSV(w http.ResponseWriter, r *http.Request) {
	s.writePeopleCSV(w, r, "rollcall-people-spreadsheet.csv", utf8BOM)
}

func (s *Server) writePeopleCSV(w http.ResponseWriter, r *http.Request, filename, prefix string) {
	openData(w)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(prefix)
	cw := safecsv.NewWriter(bw)
	cw.Write(downloadColumns)
	err := s.store.EachPublicPerson(r.Context(), func(p registry.PublicPerson) error {
		year := ""
		if p.BirthYear != 0 {
			year = strconv.Itoa(p.BirthYear)
		}
		return cw.Write([]string{p.ID, p.Name, strings.Join(p.Spellings, ";"), strconv.FormatBool(p.Withheld), string(p.State), p.StateSince,
			p.Sex, year, p.Region, p.Locality, join(p.Roles), join(p.SourceKinds)})
	})
	cw.Flush()
	bw.Flush()
	if err != nil {
		// The header is sent; all we can do is stop and say so in the log.
		s.log.Error("download csv", "err", err)
	}
}

// downloadJSON streams the public list as a JSON array of persons.
func (s *Server) downloadJSON(w http.ResponseWriter, r *http.Request) {
	openData(w)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="rollcall-people.json"`)
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("[")
	first := true
	err := s.store.EachPublicPerson(r.Context(), func(p registry.PublicPerson) error {
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		if !first {
			bw.WriteString(",")
		}
		first = false
		bw.WriteString("\n")
		_, err = bw.Write(b)
		return err
	})
	bw.WriteString("\n]\n")
	bw.Flush()
	if err != nil {
		s.log.Error("download json", "err", err)
	}
}

// snapshotFile serves a snapshot, byte for byte as signed, or its .sig.
func (s *Server) snapshotFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	slug, sig := strings.TrimPrefix(name, "rollcall-snapshot-"), false
	if strings.HasSuffix(slug, ".json.sig") {
		slug, sig = strings.TrimSuffix(slug, ".json.sig"), true
	} else {
		slug = strings.TrimSuffix(slug, ".json")
	}
	if !strings.HasPrefix(name, "rollcall-snapshot-") || slug == "" || (!sig && !strings.HasSuffix(name, ".json")) {
		s.notFound(w, r)
		return
	}
	sn, err := s.store.SnapshotBySlug(r.Context(), slug)
	if isNotFound(err) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, "snapshot", err)
		return
	}
	openData(w)
	// A snapshot never changes: cache it for a year.
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	if sig {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte(sn.Signature + "\n"))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(sn.Body)
}

// publicKey serves the key that signed the latest snapshot, as its file
// in the data directory holds it.
func (s *Server) publicKey(w http.ResponseWriter, r *http.Request) {
	snaps, err := s.store.Snapshots(r.Context())
	if err != nil {
		s.serverError(w, "public key", err)
		return
	}
	if len(snaps) == 0 {
		s.notFound(w, r)
		return
	}
	if _, err := base64.StdEncoding.DecodeString(snaps[0].PublicKey); err != nil {
		s.serverError(w, "public key", err)
		return
	}
	openData(w)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(snaps[0].PublicKey + "\n"))
}
