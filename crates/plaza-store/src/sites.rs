//! Sites, their lifecycle and consultations, and written authorizations.

use crate::{Result, Store, WriteTx, opt_ts, ts};
use plaza_core::authz::{Grant, Level};
use plaza_core::record::{NewRecord, kinds};
use plaza_core::sites::{
    Area, Consultations, NewSite, Platform, SiteState, Step, Verdict, next_state,
};
use plaza_core::{Error, Timestamp, valid};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A site.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    pub id: i64,
    pub name: String,
    pub platform: Platform,
    pub handle: String,
    pub url: String,
    pub department: String,
    pub registration_email: String,
    pub purpose: String,
    pub state: SiteState,
    pub proposed_by: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A consultation answer with who gave it.
#[derive(Debug, Clone, Serialize)]
pub struct ConsultationRow {
    pub id: i64,
    pub site_id: i64,
    pub area: Area,
    pub verdict: Verdict,
    pub note: String,
    pub person_id: i64,
    pub person_name: String,
    pub at: Timestamp,
}

/// A written authorization (B.9, B.11).
#[derive(Debug, Clone, Serialize)]
pub struct Authorization {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub person_title: String,
    pub person_email: String,
    pub site_id: i64,
    pub site_name: String,
    pub site_platform: Platform,
    pub site_handle: String,
    pub level: Level,
    pub scope: String,
    pub granted_by: i64,
    pub granted_by_name: String,
    pub granted_at: Timestamp,
    pub starts_at: Timestamp,
    pub ends_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub revoked_by: Option<i64>,
    pub revoke_reason: Option<String>,
    pub attested_at: Option<Timestamp>,
    pub attested_by: Option<i64>,
    pub attestation: Option<String>,
    pub policy_version: i64,
    /// SHA-256 (hex), file name and media type of the signed letter, if one was filed.
    pub signed_copy_sha256: Option<String>,
    pub signed_copy_name: Option<String>,
    pub signed_copy_type: Option<String>,
}

impl Authorization {
    /// As the authorization decision sees it.
    pub fn grant(&self) -> Grant {
        Grant {
            site_id: self.site_id,
            level: self.level,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            revoked_at: self.revoked_at,
        }
    }

    /// A word for its status at `now`.
    pub fn status(&self, now: Timestamp) -> &'static str {
        if self.revoked_at.is_some_and(|r| r <= now) {
            "revoked"
        } else if self.ends_at.is_some_and(|e| e <= now) {
            "expired"
        } else if self.starts_at > now {
            "not yet in force"
        } else {
            "in force"
        }
    }
}

/// A grant about to be signed.
#[derive(Debug, Clone)]
pub struct NewGrant {
    pub person_id: i64,
    pub site_id: i64,
    pub level: Level,
    pub scope: String,
    pub starts_at: Timestamp,
    pub ends_at: Option<Timestamp>,
}

impl NewGrant {
    /// Checks a grant's fields.
    pub fn parse(
        person_id: i64,
        site_id: i64,
        level: &str,
        scope: &str,
        starts: &str,
        ends: &str,
        now: Timestamp,
    ) -> plaza_core::Result<NewGrant> {
        let level = Level::parse(level)?;
        let scope = valid::long_text("scope", scope, valid::MAX_LONG, true)?;
        let starts_at = if starts.trim().is_empty() {
            now
        } else {
            Timestamp::parse(starts).ok_or_else(|| {
                Error::invalid("starts", format!("{starts:?} is not a date (YYYY-MM-DD)"))
            })?
        };
        let ends_at = if ends.trim().is_empty() {
            None
        } else {
            Some(Timestamp::parse(ends).ok_or_else(|| {
                Error::invalid("ends", format!("{ends:?} is not a date (YYYY-MM-DD)"))
            })?)
        };
        if let Some(e) = ends_at
            && e <= starts_at
        {
            return Err(Error::invalid("ends", "must be after the start"));
        }
        Ok(NewGrant {
            person_id,
            site_id,
            level,
            scope,
            starts_at,
            ends_at,
        })
    }
}

const SITE_COLS: &str = "id, name, platform, handle, url, department, registration_email, purpose, state, proposed_by, created_at, updated_at";

fn site_from(r: &AnyRow) -> Result<Site> {
    let platform: String = r.try_get("platform")?;
    let state: String = r.try_get("state")?;
    Ok(Site {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        platform: Platform::parse(&platform)?,
        handle: r.try_get("handle")?,
        url: r.try_get("url")?,
        department: r.try_get("department")?,
        registration_email: r.try_get("registration_email")?,
        purpose: r.try_get("purpose")?,
        state: SiteState::parse(&state)?,
        proposed_by: r.try_get("proposed_by")?,
        created_at: ts(r, "created_at")?,
        updated_at: ts(r, "updated_at")?,
    })
}

const AUTH_SELECT: &str = "SELECT a.id, a.person_id, p.name AS person_name, p.title AS person_title, p.email AS person_email, \
    a.site_id, s.name AS site_name, s.platform AS site_platform, s.handle AS site_handle, a.level, a.scope, a.granted_by, g.name AS granted_by_name, \
    a.granted_at, a.starts_at, a.ends_at, a.revoked_at, a.revoked_by, a.revoke_reason, a.attested_at, a.attested_by, a.attestation, a.policy_version, a.signed_copy_sha256, a.signed_copy_name, a.signed_copy_type \
    FROM authorizations a JOIN people p ON p.id = a.person_id JOIN sites s ON s.id = a.site_id JOIN people g ON g.id = a.granted_by";

fn auth_from(r: &AnyRow) -> Result<Authorization> {
    let level: String = r.try_get("level")?;
    let platform: String = r.try_get("site_platform")?;
    Ok(Authorization {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        person_name: r.try_get("person_name")?,
        person_title: r.try_get("person_title")?,
        person_email: r.try_get("person_email")?,
        site_id: r.try_get("site_id")?,
        site_name: r.try_get("site_name")?,
        site_platform: Platform::parse(&platform)?,
        site_handle: r.try_get("site_handle")?,
        level: Level::parse(&level)?,
        scope: r.try_get("scope")?,
        granted_by: r.try_get("granted_by")?,
        granted_by_name: r.try_get("granted_by_name")?,
        granted_at: ts(r, "granted_at")?,
        starts_at: ts(r, "starts_at")?,
        ends_at: opt_ts(r, "ends_at")?,
        revoked_at: opt_ts(r, "revoked_at")?,
        revoked_by: r.try_get("revoked_by")?,
        revoke_reason: r.try_get("revoke_reason")?,
        attested_at: opt_ts(r, "attested_at")?,
        attested_by: r.try_get("attested_by")?,
        attestation: r.try_get("attestation")?,
        policy_version: r.try_get("policy_version")?,
        signed_copy_sha256: r.try_get("signed_copy_sha256")?,
        signed_copy_name: r.try_get("signed_copy_name")?,
        signed_copy_type: r.try_get("signed_copy_type")?,
    })
}

impl WriteTx {
    async fn site_in_tx(&mut self, id: i64) -> Result<Site> {
        let sql = format!("SELECT {SITE_COLS} FROM sites WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        match row {
            Some(r) => site_from(&r),
            None => Err(Error::not_found("site", id).into()),
        }
    }

    async fn consultations_in_tx(&mut self, site: i64) -> Result<Consultations> {
        let rows =
            sqlx::query("SELECT area, verdict FROM consultations WHERE site_id = $1 ORDER BY id")
                .bind(site)
                .fetch_all(&mut *self.tx)
                .await?;
        let mut c = Consultations::default();
        for r in rows {
            let a: String = r.try_get("area")?;
            let v: String = r.try_get("verdict")?;
            c.answers.push((Area::parse(&a)?, Verdict::parse(&v)?));
        }
        Ok(c)
    }

    /// Proposes a site (B.8). It starts in `proposed`.
    pub async fn propose_site(&mut self, actor_id: i64, s: &NewSite) -> Result<i64> {
        let dup = sqlx::query("SELECT id FROM sites WHERE platform = $1 AND handle = $2")
            .bind(s.platform.as_str())
            .bind(&s.handle)
            .fetch_optional(&mut *self.tx)
            .await?;
        if dup.is_some() {
            return Err(Error::invalid(
                "handle",
                format!(
                    "{} on {} is registered already",
                    s.handle,
                    s.platform.label()
                ),
            )
            .into());
        }
        let now = self.now().0;
        let id: i64 = sqlx::query(
            "INSERT INTO sites (name, platform, handle, url, department, registration_email, purpose, state, proposed_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(&s.name)
        .bind(s.platform.as_str())
        .bind(&s.handle)
        .bind(s.url.as_str())
        .bind(&s.department)
        .bind(s.registration_email.as_str())
        .bind(&s.purpose)
        .bind(SiteState::Proposed.as_str())
        .bind(actor_id)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await?
        .try_get("id")?;
        self.append(&[NewRecord::new(
            plaza_core::record::person_actor(actor_id),
            kinds::SITE_PROPOSED,
            format!("site:{id}"),
            json!(s),
        )])
        .await?;
        Ok(id)
    }

    /// Brings an account that already exists, approved before Plaza, under Plaza from the
    /// command line: the proposal and its activation are recorded, with the operator's reason,
    /// in place of the consultation the web workflow runs for new sites.
    pub async fn register_existing_site(
        &mut self,
        actor_id: i64,
        s: &NewSite,
        reason: &str,
    ) -> Result<i64> {
        let reason = valid::long_text("reason", reason, valid::MAX_LONG, false)?;
        let id = self.propose_site(actor_id, s).await?;
        sqlx::query("UPDATE sites SET state = $1, updated_at = $2 WHERE id = $3")
            .bind(SiteState::Active.as_str())
            .bind(self.now().0)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        self.append(&[NewRecord::new(
            plaza_core::record::person_actor(actor_id),
            kinds::SITE_ACTIVATED,
            format!("site:{id}"),
            json!({"step": "register_existing", "from": SiteState::Proposed, "to": SiteState::Active, "reason": reason}),
        )])
        .await?;
        Ok(id)
    }

    /// Takes a lifecycle step (B.3, B.8). Returns the new state.
    pub async fn step_site(
        &mut self,
        actor_id: i64,
        site: i64,
        step: Step,
        reason: &str,
    ) -> Result<SiteState> {
        let reason = valid::long_text("reason", reason, valid::MAX_LONG, false)?;
        let s = self.site_in_tx(site).await?;
        let consultations = self.consultations_in_tx(site).await?;
        let next = next_state(s.state, step, &consultations, &reason)?;
        sqlx::query("UPDATE sites SET state = $1, updated_at = $2 WHERE id = $3")
            .bind(next.as_str())
            .bind(self.now().0)
            .bind(site)
            .execute(&mut *self.tx)
            .await?;
        let kind = match step {
            Step::OpenConsultation => kinds::SITE_CONSULTATION,
            Step::Approve => kinds::SITE_APPROVED,
            Step::Activate => kinds::SITE_ACTIVATED,
            Step::Suspend => kinds::SITE_SUSPENDED,
            Step::Reactivate => kinds::SITE_REACTIVATED,
            Step::Terminate => kinds::SITE_TERMINATED,
        };
        let overrides: Vec<&str> = if step == Step::Approve {
            consultations
                .objections()
                .iter()
                .map(|a| a.as_str())
                .collect()
        } else {
            vec![]
        };
        self.append(&[NewRecord::new(
            plaza_core::record::person_actor(actor_id),
            kind,
            format!("site:{site}"),
            json!({"step": step, "from": s.state, "to": next, "reason": reason, "over_objections": overrides}),
        )])
        .await?;
        Ok(next)
    }

    /// Records a consultation answer (legal, HR or risk) on a site under consultation.
    pub async fn consult(
        &mut self,
        actor_id: i64,
        site: i64,
        area: Area,
        verdict: Verdict,
        note: &str,
    ) -> Result<()> {
        let note = valid::long_text("note", note, valid::MAX_LONG, verdict == Verdict::Object)?;
        let s = self.site_in_tx(site).await?;
        if s.state != SiteState::Consultation {
            return Err(Error::Conflict(format!(
                "site {site} is {}, not under consultation",
                s.state.as_str()
            ))
            .into());
        }
        sqlx::query("INSERT INTO consultations (site_id, area, verdict, note, person_id, at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(site)
            .bind(area.as_str())
            .bind(verdict.as_str())
            .bind(&note)
            .bind(actor_id)
            .bind(self.now().0)
            .execute(&mut *self.tx)
            .await?;
        self.append(&[NewRecord::new(
            plaza_core::record::person_actor(actor_id),
            kinds::SITE_CONSULTATION,
            format!("site:{site}"),
            json!({"area": area, "verdict": verdict, "note": note}),
        )])
        .await?;
        Ok(())
    }

    /// Signs a written authorization (B.9, B.11). The grantor's role is checked by the caller
    /// through the authorization module; here the data must be consistent.
    pub async fn grant(&mut self, grantor: i64, g: &NewGrant) -> Result<i64> {
        let person = sqlx::query("SELECT disabled_at, roles FROM people WHERE id = $1")
            .bind(g.person_id)
            .fetch_optional(&mut *self.tx)
            .await?;
        let Some(person) = person else {
            return Err(Error::invalid("person", format!("no person {}", g.person_id)).into());
        };
        if person.try_get::<Option<i64>, _>("disabled_at")?.is_some() {
            return Err(Error::invalid("person", "this person's access is disabled").into());
        }
        let site = self
            .site_in_tx(g.site_id)
            .await
            .map_err(|_| Error::invalid("site", format!("no site {}", g.site_id)))?;
        if site.state == SiteState::Terminated {
            return Err(Error::invalid("site", "the site is terminated").into());
        }
        let pv = self.policy_version().unwrap_or(0);
        let id: i64 = sqlx::query(
            "INSERT INTO authorizations (person_id, site_id, level, scope, granted_by, granted_at, starts_at, ends_at, policy_version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(g.person_id)
        .bind(g.site_id)
        .bind(g.level.as_str())
        .bind(&g.scope)
        .bind(grantor)
        .bind(self.now().0)
        .bind(g.starts_at.0)
        .bind(g.ends_at.map(|t| t.0))
        .bind(pv)
        .fetch_one(&mut *self.tx)
        .await?
        .try_get("id")?;
        self.append(&[NewRecord::new(
            plaza_core::record::person_actor(grantor),
            kinds::AUTHORIZATION_GRANTED,
            format!("authorization:{id}"),
            json!({"person_id": g.person_id, "site_id": g.site_id, "level": g.level, "scope": g.scope,
                   "starts_at": g.starts_at, "ends_at": g.ends_at}),
        )])
        .await?;
        Ok(id)
    }

    /// Revokes a written authorization, with a reason.
    pub async fn revoke(&mut self, actor_id: i64, id: i64, reason: &str) -> Result<()> {
        let reason = valid::long_text("reason", reason, valid::MAX_LONG, true)?;
        let n = sqlx::query("UPDATE authorizations SET revoked_at = $1, revoked_by = $2, revoke_reason = $3 WHERE id = $4 AND revoked_at IS NULL")
            .bind(self.now().0)
            .bind(actor_id)
            .bind(&reason)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        if n.rows_affected() == 0 {
            return Err(Error::Conflict(format!(
                "authorization {id} does not exist or is already revoked"
            ))
            .into());
        }
        self.append(&[NewRecord::new(
            plaza_core::record::person_actor(actor_id),
            kinds::AUTHORIZATION_REVOKED,
            format!("authorization:{id}"),
            json!({"reason": reason}),
        )])
        .await?;
        Ok(())
    }

    /// Records the signature of an authorization: the grantee's in-app attestation, or the
    /// SHA-256 of the signed copy filed by the City Manager.
    pub async fn attest(&mut self, actor_id: i64, id: i64, attestation: &str) -> Result<()> {
        let attestation = valid::long_text("attestation", attestation, valid::MAX_LONG, true)?;
        let n = sqlx::query("UPDATE authorizations SET attested_at = $1, attested_by = $2, attestation = $3 WHERE id = $4 AND attested_at IS NULL AND revoked_at IS NULL")
            .bind(self.now().0)
            .bind(actor_id)
            .bind(&attestation)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        if n.rows_affected() == 0 {
            return Err(Error::Conflict(format!(
                "authorization {id} does not exist, is revoked, or is signed already"
            ))
            .into());
        }
        self.append(&[NewRecord::new(
            plaza_core::record::person_actor(actor_id),
            kinds::AUTHORIZATION_ATTESTED,
            format!("authorization:{id}"),
            json!({"attestation": attestation}),
        )])
        .await?;
        Ok(())
    }
}

impl WriteTx {
    /// Files the signed letter of an authorization (its bytes are already stored by their
    /// SHA-256). Counts as the signature if none was recorded yet.
    pub async fn file_signed_copy(
        &mut self,
        actor_id: i64,
        id: i64,
        sha256: &str,
        name: &str,
        media_type: &str,
        bytes: i64,
    ) -> Result<()> {
        let name = valid::short_text("file", name, valid::MAX_SHORT)?;
        let row = sqlx::query(
            "SELECT revoked_at, attested_at, signed_copy_sha256 FROM authorizations WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        let Some(row) = row else {
            return Err(Error::not_found("authorization", id).into());
        };
        if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
            return Err(Error::Conflict(format!("authorization {id} is revoked")).into());
        }
        if row
            .try_get::<Option<String>, _>("signed_copy_sha256")?
            .is_some()
        {
            return Err(Error::Conflict(format!(
                "a signed letter is already filed for authorization {id}"
            ))
            .into());
        }
        let first_signature = row.try_get::<Option<i64>, _>("attested_at")?.is_none();
        let attestation = format!("signed letter filed: {name} ({bytes} bytes, SHA-256 {sha256})");
        sqlx::query(
            "UPDATE authorizations SET signed_copy_sha256 = $1, signed_copy_name = $2, signed_copy_type = $3, \
             attested_at = COALESCE(attested_at, $4), attested_by = COALESCE(attested_by, $5), attestation = COALESCE(attestation, $6) WHERE id = $7",
        )
        .bind(sha256)
        .bind(&name)
        .bind(media_type)
        .bind(self.now().0)
        .bind(actor_id)
        .bind(&attestation)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        self.append(&[NewRecord::new(
            plaza_core::record::person_actor(actor_id),
            kinds::AUTHORIZATION_ATTESTED,
            format!("authorization:{id}"),
            json!({"signed_copy": {"sha256": sha256, "name": name, "media_type": media_type, "bytes": bytes}, "first_signature": first_signature}),
        )])
        .await?;
        Ok(())
    }
}

impl Store {
    /// One site.
    pub async fn site(&self, id: i64) -> Result<Site> {
        let sql = format!("SELECT {SITE_COLS} FROM sites WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(r) => site_from(&r),
            None => Err(Error::not_found("site", id).into()),
        }
    }

    /// Every site, by name.
    pub async fn sites(&self) -> Result<Vec<Site>> {
        let sql = format!("SELECT {SITE_COLS} FROM sites ORDER BY name");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(site_from).collect()
    }

    /// Consultation answers for a site, oldest first.
    pub async fn consultations(&self, site: i64) -> Result<Vec<ConsultationRow>> {
        let rows = sqlx::query(
            "SELECT c.id, c.site_id, c.area, c.verdict, c.note, c.person_id, p.name AS person_name, c.at \
             FROM consultations c JOIN people p ON p.id = c.person_id WHERE c.site_id = $1 ORDER BY c.id",
        )
        .bind(site)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let a: String = r.try_get("area")?;
                let v: String = r.try_get("verdict")?;
                Ok(ConsultationRow {
                    id: r.try_get("id")?,
                    site_id: r.try_get("site_id")?,
                    area: Area::parse(&a)?,
                    verdict: Verdict::parse(&v)?,
                    note: r.try_get("note")?,
                    person_id: r.try_get("person_id")?,
                    person_name: r.try_get("person_name")?,
                    at: ts(r, "at")?,
                })
            })
            .collect()
    }

    /// One authorization.
    pub async fn authorization(&self, id: i64) -> Result<Authorization> {
        let sql = format!("{AUTH_SELECT} WHERE a.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(r) => auth_from(&r),
            None => Err(Error::not_found("authorization", id).into()),
        }
    }

    /// Authorizations, optionally for one person or one site, newest first.
    pub async fn authorizations(
        &self,
        person: Option<i64>,
        site: Option<i64>,
    ) -> Result<Vec<Authorization>> {
        let (sql, bind) = match (person, site) {
            (Some(p), _) => (
                format!("{AUTH_SELECT} WHERE a.person_id = $1 ORDER BY a.id DESC"),
                Some(p),
            ),
            (None, Some(s)) => (
                format!("{AUTH_SELECT} WHERE a.site_id = $1 ORDER BY a.id DESC"),
                Some(s),
            ),
            (None, None) => (format!("{AUTH_SELECT} ORDER BY a.id DESC"), None),
        };
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(b) = bind {
            q = q.bind(b);
        }
        let rows = q.fetch_all(self.pool()).await?;
        rows.iter().map(auth_from).collect()
    }
}
