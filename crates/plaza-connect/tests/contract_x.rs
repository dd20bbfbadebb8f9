//! X contract: the connector against the documented requests and responses of the X API v2
//! (users, user posts, recent search by conversation, hide replies, blocking, followers,
//! manage posts), served by a local HTTP server. No X can run here; the payloads follow the
//! documented objects and the `data`/`includes`/`meta` envelope, written by us.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use plaza_connect::x::{self, X};
use plaza_connect::{Connector, Draft, Endpoint, Error, ReportReason};
use plaza_core::capture::{Audience, Capability, ItemKind};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

const TOKEN: &str = "x-oauth2-user-token";
const ME: &str = "1500000000000000001";

#[derive(Default)]
struct Seen {
    calls: Vec<String>,
    bodies: Vec<Value>,
}
type Shared = Arc<Mutex<Seen>>;
type Params = BTreeMap<String, String>;

fn tweet(id: &str, author: &str, text: &str, reply_to: Option<&str>, time: &str) -> Value {
    let mut t = json!({"id": id, "text": text, "created_at": time, "author_id": author,
        "conversation_id": "1860000000000000100", "edit_history_tweet_ids": [id],
        "public_metrics": {"retweet_count": 2, "reply_count": 1, "like_count": 9, "quote_count": 1, "bookmark_count": 0, "impression_count": 800}});
    if let Some(r) = reply_to {
        t["referenced_tweets"] = json!([{"type": "replied_to", "id": r}]);
        t["in_reply_to_user_id"] = json!(ME);
    }
    t
}

fn users() -> Value {
    json!({"users": [{"id": ME, "name": "City of Arbor Vale", "username": "ArborValeCity"},
                     {"id": "42", "name": "Dana Resident", "username": "dana_r"},
                     {"id": "43", "name": "Pills", "username": "cheap_pills", "protected": true}]})
}

async fn handle(
    State(seen): State<Shared>,
    method: Method,
    h: HeaderMap,
    Path(path): Path<String>,
    Query(q): Query<Params>,
    body: Bytes,
) -> Response {
    let params: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
    {
        let mut s = seen.lock().unwrap();
        s.calls
            .push(format!("{method} /{path} {}", params.join("&")));
        if let Ok(v) = serde_json::from_slice::<Value>(&body) {
            s.bodies.push(v);
        }
    }
    if h.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Bearer {TOKEN}")) {
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}))).into_response();
    }
    let get = |k: &str| q.get(k).map(String::as_str);
    let out = match (method.as_str(), path.as_str()) {
        ("GET", "users/me") => json!({"data": {"id": ME, "name": "City of Arbor Vale", "username": "ArborValeCity"}}),
        ("GET", "users/1500000000000000001") => json!({"data": {"id": ME, "name": "City of Arbor Vale", "username": "ArborValeCity",
            "description": "Official account of the City of Arbor Vale.",
            "public_metrics": {"followers_count": 12000, "following_count": 80, "tweet_count": 5400, "listed_count": 120, "like_count": 3}}}),
        ("GET", "users/1500000000000000001/tweets") => match get("pagination_token") {
            None => json!({"data": [tweet("1860000000000000100", ME, "Leaf pickup starts Monday.", None, "2026-11-20T17:05:00.000Z")],
                           "includes": users(), "meta": {"result_count": 1, "newest_id": "1860000000000000100", "oldest_id": "1860000000000000100", "next_token": "7140dibdnow9c7btw423x"}}),
            _ => json!({"data": [tweet("1859000000000000000", ME, "Council meets Tuesday.", None, "2026-11-19T15:00:00.000Z")],
                        "includes": users(), "meta": {"result_count": 1, "newest_id": "1859000000000000000", "oldest_id": "1859000000000000000"}}),
        },
        ("GET", "tweets/search/recent") => match get("next_token") {
            None => json!({"data": [tweet("1860000000000000101", "42", "@ArborValeCity yard waste too?", Some("1860000000000000100"), "2026-11-20T18:00:00.000Z")],
                           "includes": users(), "meta": {"result_count": 1, "next_token": "b26v89c19zqg8o3fpzbkk"}}),
            _ => json!({"data": [tweet("1860000000000000102", ME, "@dana_r Yes, in paper bags.", Some("1860000000000000101"), "2026-11-20T18:05:00.000Z"),
                                 tweet("1860000000000000103", "43", "cheap pills here", Some("1860000000000000100"), "2026-11-20T18:06:00.000Z")],
                        "includes": users(), "meta": {"result_count": 2}}),
        },
        ("PUT", "tweets/1860000000000000103/hidden") => json!({"data": {"hidden": true}}),
        ("PUT", "tweets/1860000000000000101/hidden") => json!({"data": {"hidden": true}}), // wrong on purpose: asked to unhide
        ("POST", "users/1500000000000000001/blocking") => json!({"data": {"blocking": true}}),
        ("POST", "tweets") => json!({"data": {"id": "1860000000000000200", "text": "Snow routes are posted.", "edit_history_tweet_ids": ["1860000000000000200"]}}),
        ("GET", "tweets/1860000000000000200") => json!({"data": tweet("1860000000000000200", ME, "Snow routes are posted.", None, "2026-11-22T09:00:00.000Z"), "includes": users()}),
        ("DELETE", "tweets/1860000000000000200") => json!({"data": {"deleted": true}}),
        ("GET", "users/1500000000000000001/followers") => match get("pagination_token") {
            None => json!({"data": [{"id": "42", "name": "Dana Resident", "username": "dana_r"}], "meta": {"result_count": 1, "next_token": "DFEDBNRFT3MHCZZZ"}}),
            _ => json!({"data": [{"id": "44", "name": "Neighbor", "username": "neighbor"}], "meta": {"result_count": 1}}),
        },
        _ => return (StatusCode::NOT_FOUND, axum::Json(json!({"title": "Not Found Error", "type": "https://api.twitter.com/2/problems/resource-not-found", "detail": path}))).into_response(),
    };
    axum::Json(out).into_response()
}

async fn server() -> (String, Shared) {
    let seen: Shared = Arc::default();
    let app = Router::new()
        .route(
            "/2/{*path}",
            get(handle).post(handle).put(handle).delete(handle),
        )
        .with_state(seen.clone());
    let base = common::serve(app).await;
    (format!("{base}/2"), seen)
}

fn endpoint(base: &str, secret: &str) -> Endpoint {
    Endpoint {
        base_url: base.into(),
        read_url: None,
        account: ME.into(),
        secret: secret.into(),
    }
}

#[tokio::test]
async fn reads_posts_replies_followers_profile_and_acts() {
    let (base, seen) = server().await;
    let mut xc = X::new(&endpoint(&base, TOKEN)).unwrap();
    let s = xc.connect().await.unwrap();
    assert_eq!(
        (s.account_id.as_str(), s.handle.as_str()),
        (ME, "ArborValeCity")
    );
    let p = xc.profile().await.unwrap();
    assert_eq!((p.followers, p.posts), (12000, 5400));
    assert_eq!(p.description, "Official account of the City of Arbor Vale.");

    let first = xc.posts(None).await.unwrap();
    let post = &first.items[0];
    assert_eq!(post.kind, ItemKind::Post);
    assert_eq!(post.text, "Leaf pickup starts Monday.");
    assert_eq!(post.created_at.rfc3339(), "2026-11-20T17:05:00.000Z");
    assert_eq!(
        post.url,
        "https://x.com/ArborValeCity/status/1860000000000000100"
    );
    assert_eq!(
        (post.counts.likes, post.counts.reposts, post.counts.replies),
        (9, 3, 1)
    );
    let second = xc.posts(first.next.clone()).await.unwrap();
    assert_eq!(
        (second.items[0].platform_id.as_str(), second.next),
        ("1859000000000000000", None)
    );

    let replies = xc.comments(post).await.unwrap();
    assert_eq!(replies.len(), 3, "both pages of the conversation");
    // a protected account's reply is seen only by the followers it approved
    let audiences: Vec<Audience> = replies.iter().map(|r| r.audience).collect();
    assert_eq!(
        audiences,
        [Audience::Public, Audience::Public, Audience::Followers]
    );
    assert_eq!(replies[0].kind, ItemKind::Comment);
    assert_eq!(
        (
            replies[0].author.handle.as_str(),
            replies[0].author.name.as_str()
        ),
        ("dana_r", "Dana Resident")
    );
    assert_eq!(replies[0].created_at.rfc3339(), "2026-11-20T18:00:00.000Z");
    assert_eq!(replies[0].parent.as_deref(), Some("1860000000000000100"));
    assert_eq!(replies[1].parent.as_deref(), Some("1860000000000000101"));
    assert_eq!(replies[1].root.as_deref(), Some("1860000000000000100"));
    assert!(
        replies.iter().all(|r| !r.hidden),
        "X does not say which replies are hidden"
    );

    xc.hide_comment(&replies[2], true).await.unwrap();
    let e = xc.hide_comment(&replies[0], false).await.unwrap_err();
    assert_eq!(
        e.code(),
        "bad_payload",
        "an unconfirmed change is an error: {e}"
    );
    xc.block(&replies[2].author).await.unwrap();

    let f1 = xc.followers(None).await.unwrap();
    assert_eq!(f1.items[0].handle, "dana_r");
    let f2 = xc.followers(f1.next.clone()).await.unwrap();
    assert_eq!((f2.items[0].id.as_str(), f2.next), ("44", None));

    let published = xc
        .publish(&Draft {
            text: "Snow routes are posted.".into(),
            images: vec![],
        })
        .await
        .unwrap();
    assert_eq!(published.created_at.rfc3339(), "2026-11-22T09:00:00.000Z");
    xc.delete(&published).await.unwrap();

    let seen = seen.lock().unwrap();
    let has = |c: &str| seen.calls.iter().any(|x| x == c);
    let tf = x::TWEET_FIELDS;
    assert!(
        has(&format!(
            "GET /users/{ME}/tweets exclude=retweets,replies&expansions=author_id&max_results=100&tweet.fields={tf}&user.fields=username,name,protected"
        )),
        "{:#?}",
        seen.calls
    );
    assert!(has(&format!(
        "GET /users/{ME}/tweets exclude=retweets,replies&expansions=author_id&max_results=100&pagination_token=7140dibdnow9c7btw423x&tweet.fields={tf}&user.fields=username,name,protected"
    )));
    assert!(
        has(&format!(
            "GET /tweets/search/recent expansions=author_id&max_results=100&next_token=b26v89c19zqg8o3fpzbkk&query=conversation_id:1860000000000000100&tweet.fields={tf}&user.fields=username,name,protected"
        )),
        "{:#?}",
        seen.calls
    );
    assert!(has("PUT /tweets/1860000000000000103/hidden "));
    assert!(has(&format!("POST /users/{ME}/blocking ")));
    assert!(has(
        "GET /users/1500000000000000001/followers max_results=1000&pagination_token=DFEDBNRFT3MHCZZZ&user.fields=username,name,protected"
    ));
    assert!(has("DELETE /tweets/1860000000000000200 "));
    assert!(seen.bodies.contains(&json!({"hidden": true})));
    assert!(seen.bodies.contains(&json!({"hidden": false})));
    assert!(seen.bodies.contains(&json!({"target_user_id": "43"})));
    assert!(
        seen.bodies
            .contains(&json!({"text": "Snow routes are posted."}))
    );
}

#[tokio::test]
async fn a_refused_token_and_what_x_does_not_allow() {
    let (base, _) = server().await;
    let mut xc = X::new(&endpoint(&base, "expired")).unwrap();
    let e = xc.connect().await.unwrap_err();
    assert_eq!(e.code(), "credential_refused", "{e}");
    let post = {
        let mut ok = X::new(&endpoint(&base, TOKEN)).unwrap();
        ok.posts(None).await.unwrap().items.remove(0)
    };
    let e = xc.delete_comment(&post).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unsupported {
                capability: "delete_comment",
                ..
            }
        ),
        "{e}"
    );
    let e = xc.report(&post, ReportReason::Spam, "").await.unwrap_err();
    assert_eq!(e.code(), "unsupported");
    assert!(!xc.capabilities().contains(&Capability::DeleteComment));
    assert_eq!(
        plaza_connect::capabilities(plaza_core::sites::Platform::X),
        x::CAPABILITIES
    );
    let mut other = X::new(&Endpoint {
        account: "99".into(),
        ..endpoint(&base, TOKEN)
    })
    .unwrap();
    assert_eq!(other.connect().await.unwrap_err().code(), "misconfigured");
}
