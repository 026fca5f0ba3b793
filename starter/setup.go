package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/internal/boot"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/searchattr"
	"github.com/erpsync/erpsync/workflows"
)

// setup registers the custom search attributes of the syncs in the
// configured namespace, adding the missing ones. It is safe to run again.
func setup(ctx context.Context, cfg config.Config, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()

	tc, err := boot.Temporal(ctx, cfg, zap.NewNop())
	if err != nil {
		return err
	}
	defer tc.Close()

	attrs := workflows.SearchAttributes()
	if err := searchattr.Ensure(ctx, tc, cfg.TemporalNamespace, attrs); err != nil {
		return err
	}
	fmt.Fprintf(out, "namespace %s has the %d search attributes of erpsync\n",
		cfg.TemporalNamespace, len(attrs))
	return nil
}
