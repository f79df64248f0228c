//! Mail templates: for each mail `name`, `name.subject.txt`, `name.txt` and `name.html` (which
//! extends `layout.html`). HTML is escaped automatically; text and subject are not.

use super::Branding;
use crate::error::AppError;
use minijinja::Environment;

/// Every template, compiled into the binary so a deployment cannot lose one.
const SOURCES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../../../templates/mail/layout.html")),
    ("sign_in_link.subject.txt", include_str!("../../../templates/mail/sign_in_link.subject.txt")),
    ("sign_in_link.txt", include_str!("../../../templates/mail/sign_in_link.txt")),
    ("sign_in_link.html", include_str!("../../../templates/mail/sign_in_link.html")),
    ("password_reset.subject.txt", include_str!("../../../templates/mail/password_reset.subject.txt")),
    ("password_reset.txt", include_str!("../../../templates/mail/password_reset.txt")),
    ("password_reset.html", include_str!("../../../templates/mail/password_reset.html")),
    ("sign_in_attempts.subject.txt", include_str!("../../../templates/mail/sign_in_attempts.subject.txt")),
    ("sign_in_attempts.txt", include_str!("../../../templates/mail/sign_in_attempts.txt")),
    ("sign_in_attempts.html", include_str!("../../../templates/mail/sign_in_attempts.html")),
    ("staff_invite.subject.txt", include_str!("../../../templates/mail/staff_invite.subject.txt")),
    ("staff_invite.txt", include_str!("../../../templates/mail/staff_invite.txt")),
    ("staff_invite.html", include_str!("../../../templates/mail/staff_invite.html")),
    ("nda_record.subject.txt", include_str!("../../../templates/mail/nda_record.subject.txt")),
    ("nda_record.txt", include_str!("../../../templates/mail/nda_record.txt")),
    ("nda_record.html", include_str!("../../../templates/mail/nda_record.html")),
    ("request_received.subject.txt", include_str!("../../../templates/mail/request_received.subject.txt")),
    ("request_received.txt", include_str!("../../../templates/mail/request_received.txt")),
    ("request_received.html", include_str!("../../../templates/mail/request_received.html")),
    ("request_for_sales.subject.txt", include_str!("../../../templates/mail/request_for_sales.subject.txt")),
    ("request_for_sales.txt", include_str!("../../../templates/mail/request_for_sales.txt")),
    ("request_for_sales.html", include_str!("../../../templates/mail/request_for_sales.html")),
    ("access_granted.subject.txt", include_str!("../../../templates/mail/access_granted.subject.txt")),
    ("access_granted.txt", include_str!("../../../templates/mail/access_granted.txt")),
    ("access_granted.html", include_str!("../../../templates/mail/access_granted.html")),
    ("access_denied.subject.txt", include_str!("../../../templates/mail/access_denied.subject.txt")),
    ("access_denied.txt", include_str!("../../../templates/mail/access_denied.txt")),
    ("access_denied.html", include_str!("../../../templates/mail/access_denied.html")),
    ("access_revoked.subject.txt", include_str!("../../../templates/mail/access_revoked.subject.txt")),
    ("access_revoked.txt", include_str!("../../../templates/mail/access_revoked.txt")),
    ("access_revoked.html", include_str!("../../../templates/mail/access_revoked.html")),
    ("access_extended.subject.txt", include_str!("../../../templates/mail/access_extended.subject.txt")),
    ("access_extended.txt", include_str!("../../../templates/mail/access_extended.txt")),
    ("access_extended.html", include_str!("../../../templates/mail/access_extended.html")),
    ("access_expiring.subject.txt", include_str!("../../../templates/mail/access_expiring.subject.txt")),
    ("access_expiring.txt", include_str!("../../../templates/mail/access_expiring.txt")),
    ("access_expiring.html", include_str!("../../../templates/mail/access_expiring.html")),
    ("download_receipt.subject.txt", include_str!("../../../templates/mail/download_receipt.subject.txt")),
    ("download_receipt.txt", include_str!("../../../templates/mail/download_receipt.txt")),
    ("download_receipt.html", include_str!("../../../templates/mail/download_receipt.html")),
    ("subscription_confirm.subject.txt", include_str!("../../../templates/mail/subscription_confirm.subject.txt")),
    ("subscription_confirm.txt", include_str!("../../../templates/mail/subscription_confirm.txt")),
    ("subscription_confirm.html", include_str!("../../../templates/mail/subscription_confirm.html")),
    ("update_published.subject.txt", include_str!("../../../templates/mail/update_published.subject.txt")),
    ("update_published.txt", include_str!("../../../templates/mail/update_published.txt")),
    ("update_published.html", include_str!("../../../templates/mail/update_published.html")),
    ("questionnaire_ready.subject.txt", include_str!("../../../templates/mail/questionnaire_ready.subject.txt")),
    ("questionnaire_ready.txt", include_str!("../../../templates/mail/questionnaire_ready.txt")),
    ("questionnaire_ready.html", include_str!("../../../templates/mail/questionnaire_ready.html")),
    ("ask_confirm.subject.txt", include_str!("../../../templates/mail/ask_confirm.subject.txt")),
    ("ask_confirm.txt", include_str!("../../../templates/mail/ask_confirm.txt")),
    ("ask_confirm.html", include_str!("../../../templates/mail/ask_confirm.html")),
    ("ask_answered.subject.txt", include_str!("../../../templates/mail/ask_answered.subject.txt")),
    ("ask_answered.txt", include_str!("../../../templates/mail/ask_answered.txt")),
    ("ask_answered.html", include_str!("../../../templates/mail/ask_answered.html")),
];

/// Every mail template, compiled once at start-up; undefined variables are errors, not blanks.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// Compiles every template; a syntax error is a bug caught by the first test that starts.
    pub fn load() -> Result<Self, minijinja::Error> {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        for (name, source) in SOURCES {
            env.add_template(name, source)?;
        }
        Ok(Self { env })
    }

    /// Renders (subject, text, html) of mail `name`.
    pub fn render(
        &self,
        name: &str,
        branding: &Branding,
        recipient: &str,
        vars: serde_json::Value,
    ) -> Result<(String, String, String), AppError> {
        let ctx = minijinja::context! {
            company => branding.company,
            accent => branding.accent,
            base_url => branding.base_url,
            contact => branding.contact,
            recipient => recipient,
            ..minijinja::Value::from_serialize(&vars)
        };
        let render = |suffix: &str| {
            self.env
                .get_template(&format!("{name}.{suffix}"))
                .and_then(|t| t.render(&ctx))
                .map_err(|e| AppError::internal("rendering a mail", e))
        };
        // A subject is one line: a line break in it would start a new header.
        let subject = render("subject.txt")?.lines().map(str::trim).collect::<Vec<_>>().join(" ");
        Ok((subject, render("txt")?, render("html")?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn branding() -> Branding {
        Branding {
            company: "Acme <Corp>".into(),
            accent: "#123456".into(),
            base_url: "https://t.example".into(),
            contact: "security@acme.example".into(),
        }
    }

    #[test]
    fn every_mail_renders_and_html_is_escaped() {
        let t = Templates::load().unwrap();
        let vars = serde_json::json!({ "link": "https://t.example/x?a=1&b=2", "minutes": 15, "inviter": "Ann",
            "version": 2, "nda_title": "Mutual NDA", "sha256": "ab", "accepted_at": "now", "documents": ["SOC 2"],
            "expires_on": "1 March 2027", "note": "", "requester": "Pat", "requester_email": "p@c.example",
            "company_name": "Contoso", "reason": "evaluation", "status": "waiting",
            "document": "SOC 2", "download_id": "ABCD-EFGH", "at": "now" });
        for name in [
            "sign_in_link",
            "password_reset",
            "sign_in_attempts",
            "staff_invite",
            "nda_record",
            "request_received",
            "request_for_sales",
            "access_granted",
            "access_denied",
            "access_revoked",
            "access_extended",
            "access_expiring",
            "download_receipt",
        ] {
            let (subject, text, html) = t.render(name, &branding(), "Bob <script>", vars.clone()).unwrap();
            assert!(!subject.contains('\n'));
            if !["nda_record", "access_denied"].contains(&name) {
                assert!(text.contains("https://t.example/x?a=1&b=2"), "{name} text has the raw link");
                assert!(!html.contains("a=1&b=2"), "{name} html never has the raw link");
            }
            assert!(html.contains("Acme &lt;Corp&gt;"));
            assert!(!html.contains("<script>"));
        }
    }

    #[test]
    fn a_missing_variable_is_an_error_not_a_blank() {
        let t = Templates::load().unwrap();
        assert!(t.render("sign_in_link", &branding(), "Bob", serde_json::json!({})).is_err());
    }
}
