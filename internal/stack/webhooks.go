package stack

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/erpsync/erpsync/adapters/store/postgres"
)

// WebhookStats describes how the starter answered the demo's webhooks.
type WebhookStats struct {
	Sent   int           `json:"sent"`
	ByCode map[int]int   `json:"by_code"`
	P50    time.Duration `json:"-"`
	P99    time.Duration `json:"-"`
	P50MS  float64       `json:"p50_ms"`
	P99MS  float64       `json:"p99_ms"`
}

// sendWebhooks posts every delivery, at most concurrency at once. A delivery
// refused with a 5xx or lost in transport is sent again, as stores do.
func (s *Stack) sendWebhooks(ctx context.Context, ds []delivery, concurrency int) (WebhookStats, error) {
	var (
		mu    sync.Mutex
		took  []time.Duration
		stats = WebhookStats{ByCode: map[int]int{}}
		first error
	)
	work := make(chan delivery)
	var wg sync.WaitGroup
	for range max(1, concurrency) {
		wg.Go(func() {
			for d := range work {
				code, d2, err := s.postWithRetry(ctx, d)
				mu.Lock()
				stats.Sent++
				stats.ByCode[code]++
				took = append(took, d2)
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
	for _, d := range ds {
		work <- d
	}
	close(work)
	wg.Wait()

	sortDurations(took)
	stats.P50, stats.P99 = percentile(took, 50), percentile(took, 99)
	stats.P50MS = float64(stats.P50.Microseconds()) / 1000
	stats.P99MS = float64(stats.P99.Microseconds()) / 1000
	return stats, first
}

// postWithRetry sends d until the starter accepts it, up to five times. It
// returns the last status code and the answer time of the first attempt.
func (s *Stack) postWithRetry(ctx context.Context, d delivery) (int, time.Duration, error) {
	var firstTook time.Duration
	var err error
	for attempt := range 5 {
		var code int
		var took time.Duration
		code, took, err = s.PostOrderWebhook(ctx, d.orderID, d.deliveryID)
		if attempt == 0 {
			firstTook = took
		}
		if err == nil && code < 500 {
			return code, firstTook, nil
		}
		time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
	}
	return 0, firstTook, fmt.Errorf("webhook for order %s not accepted: %w", d.orderID, err)
}

// PostOrderWebhook sends one signed order webhook to the starter, as the
// store would, and returns the status code and how long the answer took.
func (s *Stack) PostOrderWebhook(
	ctx context.Context, orderID, deliveryID string,
) (int, time.Duration, error) {
	return s.postWebhook(ctx, "orders/create", orderID, deliveryID)
}

// postWebhook sends one signed webhook of topic about the record id to the
// starter, as the headless storefront would.
func (s *Stack) postWebhook(ctx context.Context, topic, id, deliveryID string) (int,
	time.Duration, error) {
	body := []byte(fmt.Sprintf(`{"id":%q}`, id))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		s.StarterURL+"/webhooks/orders/"+StoreName, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(postgres.HeaderSignature, postgres.Sign(WebhookSecret, body))
	req.Header.Set(postgres.HeaderDelivery, deliveryID)
	req.Header.Set(postgres.HeaderTopic, topic)

	began := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, time.Since(began), err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	took := time.Since(began)
	if resp.StatusCode >= 500 {
		return resp.StatusCode, took, fmt.Errorf("starter answered %s", resp.Status)
	}
	return resp.StatusCode, took, nil
}
