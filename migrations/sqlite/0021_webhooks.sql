-- Outgoing webhooks (Standard Webhooks, or a chat format), configured by admins. The signing
-- secret is kept sealed with the secrets key (it must be usable to sign, so it cannot be hashed);
-- a removed webhook keeps its row for its delivery log.
create table webhooks (
    id integer primary key,
    url text not null,
    format text not null check (format in ('standard', 'chat')),
    -- comma-separated event types, e.g. access.requested,access.approved
    events text not null,
    secret_sealed text not null,
    enabled integer not null default 1,
    created_by integer references staff_users (id),
    created_at integer not null,
    updated_at integer not null,
    deleted_at integer
);

-- One row per event per webhook, written in the transaction of the action (the outbox); the
-- delivery worker of any instance sends it, retrying with back-off for a day, then marks it failed.
create table webhook_deliveries (
    id integer primary key,
    webhook_id integer not null references webhooks (id),
    -- the webhook-id header: the same on every attempt, so receivers can drop duplicates
    message_id text not null unique,
    event text not null,
    -- what the event carries (ids, links, no secrets), as JSON
    data text not null,
    created_at integer not null,
    status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
    attempts integer not null default 0,
    next_attempt_at integer not null,
    -- attempts stop after this (a day after the event, or after an admin's redelivery)
    retry_until integer not null,
    last_attempt_at integer,
    last_status integer,
    last_error text,
    last_duration_ms integer,
    delivered_at integer
);
create index webhook_deliveries_due on webhook_deliveries (status, next_attempt_at);
create index webhook_deliveries_hook on webhook_deliveries (webhook_id, id);

-- Knowledge-base entries already announced as past their review date (kb.entry_stale), once per
-- due date.
create table kb_stale_notices (
    entry_id integer not null references kb_entries (id),
    due_on text not null,
    noticed_at integer not null,
    primary key (entry_id, due_on)
);
