//! YouTube contract: the connector against the documented requests and responses of the YouTube
//! Data API v3 (channels, playlistItems, commentThreads, comments, subscriptions, videos and
//! comments.setModerationStatus), served by a local HTTP server. No YouTube can run here; the
//! payloads follow the documented resources field for field, written by us.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use plaza_connect::youtube::{self, YouTube};
use plaza_connect::{Connector, Draft, Endpoint, Error, ReportReason};
use plaza_core::capture::{Author, Capability, ItemKind};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

const TOKEN: &str = "ya29.city-token";
const CHANNEL: &str = "UCcityArborVale0000000001";

type Shared = Arc<Mutex<Vec<String>>>;
type Params = BTreeMap<String, String>;

fn comment(id: &str, who: (&str, &str), text: &str, parent: Option<&str>, status: &str) -> Value {
    let mut snippet = json!({"channelId": CHANNEL, "videoId": "vid1", "textDisplay": text, "textOriginal": text,
        "authorDisplayName": who.1, "authorProfileImageUrl": "https://yt3.ggpht.com/a.jpg",
        "authorChannelUrl": format!("http://www.youtube.com/{}", who.1), "authorChannelId": {"value": who.0},
        "canRate": true, "viewerRating": "none", "likeCount": 3, "moderationStatus": status,
        "publishedAt": "2026-11-20T18:00:00Z", "updatedAt": "2026-11-20T18:00:00Z"});
    if let Some(p) = parent {
        snippet["parentId"] = json!(p);
    }
    json!({"kind": "youtube#comment", "etag": "e", "id": id, "snippet": snippet})
}

fn thread(id: &str, top: Value, replies: Vec<Value>, total: i64) -> Value {
    json!({"kind": "youtube#commentThread", "etag": "e", "id": id,
           "snippet": {"channelId": CHANNEL, "videoId": "vid1", "topLevelComment": top, "canReply": true,
                       "totalReplyCount": total, "isPublic": true},
           "replies": {"comments": replies}})
}

fn upload(video: &str, title: &str, published: &str) -> Value {
    json!({"kind": "youtube#playlistItem", "etag": "e", "id": format!("PL{video}"),
           "snippet": {"publishedAt": "2026-11-20T17:10:00Z", "channelId": CHANNEL, "title": title,
                       "description": "Full details at arborvale.gov.", "channelTitle": "City of Arbor Vale",
                       "playlistId": "UUcityArborVale0000000001", "position": 0,
                       "resourceId": {"kind": "youtube#video", "videoId": video},
                       "videoOwnerChannelTitle": "City of Arbor Vale", "videoOwnerChannelId": CHANNEL},
           "contentDetails": {"videoId": video, "videoPublishedAt": published}})
}

fn list(kind: &str, items: Vec<Value>, next: Option<&str>) -> Value {
    let mut v = json!({"kind": kind, "etag": "e", "pageInfo": {"totalResults": items.len(), "resultsPerPage": 50}, "items": items});
    if let Some(n) = next {
        v["nextPageToken"] = json!(n);
    }
    v
}

async fn handle(
    State(seen): State<Shared>,
    method: Method,
    h: HeaderMap,
    Path(path): Path<String>,
    Query(q): Query<Params>,
) -> Response {
    let params: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
    seen.lock()
        .unwrap()
        .push(format!("{method} /{path} {}", params.join("&")));
    if h.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Bearer {TOKEN}")) {
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({"error": {"code": 401,
            "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
            "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError", "location": "Authorization", "locationType": "header"}],
            "status": "UNAUTHENTICATED"}}))).into_response();
    }
    let get = |k: &str| q.get(k).map(String::as_str);
    let body = match (method.as_str(), path.as_str()) {
        ("GET", "channels") if get("part") == Some("contentDetails") => list(
            "youtube#channelListResponse",
            vec![json!({
            "kind": "youtube#channel", "etag": "e", "id": CHANNEL,
            "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": "UUcityArborVale0000000001"}}})],
            None,
        ),
        ("GET", "channels") => list(
            "youtube#channelListResponse",
            vec![json!({
            "kind": "youtube#channel", "etag": "e", "id": CHANNEL,
            "snippet": {"title": "City of Arbor Vale", "description": "Council meetings and city news.",
                        "customUrl": "@arborvale", "publishedAt": "2012-03-01T00:00:00Z"},
            "statistics": {"viewCount": "912345", "subscriberCount": "2480", "hiddenSubscriberCount": false, "videoCount": "318"}})],
            None,
        ),
        ("GET", "playlistItems") => match get("pageToken") {
            None => list(
                "youtube#playlistItemListResponse",
                vec![upload(
                    "vid1",
                    "Council meeting, November 18",
                    "2026-11-19T02:00:00Z",
                )],
                Some("EAAaBlBUOkNBVQ"),
            ),
            _ => list(
                "youtube#playlistItemListResponse",
                vec![upload(
                    "vid0",
                    "Leaf pickup explained",
                    "2026-11-10T15:00:00Z",
                )],
                None,
            ),
        },
        ("GET", "commentThreads") => match (get("moderationStatus"), get("pageToken")) {
            (None, None) => list(
                "youtube#commentThreadListResponse",
                vec![thread(
                    "t1",
                    comment(
                        "t1",
                        ("UCdana", "@dana.resident"),
                        "When is the next meeting?",
                        None,
                        "published",
                    ),
                    vec![comment(
                        "t1.r1",
                        (CHANNEL, "@arborvale"),
                        "December 2 at 6 pm.",
                        Some("t1"),
                        "published",
                    )],
                    2,
                )],
                Some("QURTSl9p"),
            ),
            (None, Some("QURTSl9p")) => list(
                "youtube#commentThreadListResponse",
                vec![thread(
                    "t2",
                    comment(
                        "t2",
                        ("UCneighbor", "@neighbor"),
                        "Thanks for posting.",
                        None,
                        "published",
                    ),
                    vec![],
                    0,
                )],
                None,
            ),
            (Some("heldForReview"), _) => list(
                "youtube#commentThreadListResponse",
                vec![thread(
                    "t3",
                    comment(
                        "t3",
                        ("UCspam", "@cheap.pills"),
                        "cheap pills here",
                        None,
                        "heldForReview",
                    ),
                    vec![],
                    0,
                )],
                None,
            ),
            _ => list("youtube#commentThreadListResponse", vec![], None),
        },
        ("GET", "comments") => list(
            "youtube#commentListResponse",
            vec![
                comment(
                    "t1.r1",
                    (CHANNEL, "@arborvale"),
                    "December 2 at 6 pm.",
                    Some("t1"),
                    "published",
                ),
                comment(
                    "t1.r2",
                    ("UCdana", "@dana.resident"),
                    "Thank you!",
                    Some("t1"),
                    "published",
                ),
            ],
            None,
        ),
        ("POST", "comments/setModerationStatus") | ("DELETE", "videos") => {
            return StatusCode::NO_CONTENT.into_response();
        }
        ("GET", "subscriptions") => {
            let sub = |id: &str, title: &str| {
                json!({"kind": "youtube#subscription", "etag": "e", "id": format!("s{id}"),
                "subscriberSnippet": {"title": title, "description": "", "channelId": id, "thumbnails": {}}})
            };
            match get("pageToken") {
                None => list(
                    "youtube#subscriptionListResponse",
                    vec![sub("UCdana", "Dana Resident")],
                    Some("CAEQAA"),
                ),
                _ => list(
                    "youtube#subscriptionListResponse",
                    vec![sub("UCneighbor", "Neighbor")],
                    None,
                ),
            }
        }
        _ => {
            return (
                StatusCode::NOT_FOUND,
                axum::Json(json!({"error": {"code": 404, "message": "Not Found"}})),
            )
                .into_response();
        }
    };
    axum::Json(body).into_response()
}

async fn server() -> (String, Shared) {
    let seen: Shared = Arc::default();
    let app = Router::new()
        .route(
            "/youtube/v3/{*path}",
            get(handle).post(handle).delete(handle),
        )
        .with_state(seen.clone());
    let base = common::serve(app).await;
    (format!("{base}/youtube/v3"), seen)
}

fn endpoint(base: &str, secret: &str) -> Endpoint {
    Endpoint {
        base_url: base.into(),
        read_url: None,
        account: CHANNEL.into(),
        secret: secret.into(),
    }
}

#[tokio::test]
async fn reads_uploads_comments_subscribers_and_moderates() {
    let (base, seen) = server().await;
    let mut yt = YouTube::new(&endpoint(&base, TOKEN)).unwrap();
    let s = yt.connect().await.unwrap();
    assert_eq!(
        (s.account_id.as_str(), s.handle.as_str()),
        (CHANNEL, "@arborvale")
    );
    let p = yt.profile().await.unwrap();
    assert_eq!(
        (p.followers, p.posts, p.name.as_str()),
        (2480, 318, "City of Arbor Vale")
    );

    let first = yt.posts(None).await.unwrap();
    let video = &first.items[0];
    assert_eq!(video.kind, ItemKind::Post);
    assert_eq!(video.platform_id, "vid1");
    assert_eq!(
        video.text,
        "Council meeting, November 18\n\nFull details at arborvale.gov."
    );
    assert_eq!(
        video.created_at.rfc3339(),
        "2026-11-19T02:00:00.000Z",
        "the video's publication, not the playlist's"
    );
    assert_eq!(video.url, "https://www.youtube.com/watch?v=vid1");
    let second = yt.posts(first.next.clone()).await.unwrap();
    assert_eq!(
        (second.items[0].platform_id.as_str(), second.next),
        ("vid0", None)
    );

    let comments = yt.comments(video).await.unwrap();
    let ids: Vec<&str> = comments.iter().map(|c| c.platform_id.as_str()).collect();
    assert_eq!(ids, ["t1", "t1.r1", "t1.r2", "t2", "t3"]);
    assert_eq!(comments[0].author.name, "@dana.resident");
    assert_eq!(comments[0].author.id, "UCdana");
    assert_eq!(comments[0].created_at.rfc3339(), "2026-11-20T18:00:00.000Z");
    assert_eq!(comments[0].parent.as_deref(), Some("vid1"));
    assert_eq!(comments[0].counts.replies, 2);
    assert_eq!(comments[2].parent.as_deref(), Some("t1"));
    assert_eq!(comments[2].root.as_deref(), Some("vid1"));
    assert!(!comments[3].hidden);
    assert!(comments[4].hidden, "a comment held for review is hidden");

    yt.hide_comment(&comments[3], true).await.unwrap();
    yt.hide_comment(&comments[3], false).await.unwrap();
    yt.delete_comment(&comments[3]).await.unwrap();
    yt.block(&comments[4].author).await.unwrap();
    yt.ban_author(&comments[4]).await.unwrap();
    let stranger = Author {
        id: "UCnobody".into(),
        handle: "@nobody".into(),
        name: String::new(),
    };
    assert_eq!(
        yt.block(&stranger).await.unwrap_err().code(),
        "misconfigured"
    );

    let f1 = yt.followers(None).await.unwrap();
    assert_eq!(f1.items[0].id, "UCdana");
    let f2 = yt.followers(f1.next.clone()).await.unwrap();
    assert_eq!((f2.items[0].name.as_str(), f2.next), ("Neighbor", None));
    yt.delete(&second.items[0]).await.unwrap();

    let calls = seen.lock().unwrap().clone();
    let has = |c: &str| calls.iter().any(|x| x == c);
    assert!(
        has("GET /channels mine=true&part=snippet,statistics"),
        "{calls:#?}"
    );
    assert!(has(&format!(
        "GET /channels id={CHANNEL}&part=contentDetails"
    )));
    assert!(has(
        "GET /playlistItems maxResults=50&pageToken=EAAaBlBUOkNBVQ&part=snippet,contentDetails&playlistId=UUcityArborVale0000000001"
    ));
    assert!(has(
        "GET /commentThreads maxResults=100&pageToken=QURTSl9p&part=snippet,replies&textFormat=plainText&videoId=vid1"
    ));
    assert!(has(
        "GET /commentThreads maxResults=100&moderationStatus=heldForReview&part=snippet,replies&textFormat=plainText&videoId=vid1"
    ));
    assert!(has(
        "GET /comments maxResults=100&parentId=t1&part=snippet&textFormat=plainText"
    ));
    assert!(has(
        "POST /comments/setModerationStatus id=t2&moderationStatus=heldForReview"
    ));
    assert!(has(
        "POST /comments/setModerationStatus id=t2&moderationStatus=published"
    ));
    assert!(has(
        "POST /comments/setModerationStatus id=t2&moderationStatus=rejected"
    ));
    assert_eq!(calls.iter().filter(|c| *c == "POST /comments/setModerationStatus banAuthor=true&id=t3&moderationStatus=rejected").count(), 2);
    assert!(has(
        "GET /subscriptions maxResults=50&mySubscribers=true&pageToken=CAEQAA&part=subscriberSnippet"
    ));
    assert!(has("DELETE /videos id=vid0"));
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.contains("part=contentDetails"))
            .count(),
        1,
        "the uploads playlist is looked up once"
    );
}

#[tokio::test]
async fn a_refused_token_and_what_youtube_does_not_allow() {
    let (base, _) = server().await;
    let mut yt = YouTube::new(&endpoint(&base, "ya29.expired")).unwrap();
    let e = yt.connect().await.unwrap_err();
    assert_eq!(e.code(), "credential_refused", "{e}");
    let e = yt
        .publish(&Draft {
            text: "hi".into(),
            images: vec![],
        })
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::Unsupported {
                capability: "publish",
                ..
            }
        ),
        "{e}"
    );
    let mut ok = YouTube::new(&endpoint(&base, TOKEN)).unwrap();
    let video = ok.posts(None).await.unwrap().items.remove(0);
    let e = yt.report(&video, ReportReason::Spam, "").await.unwrap_err();
    assert_eq!(e.code(), "unsupported");
    assert!(!yt.capabilities().contains(&Capability::Publish));
    assert!(yt.capabilities().contains(&Capability::ReadFollowers));
    assert_eq!(
        plaza_connect::capabilities(plaza_core::sites::Platform::Youtube),
        youtube::CAPABILITIES
    );
    let mut other = YouTube::new(&Endpoint {
        account: "UCsomeoneElse".into(),
        ..endpoint(&base, TOKEN)
    })
    .unwrap();
    assert_eq!(other.connect().await.unwrap_err().code(), "misconfigured");
}
