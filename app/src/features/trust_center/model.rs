//! Wire types of the public trust center. Nothing here is secret: all of it is public data.

use super::domain::{
    ControlCategory, ControlStatus, ExaminationPeriod, FrameworkStatus, Freshness, Opinion, ReportType,
    SubserviceTreatment, TscCategory, TscPoint,
};
use crate::features::documents::model::PublicDocument;
use crate::types::{IsoDate, Timestamp};
use serde::{Deserialize, Serialize};

/// Everything a publish makes public, as one value. Published versions are stored whole, so the
/// public page and `/trust.json` read one row and a publish is atomic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrustCenterContent {
    pub company: CompanyProfile,
    pub soc2: Option<Soc2Report>,
    pub bridge_letter: Option<BridgeLetter>,
    pub frameworks: Vec<Framework>,
    pub controls: Vec<Control>,
    pub subprocessors: Vec<Subprocessor>,
    pub faqs: Vec<Faq>,
}

/// Who the trust center is for, and how its page looks: what the profile editor sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyProfile {
    pub name: String,
    pub description: String,
    pub website_url: String,
    pub security_contact_email: String,
    /// Path of the logo on this site, when one was uploaded.
    pub logo_url: Option<String>,
    /// `#rrggbb`.
    pub accent_color: String,
    /// The public page's sections in display order; hidden ones are left out.
    pub sections: Vec<Section>,
    /// The vulnerability-disclosure policy, Markdown; empty: the standard one
    /// ([`crate::features::trust_center::disclosure`]).
    #[serde(default)]
    pub disclosure_policy: String,
    /// When `/.well-known/security.txt` expires; `None`: a year after the publish.
    #[serde(default)]
    pub security_txt_expires: Option<IsoDate>,
    /// Languages reports may be written in (RFC 5646 tags), for `security.txt`.
    #[serde(default = "english")]
    pub preferred_languages: Vec<String>,
}

fn english() -> Vec<String> {
    vec!["en".into()]
}

/// A section of the public page, in the order and visibility staff choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Compliance,
    Controls,
    Subprocessors,
    Documents,
    Faq,
}

impl Section {
    /// Every section, in the page's usual order (the demo's, and the tie-break when two sections are
    /// given the same place).
    pub const ALL: [Section; 5] = [Self::Compliance, Self::Documents, Self::Controls, Self::Subprocessors, Self::Faq];

    /// The section's HTML id (`/#faq`), also its code in the stored section list and its form field
    /// suffix.
    pub fn anchor(self) -> &'static str {
        match self {
            Self::Compliance => "compliance",
            Self::Controls => "controls",
            Self::Subprocessors => "subprocessors",
            Self::Documents => "documents",
            Self::Faq => "faq",
        }
    }

    /// The section's heading, as the navigation and the profile form name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Compliance => "Compliance",
            Self::Controls => "Controls",
            Self::Subprocessors => "Subprocessors",
            Self::Documents => "Documents",
            Self::Faq => "FAQ",
        }
    }

    /// The section whose anchor is `code` (surrounding spaces ignored), or a message naming it.
    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.anchor() == code.trim())
            .ok_or_else(|| format!("“{code}” is not a section of the public page."))
    }
}

/// The SOC 2 report the public page summarises: the one with the latest period end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Soc2Report {
    pub report_type: ReportType,
    pub period: ExaminationPeriod,
    pub audit_firm: String,
    pub opinion: Opinion,
    pub report_date: IsoDate,
    /// Always contains Security.
    pub tsc_in_scope: Vec<TscCategory>,
    pub subservice_organizations: Vec<SubserviceOrganization>,
    pub complementary_user_entity_controls: Vec<String>,
    /// The document holding the report itself (restricted).
    pub document_slug: Option<String>,
}

/// A subservice organization named in the report (a cloud provider, say), and how the report
/// treats its controls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubserviceOrganization {
    pub name: String,
    pub services: String,
    pub treatment: SubserviceTreatment,
}

/// The current report's bridge letter with the latest coverage: management's statement that
/// nothing material changed from the period end up to `covered_until`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BridgeLetter {
    pub issued_on: IsoDate,
    pub covered_until: IsoDate,
    pub document_slug: Option<String>,
}

/// A framework beside SOC 2 (ISO/IEC 27001, PCI DSS, a penetration test…); its status follows
/// from `in_progress` and `valid_until` on the day the page is served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Framework {
    pub name: String,
    /// How the standing is evidenced: "Certified", "Attestation letter", "Self-assessment", …
    pub evidence: String,
    pub issuer: Option<String>,
    pub issued_on: Option<IsoDate>,
    pub valid_until: Option<IsoDate>,
    pub in_progress: bool,
    pub description: String,
    pub document_slug: Option<String>,
}

/// A control as the public page lists it, under its category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Control {
    pub category: ControlCategory,
    pub title: String,
    pub description: String,
    pub status: ControlStatus,
    pub tsc_points: Vec<TscPoint>,
}

/// A subprocessor as published (one whose end date had passed at the publish is left out);
/// `since` is when its use began.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subprocessor {
    pub name: String,
    pub purpose: String,
    pub location: String,
    pub data_processed: String,
    pub website_url: Option<String>,
    pub since: Option<IsoDate>,
}

/// A question and its answer: a FAQ entry, or an approved public knowledge-base entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Faq {
    pub question: String,
    pub answer: String,
}

/// The public page as served: the published content plus what follows from today's date and the
/// live document list. This is also the body of `/trust.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrustPage {
    /// The canonical address of the trust center.
    pub site_url: String,
    pub content: TrustCenterContent,
    pub published_at: Timestamp,
    pub as_of: IsoDate,
    pub soc2_freshness: Option<Freshness>,
    pub framework_statuses: Vec<FrameworkStatus>,
    pub documents: Vec<PublicDocument>,
    /// Published updates, newest first (they are published one by one, not with the content).
    #[serde(default)]
    pub updates: Vec<PublicUpdate>,
}

/// An update as the public sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicUpdate {
    pub id: i64,
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    pub body: String,
    pub published_at: Timestamp,
}

impl TrustPage {
    /// Computes the date-dependent parts. `today` is a parameter so the rule is testable.
    pub fn assemble(
        content: TrustCenterContent,
        published_at: Timestamp,
        documents: Vec<PublicDocument>,
        today: IsoDate,
        site_url: String,
    ) -> Self {
        let soc2_freshness = content.soc2.as_ref().map(|r| {
            let bridge = content.bridge_letter.as_ref().map(|b| b.covered_until);
            Freshness::evaluate(r.period.end, bridge, today)
        });
        let framework_statuses =
            content.frameworks.iter().map(|f| FrameworkStatus::evaluate(f.in_progress, f.valid_until, today)).collect();
        Self {
            site_url,
            content,
            published_at,
            as_of: today,
            soc2_freshness,
            framework_statuses,
            documents,
            updates: Vec::new(),
        }
    }

    /// Controls grouped by category, in the canonical category order; empty categories left out.
    pub fn controls_by_category(&self) -> Vec<(ControlCategory, Vec<Control>)> {
        ControlCategory::ALL
            .into_iter()
            .filter_map(|cat| {
                let items: Vec<Control> = self.content.controls.iter().filter(|c| c.category == cat).cloned().collect();
                (!items.is_empty()).then_some((cat, items))
            })
            .collect()
    }
}

/// What the frame needs to know about the company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Branding {
    pub company_name: String,
    pub logo_url: Option<String>,
    pub accent_color: String,
    pub security_contact_email: String,
    pub sections: Vec<Section>,
}

impl Branding {
    /// The part of the profile the frame (header, navigation, footer, accent colour) shows.
    pub fn from_company(c: &CompanyProfile) -> Self {
        Self {
            company_name: c.name.clone(),
            logo_url: c.logo_url.clone(),
            accent_color: c.accent_color.clone(),
            security_contact_email: c.security_contact_email.clone(),
            sections: c.sections.clone(),
        }
    }

    /// The accent colour, only if it is a plain `#rrggbb` (it is written into CSS).
    pub fn safe_accent(&self) -> Option<&str> {
        let c = self.accent_color.as_str();
        (c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())).then_some(c)
    }
}
