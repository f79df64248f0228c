//! Access rules: domain patterns and what they decide.

use serde::{Deserialize, Serialize};

/// What a rule does with a matching request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleAction {
    AutoApprove,
    Review,
    Deny,
}

impl RuleAction {
    /// Every action, in the order the rule form offers them.
    pub const ALL: [RuleAction; 3] = [Self::AutoApprove, Self::Review, Self::Deny];

    /// The code stored in `access_rules.action`, posted by the rule form and written in the log.
    pub fn code(self) -> &'static str {
        match self {
            Self::AutoApprove => "auto_approve",
            Self::Review => "review",
            Self::Deny => "deny",
        }
    }

    /// What the action does, as the rule form offers it.
    pub fn label(self) -> &'static str {
        match self {
            Self::AutoApprove => "Approve automatically",
            Self::Review => "Send to sales for review",
            Self::Deny => "Deny",
        }
    }

    /// The action whose code is `code`, or a message naming it.
    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|a| a.code() == code.trim()).ok_or_else(|| format!("“{code}” is not a rule action."))
    }
}

/// A domain pattern: `contoso.com` (exactly), `*.contoso.com` (any subdomain, and the domain
/// itself), or `*` (everyone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainPattern(String);

impl DomainPattern {
    /// A pattern, lowercased; refuses anything but `*`, a dotted domain of letters, digits and
    /// hyphens, or such a domain after `*.`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let p = text.trim().to_lowercase();
        let bare = p.strip_prefix("*.").unwrap_or(&p);
        let valid_domain = bare.contains('.')
            && bare.split('.').all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        if p == "*" || valid_domain {
            Ok(Self(p))
        } else {
            Err(format!("“{}” is not a domain pattern such as contoso.com, *.contoso.com or *.", text.trim()))
        }
    }

    /// The pattern as stored and shown: lowercased, as `parse` accepted it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `domain` (any case) falls under the pattern.
    pub fn matches(&self, domain: &str) -> bool {
        let domain = domain.to_lowercase();
        match self.0.strip_prefix("*.") {
            _ if self.0 == "*" => true,
            Some(suffix) => domain == suffix || domain.ends_with(&format!(".{suffix}")),
            None => domain == self.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_exactly_or_by_suffix() {
        let exact = DomainPattern::parse("Contoso.com").unwrap();
        assert!(exact.matches("contoso.com") && !exact.matches("eu.contoso.com") && !exact.matches("notcontoso.com"));
        let suffix = DomainPattern::parse("*.contoso.com").unwrap();
        assert!(suffix.matches("eu.contoso.com") && suffix.matches("contoso.com") && !suffix.matches("xcontoso.com"));
        assert!(DomainPattern::parse("*").unwrap().matches("anything.example"));
        for bad in ["", "contoso", "*contoso.com", "con toso.com", "*.", "a..b"] {
            assert!(DomainPattern::parse(bad).is_err(), "{bad}");
        }
    }
}
