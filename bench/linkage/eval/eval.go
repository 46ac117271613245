// Package eval scores a linkage against ground truth and loads the public
// reference data sets (FEBRL, Splink's fake_1000) as linkage records.
package eval

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"rollcall/internal/linkage"
)

// Scores are pairwise: a pair of records is a true positive when the
// linkage put them in one cluster and they are one true person.
type Scores struct {
	TruePositives, FalsePositives, FalseNegatives int64
	Precision, Recall, F1                         float64
}

func (s Scores) String() string {
	return fmt.Sprintf("precision %.4f recall %.4f F1 %.4f (tp %d fp %d fn %d)",
		s.Precision, s.Recall, s.F1, s.TruePositives, s.FalsePositives, s.FalseNegatives)
}

func choose2(n int64) int64 { return n * (n - 1) / 2 }

// Pairwise compares clusters of record ids with truth (record id → person).
func Pairwise(clusters [][]string, truth map[string]string) Scores {
	var predicted, tp int64
	for _, c := range clusters {
		predicted += choose2(int64(len(c)))
		by := map[string]int64{}
		for _, id := range c {
			by[truth[id]]++
		}
		for _, n := range by {
			tp += choose2(n)
		}
	}
	sizes := map[string]int64{}
	for _, p := range truth {
		sizes[p]++
	}
	var actual int64
	for _, n := range sizes {
		actual += choose2(n)
	}
	s := Scores{TruePositives: tp, FalsePositives: predicted - tp, FalseNegatives: actual - tp}
	if predicted > 0 {
		s.Precision = float64(tp) / float64(predicted)
	}
	if actual > 0 {
		s.Recall = float64(tp) / float64(actual)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s
}

// Count is the number of persons with some claim, three ways.
type Count struct {
	Name                string
	True, Linked, Naive int
}

// countStatuses are the claim groups counted.
var countStatuses = []struct {
	name     string
	statuses []string
}{
	{"detained", []string{"detained", "sentenced", "released", "restricted", "died_in_custody"}},
	{"killed", []string{"killed", "died_in_custody"}},
	{"missing", []string{"missing"}},
}

// Counts counts persons with a detained, killed or missing claim: by the
// truth, by the linkage's clusters, and naively (one person per record).
func Counts(records []linkage.Record, clusters [][]string, truth map[string]string) []Count {
	has := func(r *linkage.Record, statuses []string) bool {
		for _, c := range r.Claims {
			for _, s := range statuses {
				if c.Status == s {
					return true
				}
			}
		}
		return false
	}
	byID := make(map[string]*linkage.Record, len(records))
	for i := range records {
		byID[records[i].ID] = &records[i]
	}
	var out []Count
	for _, cs := range countStatuses {
		c := Count{Name: cs.name}
		truePersons := map[string]bool{}
		for i := range records {
			if has(&records[i], cs.statuses) {
				c.Naive++
				truePersons[truth[records[i].ID]] = true
			}
		}
		c.True = len(truePersons)
		for _, cl := range clusters {
			for _, id := range cl {
				if has(byID[id], cs.statuses) {
					c.Linked++
					break
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// ErrNoData is returned when the reference data folder is absent.
var ErrNoData = fmt.Errorf("reference data folder not found")

// DataDir finds /work/shared/data or ../shared/data relative to the
// working directory or its parents; "" when absent.
func DataDir() string {
	if d := os.Getenv("ROLLCALL_REFDATA"); d != "" {
		return d
	}
	wd, _ := os.Getwd()
	for dir := wd; ; dir = filepath.Dir(dir) {
		for _, c := range []string{filepath.Join(dir, "shared", "data"), filepath.Join(dir, "..", "shared", "data")} {
			if st, err := os.Stat(filepath.Join(c, "febrl")); err == nil && st.IsDir() {
				return c
			}
		}
		if filepath.Dir(dir) == dir {
			return ""
		}
	}
}

// LoadFEBRL reads FEBRL files into records: "surname, given_name" as the
// name, date_of_birth as birth date, postcode and suburb as locality, state as
// region.
// Truth: records whose rec_id share the number are one person.
func LoadFEBRL(paths ...string) ([]linkage.Record, map[string]string, error) {
	var recs []linkage.Record
	truth := map[string]string{}
	for _, p := range paths {
		rows, err := readCSV(p)
		if err != nil {
			return nil, nil, err
		}
		col := columns(rows[0])
		for _, row := range rows[1:] {
			get := field(row, col)
			id := get("rec_id")
			if id == "" {
				continue
			}
			if _, dup := truth[id]; dup {
				id = filepath.Base(p) + ":" + id // 4a and 4b reuse ids
			}
			// postcode and suburb are the interchange's locality, state its region
			loc := strings.TrimSpace(get("postcode") + " " + get("suburb"))
			r := linkage.Record{ID: id, Source: filepath.Base(p), Locality: loc, Region: get("state")}
			// FEBRL keeps the parts apart: say which is which, the way the
			// interchange allows ("Surname, Given")
			if name := commaName(get("surname"), get("given_name")); name != "" {
				r.Names = []string{name}
			}
			if dob := get("date_of_birth"); len(dob) == 8 {
				r.BirthDate = dob[:4] + "-" + dob[4:6] + "-" + dob[6:]
				fmt.Sscan(dob[:4], &r.BirthYear)
			}
			parts := strings.Split(get("rec_id"), "-")
			if len(parts) < 2 {
				return nil, nil, fmt.Errorf("%s: unexpected rec_id %q", p, get("rec_id"))
			}
			person := "febrl-" + parts[1]
			truth[id] = person
			recs = append(recs, r)
		}
	}
	return recs, truth, nil
}

// LoadSplink reads Splink's fake_1000.csv: "surname, first_name", dob, city.
func LoadSplink(path string) ([]linkage.Record, map[string]string, error) {
	rows, err := readCSV(path)
	if err != nil {
		return nil, nil, err
	}
	col := columns(rows[0])
	var recs []linkage.Record
	truth := map[string]string{}
	for _, row := range rows[1:] {
		get := field(row, col)
		r := linkage.Record{ID: "s" + get("unique_id"), Source: "fake_1000", Locality: get("city")}
		if name := commaName(get("surname"), get("first_name")); name != "" {
			r.Names = []string{name}
		}
		if dob := get("dob"); len(dob) == 10 {
			r.BirthDate = dob
			fmt.Sscan(dob[:4], &r.BirthYear)
		}
		truth[r.ID] = "c" + get("cluster")
		recs = append(recs, r)
	}
	return recs, truth, nil
}

func readCSV(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) < 1 {
		return nil, fmt.Errorf("%s: empty", path)
	}
	return rows, nil
}

// field returns a getter for the named, trimmed cells of a row.
func field(row []string, col map[string]int) func(string) string {
	return func(name string) string {
		i, ok := col[name]
		if !ok || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
}

func columns(header []string) map[string]int {
	m := map[string]int{}
	for i, h := range header {
		m[strings.TrimSpace(h)] = i
	}
	return m
}

// commaName writes "Surname, Given" when both parts are known, else the
// part that is.
func commaName(surname, given string) string {
	surname, given = strings.TrimSpace(surname), strings.TrimSpace(given)
	switch {
	case surname != "" && given != "":
		return surname + ", " + given
	case surname != "":
		return surname
	}
	return given
}
