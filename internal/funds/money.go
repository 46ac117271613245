// Package funds is the money side of Rollcall: campaigns, gifts, the
// double-entry ledger and its rules, and card processors (Processor). It
// holds no SQL and no HTTP handlers: storage is internal/store, pages are
// internal/web.
package funds

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// exponents are the ISO 4217 minor-unit exponents of the currencies we
// accept: amounts are kept as integers of the minor unit (cents, fils), so
// 12.50 EUR is 1250 and 1.250 KWD is 1250 too. UZS is 2 as ISO 4217 says
// (tiyin), although nobody pays in tiyin; card processors count it so too.
var exponents = map[string]int{
	// zero-decimal
	"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "PYG": 0, "UGX": 0, "XAF": 0, "XOF": 0,
	// two-decimal
	"EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2,
	"CAD": 2, "AUD": 2, "NZD": 2, "RUB": 2, "UZS": 2, "KZT": 2, "KGS": 2, "TRY": 2, "UAH": 2,
	"GEL": 2, "AMD": 2, "AZN": 2, "ILS": 2,
	// three-decimal
	"KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3, "IQD": 3,
}

// Exponent returns the number of digits after the decimal point in a
// currency's amounts; false for a currency we do not know.
func Exponent(currency string) (int, bool) {
	e, ok := exponents[currency]
	return e, ok
}

// ErrCurrency is a currency we do not know the minor unit of.
var ErrCurrency = errors.New("unknown currency")

// ParseCurrency reads a currency code ("eur" → "EUR") and refuses one we
// do not know the minor unit of.
func ParseCurrency(s string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if _, ok := exponents[c]; !ok {
		return "", fmt.Errorf("%w %q: give an ISO 4217 code such as EUR, USD, JPY or KWD", ErrCurrency, s)
	}
	return c, nil
}

// AmountProblem says what is wrong with a typed amount; web pages show a
// translated message for each.
type AmountProblem string

// The ways a typed amount can be wrong.
const (
	AmountMalformed   AmountProblem = "malformed"    // not a number
	AmountTooPrecise  AmountProblem = "decimals"     // more decimals than the currency has
	AmountNotPositive AmountProblem = "positive"     // zero or less
	AmountTooLarge    AmountProblem = "max"          // above the configured maximum
	AmountCurrency    AmountProblem = "currency"     // a currency we do not know
	amountOverflow    AmountProblem = AmountTooLarge // beyond int64: too large, whatever the maximum
)

// AmountError is a refused amount, with what a message needs.
type AmountError struct {
	Problem  AmountProblem
	Currency string
	Digits   int   // the currency's decimals
	Max      int64 // the maximum, in minor units
}

func (e *AmountError) Error() string {
	switch e.Problem {
	case AmountTooPrecise:
		if e.Digits == 0 {
			return fmt.Sprintf("%s has no decimals: give a whole amount", e.Currency)
		}
		return fmt.Sprintf("%s has at most %d digits after the decimal point", e.Currency, e.Digits)
	case AmountNotPositive:
		return "the amount must be more than zero"
	case AmountTooLarge:
		return fmt.Sprintf("the most accepted at once is %s", FormatAmount(e.Max, e.Currency))
	case AmountCurrency:
		return fmt.Sprintf("unknown currency %q", e.Currency)
	}
	return "give the amount as a number, e.g. 25 or 12.50"
}

// ParseAmount reads an amount a person typed, in currency, into minor
// units: "12.50" EUR is 1250, "1000" JPY is 1000, "1.250" KWD is 1250. A
// comma may stand for the decimal point (as Russian and Uzbek write it)
// and spaces may group thousands. max (minor units) bounds it; 0 means no
// bound.
func ParseAmount(text, currency string, max int64) (int64, error) {
	digits, ok := exponents[currency]
	if !ok {
		return 0, &AmountError{Problem: AmountCurrency, Currency: currency}
	}
	bad := func(p AmountProblem) (int64, error) {
		return 0, &AmountError{Problem: p, Currency: currency, Digits: digits, Max: max}
	}
	s := strings.TrimSpace(text)
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "").Replace(s)
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	negative := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || !allDigits(whole) || !allDigits(frac) {
		return bad(AmountMalformed)
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > digits {
		return bad(AmountTooPrecise)
	}
	frac += strings.Repeat("0", digits-len(frac))
	whole = strings.TrimLeft(whole, "0")
	if len(whole)+digits > 18 {
		return bad(amountOverflow)
	}
	n, err := strconv.ParseInt("0"+whole+frac, 10, 64)
	if err != nil {
		return bad(AmountMalformed)
	}
	if negative || n == 0 {
		return bad(AmountNotPositive)
	}
	if max > 0 && n > max {
		return bad(AmountTooLarge)
	}
	return n, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// FormatAmount writes minor units in the currency's decimals with its code:
// 1250 EUR is "12.50 EUR", 1000 JPY "1000 JPY", -5 KWD "-0.005 KWD".
func FormatAmount(minor int64, currency string) string {
	return FormatNumber(minor, currency) + " " + currency
}

// FormatNumber is FormatAmount without the code.
func FormatNumber(minor int64, currency string) string {
	digits := exponents[currency]
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	s := strconv.FormatInt(minor, 10)
	if digits == 0 {
		return sign + s
	}
	if len(s) <= digits {
		s = strings.Repeat("0", digits-len(s)+1) + s
	}
	return sign + s[:len(s)-digits] + "." + s[len(s)-digits:]
}
