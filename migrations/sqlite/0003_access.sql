-- NDA-gated access: companies, rules, NDA versions and acceptances, requests and grants.

-- Requesters are grouped by e-mail domain into company accounts.
create table companies (
    id integer primary key,
    domain text not null unique,
    name text not null,
    -- a customer with a mutual NDA on file skips the click-through NDA until it expires
    is_customer integer not null default 0,
    mnda_expires_on text,
    notes text not null default '',
    created_at integer not null,
    updated_at integer not null
);

alter table prospects add column company_id integer references companies (id);

-- Evaluated by ascending priority; the first rule whose pattern matches the requester's domain
-- decides. Patterns: an exact domain (contoso.com), a suffix (*.contoso.com) or * for any.
create table access_rules (
    id integer primary key,
    priority integer not null,
    pattern text not null,
    action text not null check (action in ('auto_approve', 'review', 'deny')),
    note text not null default '',
    created_at integer not null,
    updated_at integer not null
);

create table access_settings (
    id integer primary key check (id = 1),
    default_access_days integer not null,
    updated_at integer not null
);

-- NDA texts. A version can be edited until it is published; once anyone accepts it, it never
-- changes (the trigger below is the last line of defence behind the application's checks).
create table nda_versions (
    id integer primary key,
    version integer not null unique,
    title text not null,
    body_markdown text not null,
    published_at integer,
    created_at integer not null,
    updated_at integer not null
);

create table nda_acceptances (
    id integer primary key,
    nda_version_id integer not null references nda_versions (id),
    prospect_id integer not null references prospects (id),
    -- SHA-256 of the exact text the signer was shown
    text_sha256 text not null,
    typed_name text not null,
    typed_title text not null,
    email text not null,
    company text not null,
    accepted_at integer not null,
    ip text not null,
    user_agent text not null,
    status text not null default 'active' check (status in ('active', 'superseded', 'revoked')),
    status_changed_at integer
);
create index nda_acceptances_prospect on nda_acceptances (prospect_id, status);

create trigger nda_acceptances_no_delete before delete on nda_acceptances
begin
    select raise(abort, 'NDA acceptances are never deleted');
end;

create trigger nda_versions_frozen_once_accepted before update on nda_versions
when exists (select 1 from nda_acceptances where nda_version_id = old.id)
    and (new.body_markdown <> old.body_markdown or new.title <> old.title or new.version <> old.version)
begin
    select raise(abort, 'an accepted NDA version is immutable');
end;

create table access_requests (
    id integer primary key,
    prospect_id integer not null references prospects (id),
    company_id integer not null references companies (id),
    kind text not null default 'initial' check (kind in ('initial', 'extension')),
    -- for an extension: the grant it asks to extend
    extends_grant_id integer,
    requester_role text not null,
    reason text not null,
    status text not null check (status in ('pending_nda', 'pending_review', 'approved', 'denied')),
    -- how the decision was reached: a rule, or a person
    rule_id integer,
    decided_by integer references staff_users (id),
    decided_at integer,
    decision_note text not null default '',
    created_at integer not null,
    updated_at integer not null
);
create index access_requests_status on access_requests (status, created_at);
create index access_requests_company on access_requests (company_id);

create table access_request_documents (
    request_id integer not null references access_requests (id),
    document_id integer not null references documents (id),
    primary key (request_id, document_id)
);

create table grants (
    id integer primary key,
    request_id integer not null references access_requests (id),
    prospect_id integer not null references prospects (id),
    company_id integer not null references companies (id),
    granted_by integer references staff_users (id),
    granted_at integer not null,
    expires_at integer not null,
    revoked_at integer,
    revoked_by integer references staff_users (id),
    revoke_note text not null default '',
    reminder_sent_at integer
);
create index grants_prospect on grants (prospect_id);

create table grant_documents (
    grant_id integer not null references grants (id),
    document_id integer not null references documents (id),
    primary key (grant_id, document_id)
);

-- Attachments of queued mail, stored in the file store: [{"file_name", "content_type", "sha256"}].
alter table mail_outbox add column attachments text not null default '[]';

insert into access_settings (id, default_access_days, updated_at) values (1, 90, 0);
