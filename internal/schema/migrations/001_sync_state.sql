-- erpsync's own state: what was synced, what needs a human, and which
-- webhook deliveries have been seen.
CREATE SCHEMA IF NOT EXISTS erpsync;

CREATE TABLE erpsync.sync_log (
    entity       text        NOT NULL,
    store        text        NOT NULL,
    external_ref text        NOT NULL,
    erp_id       text,
    status       text        NOT NULL
                 CHECK (status IN ('running', 'synced', 'needs_attention', 'skipped')),
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text,
    workflow_id  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity, store, external_ref)
);

CREATE INDEX sync_log_status_idx ON erpsync.sync_log (status, updated_at);

-- Every manual action an operator takes on a sync: who, when and why.
CREATE TABLE erpsync.sync_actions (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity       text        NOT NULL,
    store        text        NOT NULL,
    external_ref text        NOT NULL,
    action       text        NOT NULL,
    actor        text        NOT NULL,
    reason       text        NOT NULL DEFAULT '',
    detail       text        NOT NULL DEFAULT '',
    at           timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX sync_actions_ref_idx ON erpsync.sync_actions (entity, store, external_ref);

CREATE TABLE erpsync.webhook_deliveries (
    store        text        NOT NULL,
    delivery_id  text        NOT NULL,
    topic        text        NOT NULL,
    resource_id  text        NOT NULL,
    workflow_id  text        NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    replays      integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (store, delivery_id)
);
