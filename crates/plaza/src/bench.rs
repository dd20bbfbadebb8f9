//! `plaza bench record`: append and verify rates of the record on SQLite and, when a
//! PostgreSQL URL is given, on PostgreSQL. Prints figures; asserts nothing.

use anyhow::Result;
use plaza_core::checkpoint::SigningKey;
use plaza_core::record::NewRecord;
use plaza_core::{Clock, SystemClock};
use plaza_store::Store;
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

/// Runs the record benchmark on one database URL.
pub async fn record(label: &str, url: &str, count: usize, batch: usize) -> Result<()> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = Store::open(url, clock).await?;
    let key = SigningKey::from_seed(&[7u8; 32]);
    let mut tx = store.begin_write().await?;
    tx.set_setting("origin", "bench").await?;
    tx.load_policy("system:bench", plaza_core::policy::DEFAULT_POLICY)
        .await?;
    tx.commit().await?;
    let start = Instant::now();
    let mut done = 0;
    while done < count {
        let n = batch.min(count - done);
        let recs: Vec<NewRecord> = (0..n)
            .map(|i| {
                let k = done + i;
                NewRecord::new(
                    "system:capture",
                    "capture.comment",
                    format!("site:{}", k % 7),
                    json!({"platform_id": format!("at://did:plc:bench/app.bsky.feed.post/{k:012}"), "author_handle": format!("resident{}.bsky.social", k % 997),
                           "text": "When will the Oak Street repairs be finished? The detour adds twenty minutes to my commute.", "created_at": 1_790_000_000_000i64 + k as i64}),
                )
            })
            .collect();
        store.append(&recs).await?;
        done += n;
    }
    let append_s = start.elapsed().as_secs_f64();
    let t = Instant::now();
    store.make_checkpoint(&key).await?;
    let cp_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let summary = store
        .verify(key.public_key())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let verify_s = t.elapsed().as_secs_f64();
    println!(
        "{label}: append {count} records in batches of {batch}: {:.0} records/s ({append_s:.2} s); checkpoint {cp_s:.2} s; verify {} records: {:.0} records/s ({verify_s:.2} s)",
        count as f64 / append_s,
        summary.records,
        summary.records as f64 / verify_s
    );
    store.close().await;
    Ok(())
}

/// `plaza bench ingest`: comments per second end to end (parse the platform payload, classify,
/// record, index) into a fresh instance at `data` (on `database_url` if given).
pub async fn ingest(
    label: &str,
    data: &std::path::Path,
    database_url: Option<String>,
    count: usize,
    thread: usize,
) -> Result<()> {
    use crate::capture::{ACTOR, assess};
    let spec = crate::instance::InitSpec {
        policy_text: plaza_core::policy::DEFAULT_POLICY.to_string(),
        origin: "bench".into(),
        admin_name: "Bench Operator".into(),
        admin_title: "Public Information Officer".into(),
        admin_email: "bench@ci.claremont.ca.us".into(),
        admin_department: "Communications".into(),
        admin_roles: "pio".into(),
        admin_password: "benchmark password".into(),
        database_url,
    };
    let (store, _, admin) = crate::instance::init(data, &spec).await?;
    let site = plaza_core::sites::NewSite::parse(
        "Bench",
        "mastodon",
        "city@bench.example",
        "https://bench.example/@city",
        "Communications",
        "social@ci.claremont.ca.us",
        "benchmark",
        &["ci.claremont.ca.us".to_string()],
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tx = store.begin_write().await?;
    let site_id = tx.register_existing_site(admin, &site, "benchmark").await?;
    tx.commit().await?;
    let site = store.site(site_id).await?;
    let mut engine = crate::ops::engine_for(&store).await?;
    // Realistic threads as Mastodon serves them, serialised before the clock starts.
    let corpus = crate::moderate::bench_corpus(count.max(1));
    let threads: Vec<(String, Vec<u8>)> = corpus
        .chunks(thread.max(1))
        .enumerate()
        .map(|(t, chunk)| {
            let root = format!("{}", 10_000 + t);
            let d: Vec<serde_json::Value> = chunk
                .iter()
                .enumerate()
                .map(|(i, text)| {
                    let id = format!("{root}{i:06}");
                    json!({"id": id, "created_at": "2026-11-20T17:05:00.000Z", "in_reply_to_id": root,
                           "uri": format!("https://bench.example/s/{id}"), "url": format!("https://bench.example/@r/{id}"),
                           "content": format!("<p>{}</p>", text.replace('&', "&amp;").replace('<', "&lt;")),
                           "account": {"id": format!("{}", i % 997), "username": format!("resident{}", i % 997),
                                       "acct": format!("resident{}@town.example", i % 997), "display_name": "A Resident"},
                           "replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "media_attachments": []})
                })
                .collect();
            let body = serde_json::to_vec(&json!({"ancestors": [], "descendants": d}))
                .unwrap_or_default();
            (root, body)
        })
        .collect();
    // Capture pipelines as the engine does: the next thread is parsed and classified while
    // the previous one is written (one writer at a time, in order).
    let start = Instant::now();
    let mut stored = 0usize;
    let mut writing: Option<tokio::task::JoinHandle<Result<usize>>> = None;
    for (root, body) in &threads {
        let items = plaza_connect::mastodon::parse_context(body, root)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let captured = assess(&mut engine, &site, items, None);
        if let Some(w) = writing.take() {
            stored += w.await??;
        }
        let store = store.clone();
        writing = Some(tokio::spawn(async move {
            let mut tx = store.begin_write().await?;
            let n = tx
                .capture_items(ACTOR, site_id, &captured, plaza_store::Source::Live)
                .await?
                .len();
            tx.commit().await?;
            Ok(n)
        }));
    }
    if let Some(w) = writing.take() {
        stored += w.await??;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{label}: ingest {stored} comments in threads of {thread} (parse, classify, record, index): {:.0} comments/s ({secs:.2} s)",
        stored as f64 / secs
    );
    store.close().await;
    Ok(())
}
