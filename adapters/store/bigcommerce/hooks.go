package bigcommerce

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/erpsync/erpsync/internal/syncerr"
)

// OrderScopes are the order webhook scopes erpsync needs: new orders, and
// changes of orders (any update, a status change such as a cancellation,
// and a refund).
var OrderScopes = []string{"store/order/created", scopeOrderUpdated, scopeOrderStatusUpdated,
	scopeOrderRefundCreated}

// CustomerScopes are the customer webhook scopes erpsync needs: new and
// changed customer accounts.
var CustomerScopes = []string{"store/customer/created", "store/customer/updated"}

// hook is a webhook registration of the V3 API.
type hook struct {
	ID          int64             `json:"id,omitempty"`
	Scope       string            `json:"scope"`
	Destination string            `json:"destination"`
	IsActive    bool              `json:"is_active"`
	Headers     map[string]string `json:"headers"`
}

// RegisterWebhooks makes BigCommerce post the OrderScopes and
// CustomerScopes callbacks to
// destination, each with the HeaderSecret header that VerifyWebhook checks.
// It is idempotent: a hook of that scope and destination is left alone when
// it is active with the secret, and reactivated with the secret otherwise,
// as after BigCommerce deactivated it for failed callbacks. BigCommerce
// accepts only https destinations on port 443.
func (s *Store) RegisterWebhooks(ctx context.Context, destination string) (err error) {
	defer syncerr.Wrap(&err, "register bigcommerce webhooks for %s", destination)
	existing, err := s.hooks(ctx, destination)
	if err != nil {
		return err
	}

	want := map[string]string{HeaderSecret: s.cfg.WebhookSecret}
	for _, scope := range slices.Concat(OrderScopes, CustomerScopes) {
		h, found := existing[scope]
		c := call{method: http.MethodPost, path: "/v3/hooks", body: hook{Scope: scope,
			Destination: destination, IsActive: true, Headers: want}}
		switch {
		case found && h.IsActive && h.Headers[HeaderSecret] == s.cfg.WebhookSecret:
			continue
		case found:
			c.method, c.path = http.MethodPut, "/v3/hooks/"+strconv.FormatInt(h.ID, 10)
		}
		if _, err := s.do(ctx, c, nil); err != nil {
			return err
		}
	}
	return nil
}

// hooks reads the app's hooks of destination, by scope.
func (s *Store) hooks(ctx context.Context, destination string) (map[string]hook, error) {
	hooks, err := readPages[hook](ctx, s, "/v3/hooks", url.Values{"destination": {destination}})
	if err != nil {
		return nil, err
	}
	found := map[string]hook{}
	for _, h := range hooks {
		if h.Destination == destination {
			found[h.Scope] = h
		}
	}
	return found, nil
}
