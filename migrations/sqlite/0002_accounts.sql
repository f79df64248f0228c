-- Accounts, sessions, one-time tokens, the mail outbox and the access log.

-- Buyers' people: identified by a verified work e-mail, never a password.
create table prospects (
    id integer primary key,
    email text not null unique,
    name text not null,
    company text not null,
    email_verified_at integer,
    last_sign_in_at integer,
    created_at integer not null,
    updated_at integer not null
);

-- Staff sign in with a password and a TOTP second factor.
create table staff_users (
    id integer primary key,
    email text not null unique,
    name text not null,
    -- argon2id PHC string; null until an invitation is accepted
    password_hash text,
    totp_secret text,
    totp_enabled integer not null default 0,
    -- the last TOTP time step accepted: a code is never accepted twice
    totp_last_step integer not null default 0,
    active integer not null default 1,
    last_sign_in_at integer,
    created_at integer not null,
    updated_at integer not null
);

create table staff_roles (
    staff_id integer not null references staff_users (id) on delete cascade,
    role text not null check (role in ('admin', 'sales', 'security')),
    created_at integer not null,
    primary key (staff_id, role)
);

-- One-time recovery codes for the second factor, stored as SHA-256 hashes.
create table recovery_codes (
    id integer primary key,
    staff_id integer not null references staff_users (id) on delete cascade,
    code_hash text not null unique,
    used_at integer,
    created_at integer not null
);

-- Links sent by e-mail (prospect sign-in, password reset, staff invitation). Only the SHA-256 of
-- the token is stored; a token is consumed once, by a POST.
create table email_tokens (
    id integer primary key,
    token_hash text not null unique,
    purpose text not null check (purpose in ('prospect_sign_in', 'password_reset', 'staff_invite')),
    email text not null,
    -- purpose-specific details, JSON (e.g. name and company given at sign-up)
    payload text not null default '{}',
    expires_at integer not null,
    used_at integer,
    created_at integer not null
);
create index email_tokens_email on email_tokens (email, purpose);

-- tower-sessions records, with who they belong to pulled out so staff can list and end theirs.
create table sessions (
    id text primary key,
    data text not null,
    expires_at integer not null,
    staff_id integer,
    prospect_id integer,
    ip text,
    user_agent text,
    created_at integer not null,
    last_seen_at integer not null
);
create index sessions_staff on sessions (staff_id);
create index sessions_expiry on sessions (expires_at);

-- Mail is queued in the same transaction as the action that causes it and sent by a worker.
create table mail_outbox (
    id integer primary key,
    to_address text not null,
    to_name text not null,
    subject text not null,
    text_body text not null,
    html_body text not null,
    -- extra headers as a JSON object (e.g. List-Unsubscribe)
    headers text not null default '{}',
    status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
    attempts integer not null default 0,
    next_attempt_at integer not null,
    last_error text,
    created_at integer not null,
    sent_at integer
);
create index mail_outbox_due on mail_outbox (status, next_attempt_at);

-- The access log: append-only, hash-chained. Each row's hash covers its canonical content and the
-- previous row's hash; triggers refuse UPDATE and DELETE.
create table access_log (
    seq integer primary key,
    at integer not null,
    actor_kind text not null check (actor_kind in ('anonymous', 'prospect', 'staff', 'system')),
    actor_id integer,
    actor_label text not null,
    role text not null default '',
    event text not null,
    object text not null default '',
    outcome text not null check (outcome in ('success', 'failure', 'denied')),
    ip text not null default '',
    user_agent text not null default '',
    request_id text not null default '',
    details text not null default '{}',
    prev_hash text not null,
    hash text not null unique
);
create index access_log_event on access_log (event, at);
create index access_log_actor on access_log (actor_kind, actor_id);

create trigger access_log_no_update before update on access_log
begin
    select raise(abort, 'access_log is append-only');
end;

create trigger access_log_no_delete before delete on access_log
begin
    select raise(abort, 'access_log is append-only');
end;
