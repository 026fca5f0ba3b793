package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/erpsync/erpsync/adapters/store"
	"github.com/erpsync/erpsync/internal/syncerr"
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
// case-insensitively, after merging c into it when merge is set; or inserts
// c. It runs in tx, which holds the customer's row lock until the order is
// in.
func upsertCustomer(ctx context.Context, tx pgx.Tx, c store.Customer, merge bool) (int64,
	error) {
	next := newCustomerRow(c)

	// The second pass runs only when a concurrent order inserted the same
	// customer between the lookup and the insert.
	for range 2 {
		found, ok, err := findCustomer(ctx, tx, next.Email)
		if err != nil {
			return 0, err
		}
		if ok && !merge {
			return found.ID, nil
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

// accountColumns are the columns of a customer account that
// scanCustomerRecord reads, in its order.
const accountColumns = `id, email, first_name, last_name, phone, line1, line2, city,
    postal_code, region, country, credit_limit_minor, payment_terms, price_group, updated_at`

const loadCustomerSQL = `SELECT ` + accountColumns + `
FROM storefront.customers WHERE id = $1`

const customerByEmailSQL = `SELECT ` + accountColumns + `
FROM storefront.customers WHERE lower(email) = lower($1)`

// updateAccountSQL writes a customer account, and bumps updated_at, only
// when that changes something; no row means an unknown or unchanged
// account.
const updateAccountSQL = `
UPDATE storefront.customers
SET email = $2, first_name = $3, last_name = $4, phone = $5, line1 = $6, line2 = $7,
    city = $8, postal_code = $9, region = $10, country = $11, credit_limit_minor = $12,
    payment_terms = $13, price_group = $14, updated_at = now()
WHERE id = $1
  AND (email, first_name, last_name, phone, line1, line2, city, postal_code, region, country,
       credit_limit_minor, payment_terms, price_group)
      IS DISTINCT FROM ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::bigint, $13, $14)
RETURNING ` + accountColumns

// LoadCustomer returns the customer account with id, its terms, and when
// it last changed. An unknown id gives an error wrapping
// [syncerr.ErrNotFound]; an id that is not a positive integer gives a
// [*syncerr.InvalidError] for field "customer_id".
func (s *Store) LoadCustomer(ctx context.Context, id string) (store.CustomerRecord, error) {
	key, err := parseKey("customer_id", id)
	if err != nil {
		return store.CustomerRecord{}, err
	}

	rows, _ := s.pool.Query(ctx, loadCustomerSQL, key)
	c, err := pgx.CollectExactlyOneRow(rows, scanCustomerRecord)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.CustomerRecord{}, fmt.Errorf("load customer %d: %w", key,
			syncerr.ErrNotFound)
	}
	if err != nil {
		return store.CustomerRecord{}, fmt.Errorf("load customer %d: %w", key, classify(err))
	}
	return c, nil
}

// FindCustomerByEmail returns the customer account whose e-mail is email,
// ignoring case, and false when there is none.
func (s *Store) FindCustomerByEmail(ctx context.Context, email string) (
	store.CustomerRecord, bool, error) {
	rows, _ := s.pool.Query(ctx, customerByEmailSQL, email)
	c, err := pgx.CollectExactlyOneRow(rows, scanCustomerRecord)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.CustomerRecord{}, false, nil
	}
	if err != nil {
		return store.CustomerRecord{}, false, fmt.Errorf("find customer by e-mail: %w",
			classify(err))
	}
	return c, true, nil
}

// UpdateCustomer writes the contact fields and terms of c to customer id
// in one statement, and returns the account as stored. The account's
// updated_at moves only when something changed. An e-mail that another
// account has, ignoring case, gives a [*syncerr.InvalidError] for field
// "email"; an unknown id gives an error wrapping [syncerr.ErrNotFound].
func (s *Store) UpdateCustomer(ctx context.Context, id string, c store.CustomerRecord) (
	store.CustomerRecord, error) {
	key, err := parseKey("customer_id", id)
	if err != nil {
		return store.CustomerRecord{}, err
	}
	if err := checkAccount(c); err != nil {
		return store.CustomerRecord{}, fmt.Errorf("update customer %d: %w", key, err)
	}

	rows, _ := s.pool.Query(ctx, updateAccountSQL, key, c.Email, c.FirstName, c.LastName,
		c.Phone, c.Line1, c.Line2, c.City, c.PostalCode, c.Region, c.Country,
		c.Terms.CreditLimitMinor, c.Terms.PaymentTerms, c.Terms.PriceGroup)
	stored, err := pgx.CollectExactlyOneRow(rows, scanCustomerRecord)
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		// Unchanged or unknown: reading it back tells which.
		return s.LoadCustomer(ctx, id)
	case errors.As(err, &pgErr) && pgErr.ConstraintName == "customers_email_idx":
		return store.CustomerRecord{}, syncerr.Invalid("email",
			"customer %d: another customer has this e-mail address", key)
	case err != nil:
		return store.CustomerRecord{}, fmt.Errorf("update customer %d: %w", key, classify(err))
	}
	return stored, nil
}

// checkAccount checks what the storefront needs of a customer account.
// Reasons never quote customer data.
func checkAccount(c store.CustomerRecord) error {
	switch {
	case !strings.Contains(c.Email, "@"):
		return syncerr.Invalid("email", "is not an e-mail address")
	case c.Terms.CreditLimitMinor != nil && *c.Terms.CreditLimitMinor < 0:
		return syncerr.Invalid("terms.credit_limit_minor", "%d is negative",
			*c.Terms.CreditLimitMinor)
	}
	return nil
}

// scanCustomerRecord reads a row of accountColumns.
func scanCustomerRecord(row pgx.CollectableRow) (store.CustomerRecord, error) {
	var id int64
	var r store.CustomerRecord
	err := row.Scan(&id, &r.Email, &r.FirstName, &r.LastName, &r.Phone, &r.Line1, &r.Line2,
		&r.City, &r.PostalCode, &r.Region, &r.Country, &r.Terms.CreditLimitMinor,
		&r.Terms.PaymentTerms, &r.Terms.PriceGroup, &r.Modified)
	r.ID, r.Modified = strconv.FormatInt(id, 10), r.Modified.UTC()
	return r, err
}
