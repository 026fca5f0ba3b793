package config

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// codecKey returns a base64 key of n bytes, each fill.
func codecKey(n int, fill byte) string {
	return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{fill}, n))
}

func TestCodecSettings(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		EnvCodecKeys:        "2026-12=" + codecKey(32, 1) + ",2026-06=" + codecKey(32, 2),
		EnvCodecAuthToken:   "codec-token-value",
		EnvCodecCORSOrigins: "http://localhost:8233/, https://ui.example.com",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Codec.Enabled() || len(c.Codec.Keys) != 2 || c.Codec.Keys[0].ID != "2026-12" {
		t.Errorf("codec keys %v, want 2026-12 then 2026-06", c.Codec.Keys)
	}
	if c.Codec.AuthToken != "codec-token-value" {
		t.Errorf("codec token not read")
	}
	want := []string{"http://localhost:8233", "https://ui.example.com"}
	if fmt.Sprint(c.Codec.CORSOrigins) != fmt.Sprint(want) {
		t.Errorf("codec origins %q, want %q", c.Codec.CORSOrigins, want)
	}
}

func TestCodecOffByDefault(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Codec.Enabled() {
		t.Error("payload encryption is on without keys")
	}
}

func TestCodecRefusesBadKeys(t *testing.T) {
	tests := []struct {
		name, keys, id string
	}{
		{"short key", "good=" + codecKey(32, 3) + ",short-one=" + codecKey(16, 4), "short-one"},
		{"bad base64", "broken-one=%%%" + codecKey(32, 5)[3:], "broken-one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromEnv(env(map[string]string{EnvCodecKeys: tt.keys}))
			if err == nil {
				t.Fatalf("FromEnv accepted %s", tt.name)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.id) || !strings.Contains(msg, EnvCodecKeys) {
				t.Errorf("error %q does not name key %s and %s", msg, tt.id, EnvCodecKeys)
			}
			_, value, _ := strings.Cut(tt.keys[strings.LastIndex(tt.keys, ",")+1:], "=")
			if strings.Contains(msg, value) {
				t.Errorf("error %q quotes the key", msg)
			}
		})
	}
}

func TestCodecRefusesBadOrigin(t *testing.T) {
	_, err := FromEnv(env(map[string]string{EnvCodecCORSOrigins: "localhost:8233"}))
	if err == nil || !strings.Contains(err.Error(), EnvCodecCORSOrigins) {
		t.Errorf("FromEnv = %v, want an error naming %s", err, EnvCodecCORSOrigins)
	}
}

func TestCodecSecretsNotPrinted(t *testing.T) {
	key := codecKey(32, 9)
	c, err := FromEnv(env(map[string]string{
		EnvCodecKeys: "k1=" + key, EnvCodecAuthToken: "codec-token-value",
	}))
	if err != nil {
		t.Fatal(err)
	}

	j, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	raw := string(bytes.Repeat([]byte{9}, 32))
	for _, out := range []string{c.String(), fmt.Sprintf("%+v", c), string(j),
		fmt.Sprintf("%+v", c.Codec)} {
		for _, secret := range []string{key, raw, "codec-token-value", "[9 9 9"} {
			if strings.Contains(out, secret) {
				t.Errorf("config prints a codec secret: %s", out)
			}
		}
	}
}
