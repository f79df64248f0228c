-- Buyers' questionnaires: the uploaded file, each sheet's mapping, one row per question with its
-- suggestion and the reviewer's decision, and every answer exported to a company (who was told what).

create table questionnaires (
    id integer primary key,
    company_id integer not null references companies (id),
    title text not null,
    file_name text not null,
    -- csv | xlsx
    format text not null check (format in ('csv', 'xlsx')),
    -- the buyer's file as uploaded, in the file store
    file_sha256 text not null,
    -- YYYY-MM-DD
    due_on text,
    owner_id integer references staff_users (id),
    -- processing (suggestions being computed) | ready | failed
    status text not null check (status in ('processing', 'ready', 'failed')),
    progress_done integer not null default 0,
    progress_total integer not null default 0,
    failure text,
    created_by text not null,
    created_at integer not null,
    updated_at integer not null
);
create index questionnaires_company on questionnaires (company_id);

create table questionnaire_sheets (
    questionnaire_id integer not null references questionnaires (id),
    sheet_index integer not null,
    name text not null,
    -- zero-based; null: not detected (the sheet is skipped until someone chooses)
    header_row integer,
    question_col integer,
    answer_col integer,
    comment_col integer,
    -- the answer column's dropdown values as a JSON array, when it has one
    answer_options text,
    -- detected | corrected (by a person)
    mapping_source text not null default 'detected',
    primary key (questionnaire_id, sheet_index)
);

create table questionnaire_rows (
    id integer primary key,
    questionnaire_id integer not null references questionnaires (id),
    sheet_index integer not null,
    -- zero-based row in the sheet
    row_index integer not null,
    question text not null,
    -- the answer cell holds a formula: never written
    answer_is_formula integer not null default 0,
    -- auto | review | none; null until suggested
    decision text check (decision in ('auto', 'review', 'none')),
    -- JSON array of {"entry_id", "score"}, best first
    suggestions text not null default '[]',
    -- open | accepted (an entry chosen) | written (a person's own answer) | skipped
    state text not null default 'open' check (state in ('open', 'accepted', 'written', 'skipped')),
    entry_id integer references kb_entries (id),
    entry_version integer,
    short_answer text,
    answer text,
    -- a person's answer saved to the knowledge base as a draft
    draft_entry_id integer references kb_entries (id),
    decided_by text,
    decided_at integer,
    unique (questionnaire_id, sheet_index, row_index)
);
create index questionnaire_rows_open on questionnaire_rows (questionnaire_id, decision);

-- Every answer that left in an exported file.
create table answer_disclosures (
    id integer primary key,
    company_id integer not null references companies (id),
    questionnaire_id integer not null references questionnaires (id),
    -- the row as it was (rows are replaced when a sheet's mapping is corrected)
    row_id integer not null,
    question text not null,
    -- null for a person's own answer not saved to the knowledge base
    entry_id integer references kb_entries (id),
    entry_version integer,
    short_answer text not null,
    answer text not null,
    exported_by text not null,
    exported_at integer not null
);
create index answer_disclosures_entry on answer_disclosures (entry_id, entry_version);
create index answer_disclosures_company on answer_disclosures (company_id, exported_at);
