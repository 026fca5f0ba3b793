// Package oauth1 computes OAuth 1.0a signatures (RFC 5849) over a request's
// method, URL and parameters, as the one-legged flows of NetSuite's
// token-based authentication and WooCommerce's query signing use them. It
// serves the adapters that sign and the sandboxes that check.
package oauth1

import (
	"crypto/hmac"
	"encoding/base64"
	"hash"
	"net/url"
	"sort"
	"strings"
)

// Sign returns the base64 HMAC signature, with the hash newHash, of the
// signature base string base, keyed with the encoded consumer and token
// secrets joined by "&" (the token secret is "" in flows without a token).
func Sign(newHash func() hash.Hash, base, consumerSecret, tokenSecret string) string {
	mac := hmac.New(newHash, []byte(Encode(consumerSecret)+"&"+Encode(tokenSecret)))
	mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// BaseString builds the signature base string of a request to u with
// method: the upper-case method, the base URI of u and the normalised
// parameters, each encoded and joined by "&". The parameters are those of
// u's query and params, less "realm" and "oauth_signature", sorted by
// encoded name and then value.
func BaseString(method string, u *url.URL, params map[string]string) string {
	var pairs [][2]string
	for k, v := range params {
		if k != "realm" && k != "oauth_signature" {
			pairs = append(pairs, [2]string{Encode(k), Encode(v)})
		}
	}
	query, _ := url.ParseQuery(u.RawQuery) // a bad pair is dropped, as servers do
	for k, vs := range query {
		if k == "oauth_signature" {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, [2]string{Encode(k), Encode(v)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] < pairs[j][0]
		}
		return pairs[i][1] < pairs[j][1]
	})

	joined := make([]string, len(pairs))
	for i, kv := range pairs {
		joined[i] = kv[0] + "=" + kv[1]
	}
	return strings.ToUpper(method) + "&" + Encode(BaseURI(u)) + "&" +
		Encode(strings.Join(joined, "&"))
}

// BaseURI is the lower-case scheme and host of u, without a default port,
// and its path.
func BaseURI(u *url.URL) string {
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	switch scheme {
	case "http":
		host = strings.TrimSuffix(host, ":80")
	case "https":
		host = strings.TrimSuffix(host, ":443")
	}
	return scheme + "://" + host + u.EscapedPath()
}

// Encode percent-encodes s as RFC 3986 requires for OAuth: every byte but
// the unreserved characters, with upper-case hex digits.
func Encode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		unreserved := (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || strings.IndexByte("-._~", c) >= 0
		if unreserved {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
