-- In step with SQLite's 0009, which closes INSERT OR REPLACE on the access log and its
-- checkpoints. PostgreSQL needs no change: it has no INSERT OR REPLACE; an upsert (INSERT ... ON
-- CONFLICT DO UPDATE) fires the row-level update triggers of 0002 and 0004, which refuse it; a
-- conflicting plain insert fails on the primary key; UPDATE, DELETE and TRUNCATE are refused by
-- triggers already. The integration tests try each of these writes on both engines.
select 1;
