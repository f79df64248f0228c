//! Personal e-mail domains: free-mail and disposable providers. Whoever signs up with one is an
//! individual, never a company: such a domain is never a customer with an MNDA, no rule
//! approves it, and sales see the company the person typed.

use crate::features::access::domain::DomainPattern;

/// Free-mail providers (disposable ones come from the `disposable-emails` crate's list).
const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "ymail.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "mail.com",
    "yandex.com",
    "yandex.ru",
    "zoho.com",
    "tutanota.com",
    "fastmail.com",
    "hey.com",
    "qq.com",
    "163.com",
    "mail.ru",
];

/// Whether `domain` (any case) is a free-mail or disposable provider's. Subdomains of a free-mail
/// provider do not count (they are not handed out to the public).
pub fn is_personal(domain: &str) -> bool {
    let domain = domain.trim().trim_end_matches('.').to_lowercase();
    FREE_MAIL_DOMAINS.contains(&domain.as_str()) || disposable_emails::is_disposable_domain(&domain)
}

/// Whether a rule `pattern` could match a personal domain: it names one, or is a suffix pattern
/// over one (`*.gmail.com`). The catch-all `*` is not counted; [`super::rules::decide`] keeps it from
/// approving personal addresses.
pub fn pattern_names_personal(pattern: &DomainPattern) -> bool {
    let text = pattern.as_str();
    text != "*" && is_personal(text.trim_start_matches("*."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_mail_and_disposable_domains_are_personal_and_work_domains_are_not() {
        for personal in ["gmail.com", "GMail.com", "gmail.com.", "outlook.com", "mailinator.com", "guerrillamail.com"] {
            assert!(is_personal(personal), "{personal}");
        }
        for work in ["northwind-analytics.example", "contoso.com", "mail.google.com.example", "eu.gmail.com.example"] {
            assert!(!is_personal(work), "{work}");
        }
    }

    #[test]
    fn a_rule_pattern_over_a_personal_domain_is_recognised() {
        let named = |p: &str| pattern_names_personal(&DomainPattern::parse(p).unwrap());
        assert!(named("gmail.com") && named("*.gmail.com") && named("mailinator.com"));
        assert!(!named("*") && !named("contoso.com") && !named("*.contoso.com"));
    }
}
