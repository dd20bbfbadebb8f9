//! Mastodon contract: the connector against the documented request and response payloads of
//! docs.joinmastodon.org (accounts, statuses, context, followers, block, reports), served by a
//! local HTTP server. No Mastodon server can run here; the payloads follow the documented
//! entities field for field, written by us.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use plaza_connect::mastodon::Mastodon;
use plaza_connect::{Connector, Endpoint, Error, ReportReason};
use plaza_core::capture::{Audience, Capability, ItemKind};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const TOKEN: &str = "city-token";

#[derive(Default)]
struct Seen {
    calls: Vec<String>,
    bodies: Vec<Value>,
}

type Shared = Arc<Mutex<Seen>>;

fn account(id: &str, acct: &str, name: &str) -> Value {
    json!({"id": id, "username": acct.split('@').next().unwrap(), "acct": acct, "display_name": name,
           "note": "<p>Official account of the City of Arbor Vale &amp; its services.</p>",
           "url": format!("https://social.example/@{acct}"), "followers_count": 2, "statuses_count": 2,
           "created_at": "2024-01-01T00:00:00.000Z", "locked": false, "bot": false})
}

fn status(id: &str, who: Value, html: &str, reply_to: Option<&str>) -> Value {
    json!({"id": id, "created_at": "2026-11-20T17:05:00.000Z", "in_reply_to_id": reply_to,
           "in_reply_to_account_id": reply_to.map(|_| "1"), "sensitive": false, "spoiler_text": "",
           "visibility": "public", "language": "en", "uri": format!("https://social.example/users/x/statuses/{id}"),
           "url": format!("https://social.example/@x/{id}"), "replies_count": 1, "reblogs_count": 3,
           "favourites_count": 7, "edited_at": null, "content": html, "reblog": null, "account": who,
           "media_attachments": [], "mentions": [], "tags": [], "emojis": []})
}

/// A status with another visibility.
fn seen_by(mut status: Value, visibility: &str) -> Value {
    status["visibility"] = json!(visibility);
    status
}

fn authed(h: &HeaderMap) -> bool {
    h.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"))
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        axum::Json(json!({"error": "The access token is invalid"})),
    )
        .into_response()
}

async fn server() -> (String, Shared) {
    let seen: Shared = Arc::default();
    let app = Router::new()
        .route("/api/v1/accounts/verify_credentials", get(|State(s): State<Shared>, h: HeaderMap| async move {
            s.lock().unwrap().calls.push("verify_credentials".into());
            if !authed(&h) { return unauthorized(); }
            axum::Json(account("1", "city", "City of Arbor Vale")).into_response()
        }))
        .route("/api/v1/accounts/1/statuses", get(|State(s): State<Shared>, h: HeaderMap, Query(q): Query<HashMap<String, String>>| async move {
            s.lock().unwrap().calls.push(format!("statuses max_id={:?} exclude_replies={:?}", q.get("max_id"), q.get("exclude_replies")));
            if !authed(&h) { return unauthorized(); }
            let city = account("1", "city", "City of Arbor Vale");
            let page = match q.get("max_id").map(String::as_str) {
                None => json!([
                    status("110", city.clone(), "<p>Leaf pickup starts Monday.<br>Bags at the curb by 7&nbsp;am.</p>", None),
                    {"id": "105", "created_at": "2026-11-19T10:00:00.000Z", "uri": "https://social.example/b/105", "content": "",
                     "account": city.clone(), "reblog": status("9", account("5", "news@other.example", "News"), "<p>boosted</p>", None)}
                ]),
                Some("105") => json!([status("100", city, "<p>Council meets Tuesday at 6 pm.</p>", None)]),
                _ => json!([]),
            };
            axum::Json(page).into_response()
        }))
        .route("/api/v1/statuses/{id}/context", get(|State(s): State<Shared>, h: HeaderMap, Path(id): Path<String>| async move {
            s.lock().unwrap().calls.push(format!("context {id}"));
            if !authed(&h) { return unauthorized(); }
            let res = account("7", "resident@town.example", "A Resident");
            let body = if id == "110" {
                json!({"ancestors": [], "descendants": [
                    status("111", res.clone(), "<p><span class=\"h-card\"><a href=\"https://social.example/@city\" class=\"u-url mention\">@<span>city</span></a></span> Will you take yard waste too?</p>", Some("110")),
                    status("112", account("1", "city", "City of Arbor Vale"), "<p>Yes, in paper bags.</p>", Some("111")),
                    seen_by(status("113", res.clone(), "<p>Followers-only: and branches?</p>", Some("110")), "private"),
                    seen_by(status("114", res.clone(), "<p>Unlisted: thanks!</p>", Some("110")), "unlisted"),
                    seen_by(status("115", res.clone(), "<p>A direct message</p>", Some("110")), "direct"),
                ]})
            } else {
                json!({"ancestors": [], "descendants": []})
            };
            axum::Json(body).into_response()
        }))
        .route("/api/v1/accounts/1/followers", get(|State(s): State<Shared>, h: HeaderMap, Query(q): Query<HashMap<String, String>>| async move {
            s.lock().unwrap().calls.push(format!("followers max_id={:?}", q.get("max_id")));
            if !authed(&h) { return unauthorized(); }
            let host = h.get("host").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            match q.get("max_id").map(String::as_str) {
                None => (
                    [("link", format!("<http://{host}/api/v1/accounts/1/followers?max_id=900>; rel=\"next\", <http://{host}/api/v1/accounts/1/followers?since_id=950>; rel=\"prev\""))],
                    axum::Json(json!([account("7", "resident@town.example", "A Resident")])),
                ).into_response(),
                _ => axum::Json(json!([account("8", "neighbor", "")])).into_response(),
            }
        }))
        .route("/api/v1/accounts/{id}/block", post(|State(s): State<Shared>, h: HeaderMap, Path(id): Path<String>| async move {
            s.lock().unwrap().calls.push(format!("block {id}"));
            if !authed(&h) { return unauthorized(); }
            axum::Json(json!({"id": id, "blocking": true, "following": false})).into_response()
        }))
        .route("/api/v1/reports", post(|State(s): State<Shared>, h: HeaderMap, axum::Json(b): axum::Json<Value>| async move {
            s.lock().unwrap().calls.push("report".into());
            s.lock().unwrap().bodies.push(b);
            if !authed(&h) { return unauthorized(); }
            axum::Json(json!({"id": "48914", "action_taken": false, "category": "spam", "comment": ""})).into_response()
        }))
        .with_state(seen.clone());
    let base = common::serve(app).await;
    (base, seen)
}

fn endpoint(base: &str, secret: &str) -> Endpoint {
    Endpoint {
        base_url: base.into(),
        read_url: None,
        account: "city".into(),
        secret: secret.into(),
    }
}

#[tokio::test]
async fn reads_posts_threads_followers_and_profile() {
    let (base, seen) = server().await;
    let mut m = Mastodon::new(&endpoint(&base, TOKEN)).unwrap();
    let s = m.connect().await.unwrap();
    assert_eq!(
        (s.account_id.as_str(), s.handle.as_str(), s.expires_at),
        ("1", "city", None)
    );

    let p = m.profile().await.unwrap();
    assert_eq!(
        p.description,
        "Official account of the City of Arbor Vale & its services."
    );

    let first = m.posts(None).await.unwrap();
    assert_eq!(first.items.len(), 1, "the boost is not the city's post");
    let post = &first.items[0];
    assert_eq!(post.kind, ItemKind::Post);
    assert_eq!(
        post.text,
        "Leaf pickup starts Monday.\nBags at the curb by 7\u{a0}am."
    );
    assert_eq!(
        (post.counts.likes, post.counts.reposts, post.counts.replies),
        (7, 3, 1)
    );
    assert_eq!(post.created_at.rfc3339(), "2026-11-20T17:05:00.000Z");
    let second = m.posts(first.next.clone()).await.unwrap();
    assert_eq!(second.items[0].text, "Council meets Tuesday at 6 pm.");
    let third = m.posts(second.next.clone()).await.unwrap();
    assert!(third.items.is_empty() && third.next.is_none());

    let comments = m.comments(post).await.unwrap();
    // a direct message is correspondence, never captured; a followers-only reply is, marked so
    assert_eq!(comments.len(), 4);
    let audiences: Vec<Audience> = comments.iter().map(|c| c.audience).collect();
    assert_eq!(
        audiences,
        [
            Audience::Public,
            Audience::Public,
            Audience::Followers,
            Audience::Public
        ]
    );
    assert_eq!(comments[0].text, "@city Will you take yard waste too?");
    assert_eq!(comments[0].author.handle, "resident@town.example");
    assert_eq!(comments[0].parent.as_deref(), Some("110"));
    assert_eq!(comments[1].root.as_deref(), Some("110"));
    assert_eq!(comments[1].parent.as_deref(), Some("111"));

    let f1 = m.followers(None).await.unwrap();
    assert_eq!(f1.items[0].handle, "resident@town.example");
    let f2 = m.followers(f1.next.clone()).await.unwrap();
    assert_eq!(f2.items[0].handle, "neighbor");
    assert!(f2.next.is_none());

    m.block(&comments[0].author).await.unwrap();
    m.report(&comments[0], ReportReason::Spam, "C.7.iii spam")
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert!(seen.calls.contains(&"block 7".to_string()));
    assert!(
        seen.calls
            .iter()
            .any(|c| c.contains("max_id=Some(\"105\")"))
    );
    assert_eq!(seen.bodies[0]["status_ids"], json!(["111"]));
    assert_eq!(seen.bodies[0]["category"], "spam");
}

#[tokio::test]
async fn a_refused_token_is_a_credential_error_and_missing_actions_say_so() {
    let (base, _) = server().await;
    let mut m = Mastodon::new(&endpoint(&base, "revoked")).unwrap();
    let e = m.connect().await.unwrap_err();
    assert_eq!(e.code(), "credential_refused", "{e}");
    let post = {
        let mut ok = Mastodon::new(&endpoint(&base, TOKEN)).unwrap();
        ok.posts(None).await.unwrap().items.remove(0)
    };
    let e = m.hide_comment(&post, true).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unsupported {
                capability: "hide_comment",
                ..
            }
        ),
        "{e}"
    );
    assert!(!m.capabilities().contains(&Capability::HideComment));
    assert!(Mastodon::new(&endpoint(&base, "")).is_err());
}

#[tokio::test]
async fn an_unreachable_instance_is_named() {
    let mut m = Mastodon::new(&endpoint("http://127.0.0.1:9", TOKEN)).unwrap();
    let e = m.connect().await.unwrap_err();
    assert_eq!(e.code(), "unreachable");
    assert!(e.to_string().contains("verify_credentials"), "{e}");
}
