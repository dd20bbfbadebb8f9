//! Passwords (Argon2id), sign-in with throttling, sign-out.

use crate::ctx::{SESSION_COOKIE, cookie, random_token, token_hash};
use crate::error::AppError;
use crate::{App, views};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use plaza_core::Error;
use plaza_core::record::{NewRecord, kinds, person_actor};
use serde::Deserialize;
use serde_json::json;

/// Hashes a password with Argon2id and a random salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, Error> {
    if password.chars().count() < 10 {
        return Err(Error::invalid("password", "must be at least 10 characters"));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| Error::invalid("password", format!("no randomness available: {e}")))?;
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::invalid("password", e.to_string()))
}

/// Checks a password against a PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the email is unknown, so timing does not tell.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG0cKzJZ0wQ9Q";

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    error: Option<String>,
}

pub async fn login_page(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Result<Response, AppError> {
    let pre = cookie(&headers, crate::ctx::PRE_COOKIE).unwrap_or_else(random_token);
    let page = views::Login {
        nav: views::Nav::public(views::city_name(&app).await),
        csrf: pre.clone(),
        next: q.next.unwrap_or_default(),
        error: q.error.unwrap_or_default(),
    };
    let mut resp = views::html(&page)?;
    let c = format!(
        "{}={pre}; Path=/; HttpOnly; SameSite=Strict; Max-Age=7200{}",
        crate::ctx::PRE_COOKIE,
        if app.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    );
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&c).map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok(resp)
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/staff".to_string()
    }
}

pub async fn login(State(app): State<App>, Form(f): Form<LoginForm>) -> Result<Response, AppError> {
    let email = f.email.trim().to_lowercase();
    let store = &app.store;
    let now = store.now();
    let (failures, last) = store
        .recent_failures(
            &email,
            plaza_core::Timestamp(now.0 - app.config.failure_window_ms),
        )
        .await?;
    if failures >= app.config.max_failures {
        let retry = last
            .map(|l| (l.0 + app.config.failure_window_ms - now.0) / 1000)
            .unwrap_or(60)
            .max(1);
        let mut tx = store.begin_write().await?;
        tx.append(&[NewRecord::new(
            "public",
            kinds::LOGIN_FAILED,
            format!("login:{email}"),
            json!({"email": email, "reason": "throttled"}),
        )])
        .await?;
        tx.commit().await?;
        return Err(Error::Throttled {
            retry_after_secs: retry,
        }
        .into());
    }
    let person = store.person_by_email(&email).await?;
    let ok = match &person {
        Some(p) => p
            .password_hash
            .as_deref()
            .is_some_and(|h| verify_password(&f.password, h)),
        None => {
            let _ = verify_password(&f.password, DUMMY_HASH);
            false
        }
    };
    let disabled = person.as_ref().is_some_and(|p| p.disabled_at.is_some());
    let mut tx = store.begin_write().await?;
    if !ok || disabled {
        let reason = if disabled && ok {
            "account disabled"
        } else {
            "wrong email or password"
        };
        tx.note_login_attempt(&email, false).await?;
        tx.append(&[NewRecord::new(
            "public",
            kinds::LOGIN_FAILED,
            format!("login:{email}"),
            json!({"email": email, "reason": reason}),
        )])
        .await?;
        tx.commit().await?;
        let msg = if disabled && ok {
            "This account is disabled. Ask the PIO or HR."
        } else {
            "Wrong email or password."
        };
        let to = format!(
            "/login?error={}&next={}",
            urlencode(msg),
            urlencode(&f.next)
        );
        return Ok(Redirect::to(&to).into_response());
    }
    let Some(person) = person else {
        return Err(AppError::Internal("person vanished during sign-in".into()));
    };
    let token = random_token();
    let csrf = random_token();
    tx.note_login_attempt(&email, true).await?;
    tx.create_session(
        &token_hash(&token),
        person.id,
        &csrf,
        plaza_core::Timestamp(now.0 + app.config.session_ms),
    )
    .await?;
    tx.append(&[NewRecord::new(
        person_actor(person.id),
        kinds::LOGIN_SUCCEEDED,
        format!("person:{}", person.id),
        json!({"email": email}),
    )])
    .await?;
    tx.commit().await?;
    let c = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        app.config.session_ms / 1000,
        if app.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    );
    let mut resp = Redirect::to(&safe_next(&f.next)).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&c).map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok(resp)
}

pub async fn logout(State(app): State<App>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        let h = token_hash(&token);
        if let Some(s) = app.store.session(&h).await? {
            let mut tx = app.store.begin_write().await?;
            tx.delete_session(&h).await?;
            tx.append(&[NewRecord::new(
                person_actor(s.person_id),
                kinds::LOGOUT,
                format!("person:{}", s.person_id),
                json!({}),
            )])
            .await?;
            tx.commit().await?;
        }
    }
    let mut resp = Redirect::to("/").into_response();
    let c = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&c).map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok(resp)
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(hash_password("short").is_err());
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn next_must_stay_on_this_site() {
        assert_eq!(safe_next("/staff/sites"), "/staff/sites");
        assert_eq!(safe_next("//evil.example"), "/staff");
        assert_eq!(safe_next("https://evil.example"), "/staff");
    }
}
