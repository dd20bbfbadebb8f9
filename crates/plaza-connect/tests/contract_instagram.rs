//! Instagram contract: the connector against the documented requests and responses of the
//! Instagram Graph API (IG User, IG Media, IG Comment and its replies), served by a local HTTP
//! server. No Graph API can run here; the payloads follow the documented objects and the
//! paging envelope, written by us.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use plaza_connect::instagram::{self, Instagram};
use plaza_connect::{Connector, Draft, Endpoint, Error};
use plaza_core::capture::{Author, Capability, ItemKind};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const TOKEN: &str = "IGQW-city-token";
const USER: &str = "17841400000000001";

type Shared = Arc<Mutex<Vec<String>>>;
type Params = HashMap<String, String>;

fn paging(after: &str, next: bool) -> Value {
    let mut p = json!({"cursors": {"before": "QVFI", "after": after}});
    if next {
        p["next"] = json!(format!(
            "https://graph.facebook.com/v21.0/x?access_token={TOKEN}&after={after}"
        ));
    }
    p
}

fn media(id: &str, caption: &str, time: &str) -> Value {
    json!({"id": id, "caption": caption, "timestamp": time, "permalink": format!("https://www.instagram.com/p/C{id}/"),
           "like_count": 41, "comments_count": 3, "username": "arborvale", "media_type": "IMAGE",
           "media_url": format!("https://scontent.cdninstagram.com/{id}.jpg")})
}

fn comment(id: &str, user: (&str, &str), text: &str, hidden: bool, parent: Option<&str>) -> Value {
    let mut c = json!({"id": id, "text": text, "timestamp": "2026-11-20T18:00:00+0000", "username": user.1,
                       "from": {"id": user.0, "username": user.1}, "hidden": hidden, "like_count": 1});
    if let Some(p) = parent {
        c["parent_id"] = json!(p);
    }
    c
}

async fn handle(seen: Shared, method: Method, path: String, q: Params, form: Params) -> Response {
    let token = q.get("access_token").or(form.get("access_token")).cloned();
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
    if token.as_deref() != Some(TOKEN) {
        return (StatusCode::BAD_REQUEST, axum::Json(json!({"error": {
            "message": "Error validating access token: The session has been invalidated because the user changed their password.",
            "type": "OAuthException", "code": 190, "error_subcode": 460, "fbtrace_id": "Zz"}}))).into_response();
    }
    let after = q.get("after").map(String::as_str);
    let body = match (method.as_str(), path.as_str()) {
        ("GET", "/17841400000000001") => {
            json!({"id": USER, "username": "arborvale", "name": "City of Arbor Vale",
            "biography": "Official Instagram of the City of Arbor Vale.", "followers_count": 8800, "media_count": 412})
        }
        ("GET", "/17841400000000001/media") => match after {
            None => {
                json!({"data": [media("900", "Leaf pickup starts Monday 🍂", "2026-11-20T17:05:00+0000")], "paging": paging("M2", true)})
            }
            _ => {
                json!({"data": [media("899", "Council meets Tuesday.", "2026-11-19T15:00:00+0000")], "paging": paging("M3", false)})
            }
        },
        ("GET", "/900/comments") => match after {
            None => json!({"data": [
                {"id": "c1", "text": "Yard waste too?", "timestamp": "2026-11-20T18:00:00+0000", "username": "dana.resident",
                 "from": {"id": "555", "username": "dana.resident"}, "hidden": false, "like_count": 2,
                 "replies": {"data": [comment("r1", (USER, "arborvale"), "Yes, in paper bags.", false, Some("c1"))],
                             "paging": paging("R2", true)}}],
                "paging": paging("C2", true)}),
            _ => {
                json!({"data": [comment("c2", ("556", "pills.cheap"), "cheap pills here", true, None)], "paging": paging("C3", false)})
            }
        },
        ("GET", "/c1/replies") => {
            json!({"data": [comment("r2", ("557", "neighbor"), "Thanks!", false, None)]})
        }
        ("POST", "/c2") | ("DELETE", "/c2") => json!({"success": true}),
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": {"message": "Unsupported get request.",
            "type": "GraphMethodException", "code": 100, "error_subcode": 33}})),
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
    ) -> Response {
        handle(s, method, format!("/{id}/{edge}"), q, Params::new()).await
    }
    let app = Router::new()
        .route("/v21.0/{id}", get(one).post(one).delete(one))
        .route("/v21.0/{id}/{edge}", get(two))
        .with_state(seen.clone());
    let base = common::serve(app).await;
    (format!("{base}/v21.0"), seen)
}

fn endpoint(base: &str, secret: &str) -> Endpoint {
    Endpoint {
        base_url: base.into(),
        read_url: None,
        account: USER.into(),
        secret: secret.into(),
    }
}

#[tokio::test]
async fn reads_media_comments_replies_profile_and_moderates() {
    let (base, seen) = server().await;
    let mut ig = Instagram::new(&endpoint(&base, TOKEN)).unwrap();
    let s = ig.connect().await.unwrap();
    assert_eq!(
        (s.account_id.as_str(), s.handle.as_str()),
        (USER, "arborvale")
    );
    let p = ig.profile().await.unwrap();
    assert_eq!((p.followers, p.posts), (8800, 412));
    assert_eq!(
        p.description,
        "Official Instagram of the City of Arbor Vale."
    );

    let first = ig.posts(None).await.unwrap();
    let post = &first.items[0];
    assert_eq!(post.kind, ItemKind::Post);
    assert_eq!(post.text, "Leaf pickup starts Monday 🍂");
    assert_eq!(post.created_at.rfc3339(), "2026-11-20T17:05:00.000Z");
    assert_eq!(
        post.media[0].url,
        "https://scontent.cdninstagram.com/900.jpg"
    );
    assert_eq!((post.counts.likes, post.counts.replies), (41, 3));
    assert_eq!(first.next.as_deref(), Some("M2"));
    let second = ig.posts(first.next.clone()).await.unwrap();
    assert_eq!(
        (second.items[0].platform_id.as_str(), second.next),
        ("899", None)
    );

    let comments = ig.comments(post).await.unwrap();
    let ids: Vec<&str> = comments.iter().map(|c| c.platform_id.as_str()).collect();
    assert_eq!(
        ids,
        ["c1", "r1", "r2", "c2"],
        "replies embedded and paged, then the next page"
    );
    assert_eq!(comments[0].author.handle, "dana.resident");
    assert_eq!(comments[0].created_at.rfc3339(), "2026-11-20T18:00:00.000Z");
    assert_eq!(comments[0].parent.as_deref(), Some("900"));
    assert_eq!(comments[1].parent.as_deref(), Some("c1"));
    assert_eq!(
        comments[2].parent.as_deref(),
        Some("c1"),
        "a reply without parent_id hangs under its comment"
    );
    assert_eq!(comments[2].root.as_deref(), Some("900"));
    assert!(!comments[0].hidden);
    assert!(comments[3].hidden, "hidden: true is kept");

    ig.hide_comment(&comments[3], true).await.unwrap();
    ig.delete_comment(&comments[3]).await.unwrap();

    let calls = seen.lock().unwrap().clone();
    let has = |c: &str| calls.iter().any(|x| x == c);
    assert!(
        has(&format!(
            "GET /17841400000000001/media fields={}&limit=25",
            instagram::MEDIA_FIELDS
        )),
        "{calls:#?}"
    );
    assert!(has(&format!(
        "GET /17841400000000001/media after=M2&fields={}&limit=25",
        instagram::MEDIA_FIELDS
    )));
    assert!(has(&format!(
        "GET /900/comments after=C2&fields={}&limit=50",
        instagram::COMMENT_FIELDS
    )));
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("GET /c1/replies after=R2&fields=")),
        "{calls:#?}"
    );
    assert!(has("POST /c2 hide=true"), "{calls:#?}");
    assert!(has("DELETE /c2 "));
}

#[tokio::test]
async fn a_refused_token_and_what_instagram_does_not_allow() {
    let (base, _) = server().await;
    let mut ig = Instagram::new(&endpoint(&base, "revoked")).unwrap();
    let e = ig.connect().await.unwrap_err();
    assert_eq!(e.code(), "credential_refused", "{e}");
    let who = Author {
        id: "556".into(),
        handle: "pills.cheap".into(),
        name: String::new(),
    };
    let e = ig.block(&who).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unsupported {
                capability: "block_user",
                ..
            }
        ),
        "{e}"
    );
    let e = ig.followers(None).await.unwrap_err();
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
    let e = ig
        .publish(&Draft {
            text: "hi".into(),
            images: vec![],
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), "unsupported");
    for c in [
        Capability::BlockUser,
        Capability::ReadFollowers,
        Capability::Publish,
        Capability::Delete,
    ] {
        assert!(!ig.capabilities().contains(&c));
    }
    assert_eq!(
        plaza_connect::capabilities(plaza_core::sites::Platform::Instagram),
        instagram::CAPABILITIES
    );
    assert!(Instagram::new(&endpoint(&base, "")).is_err());
}
