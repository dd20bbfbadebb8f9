//! Plaza's storage: SQLite (the embedded default) and PostgreSQL through one code path
//! (`sqlx::Any`, the same `$1, $2` SQL on both), one migrations folder per backend embedded in
//! the binary, and the append-only record.
//!
//! Every write runs in a [`WriteTx`]: one writer at a time (a process-wide lock, plus
//! `BEGIN IMMEDIATE` on SQLite and a transaction-scoped advisory lock on PostgreSQL, so
//! several processes on one database also serialise), the domain change and its record
//! entries commit together or not at all.

mod capture;
mod content;
mod migrate;
mod people;
mod record;
mod sessions;
mod sites;
#[doc(hidden)]
pub mod testing;

pub use capture::{
    CaptureState, Captured, CapturedRow, Continuity, EndpointRow, ImportRow, Known, Outcome,
    RunSummary, Source,
};
pub use content::ContentItem;
pub use people::{Body, OfficialAccount, Person};
pub use record::{ConsistencyProof, InclusionProof, RecordFilter, SignedCheckpoint, VerifyError};
pub use sessions::SessionRow;
pub use sites::{Authorization, ConsultationRow, NewGrant, Site};

use plaza_core::policy::Policy;
use plaza_core::record::{NewRecord, RecordHeader};
use plaza_core::{Clock, Timestamp};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Row, Transaction};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// A storage error: a domain error (bad input, conflict, not found) to show the user, or a
/// database failure to log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Domain(#[from] plaza_core::Error),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Setup(String),
}

/// Result with [`StoreError`].
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Bind parameter `i` (1-based) of a statement built at run time: `$i` on PostgreSQL, `?`
    /// on SQLite, where numbered parameters are looked up by name at a cost that grows with
    /// the statement's width. A statement uses one style throughout, parameters in order.
    pub(crate) fn param(self, i: usize) -> String {
        match self {
            Backend::Sqlite => "?".to_string(),
            Backend::Postgres => format!("${i}"),
        }
    }

    /// A parenthesised row of `n` parameters from `first` (see [`Backend::param`]).
    pub(crate) fn row(self, first: usize, n: usize) -> String {
        let list: Vec<String> = (first..first + n).map(|i| self.param(i)).collect();
        format!("({})", list.join(","))
    }

    /// Picks the backend from a database URL.
    pub fn from_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Setup(format!(
                "unsupported database URL {url:?}: use sqlite://PATH or postgres://USER@HOST/DB"
            )))
        }
    }
}

/// A parsed policy and its version id.
type CachedPolicy = (i64, Arc<Policy>);

/// The store. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    write_lock: Arc<Mutex<()>>,
    clock: Arc<dyn Clock>,
    /// The parsed active policy and its version id.
    policy_cache: Arc<std::sync::Mutex<Option<CachedPolicy>>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

impl Store {
    /// Opens the database at `url` (creating a SQLite file if needed) and applies migrations.
    pub async fn open(url: &str, clock: Arc<dyn Clock>) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_string(),
        };
        // No idle timeout and no maximum lifetime, so sqlx starts no background reaper: in sqlx
        // 0.9.0 the reaper can read an underflowed idle count and spin in one poll forever, at
        // 100% CPU and hanging the runtime's shutdown (transact-rs/sqlx#3645, fixed upstream
        // by #4289, not yet in a release here). It hung a capture test once. A pool of at most
        // 8 connections loses nothing by keeping them; a broken one is still found and replaced
        // when it is next acquired (sqlx tests each connection before handing it out).
        // min_connections must stay 0: above it, sqlx starts a maintenance task all the same.
        let mut options = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 8,
            })
            .idle_timeout(None)
            .max_lifetime(None);
        if backend == Backend::Sqlite {
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::raw_sql("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;")
                        .execute(conn)
                        .await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(&url).await?;
        let store = Store {
            pool,
            backend,
            write_lock: Arc::new(Mutex::new(())),
            clock,
            policy_cache: Arc::new(std::sync::Mutex::new(None)),
        };
        migrate::run(&store).await?;
        Ok(store)
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The injected clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Now, by the injected clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The connection pool, for read queries.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A transaction that holds the database's writer lock: `BEGIN IMMEDIATE` on SQLite, a
    /// transaction-scoped advisory lock on PostgreSQL (so several processes serialise too).
    /// The caller holds the process-wide lock.
    pub(crate) async fn begin_locked(&self) -> Result<Transaction<'static, Any>> {
        match self.backend {
            Backend::Sqlite => Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock(7420190)")
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }

    /// Begins the one write transaction.
    pub async fn begin_write(&self) -> Result<WriteTx> {
        let guard = self.write_lock.clone().lock_owned().await;
        let mut tx = self.begin_locked().await?;
        let policy_version: Option<i64> = sqlx::query("SELECT MAX(id) AS v FROM policy_versions")
            .fetch_one(&mut *tx)
            .await?
            .try_get("v")?;
        Ok(WriteTx {
            tx,
            _guard: guard,
            now: self.clock.now(),
            policy_version,
            backend: self.backend(),
        })
    }

    /// Appends records on their own (no other change) and commits.
    pub async fn append(&self, records: &[NewRecord]) -> Result<Vec<RecordHeader>> {
        let mut tx = self.begin_write().await?;
        let headers = tx.append(records).await?;
        tx.commit().await?;
        Ok(headers)
    }

    /// A setting of this instance.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM instance_settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get("value")?),
            None => None,
        })
    }

    /// The active policy version: id, label and the parsed policy.
    pub async fn active_policy(&self) -> Result<Option<(i64, Arc<Policy>)>> {
        // The newest version id is one indexed read; the text is parsed only when it changed
        // (every page needs the policy, and parsing 60 KB of TOML per request is wasted work).
        let id: Option<i64> = sqlx::query("SELECT MAX(id) AS id FROM policy_versions")
            .fetch_one(&self.pool)
            .await?
            .try_get("id")?;
        let Some(id) = id else { return Ok(None) };
        if let Ok(cache) = self.policy_cache.lock()
            && let Some((cached, policy)) = cache.as_ref()
            && *cached == id
        {
            return Ok(Some((id, policy.clone())));
        }
        let body: String = sqlx::query("SELECT body FROM policy_versions WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?
            .try_get("body")?;
        let policy = Arc::new(plaza_core::policy::parse(&body).map_err(|e| {
            StoreError::Setup(format!(
                "stored policy version {id} no longer parses: {}",
                e[0]
            ))
        })?);
        if let Ok(mut cache) = self.policy_cache.lock() {
            *cache = Some((id, policy.clone()));
        }
        Ok(Some((id, policy)))
    }

    /// The active policy, or an error if none is loaded (the instance was not initialised).
    pub async fn policy(&self) -> Result<(i64, Arc<Policy>)> {
        self.active_policy()
            .await?
            .ok_or_else(|| StoreError::Setup("no policy is loaded: run `plaza init` first".into()))
    }

    /// Every policy version: id, label, sha256, loaded_at, loaded_by.
    pub async fn policy_versions(&self) -> Result<Vec<PolicyVersion>> {
        let rows = sqlx::query(
            "SELECT id, label, sha256, loaded_at, loaded_by FROM policy_versions ORDER BY id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PolicyVersion {
                    id: r.try_get("id")?,
                    label: r.try_get("label")?,
                    sha256: r.try_get("sha256")?,
                    loaded_at: Timestamp(r.try_get("loaded_at")?),
                    loaded_by: r.try_get("loaded_by")?,
                })
            })
            .collect()
    }

    /// The text of a policy version.
    pub async fn policy_text(&self, id: i64) -> Result<String> {
        let row = sqlx::query("SELECT body FROM policy_versions WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => Ok(r.try_get("body")?),
            None => Err(plaza_core::Error::not_found("policy version", id).into()),
        }
    }
}

/// A stored policy version.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PolicyVersion {
    pub id: i64,
    pub label: String,
    pub sha256: String,
    pub loaded_at: Timestamp,
    pub loaded_by: String,
}

/// The write transaction: holds the writer lock; the domain change and its record entries
/// commit together. Dropping it without `commit` rolls everything back.
pub struct WriteTx {
    pub(crate) tx: Transaction<'static, Any>,
    _guard: OwnedMutexGuard<()>,
    now: Timestamp,
    policy_version: Option<i64>,
    backend: Backend,
}

impl WriteTx {
    pub(crate) fn param(&self, i: usize) -> String {
        self.backend.param(i)
    }

    pub(crate) fn row_placeholders(&self, first: usize, n: usize) -> String {
        self.backend.row(first, n)
    }

    /// The time of this transaction (one instant for everything in it).
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The policy version in force for this transaction.
    pub fn policy_version(&self) -> Option<i64> {
        self.policy_version
    }

    /// Commits.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    /// Stores an instance setting (insert or replace).
    pub async fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        sqlx::query("DELETE FROM instance_settings WHERE key = $1")
            .bind(key)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("INSERT INTO instance_settings (key, value) VALUES ($1, $2)")
            .bind(key)
            .bind(value)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Loads a policy version (A.5, B.16): checks it, stores it, records it. From the next
    /// transaction on, every record names this version.
    pub async fn load_policy(&mut self, actor: &str, text: &str) -> Result<(i64, Policy)> {
        let policy = plaza_core::policy::parse(text).map_err(|errs| {
            let lines: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
            plaza_core::Error::invalid("policy", lines.join("; "))
        })?;
        let sha = plaza_core::hex(&plaza_core::record::sha256(text.as_bytes()));
        let id: i64 = sqlx::query(
            "INSERT INTO policy_versions (label, sha256, body, loaded_at, loaded_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&policy.meta.version)
        .bind(&sha)
        .bind(text)
        .bind(self.now.0)
        .bind(actor)
        .fetch_one(&mut *self.tx)
        .await?
        .try_get("id")?;
        self.policy_version = Some(id);
        self.append(&[NewRecord::new(
            actor,
            plaza_core::record::kinds::POLICY_LOADED,
            format!("policy:{id}"),
            serde_json::json!({"version_id": id, "label": policy.meta.version, "issuer": policy.meta.issuer, "sha256": sha}),
        )])
        .await?;
        Ok((id, policy))
    }
}

pub(crate) fn opt_ts(row: &AnyRow, col: &str) -> Result<Option<Timestamp>> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(Timestamp))
}

pub(crate) fn ts(row: &AnyRow, col: &str) -> Result<Timestamp> {
    Ok(Timestamp(row.try_get(col)?))
}
