//! Facebook contract: the connector against the documented requests and responses of the Graph
//! API (Page, Post, Comment, /blocked, /roles, and the `feed` webhook), served by a local HTTP
//! server. No Graph API can run here; the payloads follow the documented nodes and the paging
//! envelope field for field, written by us.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use plaza_connect::facebook::{self, Facebook, Verb};
use plaza_connect::{Connector, Draft, Endpoint, Error, ReportReason};
use plaza_core::capture::{Capability, ItemKind};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const TOKEN: &str = "EAAG-page-token";
const PAGE: &str = "1001";

type Shared = Arc<Mutex<Vec<String>>>;
type Params = HashMap<String, String>;

fn expired() -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": {
            "message": "Error validating access token: Session has expired on Friday, 20-Nov-26 09:00:00 PST.",
            "type": "OAuthException", "code": 190, "error_subcode": 463, "fbtrace_id": "AbCdEf"}})),
    )
        .into_response()
}

fn post(id: &str, message: &str, time: &str) -> Value {
    json!({"id": id, "message": message, "created_time": time, "updated_time": "2026-11-21T08:00:00+0000",
           "permalink_url": format!("https://www.facebook.com/arborvale/posts/{}", id.split('_').nth(1).unwrap()),
           "from": {"name": "City of Arbor Vale", "id": PAGE},
           "shares": {"count": 4},
           "comments": {"data": [], "summary": {"order": "chronological", "total_count": 3, "can_comment": true}},
           "reactions": {"data": [], "summary": {"total_count": 12, "viewer_reaction": "NONE"}}})
}

fn comment(
    id: &str,
    who: (&str, &str),
    message: &str,
    parent: Option<&str>,
    hidden: bool,
) -> Value {
    let mut c = json!({"id": id, "message": message, "created_time": "2026-11-20T18:00:00+0000",
        "from": {"name": who.1, "id": who.0}, "is_hidden": hidden, "like_count": 2, "comment_count": 0,
        "permalink_url": format!("https://www.facebook.com/arborvale/posts/300?comment_id={id}")});
    if let Some(p) = parent {
        c["parent"] = json!({"id": p, "message": "", "created_time": "2026-11-20T17:30:00+0000"});
    }
    c
}

fn paging(after: &str, next: bool) -> Value {
    let mut p = json!({"cursors": {"before": "QVFIUmJ", "after": after}});
    if next {
        p["next"] = json!(format!(
            "https://graph.facebook.com/v21.0/x?access_token={TOKEN}&after={after}"
        ));
    }
    p
}

async fn handle(seen: Shared, method: Method, path: String, q: Params, form: Params) -> Response {
    let token = q.get("access_token").or(form.get("access_token"));
    let mut params: Vec<String> = q
        .iter()
        .chain(form.iter())
        .filter(|(k, _)| *k != "access_token")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    params.sort();
    seen.lock()
        .unwrap()
        .push(format!("{method} {path} {}", params.join("&")));
    if token.map(String::as_str) != Some(TOKEN) {
        return expired();
    }
    let body = match (method.as_str(), path.as_str()) {
        ("GET", "/1001") => {
            json!({"id": PAGE, "name": "City of Arbor Vale", "username": "arborvale",
                   "about": "Official Page of the City of Arbor Vale.", "followers_count": 5230, "fan_count": 4980})
        }
        ("GET", "/1001/published_posts") => match q.get("after").map(String::as_str) {
            None => {
                json!({"data": [post("1001_300", "Leaf pickup starts Monday.", "2026-11-20T17:05:00+0000")],
                           "paging": paging("CURSOR2", true)})
            }
            Some("CURSOR2") => {
                json!({"data": [post("1001_299", "Council meets Tuesday.", "2026-11-19T15:00:00+0000")],
                                      "paging": paging("CURSOR3", false)})
            }
            _ => json!({"data": []}),
        },
        ("GET", "/1001_300/comments") => match q.get("after").map(String::as_str) {
            None => json!({"data": [
                    comment("300_1", ("5551", "Dana Resident"), "Will you take yard waste too?", None, false),
                    comment("300_2", ("1001", "City of Arbor Vale"), "Yes, in paper bags.", Some("300_1"), false)],
                "paging": paging("C2", true)}),
            _ => {
                json!({"data": [comment("300_3", ("5552", "Spam Bot"), "cheap pills here", None, true)],
                        "paging": paging("C3", false)})
            }
        },
        ("GET", "/1001_301") => post(
            "1001_301",
            "Snow routes are posted.",
            "2026-11-22T09:00:00+0000",
        ),
        ("POST", "/1001/feed") => json!({"id": "1001_301"}),
        ("POST", "/300_3") | ("DELETE", "/300_3") | ("DELETE", "/1001_301") => {
            json!({"success": true})
        }
        ("POST", "/1001/blocked") => json!({"5552": true}),
        ("GET", "/1001/blocked") => match q.get("after").map(String::as_str) {
            None => {
                json!({"data": [{"id": "5552", "name": "Spam Bot"}], "paging": paging("B2", true)})
            }
            _ => {
                json!({"data": [{"id": "5553", "name": "Other Troll"}], "paging": paging("B3", false)})
            }
        },
        ("GET", "/1001/roles") => match q.get("after").map(String::as_str) {
            None => {
                json!({"data": [{"id": "77", "name": "Pat Communications", "tasks": ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"]}],
                           "paging": paging("R2", true)})
            }
            _ => {
                json!({"data": [{"id": "78", "name": "Sam Desk", "tasks": ["ANALYZE", "MODERATE"]}]})
            }
        },
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": {"message": "Unsupported request", "type": "GraphMethodException", "code": 100}})),
            )
                .into_response();
        }
    };
    axum::Json(body).into_response()
}

async fn server() -> (String, Shared) {
    let seen: Shared = Arc::default();
    async fn one(
        State(s): State<Shared>,
        method: Method,
        Path(id): Path<String>,
        Query(q): Query<Params>,
        form: Result<Form<Params>, FormRejection>,
    ) -> Response {
        let form = match (&method, form) {
            (&Method::POST, Ok(f)) => f.0,
            _ => Params::new(),
        };
        handle(s, method, format!("/{id}"), q, form).await
    }
    async fn two(
        State(s): State<Shared>,
        method: Method,
        Path((id, edge)): Path<(String, String)>,
        Query(q): Query<Params>,
        form: Result<Form<Params>, FormRejection>,
    ) -> Response {
        let form = match (&method, form) {
            (&Method::POST, Ok(f)) => f.0,
            _ => Params::new(),
        };
        handle(s, method, format!("/{id}/{edge}"), q, form).await
    }
    let app = Router::new()
        .route("/v21.0/{id}", get(one).post(one).delete(one))
        .route("/v21.0/{id}/{edge}", get(two).post(two))
        .with_state(seen.clone());
    let base = common::serve(app).await;
    (format!("{base}/v21.0"), seen)
}

fn endpoint(base: &str, secret: &str) -> Endpoint {
    Endpoint {
        base_url: base.into(),
        read_url: None,
        account: PAGE.into(),
        secret: secret.into(),
    }
}

#[tokio::test]
async fn reads_posts_comments_profile_roles_and_acts() {
    let (base, seen) = server().await;
    let mut fb = Facebook::new(&endpoint(&base, TOKEN)).unwrap();
    let s = fb.connect().await.unwrap();
    assert_eq!(
        (s.account_id.as_str(), s.handle.as_str()),
        (PAGE, "arborvale")
    );

    let p = fb.profile().await.unwrap();
    assert_eq!((p.name.as_str(), p.followers), ("City of Arbor Vale", 5230));
    assert_eq!(p.description, "Official Page of the City of Arbor Vale.");

    let first = fb.posts(None).await.unwrap();
    assert_eq!(first.next.as_deref(), Some("CURSOR2"));
    let post = &first.items[0];
    assert_eq!(post.kind, ItemKind::Post);
    assert_eq!(post.text, "Leaf pickup starts Monday.");
    assert_eq!(post.created_at.rfc3339(), "2026-11-20T17:05:00.000Z");
    assert_eq!(post.url, "https://www.facebook.com/arborvale/posts/300");
    assert_eq!(post.author.name, "City of Arbor Vale");
    assert_eq!(
        (post.counts.likes, post.counts.reposts, post.counts.replies),
        (12, 4, 3)
    );
    assert_eq!(post.edited_at, None, "updated_time is not an edit time");
    let second = fb.posts(first.next.clone()).await.unwrap();
    assert_eq!(second.items[0].platform_id, "1001_299");
    assert_eq!(second.next, None, "no paging.next: the last page");

    let comments = fb.comments(post).await.unwrap();
    assert_eq!(comments.len(), 3, "both pages of comments");
    assert_eq!(comments[0].author.name, "Dana Resident");
    assert_eq!(comments[0].author.id, "5551");
    assert_eq!(comments[0].created_at.rfc3339(), "2026-11-20T18:00:00.000Z");
    assert_eq!(comments[0].parent.as_deref(), Some("1001_300"));
    assert_eq!(comments[1].parent.as_deref(), Some("300_1"));
    assert_eq!(comments[1].root.as_deref(), Some("1001_300"));
    assert!(!comments[0].hidden);
    assert!(comments[2].hidden, "is_hidden: true is kept");

    fb.hide_comment(&comments[2], true).await.unwrap();
    fb.delete_comment(&comments[2]).await.unwrap();
    fb.block(&comments[2].author).await.unwrap();
    let blocked = fb.blocked(None).await.unwrap();
    assert_eq!(blocked.items[0].name, "Spam Bot");
    let blocked2 = fb.blocked(blocked.next.clone()).await.unwrap();
    assert_eq!(
        (blocked2.items[0].id.as_str(), blocked2.next),
        ("5553", None)
    );

    let roles = fb.page_roles().await.unwrap();
    assert_eq!(roles.len(), 2);
    assert!(roles[1].tasks.contains(&"MODERATE".to_string()));

    let published = fb
        .publish(&Draft {
            text: "Snow routes are posted.".into(),
            images: vec![],
        })
        .await
        .unwrap();
    assert_eq!(published.platform_id, "1001_301");
    fb.delete(&published).await.unwrap();

    let calls = seen.lock().unwrap().clone();
    let has = |c: &str| calls.iter().any(|x| x == c);
    assert!(
        has(&format!(
            "GET /1001/published_posts fields={}&limit=25",
            facebook::POST_FIELDS
        )),
        "{calls:#?}"
    );
    assert!(has(&format!(
        "GET /1001/published_posts after=CURSOR2&fields={}&limit=25",
        facebook::POST_FIELDS
    )));
    assert!(has(&format!(
        "GET /1001_300/comments after=C2&fields={}&filter=stream&limit=100&order=chronological",
        facebook::COMMENT_FIELDS
    )));
    assert!(has("POST /300_3 is_hidden=true"), "{calls:#?}");
    assert!(has("DELETE /300_3 "));
    assert!(has("POST /1001/blocked user=5552"));
    assert!(has(
        "GET /1001/roles after=R2&fields=id,name,tasks&limit=100"
    ));
    assert!(has("POST /1001/feed message=Snow routes are posted."));
    assert!(has("DELETE /1001_301 "));
    assert!(
        facebook::COMMENT_FIELDS.contains("from{id,name}")
            && facebook::COMMENT_FIELDS.contains("is_hidden")
            && facebook::COMMENT_FIELDS.contains("parent{id}")
    );
}

#[tokio::test]
async fn an_expired_token_is_a_refused_credential_and_missing_actions_say_so() {
    let (base, _) = server().await;
    let mut fb = Facebook::new(&endpoint(&base, "expired")).unwrap();
    let e = fb.connect().await.unwrap_err();
    assert_eq!(e.code(), "credential_refused", "{e}");
    assert!(
        !e.to_string().contains("expired&") && !e.to_string().contains("access_token="),
        "{e}"
    );

    let e = fb.followers(None).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unsupported {
                capability: "read_followers",
                ..
            }
        ),
        "{e}"
    );
    let post = {
        let mut ok = Facebook::new(&endpoint(&base, TOKEN)).unwrap();
        ok.posts(None).await.unwrap().items.remove(0)
    };
    let e = fb
        .report(&post, ReportReason::Spam, "C.7")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "unsupported");
    assert!(!fb.capabilities().contains(&Capability::ReadFollowers));
    assert!(!fb.capabilities().contains(&Capability::Report));
    assert_eq!(
        plaza_connect::capabilities(plaza_core::sites::Platform::Facebook),
        facebook::CAPABILITIES
    );
    assert!(Facebook::new(&endpoint(&base, "")).is_err());
}

/// HMAC-SHA256 written a second way for the test (the key pads computed up front as two
/// 64-byte arrays), to check the connector's against.
fn reference_hmac(key: &[u8], msg: &[u8]) -> String {
    let key: Vec<u8> = if key.len() > 64 {
        Sha256::digest(key).to_vec()
    } else {
        key.to_vec()
    };
    let mut ipad = [0x36u8; 64];
    let mut opad = [0x5cu8; 64];
    for (i, k) in key.iter().enumerate() {
        ipad[i] ^= k;
        opad[i] ^= k;
    }
    let inner = Sha256::digest([&ipad[..], msg].concat());
    let outer = Sha256::digest([&opad[..], &inner[..]].concat());
    outer.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn webhook_signatures_and_feed_changes() {
    // The reference matches RFC 4231 test case 2, so it is a fair judge.
    assert_eq!(
        reference_hmac(b"Jefe", b"what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    let secret = b"0123456789abcdef0123456789abcdef";
    let body = br#"{"object":"page","entry":[{"id":"1001","time":1795194000,"changes":[
        {"field":"feed","value":{"from":{"id":"5551","name":"Dana Resident"},"post":{"status_type":"added_photos","is_published":true,"updated_time":"2026-11-20T18:00:00+0000","permalink_url":"https://www.facebook.com/arborvale/posts/300","promotion_status":"inactive","id":"1001_300"},
         "message":"Will you take yard waste too?","post_id":"1001_300","comment_id":"300_1","created_time":1795194000,"item":"comment","parent_id":"1001_300","verb":"add"}},
        {"field":"feed","value":{"item":"comment","verb":"hide","comment_id":"300_3","post_id":"1001_300","parent_id":"1001_300","created_time":1795194100,"from":{"id":"5552","name":"Spam Bot"}}},
        {"field":"feed","value":{"item":"comment","verb":"remove","comment_id":"300_4","post_id":"1001_300","parent_id":"1001_300","created_time":1795194200,"from":{"id":"5553"}}},
        {"field":"feed","value":{"item":"status","verb":"edited","post_id":"1001_300","message":"Leaf pickup starts Tuesday.","created_time":1795194300,"from":{"id":"1001","name":"City of Arbor Vale"}}},
        {"field":"mention","value":{"post_id":"1_2","verb":"add"}}]}]}"#;
    let header = format!("sha256={}", reference_hmac(secret, body));
    assert!(facebook::verify_webhook_signature(secret, body, &header));
    assert!(!facebook::verify_webhook_signature(
        b"another secret",
        body,
        &header
    ));
    let mut tampered = body.to_vec();
    tampered[40] ^= 1;
    assert!(!facebook::verify_webhook_signature(
        secret, &tampered, &header
    ));

    let changes = facebook::parse_webhook(body).unwrap();
    assert_eq!(changes.len(), 4, "the mention field is not a feed change");
    let c = &changes[0];
    assert_eq!(
        (c.item.as_str(), &c.verb, c.comment_id.as_deref()),
        ("comment", &Verb::Add, Some("300_1"))
    );
    assert_eq!(c.from.as_ref().unwrap().name, "Dana Resident");
    assert_eq!(c.message.as_deref(), Some("Will you take yard waste too?"));
    assert_eq!(c.created_time.unwrap().0, 1_795_194_000_000);
    assert_eq!(c.page_id, "1001");
    assert_eq!(changes[1].verb, Verb::Hide);
    assert_eq!(changes[2].verb, Verb::Remove);
    assert_eq!(changes[2].from.as_ref().unwrap().name, "");
    assert_eq!(
        (changes[3].item.as_str(), &changes[3].verb),
        ("status", &Verb::Edited)
    );
}
