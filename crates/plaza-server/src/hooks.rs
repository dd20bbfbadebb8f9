//! Platform webhooks. A Facebook Page pushes its `feed` changes (a comment added, edited,
//! hidden or removed) to `/hooks/facebook/{site}`; Plaza checks the `X-Hub-Signature-256` HMAC
//! with the app secret, records the delivery (`capture.webhook`) and asks the capture engine to
//! run a pass over that site now. The pass is what stores the items: a webhook says something
//! changed, the API says what is there.
//!
//! These routes are public and take no CSRF token (the platform cannot send one); the HMAC is
//! their authentication. The app secret and the verify token are files in the data directory,
//! `secrets/site-N.app-secret` and `secrets/site-N.verify-token` (`plaza site webhook`).

use crate::App;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use plaza_core::record::{NewRecord, kinds};
use serde_json::json;
use std::collections::HashMap;

/// Largest delivery accepted (the route refuses a larger body before reading it all).
pub(crate) const MAX_DELIVERY: usize = 1 << 20;

struct Secrets {
    app_secret: String,
    verify_token: String,
}

fn secrets(app: &App, site: i64) -> Option<Secrets> {
    let dir = app.config.secrets_dir.as_ref()?;
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(format!("site-{site}.{name}")))
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    Some(Secrets {
        app_secret: read("app-secret")?,
        verify_token: read("verify-token")?,
    })
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (
        status,
        [("content-type", "text/plain; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

fn not_set_up() -> Response {
    text(
        StatusCode::NOT_FOUND,
        "webhooks are not set up for this site (plaza site webhook)",
    )
}

/// `GET /hooks/facebook/{id}`: the subscription check. Facebook sends `hub.mode=subscribe`,
/// the verify token the city entered, and a challenge to echo back.
pub async fn facebook_verify(
    State(app): State<App>,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(s) = secrets(&app, id) else {
        return not_set_up();
    };
    let mode_ok = q.get("hub.mode").map(String::as_str) == Some("subscribe");
    let token_ok = q
        .get("hub.verify_token")
        .is_some_and(|t| crate::security::constant_time_eq(t, &s.verify_token));
    match (mode_ok && token_ok, q.get("hub.challenge")) {
        (true, Some(challenge)) => text(StatusCode::OK, challenge.clone()),
        _ => text(
            StatusCode::BAD_REQUEST,
            "hub.mode must be subscribe, with this site's hub.verify_token and a hub.challenge",
        ),
    }
}

/// `POST /hooks/facebook/{id}`: a delivery of Page changes.
pub async fn facebook_event(
    State(app): State<App>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(s) = secrets(&app, id) else {
        return not_set_up();
    };
    if body.len() > MAX_DELIVERY {
        return text(StatusCode::PAYLOAD_TOO_LARGE, "delivery too large");
    }
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !plaza_connect::facebook::verify_webhook_signature(s.app_secret.as_bytes(), &body, signature)
    {
        tracing::warn!(
            site = id,
            "webhook delivery with a bad X-Hub-Signature-256 refused"
        );
        return text(
            StatusCode::BAD_REQUEST,
            "X-Hub-Signature-256 is missing or does not match this site's app secret",
        );
    }
    let changes = match plaza_connect::facebook::parse_webhook(&body) {
        Ok(c) => c,
        Err(e) => return text(StatusCode::BAD_REQUEST, e.to_string()),
    };
    // One Meta app can serve several Pages: keep only the changes about this site's Page.
    let page = match app.store.endpoint(id).await {
        Ok(Some(ep)) => ep.account,
        Ok(None) => return not_set_up(),
        Err(e) => return crate::AppError::from(e).into_response(),
    };
    let changes: Vec<_> = changes.into_iter().filter(|c| c.page_id == page).collect();
    if changes.is_empty() {
        // Answered 200 so the platform does not retry a delivery that is not for this site.
        return text(StatusCode::OK, "nothing for this site");
    }
    let summary: Vec<_> = changes
        .iter()
        .map(|c| {
            json!({
                "page_id": c.page_id,
                "item": c.item,
                "verb": format!("{:?}", c.verb).to_lowercase(),
                "post_id": c.post_id,
                "comment_id": c.comment_id,
                "parent_id": c.parent_id,
                "from": c.from,
                "created_time": c.created_time,
            })
        })
        .collect();
    let entry = NewRecord::new(
        "system:webhook",
        kinds::CAPTURE_WEBHOOK,
        format!("site:{id}"),
        json!({"platform": "facebook", "changes": summary}),
    );
    if let Err(e) = app.store.append(&[entry]).await {
        return crate::AppError::from(e).into_response();
    }
    // Reactions and the like change no record: only posts and comments start a capture.
    let content = changes.iter().any(|c| {
        matches!(
            c.item.as_str(),
            "comment" | "post" | "status" | "photo" | "video" | "share"
        )
    });
    if content && let Some(tx) = &app.config.capture_now {
        let _ = tx.send(id);
    }
    text(StatusCode::OK, "ok")
}
