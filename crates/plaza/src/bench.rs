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
