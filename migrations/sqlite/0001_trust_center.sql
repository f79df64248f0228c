-- The public trust center: working (draft) content, documents, and published versions.
-- Portable conventions (see app/src/ssr/db.rs): integers are 64-bit, flags are 0/1 integers,
-- dates are 'YYYY-MM-DD' text, moments are Unix seconds.

create table company_profile (
    id integer primary key check (id = 1),
    name text not null,
    description text not null,
    website_url text not null,
    security_contact_email text not null,
    logo_sha256 text,
    logo_content_type text,
    accent_color text not null,
    -- section anchors in display order, comma-separated; a section not listed is hidden
    sections text not null,
    updated_at integer not null
);

create table documents (
    id integer primary key,
    slug text not null unique,
    title text not null,
    kind text not null check (kind in ('soc2_type_ii', 'soc3', 'bridge_letter', 'pen_test', 'iso_certificate', 'policy', 'other')),
    visibility text not null check (visibility in ('public', 'restricted')),
    description text not null default '',
    position integer not null default 0,
    created_at integer not null,
    updated_at integer not null
);

-- Every upload is kept; the highest version is current. Files live outside the database,
-- content-addressed by their SHA-256.
create table document_versions (
    id integer primary key,
    document_id integer not null references documents (id),
    version integer not null,
    file_name text not null,
    byte_size integer not null,
    sha256 text not null,
    created_at integer not null,
    unique (document_id, version)
);

create table soc2_reports (
    id integer primary key,
    report_type text not null check (report_type in ('type_i', 'type_ii')),
    period_start text not null,
    period_end text not null,
    audit_firm text not null,
    opinion text not null check (opinion in ('unqualified', 'qualified', 'adverse', 'disclaimer')),
    report_date text not null,
    -- category codes, comma-separated; always includes 'security'
    tsc_in_scope text not null,
    document_id integer references documents (id),
    created_at integer not null,
    updated_at integer not null,
    check (period_start <= period_end)
);

create table soc2_subservice_orgs (
    id integer primary key,
    report_id integer not null references soc2_reports (id) on delete cascade,
    position integer not null default 0,
    name text not null,
    services text not null,
    treatment text not null check (treatment in ('carve_out', 'inclusive'))
);

create table soc2_cuecs (
    id integer primary key,
    report_id integer not null references soc2_reports (id) on delete cascade,
    position integer not null default 0,
    description text not null
);

create table bridge_letters (
    id integer primary key,
    report_id integer not null references soc2_reports (id) on delete cascade,
    issued_on text not null,
    covered_until text not null,
    document_id integer references documents (id),
    created_at integer not null,
    updated_at integer not null
);

create table frameworks (
    id integer primary key,
    position integer not null default 0,
    name text not null,
    evidence text not null,
    issuer text,
    issued_on text,
    valid_until text,
    in_progress integer not null default 0,
    description text not null default '',
    document_id integer references documents (id),
    created_at integer not null,
    updated_at integer not null
);

create table controls (
    id integer primary key,
    position integer not null default 0,
    category text not null,
    title text not null,
    description text not null,
    status text not null check (status in ('implemented', 'in_progress', 'planned')),
    -- criteria such as CC6.1, comma-separated
    tsc_points text not null default '',
    created_at integer not null,
    updated_at integer not null
);

create table subprocessors (
    id integer primary key,
    position integer not null default 0,
    name text not null,
    purpose text not null,
    location text not null,
    data_processed text not null,
    website_url text,
    start_date text,
    end_date text,
    created_at integer not null,
    updated_at integer not null
);

create table faqs (
    id integer primary key,
    position integer not null default 0,
    question text not null,
    answer text not null,
    created_at integer not null,
    updated_at integer not null
);

-- Each publish stores the whole public content as JSON; the newest row is what the public sees.
create table published_versions (
    id integer primary key,
    content text not null,
    published_at integer not null,
    published_by integer
);
