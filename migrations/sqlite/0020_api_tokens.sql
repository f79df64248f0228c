-- Tokens for /api/v1, made by admins. Kept as their SHA-256 (the token is shown once). A personal
-- token acts for its owner and stops working when the owner is deactivated or loses the role its
-- scopes need; a service token has no owner. Every token expires.
create table api_tokens (
    id integer primary key,
    label text not null,
    token_sha256 text not null unique,
    -- comma-separated: companies:read, companies:write, grants:read, audit:read, kb:read
    scopes text not null,
    owner_id integer references staff_users (id),
    created_by integer not null references staff_users (id),
    created_at integer not null,
    expires_at integer not null,
    last_used_at integer,
    revoked_at integer
);
