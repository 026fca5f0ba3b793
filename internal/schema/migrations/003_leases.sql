-- Short-lived named locks that workers on any machine can take, such as the
-- one that keeps two syncs from creating the same ERP customer at once. A
-- lease expires on its own, so a crashed holder blocks nobody for long.
CREATE TABLE erpsync.leases (
    key        text        PRIMARY KEY,
    holder     text        NOT NULL,
    expires_at timestamptz NOT NULL
);
