-- Phrasings learned from answered questionnaires (and kept from reviews): another wording of an
-- entry's question, with where it came from, so each can be seen and removed. Staff-typed
-- alternatives stay in kb_entries.alternatives.
create table kb_phrasings (
    id integer primary key,
    entry_id integer not null references kb_entries (id),
    text text not null,
    -- e.g. "learned from acme-completed.xlsx, Security row 14" or "review of questionnaire 12"
    source text not null,
    added_by text not null,
    added_at integer not null,
    unique (entry_id, text)
);

-- The model's vectors of entry texts, by the text's SHA-256 and the model they came from: a start
-- or a rebuild embeds only texts it has not seen. Little-endian f32s.
create table kb_vectors (
    model text not null,
    text_sha256 text not null,
    vector blob not null,
    primary key (model, text_sha256)
);

-- Questions visitors asked the trust center that no approved entry they may see answers: the
-- security team's gap queue. One row per distinct question (normalised), counted.
create table ask_gaps (
    id integer primary key,
    question text not null,
    normalized text not null unique,
    asked_count integer not null default 1,
    first_asked_at integer not null,
    last_asked_at integer not null,
    status text not null default 'open' check (status in ('open', 'answered', 'dismissed')),
    -- the entry that answers it, once staff answered it (a draft until approved)
    entry_id integer references kb_entries (id),
    resolved_by integer references staff_users (id),
    resolved_at integer
);
create index ask_gaps_status on ask_gaps (status, last_asked_at);

-- Who asked to be told when a gap is answered: only once they confirm the address (a link
-- mailed to it, kept as its SHA-256), and mailed once, when the entry is approved.
create table ask_gap_askers (
    gap_id integer not null references ask_gaps (id),
    email text not null,
    asked_at integer not null,
    confirm_token_hash text unique,
    confirm_expires_at integer,
    confirmed_at integer,
    notified_at integer,
    primary key (gap_id, email)
);

-- An answered questionnaire read for learning, and what each of its rows proposes: a phrasing
-- of the entry its answer was copied from, a new (draft) entry, or nothing (unclear). Nothing is
-- learned until staff accept a row (or `vouchsafe kb learn --accept`).
create table kb_learn_batches (
    id integer primary key,
    file_name text not null,
    created_by text not null,
    created_at integer not null
);
create table kb_learn_rows (
    id integer primary key,
    batch_id integer not null references kb_learn_batches (id),
    sheet text not null,
    row_number integer not null,
    question text not null,
    answer text not null,
    kind text not null check (kind in ('entry', 'new', 'unclear')),
    entry_id integer references kb_entries (id),
    -- Dice similarity of the answers, in thousandths
    similarity integer,
    reason text not null default '',
    status text not null default 'pending' check (status in ('pending', 'accepted', 'rejected')),
    decided_by text,
    decided_at integer
);
create index kb_learn_rows_batch on kb_learn_rows (batch_id);

-- Self-serve questionnaires: a prospect with access uploads their own; staff review the rest and
-- mark it complete, and the prospect downloads it filled.
alter table questionnaires add column prospect_id integer references prospects (id);
alter table questionnaires add column completed_at integer;
alter table questionnaires add column completed_by text;
create index questionnaires_prospect on questionnaires (prospect_id);
