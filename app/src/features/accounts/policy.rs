//! Who may reach what: every page and server function, in one table.
//!
//! The server enforces this table before any handler runs (deny by default under the guarded
//! prefixes), and every server function checks again in its first lines. The integration tests
//! enumerate every registered route and server function and fail for one missing here.

use super::model::{Principal, StaffRole};

/// Who may reach a path, as the [`RULES`] table gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Public,
    /// A signed-in prospect.
    Prospect,
    /// Staff between password and second factor.
    SecondFactor,
    /// Any fully signed-in staff member.
    Staff,
    /// Staff holding this role (admins hold all).
    Role(StaffRole),
}

impl Access {
    /// Whether `principal` may reach a path with this access. Staff half-way through sign-in reach
    /// only public and `SecondFactor` paths; staff are never prospects; admins hold every role.
    pub fn allows(self, principal: &Principal) -> bool {
        match (self, principal) {
            (Access::Public, _) => true,
            (Access::Prospect, Principal::Prospect(_)) => true,
            (Access::SecondFactor, Principal::PendingStaff { .. }) => true,
            (Access::Staff, Principal::Staff(_)) => true,
            (Access::Role(role), Principal::Staff(staff)) => staff.has(role),
            _ => false,
        }
    }
}

/// Paths under these prefixes must match a rule; anything else is refused.
pub const GUARDED_PREFIXES: &[&str] = &["/api/", "/admin", "/account", "/staff", "/nda"];

use Access::*;
use StaffRole::*;

/// (path pattern, access). `:name` or `{name}` matches one segment.
pub const RULES: &[(&str, Access)] = &[
    // Public pages and data
    ("/", Public),
    ("/documents/:slug/request", Public),
    ("/documents/:slug/download", Public),
    ("/trust.json", Public),
    ("/trust.json.jws", Public),
    ("/.well-known/jwks.json", Public),
    ("/.well-known/security.txt", Public),
    ("/vulnerability-disclosure", Public),
    ("/api/disclosure_policy", Public),
    ("/audit/checkpoint.json", Public),
    ("/healthz", Public),
    ("/readyz", Public),
    ("/robots.txt", Public),
    ("/branding/logo/:hash", Public),
    // Restricted downloads: only prospects ask for links; the link route itself is open so that
    // its handler checks (and logs) every refusal: expired, forged, someone else's.
    ("/documents/:slug/get", Prospect),
    ("/account/nda/:id/record.pdf", Prospect),
    ("/account/questionnaires/upload", Prospect),
    ("/account/questionnaires/:id/download", Prospect),
    ("/api/my_questionnaires", Prospect),
    ("/api/qn_complete", Role(Security)),
    ("/download/:token", Public),
    ("/pkg/*", Public),
    // SCIM: no session reaches it; the handler requires an admin-made bearer token.
    ("/scim/v2/Users", Public),
    ("/scim/v2/Users/:id", Public),
    // /api/v1: a bearer token and its scope, checked by each handler (a browser session is not
    // enough); the OpenAPI document is public.
    ("/api/v1/companies", Public),
    ("/api/v1/companies/:id", Public),
    ("/api/v1/grants", Public),
    ("/api/v1/access-log", Public),
    ("/api/v1/kb/entries", Public),
    ("/api/v1/openapi.json", Public),
    ("/api/trust_page", Public),
    // Asking the trust center: anyone; each function decides what the asker may see.
    ("/ask", Public),
    ("/api/ask_question", Public),
    ("/api/ask_entry", Public),
    ("/api/ask_leave_email", Public),
    ("/ask/confirm", Public),
    ("/api/ask_confirm_email", Public),
    ("/api/branding", Public),
    ("/api/request_info", Public),
    ("/api/current_user", Public),
    ("/api/flash", Public),
    // Prospects: sign-in by e-mail link
    ("/sign-in", Public),
    ("/sign-in/check-email", Public),
    ("/sign-in/confirm", Public),
    ("/api/request_sign_in_link", Public),
    ("/api/sign_in_link_info", Public),
    ("/api/confirm_sign_in", Public),
    ("/api/sign_out", Public),
    ("/account", Prospect),
    ("/api/prospect_account", Prospect),
    // Prospects: requests, the NDA, their page
    ("/nda", Prospect),
    ("/api/request_form", Prospect),
    ("/api/submit_access_request", Prospect),
    ("/api/prospect_dashboard", Prospect),
    ("/api/request_extension", Prospect),
    ("/api/current_nda", Prospect),
    ("/api/accept_nda", Prospect),
    // Staff: password, second factor, reset, invitation
    ("/staff/sign-in", Public),
    ("/staff/reset", Public),
    ("/staff/reset/check-email", Public),
    ("/staff/reset/confirm", Public),
    ("/staff/invite/accept", Public),
    (crate::paths::SSO_START, Public),
    (crate::paths::SSO_CALLBACK, Public),
    ("/api/sso_option", Public),
    ("/api/staff_sign_in", Public),
    ("/api/request_password_reset", Public),
    ("/api/reset_password", Public),
    ("/api/accept_invitation", Public),
    ("/api/staff_token_info", Public),
    ("/staff/two-factor", SecondFactor),
    ("/staff/two-factor/setup", SecondFactor),
    ("/api/verify_second_factor", SecondFactor),
    ("/api/two_factor_setup", SecondFactor),
    ("/api/confirm_two_factor_setup", SecondFactor),
    ("/staff/recovery-codes", Staff),
    ("/api/recovery_codes", Staff),
    // Staff area
    ("/admin", Staff),
    ("/admin/sessions", Staff),
    ("/api/my_sessions", Staff),
    ("/api/work_waiting", Staff),
    ("/api/end_session", Staff),
    ("/api/end_other_sessions", Staff),
    ("/admin/staff", Role(Admin)),
    ("/api/list_staff", Role(Admin)),
    ("/api/invite_staff", Role(Admin)),
    ("/api/set_staff_roles", Role(Admin)),
    ("/api/set_staff_active", Role(Admin)),
    ("/api/list_scim_tokens", Role(Admin)),
    ("/admin/integrations", Role(Admin)),
    ("/api/list_api_tokens", Role(Admin)),
    ("/api/create_api_token", Role(Admin)),
    ("/api/revoke_api_token", Role(Admin)),
    ("/admin/integrations/webhooks/:id", Role(Admin)),
    ("/api/list_webhooks", Role(Admin)),
    ("/api/create_webhook", Role(Admin)),
    ("/api/change_webhook", Role(Admin)),
    ("/api/webhook_deliveries", Role(Admin)),
    ("/api/redeliver_webhook", Role(Admin)),
    ("/api/create_scim_token", Role(Admin)),
    ("/api/revoke_scim_token", Role(Admin)),
    // Sales: requests, grants, companies
    ("/admin/requests", Role(Sales)),
    ("/admin/requests/:id", Role(Sales)),
    ("/admin/grants", Role(Sales)),
    ("/admin/companies", Role(Sales)),
    ("/api/access_queue", Role(Sales)),
    ("/api/access_request_detail", Role(Sales)),
    ("/api/decide_access_request", Role(Sales)),
    ("/api/list_grants", Role(Sales)),
    ("/api/revoke_grant", Role(Sales)),
    ("/api/extend_grant", Role(Sales)),
    ("/api/list_companies", Role(Sales)),
    ("/api/company_access_detail", Role(Sales)),
    ("/api/update_company", Role(Sales)),
    // Sales: the access log and analytics
    ("/admin/audit", Role(Sales)),
    ("/admin/audit.csv", Role(Sales)),
    ("/admin/audit/checkpoints.json", Role(Sales)),
    ("/api/search_access_log", Role(Sales)),
    ("/admin/analytics", Role(Sales)),
    ("/admin/analytics.csv", Role(Sales)),
    ("/api/analytics_summary", Role(Sales)),
    // Admin: leak tracing
    ("/admin/leak-trace", Role(Admin)),
    ("/admin/leak-trace/upload", Role(Admin)),
    // Security: documents
    ("/admin/documents", Role(Security)),
    ("/admin/documents/upload", Role(Security)),
    ("/api/list_documents_for_staff", Role(Security)),
    ("/api/update_document", Role(Security)),
    // Security: the knowledge base
    ("/admin/kb", Role(Security)),
    ("/admin/kb/hygiene", Role(Security)),
    ("/admin/kb/gaps", Role(Security)),
    ("/admin/kb/learn/upload", Role(Security)),
    ("/admin/kb/learn/:id", Role(Security)),
    ("/api/kb_learn_batch", Role(Security)),
    ("/api/kb_learn_decide", Role(Security)),
    ("/api/kb_remove_phrasing", Role(Security)),
    ("/api/ask_gaps", Role(Security)),
    ("/api/ask_answer_gap", Role(Security)),
    ("/api/ask_dismiss_gap", Role(Security)),
    ("/admin/kb/:id", Role(Security)),
    ("/admin/kb/upload", Role(Security)),
    ("/admin/kb/export.csv", Role(Security)),
    ("/admin/kb/export.xlsx", Role(Security)),
    ("/api/kb_list", Role(Security)),
    ("/api/kb_entry", Role(Security)),
    ("/api/kb_save", Role(Security)),
    ("/api/kb_set_state", Role(Security)),
    ("/api/kb_hygiene", Role(Security)),
    ("/api/kb_try", Role(Security)),
    // Updates: the public feed and subscriptions (the tokens are the credentials), staff posting
    ("/updates.atom", Public),
    ("/updates/confirm", Public),
    ("/updates/unsubscribe", Public),
    ("/updates/unsubscribe/one-click", Public),
    ("/updates/subscription", Public),
    ("/api/subscribe", Public),
    ("/api/confirm_subscription", Public),
    ("/api/unsubscribe", Public),
    ("/admin/updates", Role(Security)),
    ("/api/updates_admin", Role(Security)),
    ("/api/save_update", Role(Security)),
    ("/api/publish_update", Role(Security)),
    // Editing the trust center's content (security)
    ("/admin/content", Role(Security)),
    ("/admin/content/preview", Role(Security)),
    ("/admin/content/controls/:id", Role(Security)),
    ("/admin/content/subprocessors/:id", Role(Security)),
    ("/admin/content/faq/:id", Role(Security)),
    ("/api/faq_edit", Role(Security)),
    ("/api/save_faq", Role(Security)),
    ("/api/content_list", Role(Security)),
    ("/api/control_edit", Role(Security)),
    ("/api/subprocessor_edit", Role(Security)),
    ("/api/save_control", Role(Security)),
    ("/api/save_subprocessor", Role(Security)),
    ("/api/content_preview", Role(Security)),
    ("/api/publish_content", Role(Security)),
    ("/admin/content/profile", Role(Security)),
    ("/admin/content/logo/upload", Role(Security)),
    ("/admin/content/soc2/:id", Role(Security)),
    ("/admin/content/frameworks/:id", Role(Security)),
    ("/api/profile_edit", Role(Security)),
    ("/api/save_profile", Role(Security)),
    ("/api/report_edit", Role(Security)),
    ("/api/save_report", Role(Security)),
    ("/api/save_bridge_letter", Role(Security)),
    ("/api/framework_edit", Role(Security)),
    ("/api/save_framework", Role(Security)),
    // Questionnaires (security); a company's page (any staff)
    ("/admin/questionnaires", Role(Security)),
    ("/admin/questionnaires/upload", Role(Security)),
    ("/admin/questionnaires/sample.xlsx", Role(Security)),
    ("/admin/questionnaires/:id", Role(Security)),
    ("/admin/questionnaires/:id/export", Role(Security)),
    ("/api/qn_list", Role(Security)),
    ("/api/qn_page", Role(Security)),
    ("/api/qn_accept", Role(Security)),
    ("/api/qn_write", Role(Security)),
    ("/api/qn_row_state", Role(Security)),
    ("/api/qn_mapping", Role(Security)),
    ("/api/qn_update", Role(Security)),
    ("/admin/companies/:id", Staff),
    ("/api/company_detail", Staff),
    // Sales: domain rules. Security: the NDA's text.
    ("/admin/rules", Role(Sales)),
    ("/admin/nda", Role(Security)),
    ("/admin/nda/:id", Role(Security)),
    ("/api/list_rules", Role(Sales)),
    ("/api/save_rule", Role(Sales)),
    ("/api/set_default_access_days", Role(Sales)),
    ("/api/nda_versions", Role(Security)),
    ("/api/nda_version", Role(Security)),
    ("/api/save_nda_draft", Role(Security)),
    ("/api/publish_nda", Role(Security)),
];

fn segments(path: &str) -> Vec<&str> {
    path.trim_end_matches('/').split('/').filter(|s| !s.is_empty()).collect()
}

fn matches(pattern: &str, path: &str) -> bool {
    if let Some(prefix) = pattern.strip_suffix("/*") {
        return path.starts_with(&format!("{prefix}/"));
    }
    let (p, s) = (segments(pattern), segments(path));
    p.len() == s.len()
        && p.iter().zip(&s).all(|(p, s)| p.starts_with(':') || (p.starts_with('{') && p.ends_with('}')) || p == s)
}

/// The rule for `path`, if any.
pub fn rule_for(path: &str) -> Option<Access> {
    RULES.iter().find(|(pattern, _)| matches(pattern, path)).map(|(_, access)| *access)
}

/// Whether a path without a rule must be refused.
pub fn is_guarded(path: &str) -> bool {
    GUARDED_PREFIXES.iter().any(|prefix| path == prefix.trim_end_matches('/') || path.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::accounts::model::StaffUser;

    fn staff(roles: &[StaffRole]) -> Principal {
        Principal::Staff(StaffUser { id: 1, email: "s@x.y".into(), name: "S".into(), roles: roles.to_vec() })
    }

    #[test]
    fn patterns_match_whole_segments() {
        assert_eq!(rule_for("/documents/soc2/request"), Some(Public));
        assert_eq!(rule_for("/documents/soc2/request/x"), None);
        assert_eq!(rule_for("/admin/staff"), Some(Role(Admin)));
        assert_eq!(rule_for("/admin/staffing"), None);
        assert_eq!(rule_for("/pkg/vouchsafe.abc.js"), Some(Public));
        assert!(is_guarded("/admin/nothing") && is_guarded("/api/x") && !is_guarded("/about"));
    }

    #[test]
    fn admins_hold_every_role_and_others_only_theirs() {
        assert!(Role(Sales).allows(&staff(&[Admin])));
        assert!(Role(Sales).allows(&staff(&[Sales])));
        assert!(!Role(Sales).allows(&staff(&[Security])));
        assert!(!Role(Admin).allows(&staff(&[Sales, Security])));
        assert!(!Staff.allows(&Principal::Anonymous));
        assert!(!Prospect.allows(&staff(&[Admin])), "staff are not prospects");
    }
}
