//! Single sign-on settings (`VOUCHSAFE_OIDC_*`), parsed once at start-up into validated values,
//! and the pure rules that use them: which e-mail domains may sign in, which roles a group claim
//! gives, who may still use a password when SSO is required.

use crate::{identity::StaffRole, ssr::config::ConfigError};
use serde_json::Value;
use std::fmt;

/// The client secret: never printed, not even by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(String);

impl ClientSecret {
    /// The secret itself, for the token request only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(…)")
    }
}

/// How staff sign in with the company's identity provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcSettings {
    /// The issuer URL; endpoints and keys come from its discovery document.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: ClientSecret,
    /// Shown on the button: "Sign in with <name>".
    pub name: String,
    /// E-mail domains (lowercase) whose people may sign in; new staff only from these.
    pub domains: Vec<String>,
    /// The ID-token claim holding groups or roles (`groups` unless set).
    pub role_claim: String,
    /// Group (as the claim spells it) → role.
    pub roles: Vec<(String, StaffRole)>,
    /// Scopes asked for besides `openid` (default `email profile`).
    pub scopes: Vec<String>,
    /// Password sign-in is off for everyone but [`Self::break_glass`].
    pub required: bool,
    /// Admins (e-mail addresses, lowercase) who keep password + TOTP when SSO is required.
    pub break_glass: Vec<String>,
    /// When set, an ID token must carry this `acr` (e.g. a provider's "phishing-resistant MFA").
    pub acr: Option<String>,
    /// When set, an ID token's `amr` must include one of these (e.g. `mfa`, `hwk`, `otp`).
    pub amr: Vec<String>,
}

fn list(text: &str) -> Vec<String> {
    text.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

impl OidcSettings {
    /// Reads the `VOUCHSAFE_OIDC_*` variables through `get`: `None` when no issuer is set; an
    /// error naming the variable for anything incomplete or malformed.
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Option<Self>, ConfigError> {
        let err = |variable: &'static str, problem: String| ConfigError { variable, problem };
        let Some(issuer) = get("VOUCHSAFE_OIDC_ISSUER") else {
            if get("VOUCHSAFE_OIDC_REQUIRED").is_some_and(|v| v.trim() == "1" || v.trim() == "true") {
                return Err(err(
                    "VOUCHSAFE_OIDC_REQUIRED",
                    "SSO cannot be required without VOUCHSAFE_OIDC_ISSUER".into(),
                ));
            }
            return Ok(None);
        };
        // Kept exactly as configured: discovery compares it with the provider's own spelling
        // (some end in `/`).
        let issuer = issuer.trim().to_string();
        let url =
            url::Url::parse(&issuer).map_err(|_| err("VOUCHSAFE_OIDC_ISSUER", format!("“{issuer}” is not a URL")))?;
        let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
            return Err(err("VOUCHSAFE_OIDC_ISSUER", format!("“{issuer}” must be an https:// URL")));
        }
        let client_id = get("VOUCHSAFE_OIDC_CLIENT_ID")
            .map(|s| s.trim().to_string())
            .ok_or_else(|| err("VOUCHSAFE_OIDC_CLIENT_ID", "required with VOUCHSAFE_OIDC_ISSUER".into()))?;
        let client_secret = get("VOUCHSAFE_OIDC_CLIENT_SECRET")
            .map(|s| ClientSecret(s.trim().to_string()))
            .ok_or_else(|| err("VOUCHSAFE_OIDC_CLIENT_SECRET", "required with VOUCHSAFE_OIDC_ISSUER".into()))?;
        let name =
            get("VOUCHSAFE_OIDC_NAME").map(|s| s.trim().chars().take(60).collect()).unwrap_or_else(|| "SSO".into());
        let domains: Vec<String> =
            list(&get("VOUCHSAFE_OIDC_DOMAINS").unwrap_or_default()).into_iter().map(|d| d.to_lowercase()).collect();
        if domains.is_empty() {
            return Err(err("VOUCHSAFE_OIDC_DOMAINS", "list the e-mail domains that may sign in (example.com)".into()));
        }
        let mut roles = Vec::new();
        for pair in list(&get("VOUCHSAFE_OIDC_ROLES").unwrap_or_default()) {
            let (group, role) = pair
                .rsplit_once('=')
                .ok_or_else(|| err("VOUCHSAFE_OIDC_ROLES", format!("“{pair}” is not group=role")))?;
            let role = StaffRole::ALL.into_iter().find(|r| r.code() == role.trim()).ok_or_else(|| {
                err("VOUCHSAFE_OIDC_ROLES", format!("“{}” is not a role: admin, sales or security", role.trim()))
            })?;
            roles.push((group.trim().to_string(), role));
        }
        if roles.is_empty() {
            return Err(err("VOUCHSAFE_OIDC_ROLES", "map at least one group to a role (sec-team=security)".into()));
        }
        let required = match get("VOUCHSAFE_OIDC_REQUIRED").map(|v| v.trim().to_lowercase()) {
            None => false,
            Some(v) if v == "1" || v == "true" => true,
            Some(v) if v == "0" || v == "false" => false,
            Some(v) => return Err(err("VOUCHSAFE_OIDC_REQUIRED", format!("“{v}” is not true or false"))),
        };
        let scopes = get("VOUCHSAFE_OIDC_SCOPES").map(|s| s.split_whitespace().map(str::to_string).collect());
        Ok(Some(Self {
            issuer,
            client_id,
            client_secret,
            name,
            domains,
            role_claim: get("VOUCHSAFE_OIDC_ROLE_CLAIM")
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|| "groups".into()),
            roles,
            scopes: scopes.unwrap_or_else(|| vec!["email".into(), "profile".into()]),
            required,
            break_glass: list(&get("VOUCHSAFE_OIDC_BREAK_GLASS").unwrap_or_default())
                .into_iter()
                .map(|e| e.to_lowercase())
                .collect(),
            acr: get("VOUCHSAFE_OIDC_ACR").map(|s| s.trim().to_string()),
            amr: list(&get("VOUCHSAFE_OIDC_AMR").unwrap_or_default()),
        }))
    }

    /// Whether `email`'s domain is one that may sign in (exactly; no subdomains).
    pub fn domain_allowed(&self, email: &str) -> bool {
        email.rsplit_once('@').is_some_and(|(_, domain)| self.domains.iter().any(|d| d.eq_ignore_ascii_case(domain)))
    }

    /// The roles the role claim gives: a string or an array of strings, each matched exactly
    /// against the mapping; anything else gives none.
    pub fn roles_for(&self, claim: Option<&Value>) -> Vec<StaffRole> {
        let groups: Vec<&str> = match claim {
            Some(Value::String(one)) => vec![one.as_str()],
            Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        StaffRole::ALL
            .into_iter()
            .filter(|role| self.roles.iter().any(|(group, r)| r == role && groups.contains(&group.as_str())))
            .collect()
    }

    /// Whether `email` may still sign in with a password: always without "SSO required", and
    /// then only the listed break-glass addresses (which must also be admins: the caller checks).
    pub fn password_allowed(&self, email: &str) -> bool {
        !self.required || self.break_glass.iter().any(|b| b.eq_ignore_ascii_case(email.trim()))
    }

    /// Whether the token's `acr` and `amr` satisfy the configured requirements.
    pub fn strong_enough(&self, acr: Option<&str>, amr: &[String]) -> bool {
        self.acr.as_deref().is_none_or(|want| acr == Some(want))
            && (self.amr.is_empty() || amr.iter().any(|m| self.amr.contains(m)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Option<OidcSettings>, ConfigError> {
        let base = [
            ("VOUCHSAFE_OIDC_ISSUER", "https://id.example.com/"),
            ("VOUCHSAFE_OIDC_CLIENT_ID", "vouchsafe"),
            ("VOUCHSAFE_OIDC_CLIENT_SECRET", "s3cret"),
            ("VOUCHSAFE_OIDC_DOMAINS", "Example.com, example.org"),
            ("VOUCHSAFE_OIDC_ROLES", "it-admins=admin,sales-team=sales,sec-team=security,sec-leads=security"),
        ];
        let map: HashMap<String, String> =
            base.iter().chain(vars).map(|(k, v)| (k.to_string(), v.to_string())).collect();
        OidcSettings::from_lookup(&|k: &str| map.get(k).filter(|v| !v.is_empty()).cloned())
    }

    #[test]
    fn settings_are_read_validated_and_keep_the_secret_out_of_debug() {
        let s = settings(&[]).unwrap().unwrap();
        assert_eq!(s.issuer, "https://id.example.com/", "as the provider spells it");
        assert_eq!(s.domains, ["example.com", "example.org"]);
        assert_eq!(s.role_claim, "groups");
        assert!(!format!("{s:?}").contains("s3cret"));
        assert!(settings(&[("VOUCHSAFE_OIDC_ISSUER", "")]).unwrap().is_none());
        let problem = |vars: &[(&str, &str)]| settings(vars).unwrap_err().variable;
        assert_eq!(problem(&[("VOUCHSAFE_OIDC_ISSUER", "http://id.example.com")]), "VOUCHSAFE_OIDC_ISSUER");
        assert_eq!(problem(&[("VOUCHSAFE_OIDC_ROLES", "sec-team=owner")]), "VOUCHSAFE_OIDC_ROLES");
        assert_eq!(problem(&[("VOUCHSAFE_OIDC_ROLES", "")]), "VOUCHSAFE_OIDC_ROLES");
        assert_eq!(problem(&[("VOUCHSAFE_OIDC_DOMAINS", " , ")]), "VOUCHSAFE_OIDC_DOMAINS");
        assert_eq!(problem(&[("VOUCHSAFE_OIDC_CLIENT_SECRET", "")]), "VOUCHSAFE_OIDC_CLIENT_SECRET");
        assert_eq!(problem(&[("VOUCHSAFE_OIDC_REQUIRED", "maybe")]), "VOUCHSAFE_OIDC_REQUIRED");
        assert!(
            settings(&[("VOUCHSAFE_OIDC_ISSUER", "http://127.0.0.1:4000")]).unwrap().is_some(),
            "loopback for tests"
        );
    }

    #[test]
    fn groups_map_to_roles_and_domains_match_exactly() {
        let s = settings(&[]).unwrap().unwrap();
        let roles = |v: Value| s.roles_for(Some(&v));
        assert_eq!(
            roles(serde_json::json!(["sec-team", "sales-team", "other"])),
            [StaffRole::Sales, StaffRole::Security]
        );
        assert_eq!(roles(serde_json::json!("it-admins")), [StaffRole::Admin]);
        assert_eq!(roles(serde_json::json!(["sec-team", "sec-leads"])), [StaffRole::Security], "once");
        assert!(roles(serde_json::json!(["SEC-TEAM", "sec-team "])).is_empty(), "exact names only");
        assert!(roles(serde_json::json!({ "sec-team": true })).is_empty());
        assert!(s.roles_for(None).is_empty());
        assert!(s.domain_allowed("ada@EXAMPLE.com"));
        assert!(!s.domain_allowed("ada@evil-example.com"));
        assert!(!s.domain_allowed("ada@sub.example.com"));
        assert!(!s.domain_allowed("example.com"));
    }

    #[test]
    fn required_sso_leaves_passwords_to_break_glass_only_and_mfa_rules_apply() {
        let open = settings(&[]).unwrap().unwrap();
        assert!(open.password_allowed("anyone@example.com"));
        let strict =
            settings(&[("VOUCHSAFE_OIDC_REQUIRED", "true"), ("VOUCHSAFE_OIDC_BREAK_GLASS", "Root@Example.com")])
                .unwrap()
                .unwrap();
        assert!(strict.password_allowed("root@example.com"));
        assert!(!strict.password_allowed("ada@example.com"));
        let mfa = settings(&[("VOUCHSAFE_OIDC_AMR", "mfa,hwk"), ("VOUCHSAFE_OIDC_ACR", "phr")]).unwrap().unwrap();
        assert!(mfa.strong_enough(Some("phr"), &["pwd".into(), "hwk".into()]));
        assert!(!mfa.strong_enough(Some("phr"), &["pwd".into()]));
        assert!(!mfa.strong_enough(None, &["mfa".into()]));
        assert!(open.strong_enough(None, &[]));
    }
}
