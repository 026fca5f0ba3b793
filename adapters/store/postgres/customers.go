package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/erpsync/erpsync/adapters/store"
)

// customerRow holds a customer's columns other than its key.
type customerRow struct {
	Email     string
	FirstName string
	LastName  string
	Phone     string
	address
}

// address is the postal address part of a customer.
type address struct {
	Line1      string
	Line2      string
	City       string
	PostalCode string
	Region     string
	Country    string
}

// storedCustomer is a customer row with its key.
type storedCustomer struct {
	ID int64
	customerRow
}

// newCustomerRow returns the columns of c other than its id.
func newCustomerRow(c store.Customer) customerRow {
	return customerRow{
		Email:     c.Email,
		FirstName: c.FirstName,
		LastName:  c.LastName,
		Phone:     c.Phone,
		address: address{
			Line1:      c.Line1,
			Line2:      c.Line2,
			City:       c.City,
			PostalCode: c.PostalCode,
			Region:     c.Region,
			Country:    c.Country,
		},
	}
}

// customer converts the row into a [store.Customer] with key id.
func (c customerRow) customer(id int64) store.Customer {
	return store.Customer{
		ID:         strconv.FormatInt(id, 10),
		Email:      c.Email,
		FirstName:  c.FirstName,
		LastName:   c.LastName,
		Phone:      c.Phone,
		Line1:      c.Line1,
		Line2:      c.Line2,
		City:       c.City,
		PostalCode: c.PostalCode,
		Region:     c.Region,
		Country:    c.Country,
	}
}

// merge returns c updated with what a new order says about the same buyer:
// its non-empty names and phone, and its address as a whole when it has one,
// so that parts of two addresses are never mixed. The e-mail keeps the
// spelling it was first stored with.
func (c customerRow) merge(next customerRow) customerRow {
	out := c
	out.FirstName = cmp.Or(next.FirstName, c.FirstName)
	out.LastName = cmp.Or(next.LastName, c.LastName)
	out.Phone = cmp.Or(next.Phone, c.Phone)
	if next.address != (address{}) {
		out.address = next.address
	}
	return out
}

// upsertCustomer returns the key of the customer with c's e-mail, compared
// case-insensitively, after merging c into it; or inserts c. It runs in tx,
// which holds the customer's row lock until the order is in.
func upsertCustomer(ctx context.Context, tx pgx.Tx, c store.Customer) (int64, error) {
	next := newCustomerRow(c)

	// The second pass runs only when a concurrent order inserted the same
	// customer between the lookup and the insert.
	for range 2 {
		found, ok, err := findCustomer(ctx, tx, next.Email)
		if err != nil {
			return 0, err
		}
		if ok {
			return found.ID, updateCustomer(ctx, tx, found, next)
		}

		id, ok, err := insertCustomer(ctx, tx, next)
		if err != nil || ok {
			return id, err
		}
	}
	return 0, errors.New("upsert customer: e-mail inserted concurrently but not found")
}

const findCustomerSQL = `
SELECT id, email, first_name, last_name, phone, line1, line2, city, postal_code, region, country
FROM storefront.customers
WHERE lower(email) = lower($1)
FOR UPDATE`

// findCustomer looks the customer up by e-mail and locks its row.
func findCustomer(ctx context.Context, tx pgx.Tx, email string) (storedCustomer, bool, error) {
	rows, _ := tx.Query(ctx, findCustomerSQL, email)
	found, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[storedCustomer])
	if errors.Is(err, pgx.ErrNoRows) {
		return storedCustomer{}, false, nil
	}
	if err != nil {
		return storedCustomer{}, false, fmt.Errorf("find customer: %w", err)
	}
	return found, true, nil
}

const insertCustomerSQL = `
INSERT INTO storefront.customers
    (email, first_name, last_name, phone, line1, line2, city, postal_code, region, country)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT ((lower(email))) DO NOTHING
RETURNING id`

// insertCustomer inserts c and returns its key, or false when a customer
// with the same e-mail appeared meanwhile.
func insertCustomer(ctx context.Context, tx pgx.Tx, c customerRow) (int64, bool, error) {
	var id int64
	err := tx.QueryRow(ctx, insertCustomerSQL, c.Email, c.FirstName, c.LastName, c.Phone,
		c.Line1, c.Line2, c.City, c.PostalCode, c.Region, c.Country).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("insert customer: %w", err)
	}
	return id, true, nil
}

const updateCustomerSQL = `
UPDATE storefront.customers
SET first_name = $2, last_name = $3, phone = $4, line1 = $5, line2 = $6, city = $7,
    postal_code = $8, region = $9, country = $10, updated_at = now()
WHERE id = $1`

// updateCustomer merges next into the stored customer, and writes (bumping
// updated_at) only when that changes something.
func updateCustomer(ctx context.Context, tx pgx.Tx, stored storedCustomer,
	next customerRow) error {
	c := stored.merge(next)
	if c == stored.customerRow {
		return nil
	}

	_, err := tx.Exec(ctx, updateCustomerSQL, stored.ID, c.FirstName, c.LastName, c.Phone,
		c.Line1, c.Line2, c.City, c.PostalCode, c.Region, c.Country)
	if err != nil {
		return fmt.Errorf("update customer %d: %w", stored.ID, err)
	}
	return nil
}
