//! Counts page views in memory and adds them to `page_views` once a minute, so counting never
//! slows a page (the public page is served from a cache at tens of thousands per second).

use super::db::Db;
use crate::types::Timestamp;
use std::{collections::HashMap, sync::Mutex};

/// Page views not yet written, per (day, path, company); shared by every request of the instance.
#[derive(Debug, Default)]
pub struct VisitCounter {
    pending: Mutex<HashMap<(String, String, i64), i64>>,
}

impl VisitCounter {
    /// One view of `path` today, by someone of `company_id` (0: not signed in).
    pub fn record(&self, path: &str, company_id: i64) {
        let day = Timestamp::now().date().to_string();
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        *pending.entry((day, path.to_string(), company_id)).or_default() += 1;
    }

    /// Writes the counts gathered so far; on failure they are kept for the next flush.
    pub async fn flush(&self, db: &Db) -> Result<(), sqlx::Error> {
        let batch: Vec<_> =
            std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner())).into_iter().collect();
        for (i, ((day, path, company), views)) in batch.iter().enumerate() {
            let result = sqlx::query(
                "insert into page_views (day, path, company_id, views) values ($1, $2, $3, $4) \
                 on conflict (day, path, company_id) do update set views = page_views.views + excluded.views",
            )
            .bind(day)
            .bind(path)
            .bind(company)
            .bind(views)
            .execute(db.pool())
            .await;
            if let Err(err) = result {
                let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
                for ((day, path, company), views) in &batch[i..] {
                    *pending.entry((day.clone(), path.clone(), *company)).or_default() += views;
                }
                return Err(err);
            }
        }
        Ok(())
    }
}
