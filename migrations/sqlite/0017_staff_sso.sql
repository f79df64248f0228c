-- Staff who sign in with the company's identity provider (OpenID Connect) are matched by the
-- provider's issuer and subject once linked, never by e-mail alone. Null for accounts that have
-- never signed in that way.
alter table staff_users add column oidc_issuer text;
alter table staff_users add column oidc_subject text;
create unique index staff_users_oidc on staff_users (oidc_issuer, oidc_subject);
