//! Sessions and login attempts. Session tokens are stored only as their SHA-256.

use crate::{Result, Store, WriteTx};
use plaza_core::Timestamp;
use sqlx::Row;

/// A live session.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub person_id: i64,
    pub csrf: String,
    pub expires_at: Timestamp,
}

impl WriteTx {
    /// Creates a session.
    pub async fn create_session(
        &mut self,
        token_hash: &str,
        person: i64,
        csrf: &str,
        expires_at: Timestamp,
    ) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(self.now().0)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("INSERT INTO sessions (token_hash, person_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(person)
            .bind(csrf)
            .bind(self.now().0)
            .bind(expires_at.0)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Ends a session.
    pub async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Notes a login attempt (for throttling; the record gets its own entry).
    pub async fn note_login_attempt(&mut self, email: &str, ok: bool) -> Result<()> {
        sqlx::query("INSERT INTO login_attempts (email, ok, at) VALUES ($1, $2, $3)")
            .bind(email)
            .bind(i64::from(ok))
            .bind(self.now().0)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

impl Store {
    /// The live session for a token hash.
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>> {
        let row = sqlx::query("SELECT person_id, csrf, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2")
            .bind(token_hash)
            .bind(self.now().0)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            Ok(SessionRow {
                person_id: r.try_get("person_id")?,
                csrf: r.try_get("csrf")?,
                expires_at: Timestamp(r.try_get("expires_at")?),
            })
        })
        .transpose()
    }

    /// Failed attempts for an email after its last successful sign-in and within the window:
    /// (count, time of the latest).
    pub async fn recent_failures(
        &self,
        email: &str,
        since: Timestamp,
    ) -> Result<(i64, Option<Timestamp>)> {
        let last_ok: Option<i64> =
            sqlx::query("SELECT MAX(id) AS id FROM login_attempts WHERE email = $1 AND ok = 1")
                .bind(email)
                .fetch_one(self.pool())
                .await?
                .try_get("id")?;
        let row = sqlx::query("SELECT COUNT(*) AS n, MAX(at) AS last FROM login_attempts WHERE email = $1 AND ok = 0 AND id > $2 AND at >= $3")
            .bind(email)
            .bind(last_ok.unwrap_or(0))
            .bind(since.0)
            .fetch_one(self.pool())
            .await?;
        Ok((
            row.try_get("n")?,
            row.try_get::<Option<i64>, _>("last")?.map(Timestamp),
        ))
    }
}
