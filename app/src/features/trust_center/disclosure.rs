//! The vulnerability-disclosure policy (`/vulnerability-disclosure`) and `security.txt`
//! (RFC 9116), both from the published company profile: a draft change reaches neither until it
//! is published.

use crate::{
    components::{BrandedPage, ErrorPanel},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The policy as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyPage {
    pub company: String,
    pub contact: String,
    /// Rendered from Markdown and sanitised on the server.
    pub html: String,
    /// Languages reports may be written in.
    pub languages: Vec<String>,
}

/// Public: the published vulnerability-disclosure policy (the standard one when staff wrote
/// none). Not found before the first publish.
#[server(prefix = "/api", endpoint = "disclosure_policy")]
pub async fn disclosure_policy() -> Result<PolicyPage, AppError> {
    // Public data: no authentication by design.
    let state = crate::ssr::app_state()?;
    let (content, _) = super::server::load_published(&state.db).await?.ok_or(AppError::NotFound)?;
    let company = content.company;
    let markdown = match company.disclosure_policy.trim() {
        "" => standard_policy(&company.name, &company.security_contact_email),
        text => text.to_string(),
    };
    Ok(PolicyPage {
        html: crate::features::nda::server::render_markdown(&markdown),
        company: company.name,
        contact: company.security_contact_email,
        languages: company.preferred_languages,
    })
}

/// The policy published when staff wrote none: scope, how to report, what is asked of
/// researchers and what they can expect, in the usual shape of such policies (disclose.io).
#[cfg(feature = "ssr")]
pub fn standard_policy(company: &str, contact: &str) -> String {
    let company = markdown_text(company);
    format!(
        "{company} welcomes reports of security vulnerabilities in its products and services, from \
         customers, researchers and anyone else who finds one.\n\n\
         ## How to report\n\n\
         Write to [{contact}](mailto:{contact}) with what you found and where, the steps to reproduce \
         it, the impact you see, and how to reach you. Please do not include other people's data.\n\n\
         ## Scope\n\n\
         Systems and services operated by {company}, including this trust center. Out of scope: \
         denial of service, social engineering of staff or customers, physical attacks, and \
         findings of automated scanners without a demonstrated impact.\n\n\
         ## What we ask\n\n\
         Act in good faith: access only what you need to show the issue, do not read, change or \
         delete data that is not yours, do not degrade the service for others, and give us \
         reasonable time to fix the issue before you disclose it.\n\n\
         ## What you can expect\n\n\
         We acknowledge your report, keep you informed while we work on it, and credit you if you \
         wish. Research done in good faith under this policy is authorised: we will not take legal \
         action over it.\n"
    )
}

/// `text` with Markdown's punctuation escaped, so a company name stays text.
#[cfg(feature = "ssr")]
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `/.well-known/security.txt` for the published profile. `Expires` is the profile's date, or a
/// year after `published_at`. Every value comes from a validated field (an address, language
/// tags, this site's URL), so none can break a line.
#[cfg(feature = "ssr")]
pub fn security_txt(
    profile: &super::model::CompanyProfile,
    published_at: crate::types::Timestamp,
    base_url: &str,
) -> String {
    let base = base_url.trim_end_matches('/');
    let expires = profile.security_txt_expires.unwrap_or_else(|| published_at.date().add_days(365));
    let one_line = |s: &str| s.chars().filter(|c| !c.is_control()).collect::<String>();
    let mut text = format!(
        "Contact: mailto:{}\nExpires: {}T00:00:00Z\nPolicy: {base}{}\nCanonical: {base}{}\n",
        one_line(&profile.security_contact_email),
        expires,
        crate::paths::DISCLOSURE_POLICY,
        crate::paths::SECURITY_TXT,
    );
    if !profile.preferred_languages.is_empty() {
        text.push_str(&format!("Preferred-Languages: {}\n", one_line(&profile.preferred_languages.join(", "))));
    }
    text
}

/// `/vulnerability-disclosure`: how to report a vulnerability, complete without JavaScript.
#[component]
pub fn DisclosurePage() -> impl IntoView {
    view! {
        <BrandedPage title="Vulnerability disclosure policy">
            {move || {
                Suspend::new(async move {
                    match disclosure_policy().await {
                        Ok(policy) => {
                            let languages = policy.languages.join(", ");
                            view! {
                                <div class="wrap narrow">
                                    <p class="crumbs"><a href="/">"← Trust center"</a></p>
                                    <h1>"Vulnerability disclosure policy"</h1>
                                    <p class="lead-small">
                                        "Report a vulnerability to " {policy.company.clone()} ": "
                                        <a href=format!("mailto:{}", policy.contact)>{policy.contact.clone()}</a>
                                        {(!languages.is_empty()).then(|| format!(" (languages: {languages})"))}
                                    </p>
                                    <article class="policy-text" inner_html=policy.html></article>
                                    <p class="muted small">
                                        "Machine-readable: " <a href=crate::paths::SECURITY_TXT>"security.txt"</a>
                                    </p>
                                </div>
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })
            }}
        </BrandedPage>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::{
        features::trust_center::model::CompanyProfile,
        types::{IsoDate, Timestamp},
    };

    fn profile() -> CompanyProfile {
        CompanyProfile {
            name: "Northwind *Data*".into(),
            description: String::new(),
            website_url: "https://northwind.example".into(),
            security_contact_email: "security@northwind.example".into(),
            logo_url: None,
            accent_color: "#1d5c8f".into(),
            sections: Vec::new(),
            disclosure_policy: String::new(),
            security_txt_expires: None,
            preferred_languages: vec!["en".into(), "de".into()],
        }
    }

    #[test]
    fn security_txt_has_the_required_fields() {
        let published = Timestamp(1_796_083_200); // 2026-12-01
        let text = security_txt(&profile(), published, "https://trust.northwind.example/");
        assert_eq!(
            text,
            "Contact: mailto:security@northwind.example\nExpires: 2027-12-01T00:00:00Z\n\
             Policy: https://trust.northwind.example/vulnerability-disclosure\n\
             Canonical: https://trust.northwind.example/.well-known/security.txt\nPreferred-Languages: en, de\n"
        );
        let set = CompanyProfile { security_txt_expires: IsoDate::parse("2027-03-01").ok(), ..profile() };
        assert!(security_txt(&set, published, "https://t.example").contains("Expires: 2027-03-01T00:00:00Z\n"));
    }

    #[test]
    fn the_standard_policy_keeps_the_company_name_as_text() {
        let html = crate::features::nda::server::render_markdown(&standard_policy(
            "Northwind *Data* <script>",
            "security@northwind.example",
        ));
        assert!(html.contains("Northwind *Data* &lt;script&gt;"), "{html}");
        assert!(html.contains(r#"href="mailto:security@northwind.example""#), "{html}");
    }
}
