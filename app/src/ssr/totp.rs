//! TOTP second factor (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of clock skew).
//!
//! totp-rs computes the codes; this module adds what it does not do: a code is accepted only for
//! a time step later than the last one accepted, so an observed code cannot be replayed.

use base64::{engine::general_purpose::STANDARD, Engine};
use qrcode::{render::svg, QrCode};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Secret, TOTP};

const STEP_SECONDS: u64 = 30;

/// A fresh 160-bit secret, base32 as authenticator apps show it.
pub fn new_secret() -> String {
    Secret::Raw(rand::random::<[u8; 20]>().to_vec()).to_encoded().to_string()
}

fn totp(secret_b32: &str, issuer: &str, account: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_string()).to_bytes().ok()?;
    // ':' separates issuer and account in otpauth URLs.
    let clean = |s: &str| s.replace(':', " ");
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECONDS, bytes, Some(clean(issuer)), clean(account)).ok()
}

/// The `otpauth://` URL an authenticator app scans.
pub fn otpauth_url(secret_b32: &str, issuer: &str, account: &str) -> Option<String> {
    totp(secret_b32, issuer, account).map(|t| t.get_url())
}

/// The URL as a QR code, an SVG `data:` URI for an `<img>` (allowed by the CSP's `img-src`).
pub fn qr_data_uri(url: &str) -> Option<String> {
    let code = QrCode::new(url.as_bytes()).ok()?;
    let svg = code.render::<svg::Color>().min_dimensions(200, 200).quiet_zone(true).build();
    Some(format!("data:image/svg+xml;base64,{}", STANDARD.encode(svg)))
}

/// The time step of `unix_time`.
pub fn step_at(unix_time: u64) -> i64 {
    (unix_time / STEP_SECONDS) as i64
}

/// Checks `code` at `unix_time`, allowing one step either side. Returns the step it matched,
/// which must be later than `last_step`; the caller stores it as the new last step.
pub fn verify(secret_b32: &str, code: &str, last_step: i64, unix_time: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret_b32, "x", "x")?;
    let now = step_at(unix_time);
    (now - 1..=now + 1).filter(|step| *step > last_step && *step >= 0).find(|step| {
        let expected = totp.generate(*step as u64 * STEP_SECONDS);
        bool::from(expected.as_bytes().ct_eq(code.as_bytes()))
    })
}

/// The code for `unix_time` (tests and the CLI use it).
pub fn code_at(secret_b32: &str, unix_time: u64) -> Option<String> {
    totp(secret_b32, "x", "x").map(|t| t.generate(unix_time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_works_once_per_step() {
        let secret = new_secret();
        let t = 1_800_000_000;
        let code = code_at(&secret, t).unwrap();
        let step = verify(&secret, &code, 0, t).expect("valid code");
        assert_eq!(step, step_at(t));
        assert_eq!(verify(&secret, &code, step, t), None, "replay in the same step is refused");
        assert_eq!(verify(&secret, &code, step, t + 25), None, "and a moment later too");
    }

    #[test]
    fn skew_of_one_step_is_allowed_but_no_more() {
        let secret = new_secret();
        let t = 1_800_000_000;
        let previous = code_at(&secret, t - 30).unwrap();
        assert!(verify(&secret, &previous, 0, t).is_some());
        let stale = code_at(&secret, t - 90).unwrap();
        assert_eq!(verify(&secret, &stale, 0, t), None);
        assert_eq!(verify(&secret, "12345", 0, t), None);
        assert_eq!(verify(&secret, "abcdef", 0, t), None);
    }

    #[test]
    fn enrolment_material_is_produced() {
        let secret = new_secret();
        let url = otpauth_url(&secret, "Northwind: Trust", "ann@example.com").unwrap();
        assert!(url.starts_with("otpauth://totp/"));
        assert!(qr_data_uri(&url).unwrap().starts_with("data:image/svg+xml;base64,"));
    }
}
