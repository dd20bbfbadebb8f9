//! People, legislative bodies, officials' accounts, passwords and policy acknowledgements.

use crate::{Result, Store, WriteTx, opt_ts, ts};
use plaza_core::Error;
use plaza_core::people::{NewBody, NewOfficialAccount, NewPerson, Role};
use plaza_core::record::{NewRecord, kinds};
use plaza_core::sites::Platform;
use plaza_core::{Timestamp, valid};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A person.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub title: String,
    pub email: String,
    pub department: String,
    pub roles: Vec<Role>,
    pub body_id: Option<i64>,
    pub disabled_at: Option<Timestamp>,
    pub disabled_reason: Option<String>,
    pub created_at: Timestamp,
    #[serde(skip)]
    pub password_hash: Option<String>,
}

impl Person {
    /// Whether the person holds a role.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
    /// Roles as labels.
    pub fn role_labels(&self) -> String {
        self.roles
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A legislative body.
#[derive(Debug, Clone, Serialize)]
pub struct Body {
    pub id: i64,
    pub name: String,
    pub seats: i64,
    pub quorum: i64,
}

/// An official's account on a platform.
#[derive(Debug, Clone, Serialize)]
pub struct OfficialAccount {
    pub id: i64,
    pub person_id: i64,
    pub platform: Platform,
    pub handle: String,
}

const PERSON_COLS: &str = "id, name, title, email, department, roles, body_id, password_hash, disabled_at, disabled_reason, created_at";

fn person_from(r: &AnyRow) -> Result<Person> {
    let roles: String = r.try_get("roles")?;
    Ok(Person {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        title: r.try_get("title")?,
        email: r.try_get("email")?,
        department: r.try_get("department")?,
        roles: Role::parse_list(&roles)?,
        body_id: r.try_get("body_id")?,
        password_hash: r.try_get("password_hash")?,
        disabled_at: opt_ts(r, "disabled_at")?,
        disabled_reason: r.try_get("disabled_reason")?,
        created_at: ts(r, "created_at")?,
    })
}

impl WriteTx {
    /// Creates a legislative body.
    pub async fn create_body(&mut self, actor: &str, body: &NewBody) -> Result<i64> {
        let exists = sqlx::query("SELECT id FROM legislative_bodies WHERE name = $1")
            .bind(&body.name)
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_some() {
            return Err(Error::invalid(
                "name",
                format!("a body named {:?} exists already", body.name),
            )
            .into());
        }
        let id: i64 = sqlx::query("INSERT INTO legislative_bodies (name, seats, quorum, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(&body.name)
            .bind(body.seats)
            .bind(body.quorum)
            .bind(self.now().0)
            .fetch_one(&mut *self.tx)
            .await?
            .try_get("id")?;
        self.append(&[NewRecord::new(
            actor,
            kinds::BODY_CREATED,
            format!("body:{id}"),
            json!({"name": body.name, "seats": body.seats, "quorum": body.quorum}),
        )])
        .await?;
        Ok(id)
    }

    /// Creates a person (with a password hash if they will sign in).
    pub async fn create_person(
        &mut self,
        actor: &str,
        p: &NewPerson,
        password_hash: Option<&str>,
    ) -> Result<i64> {
        let exists = sqlx::query("SELECT id FROM people WHERE email = $1")
            .bind(p.email.as_str())
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_some() {
            return Err(
                Error::invalid("email", format!("{} belongs to someone already", p.email)).into(),
            );
        }
        if let Some(b) = p.body_id {
            let found = sqlx::query("SELECT id FROM legislative_bodies WHERE id = $1")
                .bind(b)
                .fetch_optional(&mut *self.tx)
                .await?;
            if found.is_none() {
                return Err(Error::invalid("body", format!("no legislative body {b}")).into());
            }
        }
        let id: i64 = sqlx::query(
            "INSERT INTO people (name, title, email, department, roles, body_id, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&p.name)
        .bind(&p.title)
        .bind(p.email.as_str())
        .bind(&p.department)
        .bind(Role::join(&p.roles))
        .bind(p.body_id)
        .bind(password_hash)
        .bind(self.now().0)
        .fetch_one(&mut *self.tx)
        .await?
        .try_get("id")?;
        self.append(&[NewRecord::new(
            actor,
            kinds::PERSON_CREATED,
            format!("person:{id}"),
            json!({"name": p.name, "title": p.title, "email": p.email, "department": p.department,
                   "roles": p.roles, "body_id": p.body_id, "can_sign_in": password_hash.is_some()}),
        )])
        .await?;
        Ok(id)
    }

    /// Sets a person's password hash.
    pub async fn set_password(&mut self, actor: &str, person: i64, hash: &str) -> Result<()> {
        let n = sqlx::query("UPDATE people SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(person)
            .execute(&mut *self.tx)
            .await?;
        if n.rows_affected() == 0 {
            return Err(Error::not_found("person", person).into());
        }
        self.append(&[NewRecord::new(
            actor,
            kinds::PERSON_PASSWORD_SET,
            format!("person:{person}"),
            json!({}),
        )])
        .await?;
        Ok(())
    }

    /// Disables a person's access to Plaza (B.17), with a reason; ends their sessions.
    pub async fn disable_person(&mut self, actor: &str, person: i64, reason: &str) -> Result<()> {
        let reason = valid::long_text("reason", reason, valid::MAX_LONG, true)?;
        let n = sqlx::query("UPDATE people SET disabled_at = $1, disabled_reason = $2 WHERE id = $3 AND disabled_at IS NULL")
            .bind(self.now().0)
            .bind(&reason)
            .bind(person)
            .execute(&mut *self.tx)
            .await?;
        if n.rows_affected() == 0 {
            return Err(Error::Conflict(format!(
                "person {person} does not exist or is already disabled"
            ))
            .into());
        }
        sqlx::query("DELETE FROM sessions WHERE person_id = $1")
            .bind(person)
            .execute(&mut *self.tx)
            .await?;
        self.append(&[NewRecord::new(
            actor,
            kinds::PERSON_DISABLED,
            format!("person:{person}"),
            json!({"reason": reason}),
        )])
        .await?;
        Ok(())
    }

    /// Restores a disabled person's access.
    pub async fn enable_person(&mut self, actor: &str, person: i64) -> Result<()> {
        let n = sqlx::query("UPDATE people SET disabled_at = NULL, disabled_reason = NULL WHERE id = $1 AND disabled_at IS NOT NULL")
            .bind(person)
            .execute(&mut *self.tx)
            .await?;
        if n.rows_affected() == 0 {
            return Err(Error::Conflict(format!(
                "person {person} does not exist or is not disabled"
            ))
            .into());
        }
        self.append(&[NewRecord::new(
            actor,
            kinds::PERSON_ENABLED,
            format!("person:{person}"),
            json!({}),
        )])
        .await?;
        Ok(())
    }

    /// Adds an official's own social account (B.18).
    pub async fn add_official_account(
        &mut self,
        actor: &str,
        person: i64,
        acct: &NewOfficialAccount,
    ) -> Result<i64> {
        let row = sqlx::query("SELECT roles FROM people WHERE id = $1")
            .bind(person)
            .fetch_optional(&mut *self.tx)
            .await?;
        let Some(row) = row else {
            return Err(Error::not_found("person", person).into());
        };
        let roles: String = row.try_get("roles")?;
        if !Role::parse_list(&roles)?.contains(&Role::Official) {
            return Err(Error::invalid(
                "person",
                "only officials' accounts are registered for the Brown Act guard",
            )
            .into());
        }
        let dup =
            sqlx::query("SELECT id FROM official_accounts WHERE platform = $1 AND handle = $2")
                .bind(acct.platform.as_str())
                .bind(&acct.handle)
                .fetch_optional(&mut *self.tx)
                .await?;
        if dup.is_some() {
            return Err(Error::invalid(
                "handle",
                format!(
                    "{} on {} is registered already",
                    acct.handle,
                    acct.platform.label()
                ),
            )
            .into());
        }
        let id: i64 = sqlx::query("INSERT INTO official_accounts (person_id, platform, handle, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(person)
            .bind(acct.platform.as_str())
            .bind(&acct.handle)
            .bind(self.now().0)
            .fetch_one(&mut *self.tx)
            .await?
            .try_get("id")?;
        self.append(&[NewRecord::new(
            actor,
            kinds::OFFICIAL_ACCOUNT_ADDED,
            format!("person:{person}"),
            json!({"platform": acct.platform, "handle": acct.handle}),
        )])
        .await?;
        Ok(id)
    }

    /// Records that a person acknowledged the current policy version (B.17, E.1).
    pub async fn acknowledge_policy(&mut self, person: i64) -> Result<()> {
        let Some(v) = self.policy_version() else {
            return Err(Error::Conflict("no policy is loaded".into()).into());
        };
        let done = sqlx::query(
            "SELECT at FROM policy_acknowledgements WHERE person_id = $1 AND version_id = $2",
        )
        .bind(person)
        .bind(v)
        .fetch_optional(&mut *self.tx)
        .await?;
        if done.is_some() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO policy_acknowledgements (person_id, version_id, at) VALUES ($1, $2, $3)",
        )
        .bind(person)
        .bind(v)
        .bind(self.now().0)
        .execute(&mut *self.tx)
        .await?;
        let actor = plaza_core::record::person_actor(person);
        self.append(&[NewRecord::new(
            actor,
            kinds::POLICY_ACKNOWLEDGED,
            format!("policy:{v}"),
            json!({"person_id": person}),
        )])
        .await?;
        Ok(())
    }
}

impl Store {
    /// One person.
    pub async fn person(&self, id: i64) -> Result<Person> {
        let sql = format!("SELECT {PERSON_COLS} FROM people WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(r) => person_from(&r),
            None => Err(Error::not_found("person", id).into()),
        }
    }

    /// A person by email.
    pub async fn person_by_email(&self, email: &str) -> Result<Option<Person>> {
        let sql = format!("SELECT {PERSON_COLS} FROM people WHERE email = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(email.trim().to_lowercase())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(person_from).transpose()
    }

    /// Everyone, by name.
    pub async fn people(&self) -> Result<Vec<Person>> {
        let sql = format!("SELECT {PERSON_COLS} FROM people ORDER BY name");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(person_from).collect()
    }

    /// Number of people.
    pub async fn people_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM people")
            .fetch_one(self.pool())
            .await?
            .try_get("n")?)
    }

    /// Every legislative body.
    pub async fn bodies(&self) -> Result<Vec<Body>> {
        let rows =
            sqlx::query("SELECT id, name, seats, quorum FROM legislative_bodies ORDER BY name")
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| {
                Ok(Body {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    seats: r.try_get("seats")?,
                    quorum: r.try_get("quorum")?,
                })
            })
            .collect()
    }

    /// Officials' accounts of one person.
    pub async fn official_accounts(&self, person: i64) -> Result<Vec<OfficialAccount>> {
        let rows = sqlx::query("SELECT id, person_id, platform, handle FROM official_accounts WHERE person_id = $1 ORDER BY platform, handle")
            .bind(person)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let platform: String = r.try_get("platform")?;
                Ok(OfficialAccount {
                    id: r.try_get("id")?,
                    person_id: r.try_get("person_id")?,
                    platform: Platform::parse(&platform)?,
                    handle: r.try_get("handle")?,
                })
            })
            .collect()
    }

    /// When the person acknowledged a policy version, if they did.
    pub async fn acknowledged(&self, person: i64, version: i64) -> Result<Option<Timestamp>> {
        let row = sqlx::query(
            "SELECT at FROM policy_acknowledgements WHERE person_id = $1 AND version_id = $2",
        )
        .bind(person)
        .bind(version)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| ts(&r, "at")).transpose()
    }
}
