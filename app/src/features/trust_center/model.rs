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
    pub const ALL: [Section; 5] = [Self::Compliance, Self::Documents, Self::Controls, Self::Subprocessors, Self::Faq];

    pub fn anchor(self) -> &'static str {
        match self {
            Self::Compliance => "compliance",
            Self::Controls => "controls",
            Self::Subprocessors => "subprocessors",
            Self::Documents => "documents",
            Self::Faq => "faq",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Compliance => "Compliance",
            Self::Controls => "Controls",
            Self::Subprocessors => "Subprocessors",
            Self::Documents => "Documents",
            Self::Faq => "FAQ",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.anchor() == code.trim())
            .ok_or_else(|| format!("“{code}” is not a section of the public page."))
    }
}

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubserviceOrganization {
    pub name: String,
    pub services: String,
    pub treatment: SubserviceTreatment,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BridgeLetter {
    pub issued_on: IsoDate,
    pub covered_until: IsoDate,
    pub document_slug: Option<String>,
}

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Control {
    pub category: ControlCategory,
    pub title: String,
    pub description: String,
    pub status: ControlStatus,
    pub tsc_points: Vec<TscPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subprocessor {
    pub name: String,
    pub purpose: String,
    pub location: String,
    pub data_processed: String,
    pub website_url: Option<String>,
    pub since: Option<IsoDate>,
}

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
