package money

import "testing"

func TestDecimalAndParseMinorRoundTrip(t *testing.T) {
	cases := []struct {
		minor    int64
		currency string
		text     string
	}{
		{1999, "USD", "19.99"},
		{5, "EUR", "0.05"},
		{-250, "EUR", "-2.50"},
		{0, "GBP", "0.00"},
		{1500, "JPY", "1500"},
		{12345, "KWD", "12.345"},
		{-1, "BHD", "-0.001"},
	}
	for _, c := range cases {
		if got := Decimal(c.minor, c.currency); got != c.text {
			t.Errorf("Decimal(%d, %s) = %q, want %q", c.minor, c.currency, got, c.text)
		}
		got, err := ParseMinor(c.text, c.currency)
		if err != nil || got != c.minor {
			t.Errorf("ParseMinor(%q, %s) = %d, %v; want %d", c.text, c.currency, got, err, c.minor)
		}
	}
}

func TestParseMinorPadsAndTrims(t *testing.T) {
	cases := map[string]int64{"19.9": 1990, "19": 1900, "19.900": 1990, " 7.5 ": 750, "-0.5": -50}
	for text, want := range cases {
		got, err := ParseMinor(text, "EUR")
		if err != nil || got != want {
			t.Errorf("ParseMinor(%q, EUR) = %d, %v; want %d", text, got, err, want)
		}
	}
}

func TestParseMinorRefusesWhatWouldBeRounded(t *testing.T) {
	bad := []struct{ text, currency string }{
		{"19.999", "EUR"}, {"1.5", "JPY"}, {"", "EUR"}, {"1.", "EUR"}, {".5", "EUR"},
		{"1,50", "EUR"}, {"1e3", "EUR"}, {"--1", "EUR"}, {"+-1", "EUR"},
		{"99999999999999999999", "EUR"}, {"NaN", "EUR"},
	}
	for _, b := range bad {
		if got, err := ParseMinor(b.text, b.currency); err == nil {
			t.Errorf("ParseMinor(%q, %s) = %d, want an error", b.text, b.currency, got)
		}
	}
}

func TestValidCurrency(t *testing.T) {
	for code, want := range map[string]bool{
		"EUR": true, "JPY": true, "eur": false, "EU": false, "EURO": false, "E1R": false, "": false,
	} {
		if got := ValidCurrency(code); got != want {
			t.Errorf("ValidCurrency(%q) = %v, want %v", code, got, want)
		}
	}
}
