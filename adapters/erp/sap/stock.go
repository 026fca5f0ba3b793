package sap

import (
	"context"
	"fmt"
	"net/http"

	"github.com/erpsync/erpsync/adapters/erp"
	"github.com/erpsync/erpsync/internal/syncerr"
)

const (
	serviceStock = "API_MATERIAL_STOCK_SRV"
	setStock     = "A_MatlStkInAcctMod"

	// rowsPerLevel is how many stock rows the adapter expects per stock
	// level when it sizes a page: plain stock and sales order stock.
	rowsPerLevel = 2

	// maxRowsOfMaterial bounds the rows read for one material that fills
	// a whole page by itself.
	maxRowsOfMaterial = 5000
)

// stockRow is one A_MatlStkInAcctMod record.
type stockRow struct {
	Material                     string `json:"Material"`
	Plant                        string `json:"Plant"`
	StorageLocation              string `json:"StorageLocation"`
	InventorySpecialStockType    string `json:"InventorySpecialStockType"`
	MatlWrhsStkQtyInMatlBaseUnit string `json:"MatlWrhsStkQtyInMatlBaseUnit"`
}

// stockFilter selects unrestricted-use stock (type 01) that the company
// owns and keeps: plain stock and sales order stock (special stock E).
// Consignment, stock at customers or subcontractors and other special
// stocks are left out, and so are quality inspection and blocked stock.
const stockFilter = "InventoryStockType eq '01' and " +
	"(InventorySpecialStockType eq '' or InventorySpecialStockType eq 'E')"

// ChangedStock lists the stock of every material per plant and storage
// location, whose location is "<Plant>/<StorageLocation>". On hand is the
// unrestricted-use quantity (MatlWrhsStkQtyInMatlBaseUnit, in base units,
// fractions rounded down); reserved is the part of it that is sales order
// stock, set aside for particular orders. Safety stock is planning data
// that the stock API does not carry, so it is reported as zero. Pages hold
// whole materials in material order, with keyset paging on the material
// number, and every level carries the time of the read as its Modified.
//
// TODO: A_MatlStkInAcctMod has no change time, so every listing is a full
// scan and q.Since is not used; material documents
// (API_MATERIAL_DOCUMENT_SRV, by posting date and time) would name the
// materials moved since the watermark.
// TODO: safety stock lives in the product's plant planning data
// (API_PRODUCT_SRV, A_ProductSupplyPlanning), per plant rather than per
// storage location; reading it needs a rule for sharing it out.
func (c *Client) ChangedStock(ctx context.Context, q erp.Changes) (
	page erp.Page[erp.StockLevel], err error) {
	defer syncerr.Wrap(&err, "list sap stock")
	after := ""
	if q.Cursor != "" {
		cur, err := decodeCursor(q.Cursor)
		if err != nil {
			return erp.Page[erp.StockLevel]{}, syncerr.Invalid("cursor", "%v", err)
		}
		after = cur.ID
	}

	limit := q.PageSize() * rowsPerLevel
	got, err := c.stockRows(ctx, "Material gt "+quote(after), limit)
	if err != nil {
		return erp.Page[erp.StockLevel]{}, err
	}
	rows, full := got.Results, got.more(limit)
	if full {
		if rows, err = c.completeMaterials(ctx, rows); err != nil {
			return erp.Page[erp.StockLevel]{}, err
		}
	}

	page.Items, err = c.levels(rows)
	if err != nil {
		return erp.Page[erp.StockLevel]{}, err
	}
	if full && len(rows) > 0 {
		page.Next = cursor{ID: rows[len(rows)-1].Material}.encode()
	}
	return page, nil
}

// completeMaterials drops the rows of the last material of a full page,
// which may continue past it. When that material fills the page alone,
// it reads all of the material's rows instead.
func (c *Client) completeMaterials(ctx context.Context, rows []stockRow) ([]stockRow, error) {
	last := rows[len(rows)-1].Material
	cut := len(rows)
	for cut > 0 && rows[cut-1].Material == last {
		cut--
	}
	if cut > 0 {
		return rows[:cut], nil
	}

	all, err := c.stockRows(ctx, "Material eq "+quote(last), maxRowsOfMaterial)
	if err != nil {
		return nil, err
	}
	if all.more(maxRowsOfMaterial) {
		return nil, syncerr.Invalid("stock", "material %s has more stock records than "+
			"one answer holds (%d)", last, len(all.Results))
	}
	return all.Results, nil
}

func (c *Client) stockRows(ctx context.Context, materialFilter string, top int) (
	collection[stockRow], error) {
	var page collection[stockRow]
	err := c.odata.do(ctx, call{method: http.MethodGet, service: serviceStock, path: setStock,
		query: []param{
			{"$filter", materialFilter + " and " + stockFilter},
			{"$select", "Material,Plant,StorageLocation,InventorySpecialStockType," +
				"MatlWrhsStkQtyInMatlBaseUnit"},
			{"$orderby", "Material,Plant,StorageLocation"},
			{"$top", fmt.Sprint(top)},
		}}, &page)
	return page, err
}

// levels sums rows into one level per material, plant and storage
// location, in the order of the rows.
func (c *Client) levels(rows []stockRow) ([]erp.StockLevel, error) {
	now := c.now().UTC()
	var levels []erp.StockLevel
	index := map[[3]string]int{}
	for _, r := range rows {
		qty, err := wholeUnits(r.MatlWrhsStkQtyInMatlBaseUnit)
		if err != nil {
			return nil, fmt.Errorf("stock of %s: %w: %w", r.Material, syncerr.ErrUnavailable, err)
		}

		key := [3]string{r.Material, r.Plant, r.StorageLocation}
		i, ok := index[key]
		if !ok {
			i = len(levels)
			index[key] = i
			levels = append(levels, erp.StockLevel{SKU: r.Material,
				Location: r.Plant + "/" + r.StorageLocation, Modified: now})
		}
		levels[i].OnHand += qty
		if r.InventorySpecialStockType == "E" {
			levels[i].Reserved += qty
		}
	}
	return levels, nil
}
