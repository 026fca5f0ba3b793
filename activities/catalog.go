package activities

import (
	"context"
	"errors"
	"time"

	"go.uber.org/zap"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/adapters/store"
)

// Catalog holds the activities of catalog sync: the ERP's changed products
// and base prices, carried to each store in pages.
type Catalog struct {
	ERP     erp.Catalog
	ERPName string
	Stores  map[string]CatalogStore
	Marks   markKeeper

	// ServiceSKUs are the ERP's items for shipping, discounts, tax and
	// refunds, which no store sells.
	ServiceSKUs map[string]bool

	Logger *zap.Logger
}

// CatalogStore is what catalog sync needs of a store.
type CatalogStore interface {
	store.Catalog
	store.Prices
}

// CatalogPassInput names the store to bring up to date with the ERP's
// catalog.
type CatalogPassInput struct {
	Store    string        `json:"store"`
	PageSize int           `json:"page_size,omitempty"`
	Overlap  time.Duration `json:"overlap,omitempty"`
}

// CatalogCounts says what a catalog pass did. Promoted counts the prices
// left alone because the store runs a promotion on the SKU; Unknown the
// prices the store refused, such as for a SKU it does not sell; Refused the
// new products it would not create, such as for a name it has already.
type CatalogCounts struct {
	Listed   int       `json:"listed"`
	Drafts   int       `json:"drafts"`
	Priced   int       `json:"priced"`
	Promoted int       `json:"promoted"`
	Inactive int       `json:"inactive"`
	Unknown  int       `json:"unknown"`
	Refused  int       `json:"refused"`
	Skipped  []string  `json:"promoted_skus,omitempty"`
	Through  time.Time `json:"watermark"`
}

// SyncCatalog pages the ERP's products changed since the watermark: new
// active products become drafts in the store, and the base prices of the
// others are set, except where the store runs a promotion.
//
// TODO: products the ERP deactivates are counted but stay for sale in the
// store; hiding them needs a status write per platform.
func (a *Catalog) SyncCatalog(ctx context.Context, in CatalogPassInput) (CatalogCounts, error) {
	dst, ok := a.Stores[in.Store]
	if !ok {
		return CatalogCounts{}, classify("sync catalog", unknownStore(in.Store))
	}

	var c CatalogCounts
	err := pageChanges(ctx, a.Marks, "catalog/"+a.ERPName+"/"+in.Store, in.Overlap,
		func(q erp.Changes) (erp.Page[erp.Product], error) {
			q.Limit = in.PageSize
			return a.ERP.ChangedProducts(ctx, q)
		},
		func(p erp.Product) time.Time { return p.Modified },
		func(page []erp.Product) error {
			c.Listed += len(page)
			return a.apply(ctx, dst, page, &c)
		}, &c.Through)
	if err != nil {
		return c, err
	}

	a.logger(ctx).Info("catalog synced", zap.String("store", in.Store),
		zap.Int("listed", c.Listed), zap.Int("drafts", c.Drafts), zap.Int("priced", c.Priced),
		zap.Int("promoted", c.Promoted), zap.Int("unknown", c.Unknown))
	return c, nil
}

// apply creates the drafts and sets the prices of one page of products.
func (a *Catalog) apply(ctx context.Context, dst CatalogStore, products []erp.Product,
	c *CatalogCounts) error {
	var drafts []store.Product
	for _, p := range products {
		if a.ServiceSKUs[p.SKU] {
			continue
		}
		if !p.Active {
			c.Inactive++
			continue
		}
		drafts = append(drafts, store.Product{SKU: p.SKU, Name: p.Name, PriceMinor: p.PriceMinor,
			Currency: p.Currency})
	}
	if len(drafts) == 0 {
		return nil
	}

	created, err := a.createDrafts(ctx, dst, drafts, c)
	if err != nil {
		return err
	}
	c.Drafts += len(created)
	isNew := map[string]bool{}
	for _, sku := range created {
		isNew[sku] = true
	}

	var prices []store.Price
	for _, d := range drafts {
		if !isNew[d.SKU] {
			prices = append(prices, store.Price{SKU: d.SKU, PriceMinor: d.PriceMinor,
				Currency: d.Currency})
		}
	}
	return a.setPrices(ctx, dst, prices, c)
}

// createDrafts creates the drafts in one call, or, when the store refuses
// some of them, one by one, counting those refused rather than failing the
// pass on them.
func (a *Catalog) createDrafts(ctx context.Context, dst CatalogStore, drafts []store.Product,
	c *CatalogCounts) ([]string, error) {
	created, err := dst.CreateDrafts(ctx, drafts)
	var partial *store.PartialError
	if err == nil || !parkable(err) && !errors.As(err, &partial) {
		return created, classifyIf("create draft products", err)
	}

	created = nil
	for _, d := range drafts {
		one, err := dst.CreateDrafts(ctx, []store.Product{d})
		switch {
		case err == nil:
			created = append(created, one...)
		case parkable(err) || errors.As(err, &partial):
			c.Refused++
			a.logger(ctx).Warn("draft product refused", zap.String("sku", d.SKU), zap.Error(err))
		default:
			return created, classify("create draft product "+d.SKU, err)
		}
	}
	return created, nil
}

// classifyIf classifies err, when there is one.
func classifyIf(op string, err error) error {
	if err == nil {
		return nil
	}
	return classify(op, err)
}

// setPrices sets base prices, counting the SKUs the store refused rather
// than failing the pass on them.
func (a *Catalog) setPrices(ctx context.Context, dst store.Prices, prices []store.Price,
	c *CatalogCounts) error {
	if len(prices) == 0 {
		return nil
	}
	report, err := dst.SetPrices(ctx, prices)
	var partial *store.PartialError
	if errors.As(err, &partial) {
		c.Unknown += len(partial.Items)
		a.logger(ctx).Warn("prices refused", zap.Int("refused", len(partial.Items)),
			zap.Error(partial.Items[0].Err))
	} else if err != nil {
		return classify("set prices", err)
	}
	c.Priced += report.Updated
	c.Promoted += len(report.Promoted)
	c.Skipped = append(c.Skipped, report.Promoted...)
	return nil
}

func (a *Catalog) logger(ctx context.Context) *zap.Logger {
	return activityLogger(ctx, a.Logger)
}
