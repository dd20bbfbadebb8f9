//! `plaza import`: loads a platform export a city already has into a site's record.
//!
//! The whole file is checked first (`scan`), so malformed input stores nothing. Items are then
//! stored in batches, each batch in one transaction with the import's progress, so a killed
//! import resumes where it stopped; the file's SHA-256 identifies the import, so importing the
//! same file twice adds nothing, and storing by content hash means overlapping exports add
//! only what is new.

use crate::capture::{ACTOR, assess};
use anyhow::{Context, Result, anyhow, bail};
use plaza_connect::import::{self, Format};
use plaza_core::capture::Item;
use plaza_moderation::engine::Engine;
use plaza_store::{Captured, Outcome, Source, Store};
use sha2::{Digest, Sha256};
use std::io::{IsTerminal, Read, Write};
use std::path::Path;

/// Items per transaction.
pub const BATCH: usize = 500;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub format: String,
    pub items: usize,
    pub new_items: i64,
    pub new_versions: i64,
    /// The file had been imported completely before: nothing was read.
    pub already: bool,
    /// Items skipped because an earlier, interrupted run stored them.
    pub resumed_from: usize,
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f
            .read(&mut buf)
            .with_context(|| format!("reading {}", path.display()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(plaza_core::hex(&h.finalize()))
}

/// Progress on standard error: a line that rewrites itself on a terminal, a line per batch
/// otherwise (so logs and tests can follow it).
struct Progress {
    tty: bool,
    total: usize,
}

impl Progress {
    fn show(&self, done: usize) {
        let pct = (done * 100).checked_div(self.total).unwrap_or(100).min(100);
        let mut err = std::io::stderr().lock();
        if self.tty {
            let width = 30;
            let filled = width * pct / 100;
            let _ = write!(
                err,
                "\r[{}{}] {done}/{} items ({pct}%)",
                "#".repeat(filled),
                " ".repeat(width - filled),
                self.total
            );
        } else {
            let _ = writeln!(err, "imported {done}/{} items", self.total);
        }
        let _ = err.flush();
    }

    fn finish(&self) {
        if self.tty {
            eprintln!();
        }
    }
}

/// Imports `path` into `site`.
pub async fn run(
    store: &Store,
    engine: &mut Engine,
    site_id: i64,
    path: &Path,
    format: Option<&str>,
) -> Result<Summary> {
    let site = store.site(site_id).await.map_err(|e| anyhow!("{e}"))?;
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path)
        .with_context(|| format!("opening {}", path.display()))?
        .read(&mut head)
        .with_context(|| format!("reading {}", path.display()))?;
    let format = match format {
        Some(f) => Format::parse(f).map_err(|e| anyhow!("{e}"))?,
        None => Format::detect(path, &head[..n]).ok_or_else(|| {
            anyhow!(
                "{}: cannot tell which export this is; give --format (bluesky-car, x-archive, facebook-page, mastodon-outbox)",
                path.display()
            )
        })?,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sha = sha256_file(path)?;
    // Check the whole file before storing anything.
    let total = import::scan(format, path).map_err(|e| anyhow!("{e}"))?;
    let mut tx = store.begin_write().await?;
    let row = tx
        .import_begin(ACTOR, site.id, format.as_str(), &sha, &name, total as i64)
        .await?;
    tx.commit().await?;
    let mut summary = Summary {
        format: format.as_str().to_string(),
        items: total,
        ..Summary::default()
    };
    if row.finished_at.is_some() {
        summary.already = true;
        return Ok(summary);
    }
    let skip = row.items_done.max(0) as usize;
    summary.resumed_from = skip;
    let progress = Progress {
        tty: std::io::stderr().is_terminal(),
        total,
    };
    // The reader is synchronous; batches go through a channel to this task, which stores
    // them in order.
    let (send, mut recv) = tokio::sync::mpsc::channel::<(usize, Vec<Item>)>(2);
    let reader_path = path.to_path_buf();
    let reader = tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(BATCH);
        let mut last = skip;
        let r = import::read(format, &reader_path, skip, &mut |i, item| {
            batch.push(item);
            last = i + 1;
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                if send.blocking_send((last, full)).is_err() {
                    return Err(import::ImportError::Io {
                        file: reader_path.display().to_string(),
                        reason: "the import stopped".into(),
                    });
                }
            }
            Ok(())
        });
        if !batch.is_empty() {
            let _ = send.blocking_send((last, batch));
        }
        r
    });
    while let Some((done, items)) = recv.recv().await {
        let captured: Vec<Captured> = assess(engine, &site, items, None);
        let mut tx = store.begin_write().await?;
        let outcomes = tx
            .capture_items(ACTOR, site.id, &captured, Source::Import)
            .await?;
        let new = outcomes.iter().filter(|o| **o == Outcome::New).count() as i64;
        let versions = outcomes.iter().filter(|o| **o == Outcome::Edited).count() as i64;
        tx.import_progress(row.id, done as i64, new, versions)
            .await?;
        tx.commit().await?;
        progress.show(done);
    }
    progress.finish();
    let read = reader
        .await
        .map_err(|e| anyhow!("the reader stopped: {e}"))?
        .map_err(|e| anyhow!("{e}"))?;
    if read != total {
        bail!(
            "{}: the file changed while it was imported ({total} items when checked, {read} when read)",
            path.display()
        );
    }
    let mut tx = store.begin_write().await?;
    let (new_items, new_versions) = tx.import_finish(ACTOR, &row).await?;
    tx.commit().await?;
    summary.new_items = new_items;
    summary.new_versions = new_versions;
    Ok(summary)
}
