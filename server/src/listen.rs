//! Accepting connections, with the limits `axum::serve` does not set: a deadline for each
//! request's headers (a client holding connections open with half-sent headers, "slowloris",
//! used to keep them for ever and exhaust file descriptors), an idle keep-alive deadline (the
//! same one: hyper starts it while it waits for a request's head), at most
//! [`MAX_CONNECTIONS_PER_SOURCE`] connections open from one source (unless it is a trusted
//! proxy) and [`MAX_CONNECTIONS`] in all. Request bodies have their own limit and deadline
//! (`middleware::body`).

use app::ssr::request_meta::{source_of, TrustedProxies};
use axum::{extract::ConnectInfo, http::Request, response::Response, Router};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto::Builder, graceful::GracefulShutdown},
    service::TowerToHyperService,
};
use std::convert::Infallible;
use std::{
    collections::HashMap,
    future::Future,
    net::IpAddr,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{net::TcpListener, sync::Semaphore};
use tower::ServiceExt;

/// How long a client may take to send a request's headers, and to start its next request on a
/// kept-alive connection.
pub const HEADER_DEADLINE: Duration = Duration::from_secs(15);
/// Connections one source may hold open at once.
pub const MAX_CONNECTIONS_PER_SOURCE: usize = 64;
/// Connections open at once in all (the process raises its file limit to fit them).
pub const MAX_CONNECTIONS: usize = 8192;
/// How long a shutdown waits for requests in flight.
const DRAIN: Duration = Duration::from_secs(30);

/// Open connections per source.
#[derive(Default)]
struct PerSource(Mutex<HashMap<IpAddr, usize>>);

/// One counted connection; uncounted when dropped.
struct Slot {
    counts: Arc<PerSource>,
    source: Option<IpAddr>,
}

impl PerSource {
    fn take(self: &Arc<Self>, source: Option<IpAddr>) -> Option<Slot> {
        if let Some(source) = source {
            let mut counts = self.0.lock().unwrap_or_else(|p| p.into_inner());
            let open = counts.entry(source).or_default();
            if *open >= MAX_CONNECTIONS_PER_SOURCE {
                return None;
            }
            *open += 1;
        }
        Some(Slot { counts: self.clone(), source })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(source) = self.source {
            let mut counts = self.counts.0.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(open) = counts.get_mut(&source) {
                *open -= 1;
                if *open == 0 {
                    counts.remove(&source);
                }
            }
        }
    }
}

/// Answers some requests before the router, or returns `None` to let the router answer.
pub type Front = Arc<dyn Fn(&Request<Incoming>) -> Option<Response> + Send + Sync>;

/// Serves `router` on `listener` until `shutdown` completes, then lets requests in flight finish
/// (for up to 30 s). `front`, if given, sees each request first (see `crate::front`).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    front: Option<Front>,
    trusted: TrustedProxies,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(HEADER_DEADLINE);
    builder.http2().timer(TokioTimer::new()).keep_alive_interval(Some(Duration::from_secs(30)));
    let builder = Arc::new(builder);
    let graceful = GracefulShutdown::new();
    let per_source = Arc::new(PerSource::default());
    let total = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %err, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let peer_ip = peer.ip().to_canonical();
        // Behind a proxy every connection comes from the proxy: only direct clients are capped.
        let source = (!trusted.trusts(&peer_ip)).then(|| source_of(peer_ip));
        let (Some(slot), Ok(permit)) = (per_source.take(source), total.clone().try_acquire_owned()) else {
            drop(stream);
            continue;
        };
        let routed = router.clone().layer(axum::Extension(ConnectInfo(peer)));
        let front = front.clone();
        let service = tower::service_fn(move |req: Request<Incoming>| {
            let answered = front.as_ref().and_then(|front| front(&req));
            let routed = routed.clone();
            async move {
                match answered {
                    Some(res) => Ok::<_, Infallible>(res),
                    None => routed.oneshot(req).await,
                }
            }
        });
        let service = TowerToHyperService::new(service);
        let builder = builder.clone();
        let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop((slot, permit));
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still in flight after 30 s; stopping anyway");
    }
    Ok(())
}

/// Raises this process's open-file limit to its hard limit, so the connection caps (not the
/// operating system's default of 1,024) decide how many clients are served.
pub fn raise_file_limit() {
    #[cfg(unix)]
    {
        use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
        let limit = getrlimit(Resource::Nofile);
        if limit.current != limit.maximum {
            let raised = Rlimit { current: limit.maximum, maximum: limit.maximum };
            if let Err(err) = setrlimit(Resource::Nofile, raised) {
                tracing::warn!(error = %err, "could not raise the open-file limit");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_source_holds_a_bounded_number_of_connections() {
        let counts = Arc::new(PerSource::default());
        let source = Some(IpAddr::from([203, 0, 113, 9]));
        let held: Vec<Slot> = (0..MAX_CONNECTIONS_PER_SOURCE).map(|_| counts.take(source).unwrap()).collect();
        assert!(counts.take(source).is_none());
        assert!(counts.take(Some(IpAddr::from([203, 0, 113, 10]))).is_some(), "others are not affected");
        assert!(counts.take(None).is_some(), "a trusted proxy is not capped");
        drop(held);
        assert!(counts.take(source).is_some());
        assert!(counts.0.lock().unwrap().len() <= 1, "closed sources are forgotten");
    }
}
