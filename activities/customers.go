package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/activity"
	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/customers"
	"github.com/erpsync/erpsync/internal/stockstate"
	"github.com/erpsync/erpsync/internal/syncerr"
)

// Customers holds the activities of customer sync: a store customer merged
// with its ERP customer when the store reports a change, and the ERP's
// changed customers merged into each store on a schedule.
type Customers struct {
	Stores  map[string]store.Customers
	ERP     erp.Customers
	ERPName string

	// Ownership says which side owns each field.
	Ownership customers.Ownership

	Links customerLinks
	Marks markKeeper

	// Turns makes the merges of one customer take turns across workers.
	// Nil turns it off.
	Turns leaser

	Logger *zap.Logger
}

// customerLinks keeps which store customer is which ERP customer.
type customerLinks interface {
	ByCustomer(ctx context.Context, store, customerID string) (customers.Link, bool, error)
	ByERPID(ctx context.Context, store, erpID string) (customers.Link, bool, error)
	Save(ctx context.Context, k customers.Link, conflicts []customers.Conflict) error
}

// markKeeper keeps the watermarks of listings.
type markKeeper interface {
	Mark(ctx context.Context, name string) (stockstate.Mark, bool, error)
	SaveMark(ctx context.Context, name string, m stockstate.Mark) error
}

// CustomerKey names a store customer.
type CustomerKey struct {
	Store      string `json:"store"`
	CustomerID string `json:"customer_id"`
}

// CustomerResult says what one merge did. Conflicts holds the fields only,
// since the values are customer data.
type CustomerResult struct {
	ERPID     string   `json:"erp_id"`
	Created   bool     `json:"created,omitempty"`
	ToStore   []string `json:"to_store,omitempty"`
	ToERP     []string `json:"to_erp,omitempty"`
	Conflicts []string `json:"conflicts,omitempty"`
}

// SyncStoreCustomer merges a store customer with its ERP customer, found by
// external id, then by e-mail, and created when there is none.
//
// TODO: a store customer whose webhook was lost is merged only at its next
// change or the ERP's; a sweep of the store's changed customers, like the
// one of orders, needs a customer listing per platform.
func (a *Customers) SyncStoreCustomer(ctx context.Context, key CustomerKey) (CustomerResult,
	error) {
	src, ok := a.Stores[key.Store]
	if !ok {
		return CustomerResult{}, classify("sync customer", unknownStore(key.Store))
	}
	release, err := a.turn(ctx, key)
	if err != nil {
		return CustomerResult{}, classify("sync customer "+key.CustomerID, err)
	}
	defer release()

	sc, err := src.LoadCustomer(ctx, key.CustomerID)
	if err != nil {
		return CustomerResult{}, classify("load customer "+key.CustomerID, err)
	}
	// Order syncs create customers under the same lease, so that an order
	// and a customer change of a new customer do not both create it.
	releaseEmail, err := a.lease(ctx, customerLease(sc.Email))
	if err != nil {
		return CustomerResult{}, classify("sync customer "+key.CustomerID, err)
	}
	defer releaseEmail()

	ec, found, err := a.findERPCustomer(ctx, key, sc)
	if err != nil {
		return CustomerResult{}, classify("find erp customer of "+key.CustomerID, err)
	}
	if !found {
		return a.createERPCustomer(ctx, key, sc)
	}
	return a.merge(ctx, key.Store, src, sc, ec)
}

// findERPCustomer looks the ERP customer of sc up by external id, then by
// e-mail. merge compares it with the link of an earlier sync.
func (a *Customers) findERPCustomer(ctx context.Context, key CustomerKey,
	sc store.CustomerRecord) (erp.CustomerRecord, bool, error) {
	q := erp.CustomerQuery{ExternalID: key.CustomerID}
	if ec, ok, err := a.ERP.FindCustomer(ctx, q); err != nil || ok {
		return ec, ok, err
	}
	return a.ERP.FindCustomer(ctx, erp.CustomerQuery{Email: sc.Email})
}

// createERPCustomer creates the ERP customer of a store customer the ERP
// does not know and links them.
func (a *Customers) createERPCustomer(ctx context.Context, key CustomerKey,
	sc store.CustomerRecord) (CustomerResult, error) {
	ec, err := a.ERP.CreateCustomer(ctx, customers.NewERPCustomer(sc))
	if err != nil {
		return CustomerResult{}, classify("create erp customer of "+key.CustomerID, err)
	}

	link := customers.Link{Store: key.Store, CustomerID: key.CustomerID, ERPID: ec.ID,
		Last: customers.Snapshot{Store: customers.StoreValues(sc),
			ERP: customers.ERPValues(ec.Customer)}}
	if err := a.Links.Save(ctx, link, nil); err != nil {
		return CustomerResult{}, err
	}
	a.logger(ctx).Info("erp customer created", zap.String("store", key.Store),
		zap.String("customer_id", key.CustomerID), zap.String("erp_id", ec.ID))
	return CustomerResult{ERPID: ec.ID, Created: true}, nil
}

// merge decides every field of a linked pair, writes what each side must
// be given, and saves what they agree on now.
func (a *Customers) merge(ctx context.Context, storeName string, dst store.Customers,
	sc store.CustomerRecord, ec erp.CustomerRecord) (CustomerResult, error) {
	link, _, err := a.Links.ByCustomer(ctx, storeName, sc.ID)
	if err != nil {
		return CustomerResult{}, err
	}
	var last *customers.Snapshot
	if link.ERPID == ec.ID {
		last = &link.Last
	}
	out := customers.Merge(a.Ownership, last, version(sc), erpVersion(ec))

	if len(out.ToERP) > 0 {
		updated, err := a.ERP.UpdateCustomer(ctx, ec.ID, customers.ERPUpdate(out.ToERP))
		if err != nil {
			return CustomerResult{}, classify("update erp customer "+ec.ID, err)
		}
		if updated.ID != "" {
			ec = updated
		}
	}
	if len(out.ToStore) > 0 {
		updated, err := dst.UpdateCustomer(ctx, sc.ID, customers.ApplyToStore(sc, out.ToStore))
		if err != nil {
			return CustomerResult{}, classify("update store customer "+sc.ID, err)
		}
		if updated.ID != "" {
			sc = updated
		}
	}

	// What each side holds now, as it answered the writes: a value a side
	// cannot hold does not look like a change next time.
	link = customers.Link{Store: storeName, CustomerID: sc.ID, ERPID: ec.ID,
		Last: customers.Snapshot{Store: customers.StoreValues(sc),
			ERP: customers.ERPValues(ec.Customer)}}
	if err := a.Links.Save(ctx, link, out.Conflicts); err != nil {
		return CustomerResult{}, err
	}
	res := CustomerResult{ERPID: ec.ID, ToStore: out.ToStore.Changed(),
		ToERP: out.ToERP.Changed()}
	for _, c := range out.Conflicts {
		res.Conflicts = append(res.Conflicts, c.Field)
	}
	a.logger(ctx).Info("customer merged", zap.String("store", storeName),
		zap.String("customer_id", sc.ID), zap.String("erp_id", ec.ID),
		zap.Strings("to_store", res.ToStore), zap.Strings("to_erp", res.ToERP),
		zap.Strings("conflicts", res.Conflicts))
	return res, nil
}

// turn takes the lease of one customer's merges.
func (a *Customers) turn(ctx context.Context, key CustomerKey) (func(), error) {
	return a.lease(ctx, "customer-merge:"+key.Store+":"+key.CustomerID)
}

func (a *Customers) lease(ctx context.Context, name string) (func(), error) {
	if a.Turns == nil {
		return func() {}, nil
	}
	return a.Turns.Acquire(ctx, name, time.Minute)
}

func version(c store.CustomerRecord) customers.Version {
	return customers.Version{Values: customers.StoreValues(c), Modified: c.Modified}
}

func erpVersion(c erp.CustomerRecord) customers.Version {
	return customers.Version{Values: customers.ERPValues(c.Customer), Modified: c.Modified}
}

// CustomerPullInput names the store that the ERP's changed customers are
// merged into.
type CustomerPullInput struct {
	Store    string        `json:"store"`
	PageSize int           `json:"page_size,omitempty"`
	Overlap  time.Duration `json:"overlap,omitempty"`
}

// CustomerPullResult counts what a pull did.
type CustomerPullResult struct {
	Listed     int       `json:"listed"`
	Merged     int       `json:"merged"`
	NotInStore int       `json:"not_in_store"`
	Conflicts  int       `json:"conflicts"`
	Watermark  time.Time `json:"watermark"`
}

// PullERPCustomers merges the ERP customers changed since the watermark
// into the store's customers, found by link, by the external id that names
// the store customer, or by e-mail. ERP customers the store has no account
// for are counted and left: accounts are the store's to open.
func (a *Customers) PullERPCustomers(ctx context.Context, in CustomerPullInput) (
	CustomerPullResult, error) {
	dst, ok := a.Stores[in.Store]
	if !ok {
		return CustomerPullResult{}, classify("pull customers", unknownStore(in.Store))
	}
	var res CustomerPullResult
	err := pageChanges(ctx, a.Marks, "customers/"+a.ERPName+"/"+in.Store, in.Overlap,
		func(q erp.Changes) (erp.Page[erp.CustomerRecord], error) {
			q.Limit = in.PageSize
			return a.ERP.ChangedCustomers(ctx, q)
		},
		func(ec erp.CustomerRecord) time.Time { return ec.Modified },
		func(page []erp.CustomerRecord) error {
			for _, ec := range page {
				res.Listed++
				if err := a.pullOne(ctx, in.Store, dst, ec, &res); err != nil {
					return err
				}
			}
			return nil
		}, &res.Watermark)
	return res, err
}

// pullOne merges one ERP customer into its store customer, if any.
func (a *Customers) pullOne(ctx context.Context, storeName string, dst store.Customers,
	ec erp.CustomerRecord, res *CustomerPullResult) error {
	sc, found, err := a.storeCustomerOf(ctx, storeName, dst, ec)
	if err != nil {
		return classify("find store customer of erp customer "+ec.ID, err)
	}
	if !found {
		res.NotInStore++
		return nil
	}

	key := CustomerKey{Store: storeName, CustomerID: sc.ID}
	release, err := a.turn(ctx, key)
	if err != nil {
		return err
	}
	defer release()
	if sc, err = dst.LoadCustomer(ctx, sc.ID); err != nil { // fresh under the lease
		return classify("load customer "+key.CustomerID, err)
	}
	out, err := a.merge(ctx, storeName, dst, sc, ec)
	if err != nil {
		return err
	}
	res.Merged++
	res.Conflicts += len(out.Conflicts)
	return nil
}

// storeCustomerOf finds the store customer of an ERP customer.
func (a *Customers) storeCustomerOf(ctx context.Context, storeName string,
	dst store.Customers, ec erp.CustomerRecord) (store.CustomerRecord, bool, error) {
	link, ok, err := a.Links.ByERPID(ctx, storeName, ec.ID)
	if err != nil {
		return store.CustomerRecord{}, false, err
	}
	if ok {
		sc, err := dst.LoadCustomer(ctx, link.CustomerID)
		if !errors.Is(err, syncerr.ErrNotFound) {
			return sc, err == nil, err
		}
		// The store deleted the customer it linked: the e-mail decides.
	}
	if ec.Email == "" {
		return store.CustomerRecord{}, false, nil
	}
	return dst.FindCustomerByEmail(ctx, ec.Email)
}

func (a *Customers) logger(ctx context.Context) *zap.Logger {
	return activityLogger(ctx, a.Logger)
}

// pageChanges pages a listing of ERP changes from the watermark saved under
// name, less overlap, hands each page to apply, and only then saves the
// watermark (the latest modification applied) and the cursor, heartbeating,
// until the listing ends. watermark receives the watermark saved last.
func pageChanges[T any](ctx context.Context, marks markKeeper, name string,
	overlap time.Duration, list func(erp.Changes) (erp.Page[T], error),
	modified func(T) time.Time, apply func([]T) error, watermark *time.Time) error {
	m, _, err := marks.Mark(ctx, name)
	if err != nil {
		return err
	}
	if m.Cursor == "" {
		m.From = m.Since.Add(-overlap)
	}

	for {
		page, err := list(erp.Changes{Since: m.From, Cursor: m.Cursor})
		if err != nil {
			return classify("list changes for "+name, err)
		}
		if err := apply(page.Items); err != nil {
			return err
		}

		for _, r := range page.Items {
			m.Since = later(m.Since, modified(r))
		}
		m.Cursor = page.Next
		if err := marks.SaveMark(ctx, name, m); err != nil {
			return err
		}
		*watermark = m.Since
		activity.RecordHeartbeat(ctx, m)
		if page.Next == "" {
			return nil
		}
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
