//! Wire types for documents. File locations and hashes stay on the server.

use crate::types::{IsoDate, Timestamp};
use serde::{Deserialize, Serialize};

/// What a document is; drives its icon, wording and default visibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Soc2TypeIi,
    Soc3,
    BridgeLetter,
    PenTest,
    IsoCertificate,
    Policy,
    Other,
}

impl DocumentKind {
    /// Every kind, in the order the upload form offers them.
    pub const ALL: [DocumentKind; 7] = [
        Self::Soc2TypeIi,
        Self::Soc3,
        Self::BridgeLetter,
        Self::PenTest,
        Self::IsoCertificate,
        Self::Policy,
        Self::Other,
    ];

    /// The kind as the public document list and the upload form name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Soc2TypeIi => "SOC 2 Type II report",
            Self::Soc3 => "SOC 3 report",
            Self::BridgeLetter => "Bridge letter",
            Self::PenTest => "Penetration test report",
            Self::IsoCertificate => "ISO certificate",
            Self::Policy => "Policy",
            Self::Other => "Other",
        }
    }

    /// The code stored in `documents.kind` and posted by the upload form.
    pub fn code(self) -> &'static str {
        match self {
            Self::Soc2TypeIi => "soc2_type_ii",
            Self::Soc3 => "soc3",
            Self::BridgeLetter => "bridge_letter",
            Self::PenTest => "pen_test",
            Self::IsoCertificate => "iso_certificate",
            Self::Policy => "policy",
            Self::Other => "other",
        }
    }

    /// The kind whose code is `code`, or a message naming it.
    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
            .ok_or_else(|| format!("“{code}” is not a document kind."))
    }
}

/// Who may download a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Anyone, directly from the public page.
    Public,
    /// Only with verified identity, an accepted NDA and an approved request.
    Restricted,
}

impl Visibility {
    /// The code stored in `documents.visibility` and posted by the staff forms.
    pub fn code(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Restricted => "restricted",
        }
    }

    /// The visibility whose code is `code`, or a message naming the two.
    pub fn parse(code: &str) -> Result<Self, String> {
        match code.trim() {
            "public" => Ok(Self::Public),
            "restricted" => Ok(Self::Restricted),
            other => Err(format!("“{other}” is not a visibility (public or restricted).")),
        }
    }
}

/// A document as listed on the public page: public ones link to a download, restricted ones to a
/// request for access. No file path or hash is exposed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicDocument {
    pub slug: String,
    pub title: String,
    pub kind: DocumentKind,
    pub description: String,
    pub visibility: Visibility,
    pub version: i64,
    pub updated_on: IsoDate,
    pub byte_size: i64,
}

impl PublicDocument {
    /// Where the public page sends a visitor for this document.
    pub fn href(&self) -> String {
        match self.visibility {
            Visibility::Public => format!("/documents/{}/download", self.slug),
            Visibility::Restricted => format!("/documents/{}/request", self.slug),
        }
    }

    /// `214 KB`, `1.2 MB`.
    pub fn size_label(&self) -> String {
        let bytes = self.byte_size.max(0) as f64;
        if bytes >= 1_000_000.0 {
            format!("{:.1} MB", bytes / 1_000_000.0)
        } else {
            format!("{} KB", ((bytes / 1000.0).ceil() as i64).max(1))
        }
    }
}

/// A document as staff manage it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentAdminRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub kind: DocumentKind,
    pub visibility: Visibility,
    pub description: String,
    /// Newest first; the first is current.
    pub versions: Vec<VersionInfo>,
}

/// One uploaded version of a document; every upload is kept, and `sha256` names its file in
/// storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    pub version: i64,
    pub file_name: String,
    pub byte_size: i64,
    pub sha256: String,
    pub uploaded_at: Timestamp,
}

/// What the request page shows to anyone: the brand and the restricted documents asked about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestInfo {
    pub branding: crate::features::trust_center::model::Branding,
    pub documents: Vec<PublicDocument>,
}
