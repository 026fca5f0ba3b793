package erpsandbox

import (
	"math"
	"time"
)

// bucket is a token bucket: it holds up to burst tokens, gains rate tokens a
// second, and every request takes one. A zero rate means no limit.
type bucket struct {
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

// reset configures b for c and fills it.
func (b *bucket) reset(c Capacity, now time.Time) {
	b.rate = c.RequestsPerSecond
	b.burst = float64(c.Burst)
	if b.burst == 0 {
		b.burst = math.Max(1, math.Ceil(b.rate))
	}
	b.tokens = b.burst
	b.last = now
}

// take takes a token at now. When none is left it reports false and how
// long until the next one.
func (b *bucket) take(now time.Time) (bool, time.Duration) {
	if b.rate <= 0 {
		return true, 0
	}

	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = math.Min(b.burst, b.tokens+elapsed.Seconds()*b.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}

	missing := 1 - b.tokens
	return false, time.Duration(missing / b.rate * float64(time.Second))
}
