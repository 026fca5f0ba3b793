package boot

import (
	"go.temporal.io/sdk/client"

	"github.com/erpsync/erpsync/internal/config"
)

// withCodec sets the payload codec that c configures on opts.
func withCodec(c config.Config, opts *client.Options) error {
	return nil
}
