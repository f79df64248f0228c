-- The questionnaire knowledge base: approved answers, their history, and who was told what.

create table kb_entries (
    id integer primary key,
    -- the id of the entry in imported/exported files (e.g. KB-001); unique
    external_id text not null unique,
    question text not null,
    -- alternative phrasings, one per line
    alternatives text not null default '',
    short_answer text not null check (short_answer in ('Yes', 'No', 'N/A')),
    explanation text not null,
    category text not null,
    -- tags separated by ';'
    tags text not null default '',
    owner_id integer references staff_users (id),
    status text not null check (status in ('draft', 'approved', 'retired')),
    visibility text not null check (visibility in ('internal', 'nda', 'public')),
    -- YYYY-MM-DD; past it plus the interval the entry is stale and never auto-filled
    last_reviewed_on text,
    review_interval_days integer not null default 365 check (review_interval_days between 1 and 3650),
    version integer not null default 1,
    created_at integer not null,
    updated_at integer not null
);
create index kb_entries_status on kb_entries (status);

-- Every change to an entry: who, when, what (a summary, and the entry as it was after it).
create table kb_history (
    id integer primary key,
    entry_id integer not null references kb_entries (id),
    version integer not null,
    at integer not null,
    actor text not null,
    change text not null,
    snapshot text not null
);
create index kb_history_entry on kb_history (entry_id, id);
