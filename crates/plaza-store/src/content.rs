//! Captured posts and comments. The capture engine (issue 4) writes here through
//! [`WriteTx::insert_content`]; the demo seeds it the same way, so every item has its record.

use crate::{Result, Store, WriteTx, ts};
use plaza_core::Timestamp;
use plaza_core::record::{NewRecord, kinds};
use serde::Serialize;
use serde_json::json;
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
}

/// A post or comment as captured, before it is stored.
#[derive(Debug, Clone)]
pub struct NewContent {
    pub site_id: i64,
    pub kind: &'static str,
    pub platform_id: String,
    pub parent_id: Option<i64>,
    pub author_handle: String,
    pub author_name: String,
    pub body: String,
    pub url: String,
    pub created_at: Timestamp,
}

impl WriteTx {
    /// Stores a captured item with its record entry (B.19, B.23: time, date and user name).
    pub async fn insert_content(&mut self, actor: &str, c: &NewContent) -> Result<i64> {
        let kind = if c.kind == "post" {
            kinds::CAPTURE_POST
        } else {
            kinds::CAPTURE_COMMENT
        };
        let header = self
            .append(&[NewRecord::new(
                actor,
                kind,
                format!("site:{}", c.site_id),
                json!({"platform_id": c.platform_id, "author_handle": c.author_handle, "author_name": c.author_name,
                       "text": c.body, "url": c.url, "created_at": c.created_at, "parent_id": c.parent_id}),
            )])
            .await?;
        let seq = header.first().map(|h| h.seq).unwrap_or(0);
        let id: i64 = sqlx::query(
            "INSERT INTO content_items (site_id, kind, platform_id, parent_id, author_handle, author_name, body, url, created_at, captured_at, record_seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(c.site_id)
        .bind(c.kind)
        .bind(&c.platform_id)
        .bind(c.parent_id)
        .bind(&c.author_handle)
        .bind(&c.author_name)
        .bind(&c.body)
        .bind(&c.url)
        .bind(c.created_at.0)
        .bind(self.now().0)
        .bind(seq)
        .fetch_one(&mut *self.tx)
        .await?
        .try_get("id")?;
        Ok(id)
    }
}

impl Store {
    /// The latest items of a site, newest first.
    pub async fn content(&self, site: i64, limit: i64) -> Result<Vec<ContentItem>> {
        let rows = sqlx::query(
            "SELECT id, site_id, kind, platform_id, parent_id, author_handle, author_name, body, url, created_at, captured_at, record_seq \
             FROM content_items WHERE site_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
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
