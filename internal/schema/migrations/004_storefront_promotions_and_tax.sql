-- Promotional prices, discounts and tax of the headless storefront. A
-- product with a sale price sells at it instead of its base price, and a
-- base-price feed leaves both alone. An order's lines at their unit prices,
-- less its discounts, plus shipping, plus tax unless the prices include it,
-- add up to its total.
ALTER TABLE storefront.products
    ADD COLUMN sale_price_minor bigint CHECK (sale_price_minor >= 0);

ALTER TABLE storefront.orders
    ADD COLUMN discount_minor bigint  NOT NULL DEFAULT 0 CHECK (discount_minor >= 0),
    ADD COLUMN tax_minor      bigint  NOT NULL DEFAULT 0 CHECK (tax_minor >= 0),
    ADD COLUMN taxes_included boolean NOT NULL DEFAULT false;
