//! Sending deliveries: the SSRF guard, Standard Webhooks signatures, retries with back-off for a
//! day, the delivery log and redelivery.
//!
//! A target is `https://` to a public address, unless its host is listed in
//! `VOUCHSAFE_WEBHOOK_ALLOWED_HOSTS` (then plain `http://` and internal addresses are allowed
//! too). The host is resolved here, every address it resolves to is checked, and the request goes
//! to the checked address (no second lookup a DNS answer could change); redirects are not
//! followed; no proxy is used.

use super::{open_secret, payload, Format};
pub use crate::features::integrations::model::DeliveryRow;
use crate::{
    error::AppError,
    ssr::{
        audit::{self, Actor, Event, Outcome},
        db::Db,
        request_meta::RequestMeta,
        AppState,
    },
    types::Timestamp,
};
use sqlx::FromRow;
use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    time::{Duration, Instant},
};

/// How long one attempt may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// An attempt's claim on a row: another instance may take it over after this.
const LEASE_SECONDS: i64 = 120;

/// Whether `ip` is an address on the public internet (not loopback, private, link-local,
/// shared, multicast, documentation or otherwise reserved).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            let embedded_v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
            if s[..4] == [0, 0, 0, 0] && s[4] == 0xffff && s[5] == 0 {
                return is_public_v4(embedded_v4); // SIIT (::ffff:0:a.b.c.d)
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated, still routed inside some networks)
                || (s[0] == 0x2001 && s[1] == 0) // Teredo: an IPv4 address in disguise
                || (s[0] == 0x0100 && s[1] == 0 && s[2] == 0 && s[3] == 0) // discard-only
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0064 && s[1] == 0xff9b) // NAT64: an IPv4 address in disguise
                || (s[0] == 0x2002) // 6to4: likewise
                || (s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] == 0 && s[4] == 0 && s[5] == 0))
            // IPv4-compatible
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier-grade NAT)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 192 && b == 88 && ip.octets()[2] == 99) // 6to4 relay anycast
        || a >= 240) // reserved
}

fn allowed(host: &str, allowed_hosts: &[String]) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']').to_lowercase();
    allowed_hosts.contains(&host)
}

/// A webhook URL as typed: `https://` (or `http://` to an allowed host), no user name or
/// password, at most 2,000 characters; an IP address must be public unless allowed.
pub fn check_url(text: &str, allowed_hosts: &[String]) -> Result<url::Url, String> {
    let text = text.trim();
    if text.len() > 2_000 {
        return Err("Keep the address under 2,000 characters.".into());
    }
    let url = url::Url::parse(text)
        .map_err(|_| "Enter an address such as https://hooks.example.com/vouchsafe.".to_string())?;
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or("The address needs a host.")?;
    let listed = allowed(host, allowed_hosts);
    match url.scheme() {
        "https" => {}
        "http" if listed => {}
        "http" => {
            return Err(
                "Use https://. Plain http:// only reaches hosts listed in VOUCHSAFE_WEBHOOK_ALLOWED_HOSTS.".into()
            )
        }
        _ => return Err("Use an https:// address.".into()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("Put no user name or password in the address; deliveries are signed instead.".into());
    }
    if let Some(ip) =
        host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok().filter(|ip| !is_public(*ip))
    {
        if !listed {
            return Err(format!(
                "{ip} is an internal address; list it in VOUCHSAFE_WEBHOOK_ALLOWED_HOSTS to allow it."
            ));
        }
    }
    Ok(url)
}

/// Where an attempt may connect: every address the host resolves to must be allowed, and the
/// first is the one used.
async fn target(url: &url::Url, allowed_hosts: &[String]) -> Result<SocketAddr, String> {
    let url = check_url(url.as_str(), allowed_hosts)?;
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> =
        tokio::time::timeout(Duration::from_secs(5), tokio::net::lookup_host((host.as_str(), port)))
            .await
            .map_err(|_| "the host name did not resolve in time".to_string())?
            .map_err(|_| "the host name does not resolve".to_string())?
            .collect();
    let first = *addrs.first().ok_or("the host name does not resolve")?;
    if !allowed(&host, allowed_hosts) {
        if let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
            return Err(format!("refused: {host} resolves to the internal address {}", bad.ip()));
        }
    }
    Ok(first)
}

/// The Standard Webhooks signature header value: `v1,` and base64 of HMAC-SHA-256 over
/// `{id}.{timestamp}.{body}` with the secret's bytes (base64 after `whsec_`).
pub fn signature(secret: &str, message_id: &str, timestamp: i64, body: &str) -> Option<String> {
    use base64::{engine::general_purpose::STANDARD, Engine};
    use hmac::{Mac, SimpleHmac};
    let key = STANDARD.decode(secret.strip_prefix("whsec_")?).ok()?;
    let mut mac = SimpleHmac::<sha2::Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{message_id}.{timestamp}.{body}").as_bytes());
    Some(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

#[derive(FromRow)]
struct Due {
    id: i64,
    webhook_id: i64,
    message_id: String,
    event: String,
    data: String,
    created_at: i64,
    attempts: i64,
    next_attempt_at: i64,
    retry_until: i64,
    url: String,
    format: String,
    secret_sealed: String,
}

/// 30 s, 1 min, 2 min, … capped at an hour.
pub fn backoff_seconds(attempts: i64) -> i64 {
    (30i64 << (attempts - 1).clamp(0, 7)).min(3_600)
}

/// Sends every due delivery once (at most 20 a pass); returns how many were delivered.
pub async fn deliver_due(state: &AppState) -> Result<usize, AppError> {
    let now = Timestamp::now().0;
    let due: Vec<Due> = sqlx::query_as(
        "select d.id, d.webhook_id, d.message_id, d.event, d.data, d.created_at, d.attempts, d.next_attempt_at, \
         d.retry_until, w.url, w.format, w.secret_sealed from webhook_deliveries d join webhooks w on w.id = d.webhook_id \
         where d.status = 'pending' and d.next_attempt_at <= $1 and w.enabled = 1 and w.deleted_at is null \
         order by d.id limit 20",
    )
    .bind(now)
    .fetch_all(state.db.pool())
    .await?;
    let mut delivered = 0;
    for row in due {
        // Claim the row so another instance does not send it at the same time; the lease starts
        // now (earlier attempts of this pass took their time), and the result is written only while
        // this claim still holds (a redelivery or another instance's takeover replaces it).
        let lease = Timestamp::now().0 + LEASE_SECONDS;
        let claimed = sqlx::query(
            "update webhook_deliveries set next_attempt_at = $1 where id = $2 and status = 'pending' and next_attempt_at = $3",
        )
        .bind(lease)
        .bind(row.id)
        .bind(row.next_attempt_at)
        .execute(state.db.pool())
        .await?;
        if claimed.rows_affected() != 1 {
            continue;
        }
        let started = Instant::now();
        let result = attempt(state, &row).await;
        let ms = started.elapsed().as_millis() as i64;
        let attempts = row.attempts + 1;
        let finished = Timestamp::now().0;
        match result {
            Ok(status) => {
                sqlx::query(
                    "update webhook_deliveries set status = 'delivered', attempts = $1, last_attempt_at = $2, \
                     last_status = $3, last_error = null, last_duration_ms = $4, delivered_at = $2 \
                     where id = $5 and next_attempt_at = $6",
                )
                .bind(attempts)
                .bind(finished)
                .bind(i64::from(status))
                .bind(ms)
                .bind(row.id)
                .bind(lease)
                .execute(state.db.pool())
                .await?;
                delivered += 1;
            }
            Err((status, problem)) => {
                let next = finished + backoff_seconds(attempts);
                let give_up = next > row.retry_until;
                tracing::warn!(delivery = row.id, webhook = row.webhook_id, attempts, %problem, "webhook not delivered");
                sqlx::query(
                    "update webhook_deliveries set status = $1, attempts = $2, next_attempt_at = $3, last_attempt_at = $4, \
                     last_status = $5, last_error = $6, last_duration_ms = $7 where id = $8 and next_attempt_at = $9",
                )
                .bind(if give_up { "failed" } else { "pending" })
                .bind(attempts)
                .bind(next)
                .bind(finished)
                .bind(status.map(i64::from))
                .bind(problem.chars().take(300).collect::<String>())
                .bind(ms)
                .bind(row.id)
                .bind(lease)
                .execute(state.db.pool())
                .await?;
            }
        }
    }
    Ok(delivered)
}

/// One attempt: the HTTP status on success (2xx), or the status (if any) and the problem.
async fn attempt(state: &AppState, row: &Due) -> Result<u16, (Option<u16>, String)> {
    let url = url::Url::parse(&row.url).map_err(|_| (None, "the stored address does not parse".to_string()))?;
    let addr = target(&url, &state.config.webhook_allowed_hosts).await.map_err(|p| (None, p))?;
    let data: serde_json::Value = serde_json::from_str(&row.data).unwrap_or_default();
    let data =
        payload::enrich(&state.db, data).await.map_err(|_| (None, "could not read the event's records".to_string()))?;
    let base = state.config.base_url.as_str();
    let format = Format::parse(&row.format).unwrap_or(Format::Standard);
    let body = match format {
        Format::Standard => payload::standard_body(&row.event, row.created_at, &data, base),
        Format::Chat => payload::chat_body(&row.event, &data, base),
    };
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_string();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(ATTEMPT_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .resolve(&host, addr)
        .user_agent("Vouchsafe-Webhooks/1")
        .build()
        .map_err(|_| (None, "could not prepare the request".to_string()))?;
    let mut request = client.post(url).header("content-type", "application/json");
    if format == Format::Standard {
        let secret = open_secret(&state.secrets, row.webhook_id, &row.secret_sealed)
            .ok_or((None, "the signing secret does not open (another secrets key?)".to_string()))?;
        let timestamp = Timestamp::now().0;
        let signature = super::deliver::signature(&secret, &row.message_id, timestamp, &body)
            .ok_or((None, "bad secret".to_string()))?;
        request = request
            .header("webhook-id", &row.message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature);
    }
    let response = request.body(body).send().await.map_err(|e| {
        let kind = if e.is_timeout() {
            "timed out"
        } else if e.is_connect() {
            "could not connect"
        } else {
            "request failed"
        };
        (None, kind.to_string())
    })?;
    let status = response.status().as_u16();
    if response.status().is_success() {
        Ok(status)
    } else if response.status().is_redirection() {
        Err((Some(status), "answered with a redirect (not followed)".into()))
    } else {
        Err((Some(status), format!("answered {status}")))
    }
}

/// Runs forever in the background: sends due deliveries every two seconds.
pub async fn run(state: AppState) {
    loop {
        if let Err(err) = deliver_due(&state).await {
            tracing::error!(error = %err, "webhook delivery pass failed");
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// How long finished deliveries stay in the delivery log.
pub const KEEP_SECONDS: i64 = 30 * 86_400;

/// Deletes deliveries finished (delivered or failed) more than [`KEEP_SECONDS`] ago. The access
/// log keeps what happened; this table is the outbox and its recent history.
pub async fn prune(db: &Db) -> Result<u64, AppError> {
    let before = Timestamp::now().0 - KEEP_SECONDS;
    let done = sqlx::query("delete from webhook_deliveries where status <> 'pending' and created_at < $1")
        .bind(before)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}

/// The newest 100 deliveries of webhook `id`.
pub async fn deliveries(db: &Db, id: i64) -> Result<Vec<DeliveryRow>, AppError> {
    Ok(sqlx::query_as(
        "select id, event, message_id, status, attempts, created_at, last_attempt_at, last_status, last_error, \
         last_duration_ms, next_attempt_at from webhook_deliveries where webhook_id = $1 order by id desc limit 100",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?)
}

/// Sends a delivery again now (same message id, so receivers can tell), retrying for another
/// day; logged.
pub async fn redeliver(state: &AppState, meta: &RequestMeta, actor: &Actor, delivery: i64) -> Result<i64, AppError> {
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    let row: Option<(i64,)> = sqlx::query_as(
        "select d.webhook_id from webhook_deliveries d join webhooks w on w.id = d.webhook_id \
         where d.id = $1 and w.deleted_at is null",
    )
    .bind(delivery)
    .fetch_optional(&mut *tx)
    .await?;
    let (webhook,) = row.ok_or(AppError::NotFound)?;
    sqlx::query(
        "update webhook_deliveries set status = 'pending', next_attempt_at = $1, retry_until = $2 where id = $3",
    )
    .bind(now)
    .bind(now + super::RETRY_FOR_SECONDS)
    .bind(delivery)
    .execute(&mut *tx)
    .await?;
    let event = Event {
        actor,
        event: "webhook.redelivered",
        object: format!("webhook_delivery:{delivery}"),
        outcome: Outcome::Success,
        details: serde_json::json!({ "webhook": webhook }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(webhook)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "fec0::1",
            "2001:0:4136:e378::1",
            "::ffff:0:7f00:1",
            "100::1",
            "192.88.99.1",
            "224.0.0.1",
            "255.255.255.255",
            "::",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn urls_are_https_to_public_hosts_unless_listed() {
        let none: Vec<String> = Vec::new();
        assert!(check_url("https://hooks.example.com/x", &none).is_ok());
        assert!(check_url("http://hooks.example.com/x", &none).unwrap_err().contains("https"));
        assert!(check_url("https://169.254.169.254/latest", &none).unwrap_err().contains("internal"));
        assert!(check_url("https://[::1]:8080/", &none).is_err());
        assert!(check_url("https://user:pw@hooks.example.com/", &none).is_err());
        assert!(check_url("ftp://hooks.example.com/", &none).is_err());
        assert!(check_url("javascript:alert(1)", &none).is_err());
        let listed = vec!["127.0.0.1".to_string(), "crm.internal".to_string()];
        assert!(check_url("http://127.0.0.1:9000/hook", &listed).is_ok());
        assert!(check_url("http://CRM.internal/hook", &listed).is_ok());
        assert!(check_url("http://127.0.0.2/hook", &listed).is_err());
    }

    #[tokio::test]
    async fn a_name_that_resolves_inside_is_refused_unless_listed() {
        let none: Vec<String> = Vec::new();
        let url = url::Url::parse("https://localhost:9/").unwrap();
        assert!(target(&url, &none).await.unwrap_err().contains("internal address"));
        assert!(target(&url, &["localhost".to_string()]).await.is_ok());
    }

    #[test]
    fn the_signature_matches_the_specification_example() {
        // From the Standard Webhooks specification's reference test vector.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        assert_eq!(backoff_seconds(1), 30);
        assert_eq!(backoff_seconds(2), 60);
        assert_eq!(backoff_seconds(20), 3_600);
    }
}
