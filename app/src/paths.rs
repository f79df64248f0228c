//! Addresses of the routes served outside Leptos (file uploads, exports, feeds), in one place:
//! the pages that post or link to them and the server that routes them both read these, so a
//! form can never post to an address nothing serves.

/// `POST`: a document version (security staff).
pub const DOCUMENT_UPLOAD: &str = "/admin/documents/upload";
/// `POST`: a copy of a document found in the wild, traced to its download (admins).
pub const LEAK_TRACE_UPLOAD: &str = "/admin/leak-trace/upload";
/// `POST`: a new logo for the working profile, or its removal (security staff).
pub const LOGO_UPLOAD: &str = "/admin/content/logo/upload";
/// `POST`: a CSV or xlsx of knowledge-base entries, imported all or nothing (security staff).
pub const KB_UPLOAD: &str = "/admin/kb/upload";
/// Where an answered questionnaire is posted for learning (multipart, field `file`).
pub const KB_LEARN: &str = "/admin/kb/learn/upload";
/// The approved entries as CSV, in the import columns.
pub const KB_EXPORT_CSV: &str = "/admin/kb/export.csv";
/// The approved entries as xlsx, in the import columns.
pub const KB_EXPORT_XLSX: &str = "/admin/kb/export.xlsx";
/// `POST`: a buyer's questionnaire and the company it is for (security staff).
pub const QUESTIONNAIRE_UPLOAD: &str = "/admin/questionnaires/upload";
/// `POST`: the buyer's file with its final answers written in (the route's pattern).
pub const QUESTIONNAIRE_EXPORT: &str = "/admin/questionnaires/{id}/export";
/// A small example questionnaire (xlsx) to try the feature with.
pub const QUESTIONNAIRE_SAMPLE: &str = "/admin/questionnaires/sample.xlsx";
/// The published updates as an Atom feed, public.
pub const UPDATES_ATOM: &str = "/updates.atom";
/// RFC 8058 one-click unsubscribe (`POST` with the mail's token).
pub const UPDATES_ONE_CLICK: &str = "/updates/unsubscribe/one-click";

/// The published posture as JSON, and its detached JWS signature.
pub const TRUST_JSON: &str = "/trust.json";
/// The compact JWS (detached payload) over the bytes [`TRUST_JSON`] serves.
pub const TRUST_JSON_JWS: &str = "/trust.json.jws";
/// The public key that checks [`TRUST_JSON_JWS`], as a JWK Set.
pub const JWKS: &str = "/.well-known/jwks.json";
/// RFC 9116 contact and policy for security researchers.
pub const SECURITY_TXT: &str = "/.well-known/security.txt";
/// The vulnerability-disclosure policy page.
pub const DISCLOSURE_POLICY: &str = "/vulnerability-disclosure";

/// The signed-in prospect's record of one NDA acceptance, as a PDF (the route's pattern).
pub const NDA_RECORD: &str = "/account/nda/{id}/record.pdf";

/// Where the record of NDA acceptance `id` is downloaded.
pub fn nda_record(id: i64) -> String {
    NDA_RECORD.replace("{id}", &id.to_string())
}

/// `text` percent-encoded for a query string's value: letters, digits, `-`, `_`, `.` and `@`
/// stay as they are, every other byte becomes `%XX`.
pub fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'@' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Where questionnaire `id`'s export form posts.
pub fn questionnaire_export(id: i64) -> String {
    QUESTIONNAIRE_EXPORT.replace("{id}", &id.to_string())
}

/// Staff single sign-on: where the button leads (redirects to the identity provider).
pub const SSO_START: &str = "/staff/sso/start";

/// Where the identity provider sends staff back (`<VOUCHSAFE_BASE_URL>/staff/sso/callback`).
pub const SSO_CALLBACK: &str = "/staff/sso/callback";

/// Where a prospect posts their own questionnaire (multipart, field `file`).
pub const SELF_SERVE_UPLOAD: &str = "/account/questionnaires/upload";
/// `POST`: a prospect's own questionnaire, filled, as a download.
pub const SELF_SERVE_DOWNLOAD: &str = "/account/questionnaires/{id}/download";

/// Where the download form of a prospect's questionnaire `id` posts.
pub fn self_serve_download(id: i64) -> String {
    SELF_SERVE_DOWNLOAD.replace("{id}", &id.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_values_keep_only_safe_bytes() {
        assert_eq!(super::query_value("pat@contoso.example"), "pat@contoso.example");
        assert_eq!(super::query_value("SOC 2 & Co/ü"), "SOC%202%20%26%20Co%2F%C3%BC");
    }
}
