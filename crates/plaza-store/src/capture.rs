//! Capture storage: each version of an item once, disappearances, runs, follower snapshots,
//! site endpoints and imports. Every change here has its record entry in the same transaction.

use crate::{Result, Store, WriteTx, ts};
use plaza_core::Timestamp;
use plaza_core::capture::{Follower, Gap, Gone, Item, ItemKind, Run};
use plaza_core::record::{NewRecord, kinds};
use plaza_core::sites::SiteState;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::HashMap;

/// Rows per multi-row statement (see `record::CHUNK`).
const CHUNK: usize = 25;
const ITEM_CHUNK: usize = 25;

/// What storing one captured item did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// First time seen: stored with its record entry.
    New,
    /// Seen before with other content (an edit, hidden or un-hidden): a new version.
    Edited,
    /// Seen before, same content: nothing recorded (counts refreshed).
    Unchanged,
}

/// An item to store, with the moderation engine's assessment for comments.
#[derive(Debug, Clone)]
pub struct Captured {
    pub item: Item,
    /// `(decision, full assessment as JSON)`.
    pub assessment: Option<(String, Value)>,
}

/// An item Plaza holds under a thread or a site, with its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub platform_id: String,
    pub kind: String,
    pub state: String,
    pub created_at: Timestamp,
}

/// Where a site is reached (the secret is a file in the data directory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointRow {
    pub site_id: i64,
    pub base_url: String,
    pub read_url: Option<String>,
    pub account: String,
    /// `hmac-sha256:` and the hex HMAC of the secret under the instance's fingerprint key
    /// (rows written before it existed hold the bare SHA-256).
    pub secret_fingerprint: String,
    pub credential_expires_at: Option<Timestamp>,
    pub updated_at: Timestamp,
}

/// A site's capture state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CaptureState {
    pub site_id: i64,
    pub account_id: Option<String>,
    pub last_attempt_at: Option<Timestamp>,
    pub last_success_at: Option<Timestamp>,
    pub last_error: Option<String>,
    pub last_error_code: Option<String>,
    pub failures: i64,
    pub followers_at: Option<Timestamp>,
}

/// The summary of one pass, for `capture_runs` and the record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    pub started_at: i64,
    pub posts_seen: i64,
    pub comments_seen: i64,
    pub new_items: i64,
    pub new_versions: i64,
    pub gone: i64,
    pub followers: Option<i64>,
    /// `(code, message)` when the pass failed.
    pub error: Option<(String, String)>,
}

fn item_payload(site: i64, item: &Item, hash: &str, assessment: Option<&Value>) -> Value {
    json!({
        "site_id": site,
        "platform_id": item.platform_id,
        "kind": item.kind.as_str(),
        "parent": item.parent,
        "root": item.root,
        "author": item.author,
        "text": item.text,
        "url": item.url,
        "created_at": item.created_at,
        "edited_at": item.edited_at,
        "media": item.media,
        "hidden": item.hidden,
        "audience": item.audience,
        "content_hash": hash,
        // The record keeps the decision and its grounds (clauses, scores, evidence) and what
        // judged it (the policy version and the model's SHA-256); the score of every signal
        // stays with the item in the database.
        "moderation": assessment.map(|a| json!({
            "decision": a.get("decision"),
            "clauses": a.get("clauses"),
            "escalate": a.get("escalate"),
            "policy_version": a.get("policy_version"),
            "model": a.get("model"),
        })),
    })
}

struct Existing {
    hash: String,
    versions: i64,
    state: String,
    counts: (i64, i64, i64),
    seen_live: bool,
    audience: String,
}

/// Where captured items come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The platform's API, listing what is there now: new items, new versions, and (through
    /// `seen_live`) the items whose later absence means they are gone.
    Live,
    /// An export: adds what Plaza does not hold yet, never a new version of an item it holds
    /// (an export is older than, or as old as, what the API shows).
    Import,
}

impl WriteTx {
    /// Stores captured items: each version once, by content hash. New items and new versions
    /// get their record entries (with the moderation assessment); unchanged ones only refresh
    /// their counts. Returns one outcome per item, in order.
    pub async fn capture_items(
        &mut self,
        actor: &str,
        site: i64,
        items: &[Captured],
        source: Source,
    ) -> Result<Vec<Outcome>> {
        let now = self.now().0;
        let mut existing: HashMap<String, Existing> = HashMap::new();
        let ids: Vec<&str> = items.iter().map(|c| c.item.platform_id.as_str()).collect();
        for chunk in ids.chunks(200) {
            let sql = format!(
                "SELECT platform_id, content_hash, versions, state, likes, reposts, replies, seen_live, audience FROM content_items \
                 WHERE site_id = {} AND platform_id IN {}",
                self.param(1),
                self.row_placeholders(2, chunk.len())
            );
            // Not a kept prepared statement: PostgreSQL would keep a generic plan made while
            // the table was empty (a sequential scan) and go on using it as the table grows,
            // which made capture quadratic. Unnamed, it is planned for the table as it is.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .persistent(false)
                .bind(site);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&mut *self.tx).await? {
                existing.insert(
                    r.try_get("platform_id")?,
                    Existing {
                        hash: r.try_get("content_hash")?,
                        versions: r.try_get("versions")?,
                        state: r.try_get("state")?,
                        counts: (
                            r.try_get("likes")?,
                            r.try_get("reposts")?,
                            r.try_get("replies")?,
                        ),
                        seen_live: r.try_get::<i64, _>("seen_live")? != 0,
                        audience: r.try_get("audience")?,
                    },
                );
            }
        }

        let mut outcomes = Vec::with_capacity(items.len());
        let mut records = Vec::new();
        // (index into items, hash, version, outcome)
        let mut writes: Vec<(usize, String, i64, Outcome)> = Vec::new();
        let mut count_updates: Vec<usize> = Vec::new();
        let mut audience_updates: Vec<usize> = Vec::new();
        let mut audience_records = Vec::new();
        let mut now_live: Vec<usize> = Vec::new();
        for (i, c) in items.iter().enumerate() {
            let item = &c.item;
            let hash = item.content_hash();
            let state = if item.hidden { "hidden" } else { "live" };
            let outcome = match existing.get(&item.platform_id) {
                None => Outcome::New,
                Some(_) if source == Source::Import => Outcome::Unchanged,
                Some(e) if e.hash == hash && (e.state == state) => Outcome::Unchanged,
                Some(_) => Outcome::Edited,
            };
            if source == Source::Live
                && existing
                    .get(&item.platform_id)
                    .is_some_and(|e| !e.seen_live)
            {
                now_live.push(i);
            }
            match outcome {
                Outcome::New => {
                    let kind = match item.kind {
                        ItemKind::Post => kinds::CAPTURE_POST,
                        ItemKind::Comment => kinds::CAPTURE_COMMENT,
                    };
                    records.push(NewRecord::new(
                        actor,
                        kind,
                        format!("site:{site}"),
                        item_payload(site, item, &hash, c.assessment.as_ref().map(|a| &a.1)),
                    ));
                    existing.insert(
                        item.platform_id.clone(),
                        Existing {
                            hash: hash.clone(),
                            versions: 1,
                            state: state.into(),
                            counts: (item.counts.likes, item.counts.reposts, item.counts.replies),
                            seen_live: source == Source::Live,
                            audience: item.audience.as_str().into(),
                        },
                    );
                    writes.push((i, hash, 1, outcome));
                }
                Outcome::Edited => {
                    let e = existing
                        .get_mut(&item.platform_id)
                        .ok_or_else(|| crate::StoreError::Setup("lost an existing item".into()))?;
                    let mut payload =
                        item_payload(site, item, &hash, c.assessment.as_ref().map(|a| &a.1));
                    payload["previous_hash"] = json!(e.hash);
                    payload["previous_state"] = json!(e.state);
                    payload["version"] = json!(e.versions + 1);
                    records.push(NewRecord::new(
                        actor,
                        kinds::CAPTURE_EDITED,
                        format!("site:{site}"),
                        payload,
                    ));
                    e.versions += 1;
                    e.hash = hash.clone();
                    e.state = state.into();
                    writes.push((i, hash, e.versions, outcome));
                }
                Outcome::Unchanged => {
                    let counts = (item.counts.likes, item.counts.reposts, item.counts.replies);
                    if source == Source::Live
                        && existing.get(&item.platform_id).map(|e| e.counts) != Some(counts)
                    {
                        count_updates.push(i);
                    }
                }
            }
            // Who can see it is not part of a version; an item captured before Plaza read it
            // (stored as public) is corrected when seen again, live or in an export, with an
            // entry of its own, so the record says what the table says.
            if outcome == Outcome::Unchanged
                && let Some(e) = existing.get_mut(&item.platform_id)
                && e.audience != item.audience.as_str()
            {
                audience_records.push(NewRecord::new(
                    actor,
                    kinds::CAPTURE_AUDIENCE,
                    format!("site:{site}"),
                    json!({
                        "site_id": site,
                        "platform_id": item.platform_id,
                        "kind": item.kind.as_str(),
                        "from": e.audience,
                        "to": item.audience,
                    }),
                ));
                e.audience = item.audience.as_str().into();
                audience_updates.push(i);
            }
            outcomes.push(outcome);
        }

        let headers = self.append(&records).await?;
        let seqs: Vec<i64> = headers.iter().map(|h| h.seq).collect();

        // New items: one multi-row INSERT per chunk.
        let new: Vec<(usize, &String, i64)> = writes
            .iter()
            .zip(&seqs)
            .filter(|((_, _, _, o), _)| *o == Outcome::New)
            .map(|((i, h, _, _), seq)| (*i, h, *seq))
            .collect();
        for chunk in new.chunks(ITEM_CHUNK) {
            const COLS: usize = 23;
            let mut sql = String::from(
                "INSERT INTO content_items (site_id, kind, platform_id, author_handle, author_name, body, url, created_at, captured_at, record_seq, \
                 author_id, parent_platform_id, root_platform_id, content_hash, versions, state, likes, reposts, replies, decision, assessment, seen_live, audience) VALUES ",
            );
            for k in 0..chunk.len() {
                if k > 0 {
                    sql.push(',');
                }
                sql.push_str(&self.row_placeholders(k * COLS + 1, COLS));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (i, hash, seq) in chunk {
                let c = &items[*i];
                let it = &c.item;
                q = q
                    .bind(site)
                    .bind(it.kind.as_str())
                    .bind(it.platform_id.clone())
                    .bind(it.author.handle.clone())
                    .bind(it.author.name.clone())
                    .bind(it.text.clone())
                    .bind(it.url.clone())
                    .bind(it.created_at.0)
                    .bind(now)
                    .bind(*seq)
                    .bind(it.author.id.clone())
                    .bind(it.parent.clone())
                    .bind(it.root.clone())
                    .bind((*hash).clone())
                    .bind(1i64)
                    .bind(if it.hidden { "hidden" } else { "live" })
                    .bind(it.counts.likes)
                    .bind(it.counts.reposts)
                    .bind(it.counts.replies)
                    .bind(c.assessment.as_ref().map(|a| a.0.clone()))
                    .bind(c.assessment.as_ref().map(|a| a.1.to_string()))
                    .bind(i64::from(source == Source::Live))
                    .bind(it.audience.as_str());
            }
            q.execute(&mut *self.tx).await?;
        }
        // Edits: rare, one UPDATE each.
        for ((i, hash, version, o), seq) in writes.iter().zip(&seqs) {
            if *o != Outcome::Edited {
                continue;
            }
            let c = &items[*i];
            let it = &c.item;
            sqlx::query(
                "UPDATE content_items SET body = $1, content_hash = $2, versions = $3, state = $4, gone_at = NULL, \
                 author_handle = $5, author_name = $6, likes = $7, reposts = $8, replies = $9, \
                 decision = COALESCE($10, decision), assessment = COALESCE($11, assessment), \
                 kind = $12, author_id = $13, parent_platform_id = $14, root_platform_id = $15, url = $16, \
                 audience = $17 WHERE site_id = $18 AND platform_id = $19",
            )
            .bind(it.text.clone())
            .bind(hash.clone())
            .bind(*version)
            .bind(if it.hidden { "hidden" } else { "live" })
            .bind(it.author.handle.clone())
            .bind(it.author.name.clone())
            .bind(it.counts.likes)
            .bind(it.counts.reposts)
            .bind(it.counts.replies)
            .bind(c.assessment.as_ref().map(|a| a.0.clone()))
            .bind(c.assessment.as_ref().map(|a| a.1.to_string()))
            .bind(it.kind.as_str())
            .bind(it.author.id.clone())
            .bind(it.parent.clone())
            .bind(it.root.clone())
            .bind(it.url.clone())
            .bind(it.audience.as_str())
            .bind(site)
            .bind(it.platform_id.clone())
            .execute(&mut *self.tx)
            .await?;
            let _ = seq;
        }
        // Every version, once (its text is in its record entry).
        let versions: Vec<(usize, &String, i64, i64)> = writes
            .iter()
            .zip(&seqs)
            .map(|((i, h, v, _), seq)| (*i, h, *v, *seq))
            .collect();
        for chunk in versions.chunks(CHUNK) {
            let mut sql = String::from(
                "INSERT INTO content_versions (site_id, platform_id, version, content_hash, captured_at, record_seq) VALUES ",
            );
            for k in 0..chunk.len() {
                if k > 0 {
                    sql.push(',');
                }
                sql.push_str(&self.row_placeholders(k * 6 + 1, 6));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (i, hash, version, seq) in chunk {
                q = q
                    .bind(site)
                    .bind(items[*i].item.platform_id.clone())
                    .bind(*version)
                    .bind((*hash).clone())
                    .bind(now)
                    .bind(*seq);
            }
            q.execute(&mut *self.tx).await?;
        }
        for i in now_live {
            sqlx::query(
                "UPDATE content_items SET seen_live = 1 WHERE site_id = $1 AND platform_id = $2",
            )
            .bind(site)
            .bind(items[i].item.platform_id.clone())
            .execute(&mut *self.tx)
            .await?;
        }
        for i in count_updates {
            let it = &items[i].item;
            sqlx::query(
                "UPDATE content_items SET likes = $1, reposts = $2, replies = $3 WHERE site_id = $4 AND platform_id = $5",
            )
            .bind(it.counts.likes)
            .bind(it.counts.reposts)
            .bind(it.counts.replies)
            .bind(site)
            .bind(it.platform_id.clone())
            .execute(&mut *self.tx)
            .await?;
        }
        if !audience_records.is_empty() {
            self.append(&audience_records).await?;
        }
        for i in audience_updates {
            let it = &items[i].item;
            sqlx::query(
                "UPDATE content_items SET audience = $1 WHERE site_id = $2 AND platform_id = $3",
            )
            .bind(it.audience.as_str())
            .bind(site)
            .bind(it.platform_id.clone())
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(outcomes)
    }

    /// Records that an item Plaza holds is no longer on the platform, and why (B.23: the
    /// original, its time, date and user name stay in the record).
    pub async fn mark_gone(
        &mut self,
        actor: &str,
        site: i64,
        platform_id: &str,
        why: Gone,
    ) -> Result<bool> {
        let row = sqlx::query(
            "SELECT kind, author_id, author_handle, author_name, content_hash, created_at, record_seq FROM content_items \
             WHERE site_id = $1 AND platform_id = $2 AND state IN ('live', 'hidden')",
        )
        .bind(site)
        .bind(platform_id)
        .fetch_optional(&mut *self.tx)
        .await?
        ;
        // Already gone (a concurrent pass recorded it): nothing to record twice.
        let Some(row) = row else { return Ok(false) };
        let payload = json!({
            "site_id": site,
            "platform_id": platform_id,
            "kind": row.try_get::<String, _>("kind")?,
            "by": why.as_str(),
            "author": {"id": row.try_get::<String, _>("author_id")?, "handle": row.try_get::<String, _>("author_handle")?,
                       "name": row.try_get::<String, _>("author_name")?},
            "created_at": row.try_get::<i64, _>("created_at")?,
            "last_hash": row.try_get::<String, _>("content_hash")?,
            "first_record": row.try_get::<i64, _>("record_seq")?,
        });
        self.append(&[NewRecord::new(
            actor,
            kinds::CAPTURE_GONE,
            format!("site:{site}"),
            payload,
        )])
        .await?;
        sqlx::query(
            "UPDATE content_items SET state = $1, gone_at = $2 WHERE site_id = $3 AND platform_id = $4",
        )
        .bind(why.as_str())
        .bind(self.now().0)
        .bind(site)
        .bind(platform_id)
        .execute(&mut *self.tx)
        .await?;
        Ok(true)
    }

    /// Sets where a site is reached. The credential's keyed fingerprint (computed by the
    /// caller, who holds the instance's fingerprint key) goes into the database and the record,
    /// so that a changed credential is visible; the secret itself never does.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_endpoint(
        &mut self,
        actor: &str,
        site: i64,
        base_url: &str,
        read_url: Option<&str>,
        account: &str,
        secret_fingerprint: &str,
        credential_expires_at: Option<Timestamp>,
    ) -> Result<()> {
        let now = self.now().0;
        sqlx::query("DELETE FROM site_endpoints WHERE site_id = $1")
            .bind(site)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query(
            "INSERT INTO site_endpoints (site_id, base_url, read_url, account, secret_fingerprint, credential_expires_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(site)
        .bind(base_url)
        .bind(read_url)
        .bind(account)
        .bind(secret_fingerprint)
        .bind(credential_expires_at.map(|t| t.0))
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        self.append(&[NewRecord::new(
            actor,
            kinds::SITE_ENDPOINT_SET,
            format!("site:{site}"),
            json!({"base_url": base_url, "read_url": read_url, "account": account,
                   "secret_fingerprint": secret_fingerprint, "credential_expires_at": credential_expires_at}),
        )])
        .await?;
        Ok(())
    }

    /// Ends a pass: its row in `capture_runs`, the site's state, and one record entry.
    pub async fn finish_run(&mut self, actor: &str, site: i64, run: &RunSummary) -> Result<()> {
        let now = self.now().0;
        let ok = run.error.is_none();
        let kind = if ok {
            kinds::CAPTURE_RUN
        } else {
            kinds::CAPTURE_FAILED
        };
        let headers = self
            .append(&[NewRecord::new(
                actor,
                kind,
                format!("site:{site}"),
                json!(run),
            )])
            .await?;
        let seq = headers.first().map(|h| h.seq).unwrap_or(0);
        sqlx::query(
            "INSERT INTO capture_runs (site_id, started_at, finished_at, ok, new_items, new_versions, gone, error, record_seq) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(site)
        .bind(run.started_at)
        .bind(now)
        .bind(i64::from(ok))
        .bind(run.new_items)
        .bind(run.new_versions)
        .bind(run.gone)
        .bind(run.error.as_ref().map(|e| e.1.clone()))
        .bind(seq)
        .execute(&mut *self.tx)
        .await?;
        let prev = sqlx::query("SELECT failures FROM capture_state WHERE site_id = $1")
            .bind(site)
            .fetch_optional(&mut *self.tx)
            .await?;
        if prev.is_none() {
            sqlx::query("INSERT INTO capture_state (site_id, failures) VALUES ($1, 0)")
                .bind(site)
                .execute(&mut *self.tx)
                .await?;
        }
        match &run.error {
            None => {
                sqlx::query(
                    "UPDATE capture_state SET last_attempt_at = $1, last_success_at = $2, failures = 0, last_error = NULL, last_error_code = NULL \
                     WHERE site_id = $3",
                )
                .bind(now)
                .bind(run.started_at)
                .bind(site)
                .execute(&mut *self.tx)
                .await?;
            }
            Some((code, message)) => {
                sqlx::query(
                    "UPDATE capture_state SET last_attempt_at = $1, failures = failures + 1, last_error = $2, last_error_code = $3 \
                     WHERE site_id = $4",
                )
                .bind(now)
                .bind(message.clone())
                .bind(code.clone())
                .bind(site)
                .execute(&mut *self.tx)
                .await?;
            }
        }
        Ok(())
    }

    /// Snapshots the site's followers (B.19): the full list goes into the record.
    pub async fn snapshot_followers(
        &mut self,
        actor: &str,
        site: i64,
        followers: &[Follower],
    ) -> Result<()> {
        let mut sorted = followers.to_vec();
        sorted.sort();
        sorted.dedup();
        let mut h = Sha256::new();
        for f in &sorted {
            h.update(f.id.as_bytes());
            h.update([0]);
        }
        let digest = plaza_core::hex(&h.finalize());
        let headers = self
            .append(&[NewRecord::new(
                actor,
                kinds::CAPTURE_FOLLOWERS,
                format!("site:{site}"),
                json!({"count": sorted.len(), "digest": digest, "followers": sorted}),
            )])
            .await?;
        let seq = headers.first().map(|h| h.seq).unwrap_or(0);
        let now = self.now().0;
        sqlx::query(
            "INSERT INTO follower_snapshots (site_id, taken_at, count, digest, record_seq) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(site)
        .bind(now)
        .bind(sorted.len() as i64)
        .bind(&digest)
        .bind(seq)
        .execute(&mut *self.tx)
        .await?;
        let updated = sqlx::query("UPDATE capture_state SET followers_at = $1 WHERE site_id = $2")
            .bind(now)
            .bind(site)
            .execute(&mut *self.tx)
            .await?;
        if updated.rows_affected() == 0 {
            sqlx::query(
                "INSERT INTO capture_state (site_id, failures, followers_at) VALUES ($1, 0, $2)",
            )
            .bind(site)
            .bind(now)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }
}

impl Store {
    /// The items Plaza holds as present (live or hidden) under one thread.
    pub async fn known_comments(&self, site: i64, root: &str) -> Result<Vec<Known>> {
        let rows = sqlx::query(
            "SELECT platform_id, kind, state, created_at FROM content_items \
             WHERE site_id = $1 AND root_platform_id = $2 AND state IN ('live', 'hidden') AND seen_live = 1 ORDER BY created_at, id",
        )
        .persistent(false)
        .bind(site)
        .bind(root)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(known).collect()
    }

    /// The content hash Plaza holds for each of these items (absent: never captured).
    pub async fn content_hashes(&self, site: i64, ids: &[&str]) -> Result<HashMap<String, String>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(200) {
            let b = self.backend();
            let sql = format!(
                "SELECT platform_id, content_hash FROM content_items WHERE site_id = {} AND platform_id IN {}",
                b.param(1),
                b.row(2, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .persistent(false)
                .bind(site);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(self.pool()).await? {
                out.insert(r.try_get("platform_id")?, r.try_get("content_hash")?);
            }
        }
        Ok(out)
    }

    /// The site's own posts Plaza holds as present, created at or after `since`.
    pub async fn known_posts(&self, site: i64, since: Timestamp) -> Result<Vec<Known>> {
        let rows = sqlx::query(
            "SELECT platform_id, kind, state, created_at FROM content_items \
             WHERE site_id = $1 AND kind = 'post' AND created_at >= $2 AND state IN ('live', 'hidden') AND seen_live = 1 ORDER BY created_at DESC, id DESC",
        )
        .persistent(false)
        .bind(site)
        .bind(since.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(known).collect()
    }

    /// One captured item with its state, by platform id.
    pub async fn captured(&self, site: i64, platform_id: &str) -> Result<Option<CapturedRow>> {
        let row = sqlx::query(
            "SELECT platform_id, kind, author_handle, body, state, versions, decision, assessment, record_seq, likes, replies, audience \
             FROM content_items WHERE site_id = $1 AND platform_id = $2",
        )
        .bind(site)
        .bind(platform_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(CapturedRow {
                platform_id: r.try_get("platform_id")?,
                kind: r.try_get("kind")?,
                author_handle: r.try_get("author_handle")?,
                body: r.try_get("body")?,
                state: r.try_get("state")?,
                versions: r.try_get("versions")?,
                decision: r.try_get("decision")?,
                assessment: r.try_get("assessment")?,
                record_seq: r.try_get("record_seq")?,
                likes: r.try_get("likes")?,
                replies: r.try_get("replies")?,
                audience: r.try_get("audience")?,
            })
        })
        .transpose()
    }

    /// Counts of content versions for a site (for tests and the status page).
    pub async fn version_count(&self, site: i64) -> Result<i64> {
        Ok(
            sqlx::query("SELECT COUNT(*) AS n FROM content_versions WHERE site_id = $1")
                .bind(site)
                .fetch_one(self.pool())
                .await?
                .try_get("n")?,
        )
    }

    /// Where a site is reached, if it has been set.
    pub async fn endpoint(&self, site: i64) -> Result<Option<EndpointRow>> {
        let row = sqlx::query(
            "SELECT site_id, base_url, read_url, account, secret_fingerprint, credential_expires_at, updated_at FROM site_endpoints WHERE site_id = $1",
        )
        .bind(site)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(EndpointRow {
                site_id: r.try_get("site_id")?,
                base_url: r.try_get("base_url")?,
                read_url: r.try_get("read_url")?,
                account: r.try_get("account")?,
                secret_fingerprint: r.try_get("secret_fingerprint")?,
                credential_expires_at: r
                    .try_get::<Option<i64>, _>("credential_expires_at")?
                    .map(Timestamp),
                updated_at: ts(&r, "updated_at")?,
            })
        })
        .transpose()
    }

    /// A site's capture state (default when it was never captured).
    pub async fn capture_state(&self, site: i64) -> Result<CaptureState> {
        let row = sqlx::query(
            "SELECT site_id, account_id, last_attempt_at, last_success_at, last_error, last_error_code, failures, followers_at \
             FROM capture_state WHERE site_id = $1",
        )
        .bind(site)
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = row else {
            return Ok(CaptureState {
                site_id: site,
                ..CaptureState::default()
            });
        };
        let opt = |c: &str| -> Result<Option<Timestamp>> {
            Ok(r.try_get::<Option<i64>, _>(c)?.map(Timestamp))
        };
        Ok(CaptureState {
            site_id: r.try_get("site_id")?,
            account_id: r.try_get("account_id")?,
            last_attempt_at: opt("last_attempt_at")?,
            last_success_at: opt("last_success_at")?,
            last_error: r.try_get("last_error")?,
            last_error_code: r.try_get("last_error_code")?,
            failures: r.try_get("failures")?,
            followers_at: opt("followers_at")?,
        })
    }

    /// A site's passes since a time, for the gap report.
    pub async fn capture_runs(&self, site: i64, since: Timestamp) -> Result<Vec<Run>> {
        let rows = sqlx::query(
            "SELECT started_at, finished_at, ok FROM capture_runs WHERE site_id = $1 AND started_at >= $2 ORDER BY started_at, id",
        )
        .bind(site)
        .bind(since.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Run {
                    started_at: ts(r, "started_at")?,
                    finished_at: ts(r, "finished_at")?,
                    ok: r.try_get::<i64, _>("ok")? != 0,
                })
            })
            .collect()
    }

    /// The latest follower snapshot of a site: (taken_at, count, digest).
    pub async fn latest_followers(&self, site: i64) -> Result<Option<(Timestamp, i64, String)>> {
        let row = sqlx::query(
            "SELECT taken_at, count, digest FROM follower_snapshots WHERE site_id = $1 ORDER BY taken_at DESC, id DESC LIMIT 1",
        )
        .bind(site)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok((
                ts(&r, "taken_at")?,
                r.try_get("count")?,
                r.try_get("digest")?,
            ))
        })
        .transpose()
    }
}

/// A captured item as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CapturedRow {
    pub platform_id: String,
    pub kind: String,
    pub author_handle: String,
    pub body: String,
    pub state: String,
    pub versions: i64,
    pub decision: Option<String>,
    pub assessment: Option<String>,
    pub record_seq: i64,
    pub likes: i64,
    pub replies: i64,
    /// `public`, `followers` or `mentioned` (see `plaza_core::capture::Audience`).
    pub audience: String,
}

fn known(r: &sqlx::any::AnyRow) -> Result<Known> {
    Ok(Known {
        platform_id: r.try_get("platform_id")?,
        kind: r.try_get("kind")?,
        state: r.try_get("state")?,
        created_at: ts(r, "created_at")?,
    })
}

/// The continuity of one site, for `plaza status` and the dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct Continuity {
    pub site_id: i64,
    pub site: String,
    pub platform: String,
    pub connected: bool,
    pub last_success_at: Option<Timestamp>,
    pub last_error: Option<String>,
    pub failures: i64,
    pub credential_expires_at: Option<Timestamp>,
    pub gaps: Vec<Gap>,
    /// What needs a person's attention, worst first; empty when all is well.
    pub warnings: Vec<String>,
}

impl Store {
    /// The continuity of every active site: last success, failures, gaps (no success within
    /// `max_interval_ms`, or failed passes), and warnings for a person: not connected,
    /// failing, credential expired or expiring within `warn_before_ms`.
    ///
    /// `history` limits the gap report to passes since then (the dashboard looks at the last
    /// weeks on every page view); `None` reports from the first capture on.
    pub async fn continuity(
        &self,
        max_interval_ms: i64,
        warn_before_ms: i64,
        history: Option<Timestamp>,
    ) -> Result<Vec<Continuity>> {
        let store = self;
        let now = store.now();
        let mut out = Vec::new();
        for site in store.sites().await? {
            if site.state != SiteState::Active {
                continue;
            }
            let endpoint = store.endpoint(site.id).await?;
            let state = store.capture_state(site.id).await?;
            let mut warnings = Vec::new();
            let (gaps, expires) = match &endpoint {
                None => {
                    warnings.push(format!(
                        "not connected: nothing on this site is being captured into the record \
                         (connect it with `plaza site connect {} --secret-file FILE`)",
                        site.id
                    ));
                    (vec![], None)
                }
                Some(ep) => {
                    // Continuity since the site was first captured (or connected, if never),
                    // or since the start of the history asked for.
                    let from = history.unwrap_or(Timestamp(i64::MIN));
                    let runs = store.capture_runs(site.id, from).await?;
                    let since = runs
                        .first()
                        .map(|r| r.started_at.min(ep.updated_at))
                        .unwrap_or(ep.updated_at)
                        .max(from);
                    let gaps = plaza_core::capture::gaps(&runs, since, max_interval_ms, now);
                    (gaps, ep.credential_expires_at)
                }
            };
            if let Some(e) = &state.last_error
                && state.failures > 0
            {
                warnings.push(format!(
                    "capture failing ({} in a row): {e}",
                    state.failures
                ));
            }
            if let Some(exp) = expires {
                if exp <= now {
                    warnings.push(format!("credential expired on {}", exp.human()));
                } else if exp.0 - now.0 <= warn_before_ms {
                    warnings.push(format!("credential expires on {}: renew it", exp.human()));
                }
            }
            // connected before credentials were named by a keyed fingerprint: the bare hash
            // of this secret is in the public record, so the secret should be replaced
            if let Some(ep) = &endpoint
                && !ep.secret_fingerprint.starts_with("hmac-sha256:")
            {
                warnings.push(format!(
                    "the credential was connected before keyed fingerprints and its bare hash \
                     is in the public record: replace it (a new app password or token, then \
                     `plaza site connect {} --secret-file FILE`)",
                    site.id
                ));
            }
            if let Some(open) = gaps.iter().find(|g| g.to.is_none())
                && state.failures == 0
                && endpoint.is_some()
            {
                warnings.push(format!("no successful capture since {}", open.from.human()));
            }
            out.push(Continuity {
                site_id: site.id,
                site: site.name.clone(),
                platform: site.platform.as_str().to_string(),
                connected: endpoint.is_some(),
                last_success_at: state.last_success_at,
                last_error: state.last_error.clone(),
                failures: state.failures,
                credential_expires_at: expires,
                gaps,
                warnings,
            });
        }
        Ok(out)
    }
}

/// An import of a platform export: resumable (`items_done`) and idempotent (one per file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRow {
    pub id: i64,
    pub site_id: i64,
    pub format: String,
    pub source_sha256: String,
    pub file_name: String,
    pub items_total: i64,
    pub items_done: i64,
    pub finished_at: Option<Timestamp>,
}

impl WriteTx {
    /// The import of this file into this site: the existing one (to resume, or to report as
    /// done), or a new one recorded as `import.started`.
    pub async fn import_begin(
        &mut self,
        actor: &str,
        site: i64,
        format: &str,
        sha256: &str,
        file_name: &str,
        total: i64,
    ) -> Result<ImportRow> {
        if let Some(row) = import_row(&mut self.tx, site, sha256).await? {
            return Ok(row);
        }
        let now = self.now().0;
        sqlx::query(
            "INSERT INTO imports (site_id, format, source_sha256, file_name, items_total, items_done, started_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6)",
        )
        .bind(site)
        .bind(format)
        .bind(sha256)
        .bind(file_name)
        .bind(total)
        .bind(now)
        .execute(&mut *self.tx)
        .await?;
        self.append(&[NewRecord::new(
            actor,
            kinds::IMPORT_STARTED,
            format!("site:{site}"),
            json!({"format": format, "source_sha256": sha256, "file_name": file_name, "items": total}),
        )])
        .await?;
        import_row(&mut self.tx, site, sha256)
            .await?
            .ok_or_else(|| crate::StoreError::Setup("the import row vanished".into()))
    }

    /// Notes how many items of an import are stored, and what they added (in the same
    /// transaction as the items, so a resumed import still reports its whole effect).
    pub async fn import_progress(
        &mut self,
        id: i64,
        done: i64,
        new_items: i64,
        new_versions: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE imports SET items_done = $1, new_items = new_items + $2, new_versions = new_versions + $3 WHERE id = $4",
        )
        .bind(done)
        .bind(new_items)
        .bind(new_versions)
        .bind(id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Ends an import: `import.completed` with what it added over all its runs. Returns
    /// `(new_items, new_versions)`.
    pub async fn import_finish(&mut self, actor: &str, row: &ImportRow) -> Result<(i64, i64)> {
        let totals = sqlx::query("SELECT new_items, new_versions FROM imports WHERE id = $1")
            .bind(row.id)
            .fetch_one(&mut *self.tx)
            .await?;
        let new_items: i64 = totals.try_get("new_items")?;
        let new_versions: i64 = totals.try_get("new_versions")?;
        sqlx::query("UPDATE imports SET finished_at = $1, items_done = items_total WHERE id = $2")
            .bind(self.now().0)
            .bind(row.id)
            .execute(&mut *self.tx)
            .await?;
        self.append(&[NewRecord::new(
            actor,
            kinds::IMPORT_COMPLETED,
            format!("site:{}", row.site_id),
            json!({"format": row.format, "source_sha256": row.source_sha256, "file_name": row.file_name,
                   "items": row.items_total, "new_items": new_items, "new_versions": new_versions}),
        )])
        .await?;
        Ok((new_items, new_versions))
    }
}

async fn import_row(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    site: i64,
    sha256: &str,
) -> Result<Option<ImportRow>> {
    let row = sqlx::query(
        "SELECT id, site_id, format, source_sha256, file_name, items_total, items_done, finished_at FROM imports \
         WHERE site_id = $1 AND source_sha256 = $2",
    )
    .bind(site)
    .bind(sha256)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| {
        Ok(ImportRow {
            id: r.try_get("id")?,
            site_id: r.try_get("site_id")?,
            format: r.try_get("format")?,
            source_sha256: r.try_get("source_sha256")?,
            file_name: r.try_get("file_name")?,
            items_total: r.try_get("items_total")?,
            items_done: r.try_get("items_done")?,
            finished_at: r.try_get::<Option<i64>, _>("finished_at")?.map(Timestamp),
        })
    })
    .transpose()
}
