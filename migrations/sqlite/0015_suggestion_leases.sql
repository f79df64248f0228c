-- Questionnaire suggestion jobs are claimed with a lease, so that several instances never compute
-- the same questionnaire twice and one that crashed mid-job is taken over once its lease runs out.
-- claimed_by: the instance holding the lease; lease_until: Unix seconds (0: never claimed).
alter table questionnaires add column claimed_by text not null default '';
alter table questionnaires add column lease_until integer not null default 0;
