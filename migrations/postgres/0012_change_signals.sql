-- Counters every instance watches: an instance that changes what a cache holds bumps its
-- counter, and the others drop that cache within a second (the public page after a publish, the
-- suggestion index after a knowledge-base change).
create table change_signals (
    name text primary key,
    generation bigint not null
);
insert into change_signals (name, generation) values ('public_page', 0), ('knowledge', 0);
