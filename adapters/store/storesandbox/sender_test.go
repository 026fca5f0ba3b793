package storesandbox

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

func TestSenderRetriesOnTheScheduleUntilDelivered(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Attempt") != strconv.FormatInt(calls.Add(1)-1, 10) {
			t.Errorf("attempt header %q out of order", r.Header.Get("X-Attempt"))
		}
		if calls.Load() < 3 {
			http.Error(w, "down", http.StatusBadGateway)
		}
	}))
	defer srv.Close()

	s := &Sender{Schedule: []time.Duration{time.Minute, time.Hour, 4 * time.Hour},
		Scale: 1e-6}
	s.Send(t.Context(), Event{ID: 7}, srv.URL, build)
	s.Wait()

	if got := s.Stats(); got != (SenderStats{Attempts: 3, Delivered: 1}) {
		t.Errorf("stats %+v, want 3 attempts and one delivery", got)
	}
}

func TestSenderGivesUpAfterTheSchedule(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusFound)
	}))
	defer srv.Close()

	s := &Sender{Schedule: []time.Duration{time.Second}, Scale: 1e-6}
	s.Send(t.Context(), Event{ID: 8}, srv.URL, build)
	s.Wait()
	if got := s.Stats(); got != (SenderStats{Attempts: 2, GaveUp: 1}) {
		t.Errorf("stats %+v, want 2 attempts, then giving up", got)
	}

	accepting := &Sender{Accepted: func(status int) bool { return status < 400 }}
	accepting.Send(t.Context(), Event{ID: 9}, srv.URL, build)
	accepting.Wait()
	if got := accepting.Stats(); got.Delivered != 1 {
		t.Errorf("stats %+v, want a 302 accepted", got)
	}
}

// build posts the event id and the attempt.
func build(ctx context.Context, ev Event, url string, attempt int) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Event", strconv.FormatInt(ev.ID, 10))
	req.Header.Set("X-Attempt", strconv.Itoa(attempt))
	return req, nil
}

func TestSenderCloseGivesUpDeliveriesInFlight(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()

	s := &Sender{Schedule: []time.Duration{time.Hour}}
	s.Send(t.Context(), Event{ID: 9}, srv.URL, build)
	for s.Stats().Attempts == 0 {
		time.Sleep(time.Millisecond)
	}
	s.Close()
	s.Send(t.Context(), Event{ID: 10}, srv.URL, build)
	s.Wait()

	if got := s.Stats(); got != (SenderStats{Attempts: 1, GaveUp: 2}) {
		t.Errorf("stats %+v, want one attempt and both deliveries given up", got)
	}
}
