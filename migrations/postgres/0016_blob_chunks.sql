-- Stored files are kept in 1 MiB chunks, so a file is read and served a chunk at a time (never
-- whole in memory) and written without one huge statement. `blobs` keeps one row per file (its
-- hash, size and time) and is written last, in the same transaction as the chunks: a file is
-- there only when all of it is. Chunk n holds bytes [n MiB, (n + 1) MiB).
create table blob_chunks (
    sha256 text not null,
    n integer not null,
    bytes bytea not null,
    primary key (sha256, n)
);

insert into blob_chunks (sha256, n, bytes)
select b.sha256, c.n, substring(b.bytes from c.n * 1048576 + 1 for 1048576)
from blobs b
cross join lateral generate_series(0, (length(b.bytes) - 1) / 1048576) as c(n)
where length(b.bytes) > 0;

alter table blobs drop column bytes;
