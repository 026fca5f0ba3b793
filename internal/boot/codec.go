package boot

import (
	"go.temporal.io/sdk/client"

	"github.com/erpsync/erpsync/internal/codec"
	"github.com/erpsync/erpsync/internal/config"
)

// withCodec makes the client of opts encrypt payloads and failure messages
// with the keys c configures, and leaves opts alone when it configures
// none.
func withCodec(c config.Config, opts *client.Options) error {
	if !c.Codec.Enabled() {
		return nil
	}
	cdc, err := codec.New(c.Codec.Keys...)
	if err != nil {
		return err
	}
	cdc.Configure(opts)
	return nil
}
