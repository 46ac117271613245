package funds

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// StatementRow is one incoming transfer of a bank statement.
type StatementRow struct {
	Line      int
	Day       int // yyyymmdd
	Amount    int64
	Currency  string
	Text      string // the transfer's free text
	Reference string // the pledge reference found in it, or ""
}

// Why a statement, or one of its rows, cannot be read.
var (
	ErrStatementNotCSV  = errors.New("the statement is empty or not CSV")
	ErrStatementHeader  = errors.New("the header needs date, amount, currency and reference or description columns")
	ErrStatementRowCSV  = errors.New("not valid CSV")
	ErrStatementTooLong = fmt.Errorf("more than %d rows: split the statement", MaxStatementRows)
	ErrStatementDate    = errors.New("use YYYY-MM-DD or DD.MM.YYYY")
)

// StatementProblem is a row of a statement that could not be read.
type StatementProblem struct {
	Line int
	Err  error
}

func (p StatementProblem) Error() string { return fmt.Sprintf("line %d: %v", p.Line, p.Err) }

// MaxStatementRows bounds what one pasted statement may hold.
const MaxStatementRows = 5000

// statementColumns are the header names we recognise, by what they hold.
var statementColumns = map[string][]string{
	"date":     {"date", "booking date", "value date", "дата"},
	"amount":   {"amount", "credit", "сумма"},
	"currency": {"currency", "валюта"},
	"text":     {"reference", "description", "details", "purpose", "memo", "remittance information", "назначение"},
}

// ParseStatement reads a bank statement exported as CSV (comma or
// semicolon separated) with a header row naming at least date, amount,
// currency and a free-text column (reference, description, details …).
// Outgoing transfers (negative amounts) are skipped. Rows that cannot be
// read are returned as problems with their line numbers; the others as
// rows. An unusable header is an error.
func ParseStatement(r io.Reader) ([]StatementRow, []StatementProblem, error) {
	data, err := io.ReadAll(io.LimitReader(r, 4<<20))
	if err != nil {
		return nil, nil, err
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	first, _, _ := strings.Cut(text, "\n")
	cr := csv.NewReader(strings.NewReader(text))
	if strings.Count(first, ";") > strings.Count(first, ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, ErrStatementNotCSV
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		for what, names := range statementColumns {
			for _, n := range names {
				if _, seen := col[what]; h == n && !seen {
					col[what] = i
				}
			}
		}
	}
	for _, what := range []string{"date", "amount", "currency", "text"} {
		if _, ok := col[what]; !ok {
			return nil, nil, fmt.Errorf("no %s column: %w", what, ErrStatementHeader)
		}
	}
	var rows []StatementRow
	var problems []StatementProblem
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return rows, problems, err
			}
			problems = append(problems, StatementProblem{pe.StartLine, ErrStatementRowCSV})
			if len(problems) > MaxStatementRows {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rows)+len(problems) >= MaxStatementRows {
			problems = append(problems, StatementProblem{line, ErrStatementTooLong})
			break
		}
		field := func(what string) string {
			if i := col[what]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row, err := statementRow(line, field("date"), field("amount"), field("currency"), field("text"))
		switch {
		case errors.Is(err, errOutgoing):
		case err != nil:
			problems = append(problems, StatementProblem{line, err})
		default:
			rows = append(rows, row)
		}
	}
	return rows, problems, nil
}

var errOutgoing = errors.New("outgoing")

func statementRow(line int, date, amount, currency, text string) (StatementRow, error) {
	var day time.Time
	var err error
	for _, layout := range []string{"2006-01-02", "02.01.2006", "02/01/2006"} {
		if day, err = time.Parse(layout, date); err == nil {
			break
		}
	}
	if err != nil || day.Year() < 1990 || day.Year() > 2200 {
		return StatementRow{}, fmt.Errorf("date %q: %w", date, ErrStatementDate)
	}
	cur, err := ParseCurrency(currency)
	if err != nil {
		return StatementRow{}, err
	}
	if strings.HasPrefix(amount, "-") {
		return StatementRow{}, errOutgoing
	}
	minor, err := ParseAmount(amount, cur, 0)
	if err != nil {
		return StatementRow{}, fmt.Errorf("amount %q: %w", amount, err)
	}
	return StatementRow{Line: line, Day: day.Year()*10000 + int(day.Month())*100 + day.Day(), Amount: minor,
		Currency: cur, Text: text, Reference: FindReference(text)}, nil
}
