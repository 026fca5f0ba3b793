// Package codec encrypts the payloads erpsync hands to Temporal, so that
// workflow histories hold ciphertext instead of orders and customers, and
// serves the codec endpoints through which the Temporal Web UI and CLI show
// them decrypted.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

// Metadata of an encrypted payload.
const (
	// Encoding is the "encoding" metadata value of an encrypted payload.
	Encoding = "binary/encrypted"

	// MetadataKeyID names the metadata entry that holds the id of the key
	// that encrypted the payload.
	MetadataKeyID = "encryption-key-id"
)

// KeySize is the size of a key in bytes: AES-256.
const KeySize = 32

// A Key is an AES-256 key and the id payloads name it by. Its secret never
// leaves the package: printing or marshaling a Key shows the id only.
type Key struct {
	ID     string
	secret []byte
}

// NewKey returns the key id with secret, which must be [KeySize] bytes. The
// error names the id, never the secret.
func NewKey(id string, secret []byte) (Key, error) {
	if id == "" || strings.ContainsAny(id, ",= \t") {
		return Key{}, fmt.Errorf("codec key id %q must be non-empty, without commas, "+
			"'=' or spaces", id)
	}
	if len(secret) != KeySize {
		return Key{}, fmt.Errorf("codec key %q has %d bytes, want %d", id, len(secret), KeySize)
	}
	return Key{ID: id, secret: secret}, nil
}

// String returns the key's id, so that a key printed by mistake does not
// show its secret.
func (k Key) String() string { return "codec key " + k.ID }

// GoString is String, for the %#v verb.
func (k Key) GoString() string { return k.String() }

// ParseKeys reads a comma-separated list of id=base64 pairs, each key being
// [KeySize] bytes once decoded (standard or URL base64, padded or not). The
// first key encrypts; all decrypt. Errors name the key's id, never the key.
func ParseKeys(list string) ([]Key, error) {
	var keys []Key
	seen := map[string]bool{}
	for item := range strings.SplitSeq(list, ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(item), "=")
		id = strings.TrimSpace(id)
		if !ok || id == "" {
			return nil, fmt.Errorf("codec key %d is not id=base64", len(keys)+1)
		}
		if seen[id] {
			return nil, fmt.Errorf("codec key %q is listed twice", id)
		}
		seen[id] = true

		secret, err := decodeBase64(strings.TrimSpace(b64))
		if err != nil {
			return nil, fmt.Errorf("codec key %q is not valid base64", id)
		}
		k, err := NewKey(id, secret)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// decodeBase64 accepts the standard and the URL alphabet, padded or not.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// Codec is a [converter.PayloadCodec] that encrypts payloads with AES-256-GCM
// under its first key, with a random nonce per payload, and decrypts them
// with whichever of its keys they name. It is safe for concurrent use.
type Codec struct {
	encryptWith string
	aeads       map[string]cipher.AEAD
}

var _ converter.PayloadCodec = (*Codec)(nil)

// New returns a codec over keys, which must hold at least one key and no id
// twice. The first key encrypts; all keys decrypt, so that a new key can be
// put first while payloads encrypted with the old ones stay readable.
func New(keys ...Key) (*Codec, error) {
	if len(keys) == 0 {
		return nil, errors.New("codec needs at least one key")
	}

	c := &Codec{encryptWith: keys[0].ID, aeads: make(map[string]cipher.AEAD, len(keys))}
	for _, k := range keys {
		if _, dup := c.aeads[k.ID]; dup {
			return nil, fmt.Errorf("codec key %q is listed twice", k.ID)
		}
		aead, err := newAEAD(k)
		if err != nil {
			return nil, err
		}
		c.aeads[k.ID] = aead
	}
	return c, nil
}

// newAEAD returns AES-256-GCM under k.
func newAEAD(k Key) (cipher.AEAD, error) {
	if len(k.secret) != KeySize {
		return nil, fmt.Errorf("codec key %q has %d bytes, want %d", k.ID, len(k.secret),
			KeySize)
	}
	block, err := aes.NewCipher(k.secret)
	if err != nil {
		return nil, fmt.Errorf("codec key %q: %w", k.ID, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("codec key %q: %w", k.ID, err)
	}
	return aead, nil
}

// EncryptionKeyID returns the id of the key that encrypts.
func (c *Codec) EncryptionKeyID() string { return c.encryptWith }

// Encode encrypts each payload, metadata and data, into a new payload whose
// metadata names only the encoding and the key.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	aead := c.aeads[c.encryptWith]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("marshal payload %d for encryption: %w", i, err)
		}

		nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("draw nonce for payload %d: %w", i, err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(Encoding),
				MetadataKeyID:              []byte(c.encryptWith),
			},
			Data: aead.Seal(nonce, nonce, plain, additionalData(c.encryptWith)),
		}
	}
	return out, nil
}

// Decode decrypts the payloads this codec's encoding marks and returns the
// others unchanged. A payload naming a key the codec lacks, or whose
// ciphertext does not authenticate, is an error.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != Encoding {
			out[i] = p
			continue
		}
		plain, err := c.decrypt(p)
		if err != nil {
			return nil, fmt.Errorf("decrypt payload %d: %w", i, err)
		}
		out[i] = plain
	}
	return out, nil
}

// decrypt opens one encrypted payload.
func (c *Codec) decrypt(p *commonpb.Payload) (*commonpb.Payload, error) {
	id := string(p.Metadata[MetadataKeyID])
	aead, ok := c.aeads[id]
	if !ok {
		return nil, fmt.Errorf("unknown codec key %q", id)
	}

	data := p.GetData()
	if len(data) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("ciphertext of %d bytes is too short", len(data))
	}
	nonce, sealed := data[:aead.NonceSize()], data[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, sealed, additionalData(id))
	if err != nil {
		return nil, fmt.Errorf("open ciphertext with codec key %q: %w", id, err)
	}

	var inner commonpb.Payload
	if err := proto.Unmarshal(plain, &inner); err != nil {
		return nil, fmt.Errorf("unmarshal decrypted payload: %w", err)
	}
	return &inner, nil
}

// additionalData binds a ciphertext to the encoding and the key id in its
// metadata, so that neither can be swapped without failing authentication.
func additionalData(keyID string) []byte {
	return []byte(Encoding + "\x00" + keyID)
}

// DataConverter returns Temporal's default data converter with payloads
// passed through c.
func (c *Codec) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// Configure makes the client of opts encrypt payloads with c, and failure
// messages and stack traces too, which may quote customer data.
func (c *Codec) Configure(opts *client.Options) {
	dc := c.DataConverter()
	opts.DataConverter = dc
	opts.FailureConverter = temporal.NewDefaultFailureConverter(
		temporal.DefaultFailureConverterOptions{DataConverter: dc, EncodeCommonAttributes: true})
}
