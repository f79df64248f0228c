-- Rate limits every instance shares: attempts counted per fixed window in the database, so N
-- instances do not multiply a limit. Keys are SHA-256 hex of what is limited (never an address).
create table rate_counters (
    key text primary key,
    window_start bigint not null,
    hits bigint not null
);
