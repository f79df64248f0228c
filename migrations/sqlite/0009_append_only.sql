-- The access log and its checkpoints refuse INSERT OR REPLACE (and REPLACE INTO): SQLite resolves
-- that conflict by deleting the old row without firing delete triggers, which slipped past the
-- no-update/no-delete triggers. A row may only ever be added with a new sequence number and hash.
-- (An upsert's DO UPDATE fires the update trigger, which refuses it too.)

create trigger access_log_no_replace before insert on access_log
when exists (select 1 from access_log where seq = new.seq or hash = new.hash)
begin
    select raise(abort, 'access_log is append-only');
end;

create trigger audit_checkpoints_no_replace before insert on audit_checkpoints
when new.id is not null and exists (select 1 from audit_checkpoints where id = new.id)
begin
    select raise(abort, 'audit_checkpoints is append-only');
end;
