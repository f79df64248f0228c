-- Stored files are kept in 1 MiB chunks, so a file is read and served a chunk at a time (never
-- whole in memory) and written without one huge statement. `blobs` keeps one row per file (its
-- hash, size and time) and is written last, in the same transaction as the chunks: a file is
-- there only when all of it is. Chunk n holds bytes [n MiB, (n + 1) MiB).
create table blob_chunks (
    sha256 text not null,
    n integer not null,
    bytes blob not null,
    primary key (sha256, n)
);

with recursive parts (sha256, n, total) as (
    select sha256, 0, length(cast(bytes as blob)) from blobs where length(cast(bytes as blob)) > 0
    union all
    select sha256, n + 1, total from parts where (n + 1) * 1048576 < total
)
insert into blob_chunks (sha256, n, bytes)
select p.sha256, p.n, substr(cast(b.bytes as blob), p.n * 1048576 + 1, 1048576)
from parts p join blobs b on b.sha256 = p.sha256;

alter table blobs drop column bytes;
