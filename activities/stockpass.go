package activities

import (
	"context"
	"hash/fnv"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"golang.org/x/sync/errgroup"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/stockstate"
)

// A pass lists the ERP's stock page by page in one goroutine and applies
// the pages in Concurrency workers. Each worker owns the SKUs that hash to
// it, so the levels of one SKU are applied in listing order, by one worker,
// while other SKUs are applied beside them. A page counts as applied when
// every worker has applied its part; the mark then moves to the end of the
// last page applied with all those before it.
//
// TODO: every level costs three writes that maintain an index (the ERP's
// level, the store's, the level pushed) and two JSON crossings of the ERP's
// API, which on two cores holds a full pass to about 32,000 levels a
// second; one table for the ERP's and the pushed levels, and pages staged
// with COPY and applied in one statement, would cut the writes.
type pass struct {
	a       *Inventory
	in      StockPassInput
	dst     store.Inventory
	mark    stockstate.Mark
	started time.Time
}

// fetched is one page of the listing: its levels, and the mark that holds
// once it and every page before it are applied.
type fetched struct {
	seq   int
	items []erp.StockLevel
	after stockstate.Mark
}

// part is the share of one page that falls to one worker.
type part struct {
	seq   int
	items []erp.StockLevel
}

// applied reports that a worker applied its part of page seq.
type applied struct {
	seq    int
	counts StockCounts
}

// run makes the pass and returns its result. On error, the mark saved is
// that of the last page applied with all those before it.
func (p *pass) run(ctx context.Context) (StockPassResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, ctx := errgroup.WithContext(ctx)

	pages := make(chan fetched, 1)
	expect := make(chan fetched, p.in.Concurrency+1)
	done := make(chan applied, p.in.Concurrency)
	parts := make([]chan part, p.in.Concurrency)
	for i := range parts {
		parts[i] = make(chan part, 1)
	}

	var listed bool
	g.Go(func() error { return p.list(ctx, pages, &listed) })
	g.Go(func() error { return p.dispatch(ctx, pages, parts, expect) })
	var workers sync.WaitGroup
	for i := range parts {
		workers.Add(1)
		g.Go(func() error {
			defer workers.Done()
			return p.work(ctx, parts[i], done)
		})
	}
	go func() {
		workers.Wait()
		close(done)
	}()

	res, err := p.collect(ctx, expect, done)
	if err != nil {
		cancel()
	}
	if werr := g.Wait(); err == nil {
		err = werr
	}
	res.Done = err == nil && listed
	return res, err
}

// list reads pages from the mark on, until the listing ends or the budget
// is spent, and hands them on in order. It sets listed when the listing
// ended.
func (p *pass) list(ctx context.Context, pages chan<- fetched, listed *bool) error {
	defer close(pages)
	m := p.mark
	q := erp.Changes{Since: m.From, Cursor: m.Cursor, Limit: p.in.PageSize}
	for seq := 0; ; seq++ {
		page, err := p.a.ERP.ChangedStock(ctx, q)
		if err != nil {
			return err
		}

		m.From, m.Cursor = q.Since, page.Next
		for _, l := range page.Items {
			if l.Modified.After(m.Since) {
				m.Since = l.Modified.UTC()
			}
		}
		select {
		case pages <- fetched{seq: seq, items: page.Items, after: m}:
		case <-ctx.Done():
			return ctx.Err()
		}

		if page.Next == "" {
			*listed = true
			return nil
		}
		if time.Since(p.started) > p.in.Budget {
			return nil
		}
		q.Cursor = page.Next
	}
}

// dispatch splits each page among the workers by SKU, and tells the
// collector of each page before its parts go out.
func (p *pass) dispatch(ctx context.Context, pages <-chan fetched, parts []chan part,
	expect chan<- fetched) error {
	defer func() {
		for _, c := range parts {
			close(c)
		}
		close(expect)
	}()

	for page := range pages {
		shares := make([][]erp.StockLevel, len(parts))
		for _, l := range page.items {
			w := worker(l.SKU, len(parts))
			shares[w] = append(shares[w], l)
		}
		if err := send(ctx, expect, page); err != nil {
			return err
		}
		for w, c := range parts {
			if err := send(ctx, c, part{seq: page.seq, items: shares[w]}); err != nil {
				return err
			}
		}
	}
	return nil
}

// worker returns the worker that owns sku.
func worker(sku string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(sku))
	return int(h.Sum32() % uint32(n))
}

func send[T any](ctx context.Context, c chan<- T, v T) error {
	select {
	case c <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// work applies the parts it is given, in order.
func (p *pass) work(ctx context.Context, parts <-chan part, done chan<- applied) error {
	for pt := range parts {
		var c StockCounts
		if len(pt.items) > 0 {
			targets, err := p.a.State.Plan(ctx, p.in.Store, pt.items)
			if err != nil {
				return err
			}
			listed := make(map[place]bool, len(pt.items))
			for _, l := range pt.items {
				listed[place{l.SKU, l.Location}] = true
			}
			if c, err = p.a.push(ctx, p.in.Store, p.dst, targets, listed); err != nil {
				return err
			}
		}
		c.Levels = len(pt.items)
		if err := send(ctx, done, applied{seq: pt.seq, counts: c}); err != nil {
			return err
		}
	}
	return nil
}

// collect gathers what the workers applied, and saves the mark and
// heartbeats after each page applied with all those before it.
func (p *pass) collect(ctx context.Context, expect <-chan fetched, done <-chan applied) (
	StockPassResult, error) {
	res := StockPassResult{Watermark: p.mark.Since}
	waiting := map[int]int{}
	var queue []fetched
	for a := range done {
		// The page was announced before its parts went out.
		for _, known := waiting[a.seq]; !known; _, known = waiting[a.seq] {
			f := <-expect
			queue = append(queue, f)
			waiting[f.seq] = p.in.Concurrency
		}
		res.Add(a.counts)
		waiting[a.seq]--

		for len(queue) > 0 && waiting[queue[0].seq] == 0 {
			if err := p.advance(ctx, queue[0].after); err != nil {
				return res, err
			}
			res.Pages++
			res.Watermark = queue[0].after.Since
			delete(waiting, queue[0].seq)
			queue = queue[1:]
		}
	}
	return res, nil
}

// advance saves m, the mark after a page applied with all before it, and
// heartbeats it.
func (p *pass) advance(ctx context.Context, m stockstate.Mark) error {
	if m.Cursor == "" && p.in.Full {
		m = stockstate.Mark{Since: m.Since}
	}
	if err := p.a.State.SaveMark(ctx, p.a.markName(p.in), m); err != nil {
		return err
	}
	activity.RecordHeartbeat(ctx, m)
	_, err := p.a.takeTurn(ctx, p.in.Store)
	return err
}
