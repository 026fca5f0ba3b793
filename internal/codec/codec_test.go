package codec

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// testKey returns a fresh random key named id.
func testKey(t *testing.T, id string) Key {
	t.Helper()
	secret := make([]byte, KeySize)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	k, err := NewKey(id, secret)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newCodec returns a codec over keys, failing the test on error.
func newCodec(t *testing.T, keys ...Key) *Codec {
	t.Helper()
	c, err := New(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// jsonPayload converts v with Temporal's default converter.
func jsonPayload(t *testing.T, v any) *commonpb.Payload {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayload(v)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func encodeOne(t *testing.T, c *Codec, p *commonpb.Payload) *commonpb.Payload {
	t.Helper()
	out, err := c.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return out[0]
}

func TestRoundTrip(t *testing.T) {
	c := newCodec(t, testKey(t, "k1"))
	plain := []*commonpb.Payload{
		jsonPayload(t, map[string]string{"email": "ana@example.com"}),
		jsonPayload(t, nil),
		jsonPayload(t, []byte{0, 1, 2}),
	}

	enc, err := c.Encode(plain)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range enc {
		if got := string(p.Metadata[converter.MetadataEncoding]); got != Encoding {
			t.Errorf("payload %d encoding %q, want %q", i, got, Encoding)
		}
		if got := string(p.Metadata[MetadataKeyID]); got != "k1" {
			t.Errorf("payload %d key id %q, want k1", i, got)
		}
		if bytes.Contains(p.Data, []byte("ana@example.com")) {
			t.Errorf("payload %d carries the e-mail in clear", i)
		}
	}

	dec, err := c.Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	for i := range plain {
		if !proto.Equal(dec[i], plain[i]) {
			t.Errorf("payload %d decodes to %v, want %v", i, dec[i], plain[i])
		}
	}
}

func TestNonceDiffersPerPayload(t *testing.T) {
	c := newCodec(t, testKey(t, "k1"))
	p := jsonPayload(t, "same")

	a, b := encodeOne(t, c, p), encodeOne(t, c, p)
	if bytes.Equal(a.Data, b.Data) {
		t.Error("the same payload encrypted twice gives the same ciphertext")
	}
}

func TestKeyRotation(t *testing.T) {
	old, fresh := testKey(t, "2026-06"), testKey(t, "2026-12")
	p := jsonPayload(t, "order 1001")
	before := encodeOne(t, newCodec(t, old), p)

	rotated := newCodec(t, fresh, old)
	dec, err := rotated.Decode([]*commonpb.Payload{before})
	if err != nil {
		t.Fatalf("decode with the old key behind a new one: %v", err)
	}
	if !proto.Equal(dec[0], p) {
		t.Errorf("decoded %v, want %v", dec[0], p)
	}

	after := encodeOne(t, rotated, p)
	if got := string(after.Metadata[MetadataKeyID]); got != "2026-12" {
		t.Errorf("new payload uses key %q, want the first key 2026-12", got)
	}
	if _, err := newCodec(t, fresh).Decode([]*commonpb.Payload{after}); err != nil {
		t.Errorf("the new key alone cannot decode new payloads: %v", err)
	}
}

func TestUnknownKeyID(t *testing.T) {
	enc := encodeOne(t, newCodec(t, testKey(t, "gone")), jsonPayload(t, 1))

	_, err := newCodec(t, testKey(t, "other")).Decode([]*commonpb.Payload{enc})
	if err == nil || !strings.Contains(err.Error(), `"gone"`) {
		t.Fatalf("Decode = %v, want an error naming key \"gone\"", err)
	}
}

func TestTamperingFails(t *testing.T) {
	k, other := testKey(t, "k1"), testKey(t, "k2")
	c := newCodec(t, k, other)
	tests := []struct {
		name   string
		tamper func(*commonpb.Payload)
	}{
		{"flipped bit", func(p *commonpb.Payload) { p.Data[len(p.Data)-1] ^= 1 }},
		{"truncated", func(p *commonpb.Payload) { p.Data = p.Data[:10] }},
		{"key id swapped", func(p *commonpb.Payload) { p.Metadata[MetadataKeyID] = []byte("k2") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := encodeOne(t, c, jsonPayload(t, "secret"))
			tt.tamper(p)
			if _, err := c.Decode([]*commonpb.Payload{p}); err == nil {
				t.Error("Decode of a tampered payload succeeded")
			}
		})
	}
}

func TestPlainPayloadPassesThrough(t *testing.T) {
	c := newCodec(t, testKey(t, "k1"))
	plain := jsonPayload(t, "not encrypted")
	noMeta := &commonpb.Payload{Data: []byte("raw")}

	out, err := c.Decode([]*commonpb.Payload{plain, noMeta})
	if err != nil {
		t.Fatal(err)
	}
	if out[0] != plain || out[1] != noMeta {
		t.Errorf("Decode changed payloads it did not encrypt: %v", out)
	}
}

func TestDataConverterRoundTrip(t *testing.T) {
	dc := newCodec(t, testKey(t, "k1")).DataConverter()
	p, err := dc.ToPayload(map[string]string{"email": "ana@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if string(p.Metadata[converter.MetadataEncoding]) != Encoding {
		t.Fatalf("data converter payload encoding %q, want %q",
			p.Metadata[converter.MetadataEncoding], Encoding)
	}

	var got map[string]string
	if err := dc.FromPayload(p, &got); err != nil {
		t.Fatal(err)
	}
	if got["email"] != "ana@example.com" {
		t.Errorf("FromPayload = %v", got)
	}
}

func TestParseKeys(t *testing.T) {
	secret := bytes.Repeat([]byte{7}, KeySize)
	std := base64.StdEncoding.EncodeToString(secret)
	url := base64.RawURLEncoding.EncodeToString(secret)

	keys, err := ParseKeys("new=" + std + ", old=" + url)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0].ID != "new" || keys[1].ID != "old" {
		t.Fatalf("ParseKeys = %v, want new then old", keys)
	}
	if !bytes.Equal(keys[1].secret, secret) {
		t.Error("URL base64 key decoded wrongly")
	}
}

func TestParseKeysRefusesBadKeys(t *testing.T) {
	short := base64.StdEncoding.EncodeToString([]byte("only sixteen byt"))
	good := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, KeySize))
	tests := []struct {
		name, list, want string
	}{
		{"short key", "k-short=" + short, `"k-short"`},
		{"bad base64", "k-bad=***not base64***", `"k-bad"`},
		{"no id", "=" + good, "not id=base64"},
		{"no value", "k-none", "not id=base64"},
		{"duplicate id", "k=" + good + ",k=" + good, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKeys(tt.list)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ParseKeys(%s) = %v, want an error containing %s", tt.name, err, tt.want)
			}
			if strings.Contains(err.Error(), short) || strings.Contains(err.Error(), good) {
				t.Errorf("error %q quotes the key", err)
			}
		})
	}
}

func TestKeyPrintsNoSecret(t *testing.T) {
	k := testKey(t, "k1")
	b64 := base64.StdEncoding.EncodeToString(k.secret)
	s := fmt.Sprintf("%v %+v %#v %s", k, k, k, []Key{k})
	if !strings.Contains(s, "k1") || strings.Contains(s, b64) ||
		strings.Contains(s, fmt.Sprint(k.secret)) {
		t.Errorf("key prints as %q", s)
	}
}

func TestNewRefusesNoKeys(t *testing.T) {
	if _, err := New(); err == nil {
		t.Error("New() with no keys succeeded")
	}
	if _, err := New(Key{ID: "zero"}); err == nil || !strings.Contains(err.Error(), "zero") {
		t.Errorf("New with an empty key = %v, want an error naming it", err)
	}
}
