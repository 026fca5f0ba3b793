package config

import (
	"fmt"
	"strings"

	"github.com/erpsync/erpsync/internal/codec"
)

// Names of the environment variables of payload encryption.
const (
	EnvCodecKeys        = "ERPSYNC_CODEC_KEYS"
	EnvCodecAuthToken   = "ERPSYNC_CODEC_AUTH_TOKEN"
	EnvCodecCORSOrigins = "ERPSYNC_CODEC_CORS_ORIGINS"
)

// Codec holds the settings of payload encryption. With no keys, payloads go
// to Temporal as they are and the starter serves no codec endpoints.
type Codec struct {
	// Keys encrypt the payloads of workflow histories: the first encrypts,
	// all decrypt.
	Keys []codec.Key `json:"-"`

	// AuthToken is the bearer token the starter's codec endpoints require;
	// empty requires none.
	AuthToken string `json:"-"`

	// CORSOrigins are the browser origins, such as the Temporal Web UI's,
	// that may call the codec endpoints.
	CORSOrigins []string
}

// Enabled reports whether payloads are encrypted.
func (c Codec) Enabled() bool { return len(c.Keys) > 0 }

// String describes the settings without the keys' secrets or the token.
func (c Codec) String() string {
	ids := make([]string, len(c.Keys))
	for i, k := range c.Keys {
		ids[i] = k.ID
	}
	return fmt.Sprintf("keys=%s token_set=%t cors_origins=%s", strings.Join(ids, ","),
		c.AuthToken != "", strings.Join(c.CORSOrigins, ","))
}

// readCodec reads the settings of payload encryption through get.
func readCodec(get func(key, fallback string) string) (Codec, error) {
	var c Codec
	if list := get(EnvCodecKeys, ""); list != "" {
		keys, err := codec.ParseKeys(list)
		if err != nil {
			return Codec{}, fmt.Errorf("%s: %w", EnvCodecKeys, err)
		}
		c.Keys = keys
	}
	c.AuthToken = get(EnvCodecAuthToken, "")

	for o := range strings.SplitSeq(get(EnvCodecCORSOrigins, ""), ",") {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		if o == "" {
			continue
		}
		if !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
			return Codec{}, fmt.Errorf("%s: origin %q must start with http:// or https://",
				EnvCodecCORSOrigins, o)
		}
		c.CORSOrigins = append(c.CORSOrigins, o)
	}
	return c, nil
}
