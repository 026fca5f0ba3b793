package activities

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/customers"
	"github.com/erpsync/erpsync/internal/pgtest"
	"github.com/erpsync/erpsync/internal/stockstate"
)

// customerERP holds customers by id, as an ERP adapter would answer.
type customerERP struct {
	byID    map[string]erp.CustomerRecord
	created int
}

func (e *customerERP) FindCustomer(_ context.Context, q erp.CustomerQuery) (
	erp.CustomerRecord, bool, error) {
	for _, c := range e.byID {
		if q.ExternalID != "" && c.ExternalID == q.ExternalID ||
			q.ExternalID == "" && strings.EqualFold(c.Email, q.Email) {
			return c, true, nil
		}
	}
	return erp.CustomerRecord{}, false, nil
}

func (e *customerERP) CreateCustomer(_ context.Context, c erp.Customer) (erp.CustomerRecord,
	error) {
	e.created++
	r := erp.CustomerRecord{ID: "E" + strconv.Itoa(len(e.byID)+1), Customer: c,
		Modified: time.Now()}
	e.byID[r.ID] = r
	return r, nil
}

func (e *customerERP) UpdateCustomer(_ context.Context, id string, c erp.Customer) (
	erp.CustomerRecord, error) {
	r := e.byID[id]
	if c.Phone != "" {
		r.Phone = c.Phone
	}
	if c.Email != "" {
		r.Email = c.Email
	}
	if c.Terms.CreditLimitMinor != nil {
		r.Terms.CreditLimitMinor = c.Terms.CreditLimitMinor
	}
	r.Modified = time.Now()
	e.byID[id] = r
	return r, nil
}

func (e *customerERP) ChangedCustomers(context.Context, erp.Changes) (
	erp.Page[erp.CustomerRecord], error) {
	var p erp.Page[erp.CustomerRecord]
	for _, c := range e.byID {
		p.Items = append(p.Items, c)
	}
	return p, nil
}

// customerShop holds store customers by id.
type customerShop struct {
	byID map[string]store.CustomerRecord
}

func (s *customerShop) LoadCustomer(_ context.Context, id string) (store.CustomerRecord, error) {
	return s.byID[id], nil
}

func (s *customerShop) FindCustomerByEmail(_ context.Context, email string) (
	store.CustomerRecord, bool, error) {
	for _, c := range s.byID {
		if strings.EqualFold(c.Email, email) {
			return c, true, nil
		}
	}
	return store.CustomerRecord{}, false, nil
}

func (s *customerShop) UpdateCustomer(_ context.Context, id string, c store.CustomerRecord) (
	store.CustomerRecord, error) {
	c.ID, c.Modified = id, time.Now()
	s.byID[id] = c
	return c, nil
}

type customerFixture struct {
	erp   *customerERP
	shop  *customerShop
	links *customers.Links
	acts  *Customers
}

func newCustomerFixture(t *testing.T) *customerFixture {
	pool := pgtest.Pool(t, pg)
	f := &customerFixture{erp: &customerERP{byID: map[string]erp.CustomerRecord{}},
		shop: &customerShop{byID: map[string]store.CustomerRecord{"3": {
			Customer: store.Customer{ID: "3", Email: "ana@example.com", FirstName: "Ana",
				LastName: "Lee", Phone: "111"}, Modified: time.Now()}}},
		links: customers.NewLinks(pool, "odoo")}
	f.acts = &Customers{Stores: map[string]store.Customers{"demo": f.shop}, ERP: f.erp,
		ERPName: "odoo", Ownership: customers.DefaultOwnership(), Links: f.links,
		Marks: stockstate.New(pool, "odoo", 0), Logger: zap.NewNop()}
	return f
}

func (f *customerFixture) sync(t *testing.T) CustomerResult {
	t.Helper()
	v, err := activityEnv(f.acts).ExecuteActivity(f.acts.SyncStoreCustomer,
		CustomerKey{Store: "demo", CustomerID: "3"})
	if err != nil {
		t.Fatal(err)
	}
	var res CustomerResult
	if err := v.Get(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestAStoreCustomerTheERPLacksIsCreatedOnce(t *testing.T) {
	f := newCustomerFixture(t)
	first, second := f.sync(t), f.sync(t)

	if !first.Created || second.Created || f.erp.created != 1 || first.ERPID != second.ERPID {
		t.Fatalf("syncs %+v then %+v, %d created; want one erp customer", first, second,
			f.erp.created)
	}
	if f.erp.byID[first.ERPID].ExternalID != "3" {
		t.Errorf("erp customer %+v does not carry the store's id", f.erp.byID[first.ERPID])
	}
}

// A customer who first bought as a guest is in the ERP by e-mail only; the
// account attaches to that customer rather than making a second.
func TestAnAccountAttachesToTheERPCustomerWithItsEmail(t *testing.T) {
	f := newCustomerFixture(t)
	f.erp.byID["E9"] = erp.CustomerRecord{ID: "E9", Customer: erp.Customer{
		Email: "ANA@example.com", Name: "Ana Lee"}, Modified: time.Now()}

	res := f.sync(t)
	if res.Created || res.ERPID != "E9" || f.erp.created != 0 {
		t.Fatalf("sync %+v with %d created, want a link to E9", res, f.erp.created)
	}
}

func TestBothSidesEditedTheLaterWinsAndTermsReachTheStore(t *testing.T) {
	f := newCustomerFixture(t)
	erpID := f.sync(t).ERPID

	c := f.shop.byID["3"]
	c.Phone, c.Modified = "222", time.Now().Add(-time.Minute)
	f.shop.byID["3"] = c
	limit := int64(50000)
	e := f.erp.byID[erpID]
	e.Phone, e.Terms.CreditLimitMinor, e.Modified = "333", &limit, time.Now()
	f.erp.byID[erpID] = e

	v, err := activityEnv(f.acts).ExecuteActivity(f.acts.PullERPCustomers,
		CustomerPullInput{Store: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	var pulled CustomerPullResult
	if err := v.Get(&pulled); err != nil {
		t.Fatal(err)
	}

	got := f.shop.byID["3"]
	if got.Phone != "333" || got.Terms.CreditLimitMinor == nil ||
		*got.Terms.CreditLimitMinor != limit {
		t.Fatalf("store customer %+v, want the erp's later phone and its credit limit", got)
	}
	conflicts, err := f.links.Conflicts(t.Context(), "demo", "3")
	if err != nil || len(conflicts) != 1 || conflicts[0].Lost != "222" ||
		conflicts[0].Rule != customers.RuleLater {
		t.Fatalf("conflicts %+v, %v; want the store's phone recorded as lost", conflicts, err)
	}
	if pulled.Merged != 1 || pulled.Conflicts != 1 {
		t.Errorf("pull %+v", pulled)
	}
}
