-- The vulnerability-disclosure policy and security.txt (RFC 9116) come from the company profile:
-- the policy's Markdown (empty: the standard policy), when security.txt expires (null: a year
-- after each publish) and the languages reports may be written in (comma-separated tags).
alter table company_profile add column disclosure_policy text not null default '';
alter table company_profile add column security_txt_expires text;
alter table company_profile add column preferred_languages text not null default 'en';
