-- Who seeds the demo: the first instance to claim it, while any other started with --demo at the
-- same moment waits for it to finish instead of serving a half-seeded site.
create table seed_claims (
    name text primary key,
    claimed_at bigint not null,
    finished_at bigint
);
