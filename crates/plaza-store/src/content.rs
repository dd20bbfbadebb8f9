//! Reading captured posts and comments. The capture engine writes them through
//! [`crate::WriteTx::capture_items`] (capture.rs); the demo seeds them the same way, so every
//! item has its record.

use crate::{Result, Store, ts};
use plaza_core::Timestamp;
use serde::Serialize;
use sqlx::Row;

/// A captured post or comment.
#[derive(Debug, Clone, Serialize)]
pub struct ContentItem {
    pub id: i64,
    pub site_id: i64,
    pub kind: String,
    pub platform_id: String,
    pub parent_id: Option<i64>,
    pub author_handle: String,
    pub author_name: String,
    pub body: String,
    pub url: String,
    pub created_at: Timestamp,
    pub captured_at: Timestamp,
    pub record_seq: i64,
    /// `live`, `hidden`, `deleted_by_author` or `removed_by_city`.
    pub state: String,
    /// Who can see it on the platform: `public`, `followers` or `mentioned`.
    pub audience: String,
    /// The moderation decision for a comment (`allow`, `review`, `remove`).
    pub decision: Option<String>,
    /// Versions captured (edits, hiding).
    pub versions: i64,
    /// The clauses the moderation engine found, e.g. `C.7.xvii`.
    pub clauses: Vec<String>,
}

impl Store {
    /// The latest items of a site, newest first.
    pub async fn content(&self, site: i64, limit: i64) -> Result<Vec<ContentItem>> {
        let rows = sqlx::query(
            "SELECT id, site_id, kind, platform_id, parent_id, author_handle, author_name, body, url, created_at, captured_at, record_seq, \
             state, audience, decision, versions, assessment FROM content_items WHERE site_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(site)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ContentItem {
                    id: r.try_get("id")?,
                    site_id: r.try_get("site_id")?,
                    kind: r.try_get("kind")?,
                    platform_id: r.try_get("platform_id")?,
                    parent_id: r.try_get("parent_id")?,
                    author_handle: r.try_get("author_handle")?,
                    author_name: r.try_get("author_name")?,
                    body: r.try_get("body")?,
                    url: r.try_get("url")?,
                    created_at: ts(r, "created_at")?,
                    captured_at: ts(r, "captured_at")?,
                    record_seq: r.try_get("record_seq")?,
                    state: r.try_get("state")?,
                    audience: r.try_get("audience")?,
                    decision: r.try_get("decision")?,
                    versions: r.try_get("versions")?,
                    clauses: r
                        .try_get::<Option<String>, _>("assessment")?
                        .and_then(|a| serde_json::from_str::<serde_json::Value>(&a).ok())
                        .and_then(|a| {
                            a.get("clauses").and_then(|c| c.as_array()).map(|c| {
                                c.iter()
                                    .filter_map(|x| x.get("clause").and_then(|v| v.as_str()))
                                    .map(str::to_string)
                                    .collect()
                            })
                        })
                        .unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Counts of posts and comments per site: (site_id, posts, comments).
    pub async fn content_counts(&self) -> Result<Vec<(i64, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT site_id, SUM(CASE WHEN kind = 'post' THEN 1 ELSE 0 END) AS posts, SUM(CASE WHEN kind = 'comment' THEN 1 ELSE 0 END) AS comments \
             FROM content_items GROUP BY site_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("site_id")?,
                    r.try_get("posts")?,
                    r.try_get("comments")?,
                ))
            })
            .collect()
    }
}
