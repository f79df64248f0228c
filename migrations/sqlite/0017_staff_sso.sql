-- Staff who sign in with the company's identity provider (OpenID Connect) are matched by the
-- provider's issuer and subject once linked, never by e-mail alone. Null for accounts that have
-- never signed in that way.
alter table staff_users add column oidc_issuer text;
alter table staff_users add column oidc_subject text;
create unique index staff_users_oidc on staff_users (oidc_issuer, oidc_subject);

-- SCIM 2.0: the identity provider creates, deactivates and deletes staff accounts with a bearer
-- token an admin made (kept as its SHA-256: the token itself is shown once). A deleted account
-- keeps its row (the access log and decisions point at it) with deleted_at set.
alter table staff_users add column deleted_at integer;
create table scim_tokens (
    id integer primary key,
    label text not null,
    token_sha256 text not null unique,
    created_by integer not null references staff_users (id),
    created_at integer not null,
    last_used_at integer,
    revoked_at integer
);
