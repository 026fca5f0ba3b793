package store

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// SignBody returns the base64 HMAC-SHA256 of body keyed with secret: the
// signature that Shopify, WooCommerce and erpsync's own storefront put on
// the raw body of a webhook.
func SignBody(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// CheckBodySignature checks signature, the value of the header named
// header, as a [SignBody] signature of body, in constant time. It returns
// the reason for refusing the delivery, or "" when the signature is good.
func CheckBodySignature(secret string, body []byte, header, signature string) string {
	if signature == "" {
		return "missing " + header + " header"
	}
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return header + " is not base64"
	}

	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return "signature does not match the body"
	}
	return ""
}
