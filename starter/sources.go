package main

import (
	"fmt"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/adapters/store/postgres"
	"github.com/erpsync/erpsync/internal/config"
	"github.com/erpsync/erpsync/internal/intake"
	"github.com/jackc/pgx/v5/pgxpool"
)

// webhookSources returns where the webhooks of each configured store come
// from, by store name. The headless storefront's live in pool.
func webhookSources(cfg config.Config, pool *pgxpool.Pool) (map[string]intake.Source, error) {
	sources := map[string]intake.Source{}
	for _, name := range cfg.StoreNames() {
		st := cfg.Stores[name]
		v, err := webhookVerifier(st, pool)
		if err != nil {
			return nil, fmt.Errorf("store %s: %w", name, err)
		}
		sources[name] = intake.Source{Platform: st.Platform, Verifier: v}
	}
	return sources, nil
}

// webhookVerifier returns the verifier of the webhooks of st's platform.
func webhookVerifier(st config.Store, pool *pgxpool.Pool) (store.WebhookVerifier, error) {
	switch st.Platform {
	case config.PlatformHeadless:
		return postgres.New(pool, postgres.WithWebhookSecret(st.WebhookSecret)), nil
	}
	return nil, fmt.Errorf("no webhook verifier for platform %q", st.Platform)
}
