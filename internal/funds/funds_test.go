package funds_test

import (
	"errors"
	"math/rand"
	"strings"
	"testing"

	"rollcall/internal/funds"
)

func TestParseAmount(t *testing.T) {
	ok := []struct {
		text, cur string
		want      int64
	}{
		{"12.50", "EUR", 1250},
		{"12,50", "EUR", 1250},
		{"12.5", "EUR", 1250},
		{"12", "EUR", 1200},
		{" 1 000 ", "EUR", 100000},
		{"0.01", "USD", 1},
		{"1000", "JPY", 1000},
		{"1000.00", "JPY", 1000},
		{"1.250", "KWD", 1250},
		{"0.005", "BHD", 5},
		{"50000", "UZS", 5000000},
		{"+3", "GBP", 300},
	}
	for _, c := range ok {
		got, err := funds.ParseAmount(c.text, c.cur, 0)
		if err != nil || got != c.want {
			t.Errorf("ParseAmount(%q, %s) = %d, %v; want %d", c.text, c.cur, got, err, c.want)
		}
	}
	bad := []struct {
		text, cur string
		max       int64
		problem   funds.AmountProblem
		message   string
	}{
		{"12.505", "EUR", 0, funds.AmountTooPrecise, "EUR has at most 2 digits after the decimal point"},
		{"100.5", "JPY", 0, funds.AmountTooPrecise, "JPY has no decimals: give a whole amount"},
		{"1.2345", "KWD", 0, funds.AmountTooPrecise, "KWD has at most 3 digits"},
		{"0", "EUR", 0, funds.AmountNotPositive, "more than zero"},
		{"0.00", "EUR", 0, funds.AmountNotPositive, "more than zero"},
		{"-5", "EUR", 0, funds.AmountNotPositive, "more than zero"},
		{"10000.01", "EUR", 1000000, funds.AmountTooLarge, "the most accepted at once is 10000.00 EUR"},
		{"99999999999999999999", "EUR", 0, funds.AmountTooLarge, "the most accepted"},
		{"", "EUR", 0, funds.AmountMalformed, "give the amount as a number"},
		{"12e3", "EUR", 0, funds.AmountMalformed, "give the amount as a number"},
		{"1,000.50", "EUR", 0, funds.AmountMalformed, "give the amount as a number"},
		{"ten", "EUR", 0, funds.AmountMalformed, "give the amount as a number"},
		{"5", "XYZ", 0, funds.AmountCurrency, "unknown currency"},
	}
	for _, c := range bad {
		_, err := funds.ParseAmount(c.text, c.cur, c.max)
		var ae *funds.AmountError
		if !errors.As(err, &ae) || ae.Problem != c.problem || !strings.Contains(err.Error(), c.message) {
			t.Errorf("ParseAmount(%q, %s, %d) = %v; want a %s problem saying %q", c.text, c.cur, c.max, err, c.problem, c.message)
		}
	}
}

func TestFormatAmount(t *testing.T) {
	for _, c := range []struct {
		minor int64
		cur   string
		want  string
	}{{1250, "EUR", "12.50 EUR"}, {5, "EUR", "0.05 EUR"}, {1000, "JPY", "1000 JPY"}, {-5, "KWD", "-0.005 KWD"}, {1250, "KWD", "1.250 KWD"}} {
		if got := funds.FormatAmount(c.minor, c.cur); got != c.want {
			t.Errorf("FormatAmount(%d, %s) = %q; want %q", c.minor, c.cur, got, c.want)
		}
	}
}

// A typed amount and its formatted form read back to the same minor units,
// for every currency's decimals.
func TestAmountRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, cur := range []string{"EUR", "JPY", "KWD", "UZS"} {
		for i := 0; i < 2000; i++ {
			n := rng.Int63n(1e12) + 1
			got, err := funds.ParseAmount(funds.FormatNumber(n, cur), cur, 0)
			if err != nil || got != n {
				t.Fatalf("%s %d: formatted %q read back as %d, %v", cur, n, funds.FormatNumber(n, cur), got, err)
			}
		}
	}
}

func TestTransactionCheck(t *testing.T) {
	good := funds.Donation("legal-aid", funds.AccountProcessor("stripe"), "EUR", 1000)
	if err := good.Check(); err != nil {
		t.Fatal(err)
	}
	unbalanced := funds.Transaction{Kind: "x", Entries: []funds.Entry{{"a", "EUR", 100}, {"b", "EUR", -99}}}
	if err := unbalanced.Check(); !errors.Is(err, funds.ErrUnbalanced) {
		t.Errorf("an unbalanced transaction passed: %v", err)
	}
	// Balanced in total but not per currency: 100 EUR against 100 USD.
	mixed := funds.Transaction{Kind: "x", Entries: []funds.Entry{{"a", "EUR", 100}, {"b", "USD", -100}}}
	if err := mixed.Check(); !errors.Is(err, funds.ErrUnbalanced) {
		t.Errorf("a transaction balanced only across currencies passed: %v", err)
	}
	for _, bad := range []funds.Transaction{
		{Entries: []funds.Entry{{"a", "EUR", 0}, {"b", "EUR", 0}}},
		{Entries: []funds.Entry{{"a", "EUR", 5}}},
		{Entries: []funds.Entry{{"a", "XXX", 5}, {"b", "XXX", -5}}},
		{Entries: []funds.Entry{{"", "EUR", 5}, {"b", "EUR", -5}}},
	} {
		if bad.Check() == nil {
			t.Errorf("%+v passed the check", bad)
		}
	}
}

// Property: whatever mix of donations, fees, reversals and disbursements
// in whatever currencies, every transaction sums to zero per currency,
// the balances are the sums of the entries, and the balances of all
// accounts sum to zero per currency.
func TestLedgerInvariants(t *testing.T) {
	currencies := []string{"EUR", "JPY", "KWD", "USD"}
	for seed := int64(1); seed <= 200; seed++ {
		rng := rand.New(rand.NewSource(seed))
		var all []funds.Entry
		want := map[funds.BalanceKey]int64{}
		for i := 0; i < 50; i++ {
			cur := currencies[rng.Intn(len(currencies))]
			camp := []string{"legal-aid", "families"}[rng.Intn(2)]
			n := rng.Int63n(1_000_000) + 1
			var tx funds.Transaction
			switch rng.Intn(4) {
			case 0:
				tx = funds.Donation(camp, funds.AccountProcessor("stripe"), cur, n)
			case 1:
				tx = funds.Fee("stripe", camp, cur, n)
			case 2:
				tx = funds.Reversal(camp, funds.AccountBank, cur, n)
			default:
				tx = funds.Disbursement(camp, funds.Categories[rng.Intn(len(funds.Categories))], funds.AccountBank, cur, n)
			}
			if err := tx.Check(); err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			for _, e := range tx.Entries {
				want[funds.BalanceKey{Account: e.Account, Currency: e.Currency}] += e.Amount
			}
			all = append(all, tx.Entries...)
		}
		got := funds.Balances(all)
		perCurrency := map[string]int64{}
		for k, v := range got {
			if want[k] != v {
				t.Fatalf("seed %d: balance of %v is %d; the entries sum to %d", seed, k, v, want[k])
			}
			perCurrency[k.Currency] += v
		}
		for cur, v := range perCurrency {
			if v != 0 {
				t.Fatalf("seed %d: the balances in %s sum to %d, not zero", seed, cur, v)
			}
		}
	}
}

// A donation and its full reversal leave the campaign's income at zero.
func TestReversalReturnsToZero(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < 500; i++ {
		n := rng.Int63n(1e9) + 1
		entries := append(funds.Donation("c", funds.AccountProcessor("stripe"), "EUR", n).Entries, funds.Reversal("c", funds.AccountProcessor("stripe"), "EUR", n).Entries...)
		for k, v := range funds.Balances(entries) {
			if v != 0 {
				t.Fatalf("after a donation of %d and its refund, %v is %d", n, k, v)
			}
		}
	}
}

func TestReferences(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		r := funds.NewReference()
		if seen[r] {
			t.Fatalf("reference %s made twice", r)
		}
		seen[r] = true
		// Banks mangle spacing and case; the code is still found.
		for _, text := range []string{"Donation " + r, strings.ToLower(r) + " thanks", strings.ReplaceAll(r, "-", " ")} {
			if got := funds.FindReference(text); got != r {
				t.Fatalf("FindReference(%q) = %q; want %q", text, got, r)
			}
		}
	}
	if got := funds.FindReference("salary for March"); got != "" {
		t.Errorf("found %q in a text without a reference", got)
	}
}

func TestParseStatement(t *testing.T) {
	csv := "Date;Amount;Currency;Reference\n" +
		"2026-11-02;25,00;EUR;Gift RC-7KQM-X4PD\n" +
		"03.11.2026;-40,00;EUR;rent\n" +
		"2026-11-04;abc;EUR;RC-AAAA-BBBB\n" +
		"2026-11-05;10;EUR;no code\n"
	rows, problems, err := funds.ParseStatement(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Reference != "RC-7KQM-X4PD" || rows[0].Amount != 2500 || rows[0].Day != 20261102 || rows[0].Line != 2 {
		t.Errorf("rows = %+v", rows)
	}
	if rows[1].Reference != "" || rows[1].Amount != 1000 {
		t.Errorf("second row = %+v", rows[1])
	}
	if len(problems) != 1 || problems[0].Line != 4 || !strings.Contains(problems[0].Error(), "line 4: amount \"abc\"") {
		t.Errorf("problems = %v", problems)
	}
	if _, _, err := funds.ParseStatement(strings.NewReader("when,how much\n1,2\n")); err == nil || !strings.Contains(err.Error(), "no date column") {
		t.Errorf("a statement without the needed columns: %v", err)
	}
}

func FuzzParseStatement(f *testing.F) {
	f.Add("Date,Amount,Currency,Reference\n2026-11-02,25.00,EUR,RC-7KQM-X4PD\n")
	f.Add("Date;Amount;Currency;Details\n02.11.2026;1 000,50;EUR;\"a \"\"quoted\"\" RC 7KQM X4PD\"\n")
	f.Add("\ufeffdate,amount,currency,description\n2026-01-01,-5,JPY,x\n2026-01-02,5,KWD,rc-abcd-efgh\n")
	f.Add("date,amount,currency,memo\n\"unterminated,1,EUR,x\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, problems, err := funds.ParseStatement(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, r := range rows {
			if r.Amount <= 0 || r.Line < 2 || r.Day < 19900101 || r.Day > 22001231 {
				t.Fatalf("a row that should have been refused: %+v", r)
			}
			if _, ok := funds.Exponent(r.Currency); !ok {
				t.Fatalf("unknown currency accepted: %+v", r)
			}
			if r.Reference != "" && funds.FindReference(r.Reference) != r.Reference {
				t.Fatalf("reference %q does not read back", r.Reference)
			}
		}
		for _, p := range problems {
			if p.Err == nil {
				t.Fatal("a problem without an error")
			}
		}
	})
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"12.50", "12,50", "1 000", "-1", "0.001", "1e5", "", "99999999999999999999"} {
		f.Add(s, "EUR")
		f.Add(s, "KWD")
		f.Add(s, "JPY")
	}
	f.Fuzz(func(t *testing.T, s, cur string) {
		n, err := funds.ParseAmount(s, cur, 0)
		if err != nil {
			return
		}
		if n <= 0 {
			t.Fatalf("ParseAmount(%q, %q) = %d", s, cur, n)
		}
		if back, err := funds.ParseAmount(funds.FormatNumber(n, cur), cur, 0); err != nil || back != n {
			t.Fatalf("%q → %d → %q → %d, %v", s, n, funds.FormatNumber(n, cur), back, err)
		}
	})
}
