package intake

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"unicode/utf8"

	"rollcall/internal/registry"
)

// FuzzReader feeds arbitrary bytes to the CSV reader: it must never panic,
// and every row it accepts must hold valid values.
func FuzzReader(f *testing.F) {
	header := "source,record,name,name_alt,sex,birth_year,birth_date,region,locality,roles,status,date,verification,place,note\n"
	for _, seed := range []string{
		header + "v,1,Лалагул Каллыханова,Lolagul Kallykhanova,f,1987,,Нукус,,journalist,detained,2022-07-02,verified,СИЗО,\n",
		header + "v,1,\"A, B\",,,,,,,,missing,2022-07,,,\"x\r\ny\"\r\n",
		"\ufeff" + header + "v,2,X,,m,1990,1990-01-02,,,protester;relative,killed,2022,corroborated,,\n",
		"source,record,name,status,date\nv,1,A,missing,2022-07-01\n",
		header + "v,1,\xff\xfe,,,,,,,,missing,2022-07-01,,,\n",
		"source,colour\n1,2\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		for i := 0; i < 10000; i++ {
			row, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var re *RowError
			if errors.As(err, &re) {
				if re.Line < 1 {
					t.Fatalf("error without a line number: %v", err)
				}
				if re.fatal {
					return
				}
				continue
			}
			if err != nil {
				return
			}
			if row.Record.Name == "" || row.Record.SourceKey == "" || row.Record.Key == "" {
				t.Fatalf("accepted a row without name, source or record: %+v", row)
			}
			if !utf8.ValidString(row.Record.Name) || !utf8.ValidString(row.Claim.Note) {
				t.Fatal("accepted invalid UTF-8")
			}
			if _, err := registry.ParseStatus(string(row.Claim.Status)); err != nil {
				t.Fatal(err)
			}
			if row.Claim.Date.Start > row.Claim.Date.End || row.Claim.Date.Start == 0 {
				t.Fatalf("bad period %+v", row.Claim.Date)
			}
			if fieldsDigest(&row.Record) == "" {
				t.Fatal("row without hashes")
			}
		}
	})
}
