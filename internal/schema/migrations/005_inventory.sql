-- The state of inventory sync: how far each listing of ERP changes got, the
-- ERP's stock as last read, what was last pushed to each store, the lines of
-- store orders whose sync has not booked them in the ERP yet, and the safety
-- stock that erpsync holds back per SKU.

-- A listing's watermark: the modification time up to which every change
-- has been applied; and of the listing under way, if any, the time it lists
-- from and the cursor of the page to read next ('' when none is under way).
CREATE TABLE erpsync.watermarks (
    name       text        PRIMARY KEY,
    since      timestamptz NOT NULL,
    listed_from timestamptz,
    cursor     text        NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The ERP's stock per SKU and location as erpsync last read it, so that the
-- availability of a SKU can be worked out again when one of its locations
-- changes or an order of it arrives.
CREATE TABLE erpsync.erp_stock (
    erp          text        NOT NULL,
    sku          text        NOT NULL,
    location     text        NOT NULL,
    on_hand      bigint      NOT NULL,
    reserved     bigint      NOT NULL,
    safety_stock bigint      NOT NULL,
    modified     timestamptz NOT NULL,
    PRIMARY KEY (erp, sku, location)
);

-- The level last pushed to each store per SKU and location, and when.
CREATE TABLE erpsync.stock_pushed (
    store     text        NOT NULL,
    sku       text        NOT NULL,
    location  text        NOT NULL,
    available bigint      NOT NULL,
    pushed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store, sku, location)
);

-- The lines of each store order as its sync loaded them. While the sync
-- log does not say the order is synced or skipped, its units are sold in
-- the store but not yet booked in the ERP.
CREATE TABLE erpsync.order_lines (
    store     text        NOT NULL,
    order_id  text        NOT NULL,
    sku       text        NOT NULL,
    quantity  bigint      NOT NULL CHECK (quantity > 0),
    loaded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store, order_id, sku)
);

CREATE INDEX order_lines_sku_idx ON erpsync.order_lines (store, sku);
CREATE INDEX order_lines_loaded_idx ON erpsync.order_lines (store, loaded_at);
CREATE INDEX sync_log_updated_idx ON erpsync.sync_log (entity, store, updated_at);

-- Safety stock that erpsync holds back from sale, per SKU, in place of the
-- default of the worker's configuration (NULL: the default again). A row
-- stays when its SKU returns to the default, so that a sync can tell it
-- changed.
CREATE TABLE erpsync.safety_stock (
    sku        text        PRIMARY KEY,
    quantity   bigint      CHECK (quantity >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX safety_stock_updated_idx ON erpsync.safety_stock (updated_at);
