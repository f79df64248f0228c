-- Each queued mail keeps the sender's display name it was composed with (the company as the
-- public page names it then), so the mail worker, which is infrastructure, never reads the
-- trust center's content. Mails queued before this use the fallback name.
alter table mail_outbox add column from_name text not null default '';
