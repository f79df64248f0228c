//! A cache of rendered public pages for anonymous visitors.
//!
//! The public page changes only when staff publish, yet every visitor must get a fresh CSP nonce.
//! So a rendered page is stored split at its nonce, and each response is the parts joined with a
//! new one: the cost of a hit is one allocation and a copy, not a render. Entries expire after a
//! short time (date-dependent facts such as report freshness move with the calendar) and all of
//! them are dropped at once when content changes.

use super::spliced_gzip::SplicedGzip;
use bytes::Bytes;
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, RwLock,
    },
    time::{Duration, Instant},
};

/// The cache of rendered public pages, keyed by path, shared by every request of the instance.
#[derive(Debug)]
pub struct PageCache {
    entries: RwLock<HashMap<String, Arc<CachedPage>>>,
    generation: AtomicU64,
    ttl: Duration,
}

/// One cached page: its body in pieces around the nonce (plain, and deflated once for gzip), and
/// its content type.
#[derive(Debug)]
pub struct CachedPage {
    parts: Vec<Bytes>,
    /// `None` when splicing would not pay (a page with many nonces between short pieces).
    gzip: Option<SplicedGzip>,
    /// The page's content type as a response header (`None` if it is not a valid header value).
    pub content_type: Option<http::HeaderValue>,
    generation: u64,
    stored_at: Instant,
}

impl CachedPage {
    /// The page with `nonce` as chunks to send in order: the stored pieces are shared, not copied.
    pub fn pieces_with_nonce(&self, nonce: &str) -> Vec<Bytes> {
        let nonce = Bytes::copy_from_slice(nonce.as_bytes());
        let mut chunks = Vec::with_capacity(2 * self.parts.len());
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                chunks.push(nonce.clone());
            }
            chunks.push(part.clone());
        }
        chunks
    }

    /// The page with `nonce`, gzip-compressed, as chunks to send in order (see [`SplicedGzip`]);
    /// `None` when this page is better compressed per response.
    pub fn gzip_with_nonce(&self, nonce: &str) -> Option<Vec<Bytes>> {
        self.gzip.as_ref().map(|gzip| gzip.with_nonce(nonce.as_bytes()))
    }
}

impl PageCache {
    /// An empty cache whose entries expire `ttl` after they were stored.
    pub fn new(ttl: Duration) -> Self {
        Self { entries: RwLock::new(HashMap::new()), generation: AtomicU64::new(0), ttl }
    }

    /// A live entry for `key`, if any.
    pub fn get(&self, key: &str) -> Option<Arc<CachedPage>> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let page = entries.get(key)?;
        let live = page.generation == self.generation.load(Ordering::Acquire) && page.stored_at.elapsed() < self.ttl;
        live.then(|| page.clone())
    }

    /// Stores `body`, rendered with `nonce`, for `key`. A nonce is 22 random characters, so it
    /// cannot occur in the page by accident.
    pub fn put(&self, key: &str, body: &[u8], nonce: &str, content_type: &str, generation: u64) {
        let text = String::from_utf8_lossy(body);
        let parts: Vec<Bytes> = text.split(nonce).map(|p| Bytes::copy_from_slice(p.as_bytes())).collect();
        let len_without_nonces: usize = parts.iter().map(Bytes::len).sum();
        let gzip = SplicedGzip::new(&parts).filter(|gzip| gzip.deflated_len() * 2 < len_without_nonces);
        let page = CachedPage {
            parts,
            gzip,
            content_type: http::HeaderValue::from_str(content_type).ok(),
            generation,
            stored_at: Instant::now(),
        };
        self.entries.write().unwrap_or_else(|e| e.into_inner()).insert(key.to_string(), Arc::new(page));
    }

    /// The generation a render starts in; a render that began before an invalidation is not
    /// stored as current.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Drops every entry (content changed).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.entries.write().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_pages_get_the_new_nonce_everywhere() {
        let cache = PageCache::new(Duration::from_secs(60));
        let nonce = "AAAAAAAAAAAAAAAAAAAAAA";
        let body = format!("<script nonce=\"{nonce}\">x</script><link crossorigin=\"{nonce}\">");
        cache.put("/", body.as_bytes(), nonce, "text/html", cache.generation());
        let page = cache.get("/").unwrap();
        let out: Vec<u8> = page.pieces_with_nonce("BBBB").concat();
        assert_eq!(&out[..], b"<script nonce=\"BBBB\">x</script><link crossorigin=\"BBBB\">");
    }

    #[test]
    fn invalidation_and_expiry_drop_entries() {
        let cache = PageCache::new(Duration::from_secs(60));
        let stale_generation = cache.generation();
        cache.invalidate();
        cache.put("/", b"x", "n", "text/html", stale_generation);
        assert!(cache.get("/").is_none(), "a render from before the invalidation is not served");
        cache.put("/", b"x", "n", "text/html", cache.generation());
        assert!(cache.get("/").is_some());
        cache.invalidate();
        assert!(cache.get("/").is_none());
        let expired = PageCache::new(Duration::ZERO);
        expired.put("/", b"x", "n", "text/html", 0);
        assert!(expired.get("/").is_none());
    }
}
