//! Who is asking: the session cookie -> the person -> their roles and written authorizations
//! -> a [`Principal`] for the authorization module.

use crate::App;
use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use plaza_core::authz::{Action, Decision, Principal, decide};
use plaza_core::record::{NewRecord, kinds, person_actor};
use plaza_core::{Error, Timestamp};
use plaza_store::Person;
use serde_json::json;

/// The session cookie.
pub const SESSION_COOKIE: &str = "plaza_session";
/// The pre-session cookie that protects the sign-in form (double-submit token).
pub const PRE_COOKIE: &str = "plaza_pre";

/// Reads a cookie.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// 32 random bytes, base64url without padding.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    let _ = getrandom::fill(&mut b);
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// The stored form of a session token.
pub fn token_hash(token: &str) -> String {
    plaza_core::hex(&plaza_core::record::sha256(token.as_bytes()))
}

/// A signed-in person and what they may do.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub person: Person,
    pub principal: Principal,
    pub csrf: String,
    pub now: Timestamp,
    pub path: String,
}

impl Ctx {
    /// Asks the authorization module; a denial is recorded and returned as `forbidden`.
    pub async fn require(&self, app: &App, action: Action) -> Result<(), AppError> {
        match decide(&self.principal, action, self.now) {
            Decision::Allow => Ok(()),
            Decision::Deny(why) => {
                let rec = NewRecord::new(
                    person_actor(self.person.id),
                    kinds::ACCESS_DENIED,
                    format!("route:{}", self.path),
                    json!({"action": format!("{action:?}"), "reason": why}),
                );
                if let Err(e) = app.store.append(&[rec]).await {
                    tracing::error!(error = %e, "could not record an access denial");
                }
                Err(Error::Forbidden(why).into())
            }
        }
    }

    /// Whether an action would be allowed (for showing or hiding buttons).
    pub fn can(&self, action: Action) -> bool {
        decide(&self.principal, action, self.now).allowed()
    }

    /// The actor string for the record.
    pub fn actor(&self) -> String {
        person_actor(self.person.id)
    }
}

/// Loads the signed-in person from the request, if any.
pub async fn load(app: &App, headers: &HeaderMap, path: &str) -> Result<Option<Ctx>, AppError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(session) = app.store.session(&token_hash(&token)).await? else {
        return Ok(None);
    };
    let person = app.store.person(session.person_id).await?;
    let grants = app
        .store
        .authorizations(Some(person.id), None)
        .await?
        .iter()
        .map(|a| a.grant())
        .collect();
    let principal = Principal {
        person_id: person.id,
        roles: person.roles.clone(),
        disabled: person.disabled_at.is_some(),
        grants,
    };
    Ok(Some(Ctx {
        person,
        principal,
        csrf: session.csrf,
        now: app.store.now(),
        path: path.to_string(),
    }))
}

impl FromRequestParts<App> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        match load(app, &parts.headers, parts.uri.path()).await? {
            Some(c) if c.principal.disabled => {
                Err(Error::Forbidden("this account is disabled".into()).into())
            }
            Some(c) => Ok(c),
            None => Err(Error::Unauthenticated.into()),
        }
    }
}

/// The signed-in person if there is one (public pages show a different header).
pub struct MaybeCtx(pub Option<Ctx>);

impl FromRequestParts<App> for MaybeCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        Ok(MaybeCtx(load(app, &parts.headers, parts.uri.path()).await?))
    }
}
