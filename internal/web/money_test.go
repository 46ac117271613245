package web

import (
	"io"
	"log/slog"
	"testing"
)

// Amounts are written the way each language writes numbers (the
// catalogues' number.decimal and number.group); downloads keep the plain form.
func TestMoneyInEachLanguage(t *testing.T) {
	s, err := New(nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang     string
		minor    int64
		currency string
		want     string
	}{
		{"en", 123456789, "EUR", "1,234,567.89\u00a0EUR"},
		{"ru", 123456789, "EUR", "1\u00a0234\u00a0567,89\u00a0EUR"},
		{"uz", 1500, "UZS", "15,00\u00a0UZS"},
		{"kaa", 1000, "JPY", "1\u00a0000\u00a0JPY"},
		{"en", -5, "KWD", "-0.005\u00a0KWD"},
		{"en", -123456, "EUR", "-1,234.56\u00a0EUR"},
		{"en", 100, "JPY", "100\u00a0JPY"},
	} {
		p, _ := s.page(c.lang)
		if got := p.Money(c.minor, c.currency); got != c.want {
			t.Errorf("%s %d %s: %q, want %q", c.lang, c.minor, c.currency, got, c.want)
		}
	}
}
