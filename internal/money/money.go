// Package money converts between integer minor units, which erpsync uses
// everywhere, and the decimal strings that wire protocols carry. It never
// goes through floating point.
package money

import (
	"fmt"
	"strconv"
	"strings"
)

// exponents lists the ISO 4217 currencies whose minor unit is not a
// hundredth.
var exponents = map[string]int{
	"BHD": 3, "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "IQD": 3, "ISK": 0,
	"JOD": 3, "JPY": 0, "KMF": 0, "KRW": 0, "KWD": 3, "LYD": 3, "OMR": 3,
	"PYG": 0, "RWF": 0, "TND": 3, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0,
	"XOF": 0, "XPF": 0,
}

// Exponent returns the number of decimal places of currency's minor unit.
// Currencies that are not in the short list of exceptions use two.
func Exponent(currency string) int {
	if e, ok := exponents[strings.ToUpper(currency)]; ok {
		return e
	}
	return 2
}

// ValidCurrency reports whether code has the shape of an ISO 4217 code: three
// upper-case letters.
func ValidCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for _, r := range code {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// Decimal formats minor units of currency as a decimal string, such as
// "19.99" for 1999 USD cents.
func Decimal(minor int64, currency string) string {
	exp := Exponent(currency)
	if exp == 0 {
		return strconv.FormatInt(minor, 10)
	}

	sign := ""
	u := uint64(minor)
	if minor < 0 {
		sign = "-"
		u = uint64(-minor)
	}
	digits := fmt.Sprintf("%0*d", exp+1, u)
	cut := len(digits) - exp
	return sign + digits[:cut] + "." + digits[cut:]
}

// ParseMinor parses a decimal string such as "19.99" or "-3" into minor units
// of currency. It refuses more decimal places than the currency has, so that
// no amount is rounded silently.
func ParseMinor(s, currency string) (int64, error) {
	exp := Exponent(currency)
	whole, frac, hasFrac := strings.Cut(strings.TrimSpace(s), ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")

	if whole == "" || (hasFrac && frac == "") {
		return 0, fmt.Errorf("parse amount %q: not a decimal number", s)
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > exp {
		return 0, fmt.Errorf("parse amount %q: more than %d decimals for %s", s, exp, currency)
	}
	frac += strings.Repeat("0", exp-len(frac))

	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || strings.ContainsAny(whole+frac, "+-") {
		return 0, fmt.Errorf("parse amount %q: not a decimal number in range", s)
	}
	if neg {
		n = -n
	}
	return n, nil
}
