//! Staff single sign-on with the company's identity provider: OpenID Connect's authorization-code
//! flow with PKCE, through the `openidconnect` crate.
//!
//! [`Sso::begin`] makes the provider's sign-in address and the [`Pending`] values (state, nonce,
//! PKCE verifier) the caller keeps in the session (sessions live in the database, so the callback
//! may land on any instance). [`Sso::finish`] takes the callback's `state` and `code`: the state
//! must match (constant time) and be fresh, the code is exchanged with the verifier, and the ID
//! token is verified: signature with a key from the provider's JWKS and an algorithm the provider
//! lists (asymmetric only; `none` never), issuer, audience, expiry, nonce; then `email_verified`
//! and the configured `acr`/`amr`. What comes out is an [`Identity`], or a [`Refusal`] with the
//! reason the access log records.
//!
//! Discovery is cached for an hour per instance; a token signed with a key the cached JWKS does
//! not hold makes one fresh discovery (at most every 10 s), so the provider can rotate keys.

pub mod settings;

use openidconnect::{
    core::{CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata},
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, SignatureVerificationError, TokenResponse,
};
use serde::{Deserialize, Serialize};
pub use settings::OidcSettings;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How long a discovery document (and its keys) is used before it is fetched again.
const DISCOVERY_TTL: Duration = Duration::from_secs(3600);
/// The least time between two fetches forced by an unknown signing key.
const REFRESH_FLOOR: Duration = Duration::from_secs(10);
/// How long a sign-in may take at the provider.
pub const PENDING_TTL_SECONDS: i64 = 600;

/// What the session keeps between the redirect to the provider and the callback (its `Debug`
/// shows none of the secrets).
#[derive(Clone, Serialize, Deserialize)]
pub struct Pending {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    pub started_at: i64,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending").field("started_at", &self.started_at).finish_non_exhaustive()
    }
}

/// A verified sign-in.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: String,
    pub name: String,
    /// The role claim as the token carried it (see [`OidcSettings::roles_for`]).
    pub role_claim: Option<serde_json::Value>,
}

/// Why a callback did not sign anyone in; `reason` is what the access log records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: &'static str,
    /// A detail for the log (never shown to the browser), e.g. the verifier's message.
    pub detail: String,
}

fn refuse(reason: &'static str, detail: impl ToString) -> Refusal {
    Refusal { reason, detail: detail.to_string().chars().take(300).collect() }
}

struct Discovered {
    metadata: CoreProviderMetadata,
    fetched: Instant,
}

/// The provider as this instance knows it.
pub struct Sso {
    pub settings: OidcSettings,
    redirect: RedirectUrl,
    http: openidconnect::reqwest::Client,
    discovered: Mutex<Option<Discovered>>,
}

impl std::fmt::Debug for Sso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sso").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl Sso {
    /// The provider of `settings`, with the callback at `<base_url>/staff/sso/callback`. Nothing
    /// is fetched until the first sign-in, so the site starts while the provider is down.
    pub fn new(settings: OidcSettings, base_url: &str) -> Result<Self, String> {
        let redirect =
            RedirectUrl::new(format!("{base_url}{}", crate::paths::SSO_CALLBACK)).map_err(|e| e.to_string())?;
        // Never follow redirects (the crate's advice against SSRF); bounded waits.
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self { settings, redirect, http, discovered: Mutex::new(None) })
    }

    async fn metadata(&self, force: bool) -> Result<CoreProviderMetadata, Refusal> {
        {
            let cached = self.discovered.lock().await;
            if let Some(d) = cached.as_ref() {
                let fresh = d.fetched.elapsed() < DISCOVERY_TTL;
                if (fresh && !force) || d.fetched.elapsed() < REFRESH_FLOOR {
                    return Ok(d.metadata.clone());
                }
            }
        }
        // Fetched without holding the lock: a provider that is slow or down does not queue every
        // sign-in behind one request.
        let issuer = IssuerUrl::new(self.settings.issuer.clone()).map_err(|e| refuse("provider unavailable", e))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| refuse("provider unavailable", format!("discovery: {e}")))?;
        *self.discovered.lock().await = Some(Discovered { metadata: metadata.clone(), fetched: Instant::now() });
        Ok(metadata)
    }

    fn client(&self, metadata: CoreProviderMetadata) -> ClientOf {
        CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.expose().to_string())),
        )
        .set_redirect_uri(self.redirect.clone())
    }

    /// The provider's sign-in address and what the session must keep until the callback.
    pub async fn begin(&self, now: i64) -> Result<(String, Pending), Refusal> {
        let client = self.client(self.metadata(false).await?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge);
        for scope in &self.settings.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        let pending = Pending {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            started_at: now,
        };
        Ok((url.to_string(), pending))
    }

    /// Completes a sign-in from the callback's `state` and `code` (see the module docs).
    pub async fn finish(
        &self,
        pending: Option<Pending>,
        state: &str,
        code: &str,
        now: i64,
    ) -> Result<Identity, Refusal> {
        use subtle::ConstantTimeEq;
        let Some(pending) = pending else { return Err(refuse("bad state", "no sign-in was started in this session")) };
        if !bool::from(pending.state.as_bytes().ct_eq(state.as_bytes())) {
            return Err(refuse("bad state", "the state does not match the one this session sent"));
        }
        if now - pending.started_at > PENDING_TTL_SECONDS {
            return Err(refuse("expired sign-in", "the sign-in was started more than 10 minutes ago"));
        }
        if code.is_empty() || code.len() > 2048 {
            return Err(refuse("bad code", "no usable code"));
        }
        let metadata = self.metadata(false).await?;
        let listed = metadata.id_token_signing_alg_values_supported().clone();
        let client = self.client(metadata);
        let exchange = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| refuse("provider unavailable", e))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()));
        let response = exchange.request_async(&self.http).await.map_err(|e| refuse("code refused", token_error(&e)))?;
        let id_token =
            response.id_token().ok_or_else(|| refuse("invalid ID token", "the provider sent no ID token"))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let first = id_token.claims(&Self::verifier(&client, &listed), &nonce).cloned();
        let verified = match first {
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) => {
                // The provider may have rotated its keys: fetch them again, once, and retry.
                let metadata = self.metadata(true).await?;
                let listed = metadata.id_token_signing_alg_values_supported().clone();
                let fresh = self.client(metadata);
                let again = id_token.claims(&Self::verifier(&fresh, &listed), &nonce).cloned();
                again
            }
            other => other,
        };
        let claims = verified.map_err(|e| refuse(claims_reason(&e), e))?;
        // The role claim (and Entra ID's `xms_edov`) are read from the payload the verifier has
        // just checked.
        let payload = verified_payload(&id_token.to_string()).unwrap_or_default();
        // Only Entra ID's own tokens: elsewhere a user-editable attribute could be called that.
        let from_entra = url::Url::parse(claims.issuer().as_str())
            .is_ok_and(|u| matches!(u.host_str(), Some("login.microsoftonline.com" | "sts.windows.net")));
        let entra_verified = from_entra && payload.get("xms_edov").and_then(serde_json::Value::as_bool) == Some(true);
        if claims.email_verified() != Some(true) && !entra_verified {
            return Err(refuse("email not verified", "email_verified is not true"));
        }
        let email = claims
            .email()
            .map(|e| e.as_str().trim().to_lowercase())
            .filter(|e| crate::types::EmailAddress::parse(e).is_ok())
            .ok_or_else(|| refuse("no e-mail", "the ID token has no usable email claim"))?;
        let acr = claims.auth_context_ref().map(|a| a.as_str());
        let amr: Vec<String> =
            claims.auth_method_refs().map(|m| m.iter().map(|a| a.to_string()).collect()).unwrap_or_default();
        if !self.settings.strong_enough(acr, &amr) {
            return Err(refuse("second factor missing", format!("acr {acr:?}, amr {amr:?}")));
        }
        let name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().chars().filter(|c| !c.is_control()).take(100).collect::<String>())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| email.clone());
        let role_claim = payload.get(&self.settings.role_claim).cloned();
        Ok(Identity {
            issuer: claims.issuer().as_str().to_string(),
            subject: claims.subject().as_str().to_string(),
            email,
            name,
            role_claim,
        })
    }

    fn verifier<'a>(
        client: &'a ClientOf,
        listed: &[CoreJwsSigningAlgorithm],
    ) -> openidconnect::IdTokenVerifier<'a, openidconnect::core::CoreJsonWebKey> {
        use CoreJwsSigningAlgorithm as A;
        // Asymmetric algorithms only, of those the provider lists: never `none`, never the
        // client secret as an HMAC key.
        let asymmetric = [
            A::RsaSsaPkcs1V15Sha256,
            A::RsaSsaPkcs1V15Sha384,
            A::RsaSsaPkcs1V15Sha512,
            A::RsaSsaPssSha256,
            A::RsaSsaPssSha384,
            A::RsaSsaPssSha512,
            A::EcdsaP256Sha256,
            A::EcdsaP384Sha384,
            A::EdDsa,
        ];
        let allowed: Vec<_> = asymmetric.into_iter().filter(|a| listed.contains(a)).collect();
        client.id_token_verifier().set_allowed_algs(allowed).require_audience_match(true)
    }
}

type ClientOf = openidconnect::core::CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

fn claims_reason(e: &ClaimsVerificationError) -> &'static str {
    match e {
        ClaimsVerificationError::Expired(_) => "expired ID token",
        ClaimsVerificationError::InvalidAudience(_) => "wrong audience",
        ClaimsVerificationError::InvalidIssuer(_) => "wrong issuer",
        ClaimsVerificationError::InvalidNonce(_) => "bad nonce",
        ClaimsVerificationError::SignatureVerification(_) | ClaimsVerificationError::Unsupported(_) => "bad signature",
        _ => "invalid ID token",
    }
}

fn token_error<E: std::error::Error>(e: &E) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The JSON payload of a compact JWS (already verified by the caller).
fn verified_payload(jwt: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    use base64::Engine;
    let part = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}
