//! Embedded, forward-only migrations, one folder per backend. An applied migration whose text
//! changed is refused: the schema of a records system is not edited in place.

use crate::{Backend, Result, Store, StoreError};
use sqlx::Row;

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sqlite: include_str!("../migrations/sqlite/0001_init.sql"),
        postgres: include_str!("../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "signed_copies",
        sqlite: include_str!("../migrations/sqlite/0002_signed_copies.sql"),
        postgres: include_str!("../migrations/postgres/0002_signed_copies.sql"),
    },
    Migration {
        version: 3,
        name: "capture",
        sqlite: include_str!("../migrations/sqlite/0003_capture.sql"),
        postgres: include_str!("../migrations/postgres/0003_capture.sql"),
    },
    Migration {
        version: 4,
        name: "credential_fingerprint",
        sqlite: include_str!("../migrations/sqlite/0004_credential_fingerprint.sql"),
        postgres: include_str!("../migrations/postgres/0004_credential_fingerprint.sql"),
    },
    Migration {
        version: 5,
        name: "audience",
        sqlite: include_str!("../migrations/sqlite/0005_audience.sql"),
        postgres: include_str!("../migrations/postgres/0005_audience.sql"),
    },
];

pub(crate) async fn run(store: &Store) -> Result<()> {
    let pool = store.pool();
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS plaza_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(pool)
    .await?;
    for m in MIGRATIONS {
        let sql = match store.backend() {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        let sha = plaza_core::hex(&plaza_core::record::sha256(sql.as_bytes()));
        // Not begin_write: it reads policy_versions, which may not exist yet.
        let _guard = store.write_lock.lock().await;
        let mut tx = store.begin_locked().await?;
        let applied = sqlx::query("SELECT sha256 FROM plaza_migrations WHERE version = $1")
            .bind(m.version)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = applied {
            let stored: String = row.try_get("sha256")?;
            if stored != sha {
                return Err(StoreError::Setup(format!(
                    "migration {} ({}) was changed after it was applied to this database",
                    m.version, m.name
                )));
            }
            continue;
        }
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO plaza_migrations (version, name, sha256, applied_at) VALUES ($1, $2, $3, $4)")
            .bind(m.version)
            .bind(m.name)
            .bind(&sha)
            .bind(store.now().0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
    }
    Ok(())
}
