//! Prometheus metrics, served on their own listen address (`VOUCHSAFE_METRICS_ADDR`, off by
//! default; see `server::metrics`).
//!
//! Counters and histograms are kept by the code that does the work (requests, downloads,
//! stamping, mail, suggestion jobs); what lives in the database — the mail queue, suggestion jobs
//! in progress, the access log's unsigned tail and its newest checkpoint's age — is read when
//! Prometheus scrapes, so every instance reports the shared truth. Label values come from fixed
//! sets (route patterns, not paths; status codes; outcomes), so no client can grow the series.

use super::db::Db;
use crate::types::Timestamp;
use prometheus_client::{
    encoding::{text::encode, EncodeLabelSet},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{exponential_buckets, Histogram},
    },
    registry::Registry,
};
use std::sync::atomic::AtomicU64;

/// Labels of an answered request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The route pattern that matched (`/documents/{slug}/request`), or `unmatched`.
    pub route: String,
    pub method: String,
    pub status: u16,
}

/// Labels of a request's latency.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
    pub method: String,
}

/// Labels of a download.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DownloadLabels {
    /// `public` (no stamp) or `stamped` (a signed link).
    pub kind: &'static str,
    /// `served`, `refused`, or for stamped copies whether the transfer `completed` or `aborted`.
    pub outcome: &'static str,
}

/// How a job or an attempt ended.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: &'static str,
}

/// Every metric one instance keeps.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub request_seconds: Family<RouteLabels, Histogram>,
    pub downloads: Family<DownloadLabels, Counter>,
    pub stamping_seconds: Histogram,
    pub mails: Family<OutcomeLabels, Counter>,
    pub suggestion_jobs: Family<OutcomeLabels, Counter>,
    // Read from the database at each scrape.
    mail_queue: Gauge,
    mail_failed: Gauge,
    suggestion_jobs_running: Gauge,
    unsigned_entries: Gauge,
    checkpoint_age: Gauge<f64, AtomicU64>,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms to about 8 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("vouchsafe");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route pattern, method and status",
            requests.clone(),
        );
        let request_seconds = Family::<RouteLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> _);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request (to the response head), by route pattern and method",
            request_seconds.clone(),
        );
        let downloads = Family::<DownloadLabels, Counter>::default();
        registry.register("downloads", "Document downloads, by kind and outcome", downloads.clone());
        let stamping_seconds = latency_histogram();
        registry.register(
            "stamping_duration_seconds",
            "Time to stamp a PDF for its recipient",
            stamping_seconds.clone(),
        );
        let mails = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "mails",
            "Mail delivery attempts by this instance, by outcome (sent, retry, failed)",
            mails.clone(),
        );
        let suggestion_jobs = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "suggestion_jobs",
            "Questionnaire suggestion jobs finished by this instance, by outcome (ready, failed)",
            suggestion_jobs.clone(),
        );
        let mail_queue = Gauge::default();
        registry.register("mail_queue_depth", "Mails waiting to be sent (all instances)", mail_queue.clone());
        let mail_failed = Gauge::default();
        registry.register(
            "mail_failed",
            "Mails given up on after their last retry (all instances)",
            mail_failed.clone(),
        );
        let suggestion_jobs_running = Gauge::default();
        registry.register(
            "suggestion_jobs_running",
            "Questionnaires whose answers are being suggested (all instances)",
            suggestion_jobs_running.clone(),
        );
        let unsigned_entries = Gauge::default();
        registry.register(
            "audit_unsigned_entries",
            "Access-log entries after the newest signed checkpoint",
            unsigned_entries.clone(),
        );
        let checkpoint_age = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "audit_checkpoint_age_seconds",
            "Seconds since the newest signed access-log checkpoint (since the first entry when none is signed; 0 when the log is empty)",
            checkpoint_age.clone(),
        );
        Self {
            registry,
            requests,
            request_seconds,
            downloads,
            stamping_seconds,
            mails,
            suggestion_jobs,
            mail_queue,
            mail_failed,
            suggestion_jobs_running,
            unsigned_entries,
            checkpoint_age,
        }
    }
}

impl Metrics {
    /// Counts one answered request.
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let method = known_method(method);
        self.requests.get_or_create(&RequestLabels { route: route.to_string(), method: method.into(), status }).inc();
        self.request_seconds
            .get_or_create(&RouteLabels { route: route.to_string(), method: method.into() })
            .observe(seconds);
    }

    /// Counts one download.
    pub fn download(&self, kind: &'static str, outcome: &'static str) {
        self.downloads.get_or_create(&DownloadLabels { kind, outcome }).inc();
    }

    /// Counts one mail delivery attempt.
    pub fn mail(&self, outcome: &'static str) {
        self.mails.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// Counts one finished suggestion job.
    pub fn suggestion_job(&self, outcome: &'static str) {
        self.suggestion_jobs.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// Reads the shared gauges from the database and renders everything in the OpenMetrics text
    /// format. A gauge that cannot be read keeps its last value (and the failure is logged).
    pub async fn scrape(&self, db: &Db) -> String {
        if let Err(err) = self.read_shared(db).await {
            tracing::warn!(error = %err, "could not read metrics from the database");
        }
        let mut out = String::new();
        if let Err(err) = encode(&mut out, &self.registry) {
            tracing::error!(error = %err, "could not encode metrics");
        }
        out
    }

    async fn read_shared(&self, db: &Db) -> Result<(), sqlx::Error> {
        let pool = db.pool();
        let (pending, failed): (i64, i64) = sqlx::query_as(
            "select coalesce(sum(case when status = 'pending' then 1 else 0 end), 0), \
             coalesce(sum(case when status = 'failed' then 1 else 0 end), 0) from mail_outbox",
        )
        .fetch_one(pool)
        .await?;
        self.mail_queue.set(pending);
        self.mail_failed.set(failed);
        let (running,): (i64,) =
            sqlx::query_as("select count(*) from questionnaires where status = 'processing'").fetch_one(pool).await?;
        self.suggestion_jobs_running.set(running);
        let (head,): (Option<i64>,) = sqlx::query_as("select max(seq) from access_log").fetch_one(pool).await?;
        let signed: Option<(i64, i64)> =
            sqlx::query_as("select seq, created_at from audit_checkpoints order by seq desc limit 1")
                .fetch_optional(pool)
                .await?;
        let head = head.unwrap_or(0);
        let signed_at = match signed {
            Some((_, at)) => Some(at),
            // Never signed: as old as the log's first entry.
            None => sqlx::query_as::<_, (i64,)>("select at from access_log order by seq limit 1")
                .fetch_optional(pool)
                .await?
                .map(|(at,)| at),
        };
        let signed_seq = signed.map(|(seq, _)| seq).unwrap_or(0);
        self.unsigned_entries.set(head - signed_seq);
        let age = match signed_at {
            Some(at) if head > 0 => (Timestamp::now().0 - at).max(0),
            _ => 0,
        };
        self.checkpoint_age.set(age as f64);
        Ok(())
    }
}

/// The method as a label: the standard ones by name, anything else as `other`.
fn known_method(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_pattern_and_unknown_methods_folded() {
        let metrics = Metrics::default();
        metrics.request("/documents/{slug}/request", "GET", 200, 0.002);
        metrics.request("/documents/{slug}/request", "GET", 200, 0.004);
        metrics.request("unmatched", "BREW", 404, 0.001);
        let mut out = String::new();
        encode(&mut out, &metrics.registry).unwrap();
        assert!(
            out.contains(
                "vouchsafe_http_requests_total{route=\"/documents/{slug}/request\",method=\"GET\",status=\"200\"} 2"
            ),
            "{out}"
        );
        assert!(out.contains("vouchsafe_http_requests_total{route=\"unmatched\",method=\"other\",status=\"404\"} 1"));
        assert!(out.contains(
            "vouchsafe_http_request_duration_seconds_count{route=\"/documents/{slug}/request\",method=\"GET\"} 2"
        ));
    }
}
