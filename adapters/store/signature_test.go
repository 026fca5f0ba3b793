package store

import "testing"

func TestCheckBodySignature(t *testing.T) {
	body := []byte(`{"id":1042}`)
	good := SignBody("s3cret", body)
	tests := []struct {
		name, secret, signature, want string
	}{
		{"good", "s3cret", good, ""},
		{"missing", "s3cret", "", "missing X-Sig header"},
		{"not base64", "s3cret", "%%%", "X-Sig is not base64"},
		{"other secret", "other", good, "signature does not match the body"},
	}
	for _, tt := range tests {
		if got := CheckBodySignature(tt.secret, body, "X-Sig", tt.signature); got != tt.want {
			t.Errorf("%s: CheckBodySignature() = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := CheckBodySignature("s3cret", []byte(`{"id":1043}`), "X-Sig", good); got == "" {
		t.Error("CheckBodySignature() accepted a signature of another body")
	}
}
