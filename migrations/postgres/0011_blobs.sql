-- Stored files (document versions, logos, NDA records, questionnaires, mail attachments) live in
-- the database, content-addressed by SHA-256: every instance sees them, and one database backup
-- holds everything. Files an older version kept under <data dir>/files are copied in at start-up.
create table blobs (
    sha256 text primary key,
    size bigint not null,
    bytes bytea not null,
    created_at bigint not null
);
