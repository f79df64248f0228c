//! Access on the server.

pub mod companies;
pub mod dashboard;
pub mod grants;
pub mod personal;
pub mod requests;
pub mod rules;

use crate::{error::AppError, features::documents::model::Visibility, ssr::db::Db};

/// Restricted documents by slug → (id, title). Unknown or public slugs are refused.
pub async fn restricted_documents(db: &Db, slugs: &[String]) -> Result<Vec<(i64, String)>, AppError> {
    let all = crate::features::documents::server::list_with_ids(db).await?;
    let mut picked = Vec::new();
    for slug in slugs {
        match all.iter().find(|(_, d)| &d.slug == slug) {
            Some((id, d)) if d.visibility == Visibility::Restricted => picked.push((*id, d.title.clone())),
            _ => return Err(AppError::field("documents", format!("“{slug}” is not a restricted document."))),
        }
    }
    picked.sort();
    picked.dedup();
    Ok(picked)
}
