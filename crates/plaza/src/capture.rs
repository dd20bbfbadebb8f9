//! The capture engine: one pass over a site reads its posts within the watch window, every
//! thread under them and (daily) its followers; stores each new version once, classifies each
//! new comment, records what disappeared, and ends with a run entry in the record.
//!
//! Crash safety: each thread is one transaction (its new items, their record entries and the
//! disappearances under it commit together), and storing is idempotent by content hash, so a
//! pass killed at any point and run again adds exactly what was missing.

use anyhow::{Context, Result, anyhow, bail};
use plaza_connect::bluesky::Bluesky;
use plaza_connect::facebook::Facebook;
use plaza_connect::instagram::Instagram;
use plaza_connect::mastodon::Mastodon;
use plaza_connect::x::X;
use plaza_connect::youtube::YouTube;
use plaza_connect::{Connector, Endpoint};
use plaza_core::Timestamp;
use plaza_core::capture::{Capability, Gone, Item, ItemKind};
use plaza_core::sites::{Platform, SiteState};
use plaza_moderation::engine::{Comment, Engine};
use plaza_store::{Captured, Continuity, Outcome, RunSummary, Site, Source, Store};
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The actor capture writes as.
pub const ACTOR: &str = "system:capture";

/// How a pass behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Posts younger than this are re-read every pass (new comments, edits, deletions).
    pub window_ms: i64,
    /// Follower lists are snapshotted when the last one is older than this (B.19: daily).
    pub followers_every_ms: i64,
    /// The schedule: a pass every this often. Twice this without a success is a gap.
    pub interval_ms: i64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            window_ms: 30 * Timestamp::DAY_MS,
            followers_every_ms: Timestamp::DAY_MS,
            interval_ms: plaza_core::capture::PASS_INTERVAL_MS,
        }
    }
}

/// What a pass did, for the CLI and the server log.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub site_id: i64,
    pub site: String,
    pub platform: String,
    pub summary: RunSummary,
}

/// The file holding a site's secret.
pub fn secret_path(data: &Path, site: i64) -> PathBuf {
    data.join("secrets").join(format!("site-{site}.secret"))
}

/// Writes a site's secret, readable by the owner only.
pub fn write_secret(data: &Path, site: i64, secret: &str) -> Result<()> {
    let path = secret_path(data, site);
    let dir = path
        .parent()
        .ok_or_else(|| anyhow!("no secrets directory"))?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = path.with_extension("tmp");
    crate::instance::write_secret(&tmp, secret)?;
    std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The endpoint of a site, with its secret from the data directory.
pub async fn endpoint(store: &Store, data: &Path, site: &Site) -> Result<Endpoint> {
    let row = store.endpoint(site.id).await?.ok_or_else(|| {
        anyhow!(
            "site {} ({}) has no connection yet: run `plaza site connect` or `plaza site add`",
            site.id,
            site.name
        )
    })?;
    let path = secret_path(data, site.id);
    let secret = std::fs::read_to_string(&path)
        .with_context(|| format!("reading the credential {}", path.display()))?
        .trim()
        .to_string();
    Ok(Endpoint {
        base_url: row.base_url,
        read_url: row.read_url,
        account: row.account,
        secret,
    })
}

/// Runs one pass over every active site with a connection (or one site), in order.
pub async fn capture_all(
    store: &Store,
    data: &Path,
    engine: &mut Engine,
    only: Option<i64>,
    opts: &Options,
) -> Result<Vec<Report>> {
    let mut out = Vec::new();
    for site in store.sites().await? {
        if only.is_some_and(|id| id != site.id) {
            continue;
        }
        if site.state != SiteState::Active {
            if only.is_some() {
                bail!(
                    "site {} ({}) is {}, not active: only active sites are captured",
                    site.id,
                    site.name,
                    site.state.as_str()
                );
            }
            continue;
        }
        if store.endpoint(site.id).await?.is_none() {
            if only.is_some() {
                bail!("site {} ({}) has no connection yet", site.id, site.name);
            }
            continue;
        }
        // Our own database failing on one site must not stop the others.
        match capture_site(store, data, engine, &site, opts).await {
            Ok(r) => out.push(r),
            Err(e) => {
                tracing::error!(site = site.id, "capture stopped on a storage error: {e:#}");
                out.push(Report {
                    site_id: site.id,
                    site: site.name.clone(),
                    platform: site.platform.as_str().to_string(),
                    summary: RunSummary {
                        error: Some(("storage_error".into(), format!("{e:#}"))),
                        ..RunSummary::default()
                    },
                });
            }
        }
    }
    if let Some(id) = only
        && out.is_empty()
    {
        bail!("no site {id}");
    }
    Ok(out)
}

/// One pass over one site. A platform failure is not an error here: it is recorded as a failed
/// run (the gap report and the dashboard show it) and returned in the report.
pub async fn capture_site(
    store: &Store,
    data: &Path,
    engine: &mut Engine,
    site: &Site,
    opts: &Options,
) -> Result<Report> {
    let started = store.now();
    let endpoint = endpoint(store, data, site).await;
    let mut summary = RunSummary {
        started_at: started.0,
        ..RunSummary::default()
    };
    let result = match endpoint {
        Err(e) => Err(Failure::Config(format!("{e:#}"))),
        Ok(ep) => match site.platform {
            Platform::Bluesky => run_with(Bluesky::new(&ep), store, engine, site, opts, &mut summary, &ep.account).await,
            Platform::Mastodon => run_with(Mastodon::new(&ep), store, engine, site, opts, &mut summary, &ep.account).await,
            Platform::Facebook => run_with(Facebook::new(&ep), store, engine, site, opts, &mut summary, &ep.account).await,
            Platform::Instagram => run_with(Instagram::new(&ep), store, engine, site, opts, &mut summary, &ep.account).await,
            Platform::Youtube => run_with(YouTube::new(&ep), store, engine, site, opts, &mut summary, &ep.account).await,
            Platform::X => run_with(X::new(&ep), store, engine, site, opts, &mut summary, &ep.account).await,
            Platform::Linkedin => Err(Failure::Config(
                "LinkedIn offers no API to capture an organisation's page comments; import its exports or keep the manual checklist".into(),
            )),
        },
    };
    finish(store, site, result, summary).await
}

/// One pass over one site with a given connector (tests use their own).
pub async fn capture_with<C: Connector>(
    store: &Store,
    engine: &mut Engine,
    site: &Site,
    conn: &mut C,
    opts: &Options,
) -> Result<Report> {
    let mut summary = RunSummary {
        started_at: store.now().0,
        ..RunSummary::default()
    };
    let result = pass(store, engine, site, conn, opts, &mut summary, None).await;
    finish(store, site, result, summary).await
}

async fn finish(
    store: &Store,
    site: &Site,
    result: Result<(), Failure>,
    mut summary: RunSummary,
) -> Result<Report> {
    match result {
        Ok(()) => {}
        Err(Failure::Store(e)) => return Err(e),
        Err(Failure::Platform(e)) => summary.error = Some((e.code().to_string(), e.to_string())),
        Err(Failure::Config(m)) => summary.error = Some(("misconfigured".to_string(), m)),
    }
    let mut tx = store.begin_write().await?;
    tx.finish_run(ACTOR, site.id, &summary).await?;
    tx.commit().await?;
    Ok(Report {
        site_id: site.id,
        site: site.name.clone(),
        platform: site.platform.as_str().to_string(),
        summary,
    })
}

async fn run_with<C: Connector>(
    conn: plaza_connect::Result<C>,
    store: &Store,
    engine: &mut Engine,
    site: &Site,
    opts: &Options,
    summary: &mut RunSummary,
    account: &str,
) -> Result<(), Failure> {
    let mut c = conn?;
    pass(store, engine, site, &mut c, opts, summary, Some(account)).await
}

/// Whether a session is the account a site is configured for: its id, its handle, or (for
/// Mastodon's `user@instance`) the same user name.
pub fn same_account(configured: &str, session: &plaza_connect::Session) -> bool {
    let want = configured.trim().trim_start_matches('@').to_lowercase();
    let handle = session.handle.trim_start_matches('@').to_lowercase();
    let local = |h: &str| h.split('@').next().unwrap_or("").to_string();
    want == session.account_id.to_lowercase() || want == handle || local(&want) == local(&handle)
}

enum Failure {
    /// The platform failed: recorded as a failed run.
    Platform(plaza_connect::Error),
    /// The site is not set up right: recorded as a failed run.
    Config(String),
    /// Our own database failed: the pass stops and the error goes up.
    Store(anyhow::Error),
}

impl From<plaza_connect::Error> for Failure {
    fn from(e: plaza_connect::Error) -> Self {
        Failure::Platform(e)
    }
}

impl From<plaza_store::StoreError> for Failure {
    fn from(e: plaza_store::StoreError) -> Self {
        Failure::Store(e.into())
    }
}

/// Assesses comments with the moderation engine. Posts are the city's own words and are not
/// assessed here: the publishing checks do that before they go out.
pub fn assess(
    engine: &mut Engine,
    site: &Site,
    items: Vec<Item>,
    parent: Option<&str>,
) -> Vec<Captured> {
    assess_where(engine, site, items, parent, |_| true)
}

/// [`assess`], for the comments `fresh` selects only: a comment seen before is not observed
/// again (the engine's repeat and flood counters would count it every pass).
fn assess_where(
    engine: &mut Engine,
    site: &Site,
    items: Vec<Item>,
    parent: Option<&str>,
    fresh: impl Fn(&Item) -> bool,
) -> Vec<Captured> {
    items
        .into_iter()
        .map(|item| {
            let assessment = (item.kind == ItemKind::Comment && fresh(&item)).then(|| {
                let a = engine.assess(&Comment {
                    text: &item.text,
                    author: Some(&item.author.id),
                    site: Some(&site.handle),
                    thread: item.root.as_deref(),
                    parent_text: parent,
                    at_ms: Some(item.created_at.0),
                });
                stored_assessment(engine, &item.platform_id, &a)
            });
            Captured { item, assessment }
        })
        .collect()
}

/// An assessment as it is stored with a comment: its decision, and its JSON naming the policy
/// version that judged it (which a record entry written after a new version was loaded would
/// not otherwise tell) and the model that scored it (its SHA-256: a retrained model changes
/// decisions too, and a records request or a challenge to a removal must be able to say which
/// model judged a comment).
pub fn stored_assessment(
    engine: &Engine,
    platform_id: &str,
    a: &plaza_moderation::engine::Assessment,
) -> (String, serde_json::Value) {
    let mut json = crate::moderate::to_json(&serde_json::json!(platform_id), a);
    if let Some(o) = json.as_object_mut() {
        if let Some(v) = engine.policy_version() {
            o.insert("policy_version".into(), serde_json::json!(v));
        }
        if let Some(m) = engine.model_id() {
            o.insert("model".into(), serde_json::json!(m));
        }
    }
    (a.decision.as_str().to_string(), json)
}

fn count(summary: &mut RunSummary, outcomes: &[Outcome]) {
    for o in outcomes {
        match o {
            Outcome::New => summary.new_items += 1,
            Outcome::Edited => summary.new_versions += 1,
            Outcome::Unchanged => {}
        }
    }
}

/// Pages that repeat a cursor, or never end, are errors, not the end of a listing: a listing
/// cut short must never read as "the rest is gone".
const MAX_PAGES: usize = 10_000;

fn next_cursor(
    platform: &'static str,
    what: &str,
    seen: &mut HashSet<String>,
    next: Option<String>,
) -> Result<Option<String>, Failure> {
    match next {
        None => Ok(None),
        Some(n) if seen.insert(n.clone()) && seen.len() <= MAX_PAGES => Ok(Some(n)),
        Some(n) => Err(Failure::Platform(plaza_connect::Error::Payload {
            platform,
            endpoint: what.to_string(),
            reason: format!("the listing repeated the cursor {n:?} or did not end"),
        })),
    }
}

async fn pass<C: Connector>(
    store: &Store,
    engine: &mut Engine,
    site: &Site,
    conn: &mut C,
    opts: &Options,
    summary: &mut RunSummary,
    account: Option<&str>,
) -> Result<(), Failure> {
    let session = conn.connect().await?;
    // A valid credential for another account would capture that account as the city's.
    if let Some(want) = account
        && !same_account(want, &session)
    {
        return Err(Failure::Config(format!(
            "the credential signs in as {} ({}), not as the site's account {want}: connect the site with the city's own credential",
            session.handle, session.account_id
        )));
    }
    let platform = site.platform.label();
    let horizon = Timestamp(store.now().0 - opts.window_ms);

    // 1. The account's posts within the window, newest first.
    let mut posts = Vec::new();
    let mut cursor = None;
    let mut cursors = HashSet::new();
    loop {
        let page = conn.posts(cursor.take()).await?;
        let mut older = false;
        for p in page.items {
            if p.created_at < horizon {
                older = true;
            } else {
                posts.push(p);
            }
        }
        if older {
            break;
        }
        match next_cursor(platform, "posts", &mut cursors, page.next)? {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    summary.posts_seen = posts.len() as i64;
    let captured_posts = assess(engine, site, posts.clone(), None);
    let mut tx = store.begin_write().await?;
    let outcomes = tx
        .capture_items(ACTOR, site.id, &captured_posts, Source::Live)
        .await?;
    tx.commit().await?;
    count(summary, &outcomes);

    // 2. Posts Plaza has seen listed, from inside the window, that the listing (complete to
    // the end of the window, or this pass would have failed above) no longer shows: confirmed
    // one by one where the platform can say so.
    let listed: HashSet<&str> = posts.iter().map(|p| p.platform_id.as_str()).collect();
    let missing: Vec<String> = store
        .known_posts(site.id, horizon)
        .await?
        .into_iter()
        .filter(|k| !listed.contains(k.platform_id.as_str()))
        .map(|k| k.platform_id)
        .collect();
    if !missing.is_empty() {
        let gone = conn.confirm_gone(&missing).await?;
        let mut tx = store.begin_write().await?;
        for id in &gone {
            if tx
                .mark_gone(ACTOR, site.id, id, Gone::DeletedByAuthor)
                .await?
            {
                summary.gone += 1;
            }
        }
        tx.commit().await?;
    }

    // 3. Every thread: new comments and versions, then what disappeared, in one transaction.
    // A thread that fails does not stop the others; the pass is then recorded as failed.
    let mut thread_errors: Vec<plaza_connect::Error> = Vec::new();
    for post in &posts {
        match thread(store, engine, site, conn, post, summary).await {
            Ok(()) => {}
            Err(Failure::Platform(e)) => thread_errors.push(e),
            Err(other) => return Err(other),
        }
    }

    // 4. Followers, daily (B.19).
    if conn.capabilities().contains(&Capability::ReadFollowers) {
        let state = store.capture_state(site.id).await?;
        let due = state
            .followers_at
            .is_none_or(|t| store.now().0 - t.0 >= opts.followers_every_ms);
        if due {
            let mut all = Vec::new();
            let mut cursor = None;
            let mut cursors = HashSet::new();
            loop {
                let page = conn.followers(cursor.take()).await?;
                all.extend(page.items);
                match next_cursor(platform, "followers", &mut cursors, page.next)? {
                    Some(n) => cursor = Some(n),
                    None => break,
                }
            }
            summary.followers = Some(all.len() as i64);
            let mut tx = store.begin_write().await?;
            tx.snapshot_followers(ACTOR, site.id, &all).await?;
            tx.commit().await?;
        }
    }
    if let Some(first) = thread_errors.first() {
        return Err(Failure::Platform(plaza_connect::Error::Payload {
            platform,
            endpoint: "threads".into(),
            reason: format!(
                "{} of {} threads could not be read (the others were captured); the first: {first}",
                thread_errors.len(),
                posts.len()
            ),
        }));
    }
    Ok(())
}

/// One thread: its new comments and versions, and the comments that are gone, in one
/// transaction.
async fn thread<C: Connector>(
    store: &Store,
    engine: &mut Engine,
    site: &Site,
    conn: &mut C,
    post: &Item,
    summary: &mut RunSummary,
) -> Result<(), Failure> {
    let comments = conn.comments(post).await?;
    summary.comments_seen += comments.len() as i64;
    let seen: HashSet<String> = comments.iter().map(|c| c.platform_id.clone()).collect();
    let ids: Vec<&str> = comments.iter().map(|c| c.platform_id.as_str()).collect();
    let held = store.content_hashes(site.id, &ids).await?;
    let captured = assess_where(engine, site, comments, Some(&post.text), |c| {
        held.get(&c.platform_id) != Some(&c.content_hash())
    });
    // Where the platform lists only recent comments (X: 7 days), an older comment that is not
    // listed may still be there: only comments well inside the window can be judged.
    let judged_from = conn
        .comments_window_ms()
        .map(|w| store.now().0 - w + Timestamp::DAY_MS);
    let missing: Vec<String> = store
        .known_comments(site.id, &post.platform_id)
        .await?
        .into_iter()
        .filter(|k| judged_from.is_none_or(|from| k.created_at.0 >= from))
        .filter(|k| !seen.contains(&k.platform_id))
        .map(|k| k.platform_id)
        .collect();
    // A listing can leave out what still exists (a reply under a deleted reply, a reply
    // hidden by a block): ask the platform about each missing comment before calling it gone.
    let gone = if missing.is_empty() {
        vec![]
    } else {
        conn.confirm_gone(&missing).await?
    };
    let mut tx = store.begin_write().await?;
    let outcomes = tx
        .capture_items(ACTOR, site.id, &captured, Source::Live)
        .await?;
    let mut n = 0;
    for id in &gone {
        if tx
            .mark_gone(ACTOR, site.id, id, Gone::DeletedByAuthor)
            .await?
        {
            n += 1;
        }
    }
    tx.commit().await?;
    summary.gone += n;
    count(summary, &outcomes);
    Ok(())
}

/// The continuity of every active site (see [`plaza_store::Continuity`]).
pub async fn continuity(store: &Store, opts: &Options) -> Result<Vec<Continuity>> {
    Ok(store
        .continuity(2 * opts.interval_ms, EXPIRY_WARNING_MS, None)
        .await?)
}

pub use plaza_core::capture::EXPIRY_WARNING_MS;

/// Keeps a long-running engine on the active policy: when another version has been loaded
/// than the one the engine follows (on the policy page, or with `plaza policy load`), the
/// engine adopts it, keeping the model and what it has seen. Returns the active version.
/// Without this, a server would go on moderating by the rules it started with while recording
/// each comment under the new version. (A version loaded during a pass takes over at the next
/// one; each assessment names the version that judged it.)
pub async fn follow_policy(store: &Store, engine: &mut Engine) -> Result<i64> {
    let (version, policy) = store.policy().await?;
    if engine.policy_version() != Some(version) {
        if engine.policy_version().is_some() {
            tracing::info!(
                version,
                "capture now moderates under the new policy version"
            );
        }
        engine.set_policy(&policy, Some(version));
    }
    Ok(version)
}

/// Runs a pass over every connected site on the schedule, for as long as the server runs. A
/// failing site is recorded as such and does not stop the others. Each pass moderates under
/// the policy version active when it starts.
///
/// A site id sent on `now` (a webhook said the site changed) runs a pass over that site at
/// once.
pub async fn run_scheduled(
    store: Store,
    data: PathBuf,
    mut engine: Engine,
    opts: Options,
    mut now: tokio::sync::mpsc::UnboundedReceiver<i64>,
) {
    let period = std::time::Duration::from_millis(opts.interval_ms.max(1000) as u64);
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let only = tokio::select! {
            _ = tick.tick() => None,
            Some(site) = now.recv() => Some(site),
        };
        // Many webhook deliveries for one site become one pass.
        let sites: Vec<Option<i64>> = match only {
            None => vec![None],
            Some(first) => {
                let mut set = std::collections::BTreeSet::from([first]);
                while let Ok(more) = now.try_recv() {
                    set.insert(more);
                }
                set.into_iter().map(Some).collect()
            }
        };
        for only in sites {
            if let Err(e) = follow_policy(&store, &mut engine).await {
                tracing::error!("reading the active policy: {e:#}");
            }
            match capture_all(&store, &data, &mut engine, only, &opts).await {
                Ok(reports) => {
                    for r in reports.iter().filter(|r| r.summary.error.is_some()) {
                        tracing::warn!(site = r.site_id, error = ?r.summary.error, "capture failed");
                    }
                }
                Err(e) => tracing::error!("capture pass stopped: {e:#}"),
            }
        }
    }
}
