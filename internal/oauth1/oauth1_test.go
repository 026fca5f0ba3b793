package oauth1

import (
	"crypto/sha1"
	"net/url"
	"testing"
)

// TestSignKnownRequest signs the photo request that the OAuth Core 1.0
// specification works through in its appendix, and expects its signature.
func TestSignKnownRequest(t *testing.T) {
	u, _ := url.Parse("http://photos.example.net:80/photos?file=vacation.jpg&size=original")
	params := map[string]string{
		"oauth_consumer_key":     "dpf43f3p2l4k3l03",
		"oauth_token":            "nnch734d00sl2jdk",
		"oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp":        "1191242096",
		"oauth_nonce":            "kllo9940pd9333jh",
		"oauth_version":          "1.0",
		"realm":                  "ignored",
	}

	base := BaseString("get", u, params)
	wantBase := "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26" +
		"oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26" +
		"oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096%26" +
		"oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal"
	if base != wantBase {
		t.Fatalf("BaseString() =\n%s\nwant\n%s", base, wantBase)
	}
	got := Sign(sha1.New, base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00")
	if want := "tR3+Ty81lMeYAr/Fid0kMTYa/WM="; got != want {
		t.Errorf("Sign() = %s, want %s", got, want)
	}
}

func TestEncode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc-._~XYZ09", "abc-._~XYZ09"},
		{"a b+c", "a%20b%2Bc"},
		{"é/&=", "%C3%A9%2F%26%3D"},
	}
	for _, tt := range tests {
		if got := Encode(tt.in); got != tt.want {
			t.Errorf("Encode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
