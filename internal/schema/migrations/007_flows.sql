-- The state of the flows beyond orders and stock: which store customer is
-- which ERP customer and the field values each side held when they last
-- synced, the
-- conflicts resolved on the way, what each synced order looked like when it
-- was booked and which of its later changes reached the ERP, and the drift
-- reports.

CREATE TABLE erpsync.customer_links (
    store       text        NOT NULL,
    customer_id text        NOT NULL,
    erp         text        NOT NULL,
    erp_id      text        NOT NULL,
    last_synced jsonb       NOT NULL,
    synced_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store, customer_id)
);

CREATE INDEX customer_links_erp_idx ON erpsync.customer_links (erp, erp_id);

-- Every field that both sides changed, or that the side not owning it
-- changed, with the value kept and the value lost.
CREATE TABLE erpsync.customer_conflicts (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store       text        NOT NULL,
    customer_id text        NOT NULL,
    erp_id      text        NOT NULL,
    field       text        NOT NULL,
    rule        text        NOT NULL CHECK (rule IN ('later', 'owner')),
    winner      text        NOT NULL CHECK (winner IN ('store', 'erp')),
    kept        text        NOT NULL,
    lost        text        NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX customer_conflicts_idx ON erpsync.customer_conflicts (store, customer_id, at);

-- A digest of each synced order as it was booked, so that a later edit in
-- the store is noticed.
CREATE TABLE erpsync.order_digests (
    store     text        NOT NULL,
    order_id  text        NOT NULL,
    digest    text        NOT NULL,
    booked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store, order_id)
);

-- The changes of synced orders that were carried to the ERP or settled by
-- an operator: a cancellation, each refund by its id, each edit by its
-- digest.
CREATE TABLE erpsync.order_amendments (
    store      text        NOT NULL,
    order_id   text        NOT NULL,
    kind       text        NOT NULL CHECK (kind IN ('cancel', 'refund', 'edit')),
    ref        text        NOT NULL,
    erp_doc_id text        NOT NULL DEFAULT '',
    outcome    text        NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store, order_id, kind, ref)
);

CREATE TABLE erpsync.drift_reports (
    id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    store    text        NOT NULL,
    erp      text        NOT NULL,
    taken_at timestamptz NOT NULL DEFAULT now(),
    report   jsonb       NOT NULL
);

CREATE INDEX drift_reports_idx ON erpsync.drift_reports (store, taken_at DESC);

CREATE INDEX sync_log_erp_id_idx ON erpsync.sync_log (entity, store, erp_id);
