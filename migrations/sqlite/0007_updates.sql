-- Updates posted on the public page (and in /updates.atom), and the people who asked to hear
-- about them (double opt-in; one-click unsubscribe).

create table updates (
    id integer primary key,
    -- report | subprocessor | incident | policy | general
    kind text not null check (kind in ('report', 'subprocessor', 'incident', 'policy', 'general')),
    title text not null,
    body text not null,
    status text not null check (status in ('draft', 'published')),
    -- drafted automatically (a subprocessor added or removed at publish) for staff to review
    proposed integer not null default 0,
    published_at integer,
    created_by text not null,
    created_at integer not null,
    updated_at integer not null
);
create index updates_published on updates (status, published_at);

create table subscribers (
    id integer primary key,
    email text not null unique,
    -- confirmed topics, comma-separated update kinds
    topics text not null default '',
    -- asked for at the last sign-up, applied on confirmation
    pending_topics text not null default '',
    -- SHA-256 of the confirmation token; null once used
    confirm_token_hash text,
    confirm_expires_at integer,
    confirmed_at integer,
    -- the token in every mail's unsubscribe link (only unsubscribes)
    unsubscribe_token text not null unique,
    unsubscribed_at integer,
    created_at integer not null,
    updated_at integer not null
);

-- Which subscriber was sent which update (each at most once).
create table update_deliveries (
    update_id integer not null references updates (id),
    subscriber_id integer not null references subscribers (id),
    mail_id integer not null,
    primary key (update_id, subscriber_id)
);
