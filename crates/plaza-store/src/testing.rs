//! Test support shared by the storage, server and CLI suites: a fresh database per test on
//! SQLite (a file in a temporary directory) and, when `PLAZA_TEST_POSTGRES` names an admin
//! URL of a throwaway cluster, on PostgreSQL (a new database per test).

use crate::{Backend, Result, Store, StoreError};
use plaza_core::Clock;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A unique name for this process and call.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// A fresh temporary directory (removed by the OS's temp cleaning, or by the caller).
pub fn temp_dir(prefix: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique(prefix));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// The admin URL of the test PostgreSQL cluster, if the test command started one.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("PLAZA_TEST_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty())
}

/// A database URL for a fresh database on `backend`. `None` when PostgreSQL is not available
/// and not required; an error when `PLAZA_REQUIRE_POSTGRES=1` and it is missing.
pub async fn fresh_url(backend: Backend) -> Result<Option<String>> {
    match backend {
        Backend::Sqlite => {
            let dir = temp_dir("plaza_test");
            Ok(Some(format!("sqlite://{}", dir.join("plaza.db").display())))
        }
        Backend::Postgres => {
            let Some(admin) = postgres_admin_url() else {
                if std::env::var("PLAZA_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                    return Err(StoreError::Setup(
                        "PLAZA_REQUIRE_POSTGRES=1 but PLAZA_TEST_POSTGRES is not set".into(),
                    ));
                }
                eprintln!(
                    "PostgreSQL not configured (PLAZA_TEST_POSTGRES unset): skipping the PostgreSQL variant"
                );
                return Ok(None);
            };
            sqlx::any::install_default_drivers();
            use sqlx::Connection as _;
            let mut conn = sqlx::AnyConnection::connect(&admin).await?;
            let name = unique("plaza_t");
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await?;
            conn.close().await?;
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            Ok(Some(format!("{base}/{name}")))
        }
    }
}

/// A fresh, migrated store on `backend`, or `None` (PostgreSQL not configured).
pub async fn fresh_store(backend: Backend, clock: Arc<dyn Clock>) -> Result<Option<Store>> {
    match fresh_url(backend).await? {
        Some(url) => Ok(Some(Store::open(&url, clock).await?)),
        None => Ok(None),
    }
}

impl Store {
    /// Tamper drills only: runs `sql` directly and returns the database's refusal message, or
    /// `None` if the statement went through. Plaza's own code never changes the record; the
    /// tests use this to play an attacker with direct database access.
    pub async fn try_statement(&self, sql: &str) -> Result<Option<String>> {
        match sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(self.pool())
            .await
        {
            Ok(_) => Ok(None),
            Err(sqlx::Error::Database(e)) => Ok(Some(e.message().to_string())),
            Err(e) => Err(e.into()),
        }
    }

    /// Tamper drills only: the statements that drop the append-only guard on this backend.
    pub fn drop_guards_sql(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => {
                "DROP TRIGGER IF EXISTS record_entries_no_update; DROP TRIGGER IF EXISTS record_entries_no_delete; \
                 DROP TRIGGER IF EXISTS record_payloads_no_update; DROP TRIGGER IF EXISTS record_payloads_no_delete; \
                 DROP TRIGGER IF EXISTS record_checkpoints_no_update; DROP TRIGGER IF EXISTS record_checkpoints_no_delete;"
            }
            Backend::Postgres => {
                "DROP TRIGGER IF EXISTS record_entries_append_only ON record_entries; \
                 DROP TRIGGER IF EXISTS record_payloads_no_update ON record_payloads; \
                 DROP TRIGGER IF EXISTS record_payloads_delete ON record_payloads; \
                 DROP TRIGGER IF EXISTS record_checkpoints_append_only ON record_checkpoints;"
            }
        }
    }
}
