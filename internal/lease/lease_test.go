package lease

import (
	"context"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erpsync/erpsync/internal/devenv"
	"github.com/erpsync/erpsync/internal/pgtest"
)

var pg *devenv.Postgres

func TestMain(m *testing.M) {
	os.Exit(devenv.RunWithPostgres(m, func(p *devenv.Postgres) { pg = p }))
}

// newLeases returns Leases over a fresh, migrated database.
func newLeases(t *testing.T) *Leases {
	t.Helper()
	l := New(pgtest.Pool(t, pg))
	l.poll = 5 * time.Millisecond
	return l
}

func TestHoldersTakeTurns(t *testing.T) {
	l := newLeases(t)

	var inside, overlaps atomic.Int32
	done := make(chan error)
	for range 8 {
		go func() {
			release, err := l.Acquire(t.Context(), "customer:1", time.Minute)
			if err == nil {
				if inside.Add(1) > 1 {
					overlaps.Add(1)
				}
				time.Sleep(10 * time.Millisecond)
				inside.Add(-1)
				release()
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if n := overlaps.Load(); n != 0 {
		t.Errorf("%d holders held the lease together", n)
	}
}

func TestKeysAreIndependent(t *testing.T) {
	l := newLeases(t)
	release, err := l.Acquire(t.Context(), "a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer release()

	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	other, err := l.Acquire(ctx, "b", time.Minute)
	if err != nil {
		t.Fatalf("a lease on b waited for the one on a: %v", err)
	}
	other()
}

func TestWaitEndsWithContext(t *testing.T) {
	l := newLeases(t)
	if _, err := l.Acquire(t.Context(), "k", time.Minute); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := l.Acquire(ctx, "k", time.Minute); err == nil {
		t.Fatal("a held lease was granted twice")
	}
}

func TestExpiredLeaseIsTakenOver(t *testing.T) {
	l := newLeases(t)
	stale, err := l.Acquire(t.Context(), "k", 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	release, err := l.Acquire(ctx, "k", time.Minute)
	if err != nil {
		t.Fatalf("an expired lease was not taken over: %v", err)
	}

	// The first holder's late release must not end the new holder's lease.
	stale()
	ctx2, cancel2 := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel2()
	if _, err := l.Acquire(ctx2, "k", time.Minute); err == nil {
		t.Error("a stale release ended the current holder's lease")
	}
	release()
}

func TestAcquireRefusesNonPositiveTTL(t *testing.T) {
	l := newLeases(t)
	if _, err := l.Acquire(t.Context(), "k", 0); err == nil {
		t.Error("a lease with no time was granted")
	}
}

func TestHolderTakesItsOwnLeaseAgain(t *testing.T) {
	l := newLeases(t)
	if _, err := l.AcquireAs(t.Context(), "k", "pass-1", time.Hour); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	release, err := l.AcquireAs(ctx, "k", "pass-1", time.Minute)
	if err != nil {
		t.Fatalf("the holder could not take its own lease again: %v", err)
	}

	short, cancel2 := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel2()
	if _, err := l.AcquireAs(short, "k", "pass-2", time.Minute); err == nil {
		t.Fatal("another holder took a held lease")
	}
	release()
	if _, err := l.AcquireAs(t.Context(), "k", "pass-2", time.Minute); err != nil {
		t.Errorf("the lease was not free after its release: %v", err)
	}
}
