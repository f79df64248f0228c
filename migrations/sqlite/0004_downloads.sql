-- Stamped downloads, signed access-log checkpoints, and page-view counts for analytics.

-- A short-lived signed link. Its id (the JWT's jti) is recorded when issued and spent on use:
-- a link works once.
create table download_links (
    jti text primary key,
    prospect_id integer not null references prospects (id),
    grant_id integer not null references grants (id),
    document_id integer not null references documents (id),
    version_id integer not null references document_versions (id),
    issued_at integer not null,
    expires_at integer not null,
    used_at integer
);

-- One row per delivery. `id` is the short download id stamped into the copy. Restricted
-- downloads carry the recipient and the SHA-256 of the exact bytes delivered; public ones are
-- counted without a person.
create table downloads (
    id text primary key,
    jti text references download_links (jti),
    prospect_id integer references prospects (id),
    company_id integer references companies (id),
    grant_id integer references grants (id),
    document_id integer not null references documents (id),
    version_id integer not null references document_versions (id),
    delivered_sha256 text not null,
    byte_size integer not null,
    status text not null check (status in ('started', 'completed', 'aborted')),
    started_at integer not null,
    finished_at integer,
    ip text not null,
    user_agent text not null
);
create index downloads_sha on downloads (delivered_sha256);
create index downloads_prospect on downloads (prospect_id, started_at);
create index downloads_company on downloads (company_id, started_at);

-- Signed statements of the access log's head: "entry `seq` has hash `hash`", signed with an
-- Ed25519 key kept outside the database.
create table audit_checkpoints (
    id integer primary key,
    seq integer not null,
    hash text not null,
    created_at integer not null,
    public_key text not null,
    signature text not null
);

create trigger audit_checkpoints_no_update before update on audit_checkpoints
begin
    select raise(abort, 'audit_checkpoints is append-only');
end;

create trigger audit_checkpoints_no_delete before delete on audit_checkpoints
begin
    select raise(abort, 'audit_checkpoints is append-only');
end;

-- Page views per day and path; company_id 0 means not signed in.
create table page_views (
    day text not null,
    path text not null,
    company_id integer not null default 0,
    views integer not null,
    primary key (day, path, company_id)
);
